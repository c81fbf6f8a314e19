//! RecordIO framing of the event stream: each record is `<decimal length>\n<bytes>`,
//! with no separator after the bytes.
//!
//! HTTP chunk boundaries are unrelated to record boundaries, so [`Decoder`] is
//! incremental: push whatever bytes arrived, then pull complete records. A length
//! above the configured maximum fails before any of the record is buffered, so a
//! corrupt or hostile stream cannot make the client allocate without bound.

use bytes::{Buf, Bytes, BytesMut};

/// Default largest record accepted: 64 MiB (an OFFERS event of a large cluster
/// is a few MiB).
pub const DEFAULT_MAX_RECORD_BYTES: usize = 64 * 1024 * 1024;

/// A u64 has at most 20 decimal digits; a longer header is garbage.
const MAX_HEADER_DIGITS: usize = 20;

/// Why a stream is not valid RecordIO. The stream cannot be resynchronised after
/// any of these; the connection must be dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordIoError {
    /// A byte other than a digit before the newline of a length header.
    #[error("invalid byte {0:#04x} in RecordIO length header")]
    InvalidHeaderByte(u8),
    /// The header ended (newline) without any digit.
    #[error("empty RecordIO length header")]
    EmptyHeader,
    /// More digits than any u64 has.
    #[error("RecordIO length header longer than {MAX_HEADER_DIGITS} digits")]
    HeaderTooLong,
    /// The announced record is larger than allowed.
    #[error("RecordIO record of {size} bytes exceeds the limit of {max} bytes")]
    RecordTooLarge {
        /// Announced size.
        size: u64,
        /// Configured limit.
        max: usize,
    },
}

/// Frames one record.
pub fn encode(record: &[u8]) -> Vec<u8> {
    let header = record.len().to_string();
    let mut out = Vec::with_capacity(header.len() + 1 + record.len());
    out.extend_from_slice(header.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(record);
    out
}

#[derive(Debug, Clone, Copy)]
enum State {
    /// Reading digits; `scanned` bytes of the buffer are known to be digits.
    Header { scanned: usize },
    /// Header consumed; waiting for this many body bytes.
    Body(usize),
}

/// Incremental RecordIO decoder; one per connection.
#[derive(Debug)]
pub struct Decoder {
    buf: BytesMut,
    state: State,
    max_record_bytes: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_RECORD_BYTES)
    }
}

impl Decoder {
    /// A decoder refusing records larger than `max_record_bytes`.
    pub fn new(max_record_bytes: usize) -> Self {
        Self { buf: BytesMut::new(), state: State::Header { scanned: 0 }, max_record_bytes }
    }

    /// Appends bytes as they arrived from the network.
    pub fn push(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
    }

    /// The next complete record, `Ok(None)` when more bytes are needed.
    pub fn next_record(&mut self) -> Result<Option<Bytes>, RecordIoError> {
        loop {
            match self.state {
                State::Header { scanned } => match self.scan_header(scanned)? {
                    Some(size) => self.state = State::Body(size),
                    None => return Ok(None),
                },
                State::Body(size) => {
                    if self.buf.len() < size {
                        // Reserve once so the body does not grow by repeated doubling.
                        self.buf.reserve(size - self.buf.len());
                        return Ok(None);
                    }
                    self.state = State::Header { scanned: 0 };
                    return Ok(Some(self.buf.split_to(size).freeze()));
                }
            }
        }
    }

    /// Pushes `chunk` and returns every record it completed.
    pub fn decode(&mut self, chunk: &[u8]) -> Result<Vec<Bytes>, RecordIoError> {
        self.push(chunk);
        let mut records = Vec::new();
        while let Some(record) = self.next_record()? {
            records.push(record);
        }
        Ok(records)
    }

    /// True when no partial record is buffered, i.e. the stream may end here.
    pub fn is_at_boundary(&self) -> bool {
        matches!(self.state, State::Header { .. }) && self.buf.is_empty()
    }

    /// Scans the header from `scanned`; on a newline consumes it and returns the size.
    fn scan_header(&mut self, scanned: usize) -> Result<Option<usize>, RecordIoError> {
        for index in scanned..self.buf.len() {
            let byte = self.buf[index];
            if byte == b'\n' {
                let size = self.parse_size(index)?;
                self.buf.advance(index + 1);
                return Ok(Some(size));
            }
            if !byte.is_ascii_digit() {
                return Err(RecordIoError::InvalidHeaderByte(byte));
            }
            if index >= MAX_HEADER_DIGITS {
                return Err(RecordIoError::HeaderTooLong);
            }
        }
        self.state = State::Header { scanned: self.buf.len() };
        Ok(None)
    }

    fn parse_size(&self, digits: usize) -> Result<usize, RecordIoError> {
        if digits == 0 {
            return Err(RecordIoError::EmptyHeader);
        }
        // Only ASCII digits were accepted, so each byte maps to 0..=9.
        let size = self.buf[..digits]
            .iter()
            .try_fold(0u64, |acc, b| acc.checked_mul(10)?.checked_add(u64::from(b - b'0')));
        let too_large = |size| RecordIoError::RecordTooLarge { size, max: self.max_record_bytes };
        let size = size.ok_or(too_large(u64::MAX))?;
        match usize::try_from(size) {
            Ok(n) if n <= self.max_record_bytes => Ok(n),
            _ => Err(too_large(size)),
        }
    }
}

#[cfg(test)]
#[path = "recordio_tests.rs"]
mod tests;
