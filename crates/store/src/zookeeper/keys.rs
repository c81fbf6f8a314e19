//! Store keys as znode names, reversibly.
//!
//! A znode name cannot contain `/`, cannot be empty, `.` or `..`, and
//! ZooKeeper refuses control and some Unicode characters. Every key becomes
//! `=` followed by its UTF-8 bytes, where bytes outside a small safe ASCII
//! set are written `%XX` (upper-case hex). The leading `=` makes the empty
//! key, `.` and `..` valid names without special cases; the encoding is
//! injective, so distinct keys never share a node. Names sort differently
//! from keys, so listings decode first and sort by key bytes.

use std::fmt::Write as _;

/// Marks a dromos key node; also what makes `""`, `.` and `..` valid names.
const MARKER: char = '=';

/// Bytes kept as they are: unambiguous, valid in znode names, and readable
/// in `zkCli.sh`. `%` is the escape and `/` the path separator, so neither
/// is here.
fn is_safe(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-_.~@:+,=!$()*'".contains(&byte)
}

/// The znode name of `key`.
pub(crate) fn encode_key(key: &str) -> String {
    let mut name = String::with_capacity(key.len() + 1);
    name.push(MARKER);
    for &byte in key.as_bytes() {
        if is_safe(byte) {
            name.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(name, "%{byte:02X}");
        }
    }
    name
}

/// The key a znode name stands for, or `None` for names dromos did not
/// write (they are skipped, never misread).
pub(crate) fn decode_key(name: &str) -> Option<String> {
    let escaped = name.strip_prefix(MARKER)?.as_bytes();
    let mut bytes = Vec::with_capacity(escaped.len());
    let mut i = 0;
    while i < escaped.len() {
        match escaped[i] {
            b'%' => {
                let hex = escaped.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                if hex.bytes().any(|b| b.is_ascii_lowercase()) {
                    return None;
                }
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            byte if is_safe(byte) => {
                bytes.push(byte);
                i += 1;
            }
            _ => return None,
        }
    }
    String::from_utf8(bytes).ok()
}

/// The longest name [`encode_key`] makes for a key of `key_len` bytes.
pub(crate) const fn max_encoded_len(key_len: usize) -> usize {
    1 + 3 * key_len
}

#[cfg(test)]
mod tests {
    use super::{decode_key, encode_key, max_encoded_len};

    #[test]
    fn keys_become_valid_distinct_names_and_decode_back() {
        let cases: [(&str, &str); 9] = [
            ("", "="),
            (".", "=."),
            ("..", "=.."),
            ("/", "=%2F"),
            ("/prod/web@1", "=%2Fprod%2Fweb@1"),
            ("100%", "=100%25"),
            ("a b", "=a%20b"),
            ("é", "=%C3%A9"),
            ("nul\0", "=nul%00"),
        ];
        for (key, name) in cases {
            assert_eq!(encode_key(key), name, "encoding of {key:?}");
            assert_eq!(decode_key(name).as_deref(), Some(key), "decoding of {name:?}");
            assert!(!name.contains('/') && name != "." && name != "..");
            assert!(name.len() <= max_encoded_len(key.len()));
        }
    }

    #[test]
    fn foreign_names_are_not_keys() {
        for name in ["", "plain", "=%2", "=%zz", "=%2f", "=a/b", "=%FF", "=a b", "member-0000000001"] {
            assert_eq!(decode_key(name), None, "{name:?} is not a dromos key node");
        }
    }

    #[test]
    fn every_unicode_key_round_trips() {
        let keys = ["日本語", "emoji 🚀", "\u{feff}bom", "\u{10ffff}", "tab\t", "new\nline", "\u{7f}"];
        for key in keys {
            let name = encode_key(key);
            assert!(name.is_ascii(), "{name:?}");
            assert_eq!(decode_key(&name).as_deref(), Some(key));
        }
    }
}
