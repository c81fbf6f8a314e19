//! `Timestamp`: an ISO-8601 instant as Marathon writes it
//! (`2015-09-28T19:47:37.681Z`), used for `version` and `versionInfo`.
//!
//! The model never reads a clock: the server stamps versions and hands them
//! in. Kept as the original text so a version round-trips byte for byte
//! (versions are looked up by their string form in `/versions/{version}`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// Marathon's error code for a string that is not an ISO-8601 date-time.
pub const ISO_FORMAT_ERROR: &str = "error.expected.date.isoformat";

/// An ISO-8601 date-time with an explicit zone (`Z` or `±hh:mm`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Timestamp(String);

impl Timestamp {
    /// Accepts `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm|±hhmm)`.
    pub fn parse(raw: &str) -> Option<Timestamp> {
        is_iso8601(raw).then(|| Timestamp(raw.to_string()))
    }

    /// The text as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Timestamp::parse(&raw).ok_or_else(|| serde::de::Error::custom(ISO_FORMAT_ERROR))
    }
}

fn is_iso8601(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let fixed = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b[10] == b'T' || b[10] == b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !fixed || !ranges_ok(s) {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 9 {
            return false;
        }
        rest = &frac[n..];
    }
    is_zone(rest)
}

fn ranges_ok(s: &str) -> bool {
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u32>().ok()).unwrap_or(99);
    (1..=12).contains(&num(5..7))
        && (1..=31).contains(&num(8..10))
        && num(11..13) <= 23
        && num(14..16) <= 59
        && num(17..19) <= 60
}

fn is_zone(z: &str) -> bool {
    if z == "Z" || z == "z" {
        return true;
    }
    let b = z.as_bytes();
    let sign = matches!(b.first(), Some(b'+') | Some(b'-'));
    let d = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    sign && match b.len() {
        6 => d(1) && d(2) && b[3] == b':' && d(4) && d(5),
        5 => d(1) && d(2) && d(3) && d(4),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_marathon_versions_and_offsets() {
        for ok in [
            "2015-09-28T19:47:37.681Z",
            "2015-09-28T19:47:37Z",
            "2015-09-28T19:47:37.123456789+02:00",
            "2015-09-28T19:47:37-0500",
        ] {
            assert!(Timestamp::parse(ok).is_some(), "{ok}");
        }
    }

    #[test]
    fn rejects_non_iso_text() {
        for bad in [
            "",
            "yesterday",
            "2015-09-28",
            "2015-09-28 19:47:37Z",
            "2015-13-28T19:47:37Z",
            "2015-09-28T19:47:37",
            "2015-09-28T19:47:37.Z",
            "2015-09-28T19:47:37.681+2",
        ] {
            assert!(Timestamp::parse(bad).is_none(), "{bad}");
        }
    }
}
