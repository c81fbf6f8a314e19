//! Values as znode data: one header byte, then the value, deflated when it
//! is large and deflating pays.
//!
//! The header keeps the format open (a new codec is a new header byte) and
//! lets a reader tell a compressed value from one that merely looks like a
//! zlib stream. Compression only ever shrinks what is stored, so a value
//! within [`crate::Limits::max_value_size`] always fits in its node.

use std::io::{Read as _, Write as _};

use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;

/// Header byte: the value follows as is.
const RAW: u8 = 0;
/// Header byte: the value follows as a raw DEFLATE stream.
const DEFLATE: u8 = 1;

/// Values at least this large are offered to the compressor; smaller ones
/// gain too little to be worth the CPU.
pub(crate) const COMPRESS_THRESHOLD: usize = 16 * 1024;

/// Why stored data could not be turned back into a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DecodeError {
    /// The node has no header byte: not written by dromos.
    #[error("empty node data has no header")]
    Empty,
    /// The header names no codec this build knows.
    #[error("unknown value header {0:#04x}")]
    UnknownHeader(u8),
    /// The compressed stream is damaged or inflates past the limit.
    #[error("compressed value is damaged or larger than {limit} bytes")]
    BadStream {
        /// The largest value accepted.
        limit: usize,
    },
}

/// The node data for `value`.
pub(crate) fn encode_value(value: &[u8]) -> Vec<u8> {
    if value.len() >= COMPRESS_THRESHOLD {
        if let Some(deflated) = deflate(value).filter(|d| d.len() < value.len()) {
            return deflated;
        }
    }
    let mut data = Vec::with_capacity(value.len() + 1);
    data.push(RAW);
    data.extend_from_slice(value);
    data
}

/// `DEFLATE` header followed by the stream, or `None` if the encoder failed
/// (it writes to memory, so it does not, but a raw copy is always correct).
fn deflate(value: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = DeflateEncoder::new(vec![DEFLATE], Compression::fast());
    encoder.write_all(value).ok()?;
    encoder.finish().ok()
}

/// The value stored in node `data`; inflating stops at `limit` bytes so a
/// damaged or hostile node cannot exhaust memory.
pub(crate) fn decode_value(data: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    let (&header, body) = data.split_first().ok_or(DecodeError::Empty)?;
    match header {
        RAW => Ok(body.to_vec()),
        DEFLATE => {
            let mut value = Vec::new();
            let bound = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
            DeflateDecoder::new(body)
                .take(bound)
                .read_to_end(&mut value)
                .map_err(|_| DecodeError::BadStream { limit })?;
            if value.len() > limit {
                return Err(DecodeError::BadStream { limit });
            }
            Ok(value)
        }
        other => Err(DecodeError::UnknownHeader(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::{decode_value, encode_value, DecodeError, COMPRESS_THRESHOLD, DEFLATE, RAW};

    /// Bytes that do not compress (a xorshift stream).
    fn noise(len: usize) -> Vec<u8> {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect()
    }

    #[test]
    fn values_round_trip_with_the_expected_codec() {
        let cases: [(&str, Vec<u8>, u8); 5] = [
            ("empty", Vec::new(), RAW),
            ("small text", b"{\"id\":\"/web\"}".to_vec(), RAW),
            ("below threshold", vec![b'a'; COMPRESS_THRESHOLD - 1], RAW),
            ("large and repetitive", vec![b'a'; COMPRESS_THRESHOLD], DEFLATE),
            ("large noise", noise(4 * COMPRESS_THRESHOLD), RAW),
        ];
        for (name, value, header) in cases {
            let data = encode_value(&value);
            assert_eq!(data[0], header, "{name}: header");
            assert!(data.len() <= value.len() + 1, "{name}: never grows by more than the header");
            assert_eq!(decode_value(&data, value.len()).as_ref(), Ok(&value), "{name}");
        }
    }

    #[test]
    fn damaged_or_foreign_data_is_an_error() {
        let bomb = encode_value(&vec![0u8; 1 << 20]);
        let cases: [(&str, Vec<u8>, DecodeError); 3] = [
            ("no header", Vec::new(), DecodeError::Empty),
            ("unknown header", vec![7, 1, 2], DecodeError::UnknownHeader(7)),
            ("inflates past the limit", bomb, DecodeError::BadStream { limit: 1000 }),
        ];
        for (name, data, want) in cases {
            assert_eq!(decode_value(&data, 1000), Err(want), "{name}");
        }
    }
}
