#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::{encode, Decoder, RecordIoError};

fn decode_all(chunks: &[&[u8]]) -> Result<Vec<Vec<u8>>, RecordIoError> {
    let mut decoder = Decoder::new(1024);
    let mut out = Vec::new();
    for chunk in chunks {
        out.extend(decoder.decode(chunk)?.into_iter().map(|b| b.to_vec()));
    }
    Ok(out)
}

#[test]
fn encode_writes_decimal_length_newline_and_data_without_trailer() {
    assert_eq!(encode(br#"{"type":"HEARTBEAT"}"#), b"20\n{\"type\":\"HEARTBEAT\"}".to_vec());
    assert_eq!(encode(b""), b"0\n".to_vec());
}

/// A named case: input chunks and the records (or error) they decode to.
type Case<'a> = (&'a str, &'a [&'a [u8]], Result<Vec<&'a [u8]>, RecordIoError>);

#[test]
fn decoder_handles_documented_cases() {
    let cases: &[Case<'_>] = &[
        ("one record in one chunk", &[b"3\nabc"], Ok(vec![b"abc"])),
        ("two records back to back", &[b"1\na2\nbc"], Ok(vec![b"a", b"bc"])),
        ("header split across chunks", &[b"1", b"0\n0123456789"], Ok(vec![b"0123456789"])),
        ("body split across chunks", &[b"4\nab", b"cd"], Ok(vec![b"abcd"])),
        ("newline in the data is data", &[b"3\na\nb"], Ok(vec![b"a\nb"])),
        ("incomplete record yields nothing", &[b"5\nabc"], Ok(vec![])),
        ("zero-length record", &[b"0\n1\nx"], Ok(vec![b"", b"x"])),
        ("letter in header", &[b"1x\n"], Err(RecordIoError::InvalidHeaderByte(b'x'))),
        ("carriage return in header", &[b"3\r\nabc"], Err(RecordIoError::InvalidHeaderByte(b'\r'))),
        ("empty header", &[b"\nabc"], Err(RecordIoError::EmptyHeader)),
        (
            "record above the limit",
            &[b"1025\n"],
            Err(RecordIoError::RecordTooLarge { size: 1025, max: 1024 }),
        ),
        (
            "u64 overflow",
            &[b"99999999999999999999\n"],
            Err(RecordIoError::RecordTooLarge { size: u64::MAX, max: 1024 }),
        ),
        ("endless digits", &[b"000000000000000000000000"], Err(RecordIoError::HeaderTooLong)),
    ];
    for (name, chunks, expected) in cases {
        let expected = expected.clone().map(|v| v.into_iter().map(<[u8]>::to_vec).collect::<Vec<_>>());
        assert_eq!(decode_all(chunks), expected, "case: {name}");
    }
}

#[test]
fn decoder_reports_boundary_only_between_records() {
    let mut decoder = Decoder::default();
    assert!(decoder.is_at_boundary());
    decoder.decode(b"3\nab").unwrap();
    assert!(!decoder.is_at_boundary());
    decoder.decode(b"c").unwrap();
    assert!(decoder.is_at_boundary());
}

proptest! {
    #[test]
    fn any_chunking_decodes_the_same_records(
        records in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..8),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..20),
    ) {
        let stream: Vec<u8> = records.iter().flat_map(|r| encode(r)).collect();
        let mut positions: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        positions.push(0);
        positions.push(stream.len());
        positions.sort_unstable();
        let chunks: Vec<&[u8]> = positions.windows(2).map(|w| &stream[w[0]..w[1]]).collect();

        let mut decoder = Decoder::new(1024);
        let mut decoded = Vec::new();
        for chunk in chunks {
            decoded.extend(decoder.decode(chunk).unwrap().into_iter().map(|b| b.to_vec()));
        }
        prop_assert_eq!(decoded, records);
        prop_assert!(decoder.is_at_boundary());
    }
}
