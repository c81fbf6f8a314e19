//! Version stamps: ISO-8601 UTC with milliseconds, as Marathon writes them
//! (`2015-09-28T19:47:37.681Z`), strictly increasing within one store.
//!
//! Strictness matters: versions are keys (`/v2/apps/x/versions/{v}`) and
//! the store orders them as text, so two changes in the same millisecond,
//! or a wall clock stepping back, must still give distinct, ordered stamps.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use dromos_model::Timestamp;

/// The stamp for a change made at `now`, strictly after `floor` (the newest
/// stamp already used).
pub fn next_version(now: DateTime<Utc>, floor: Option<&Timestamp>) -> Timestamp {
    let floor_time =
        floor.and_then(|f| DateTime::parse_from_rfc3339(f.as_str()).ok()).map(|t| t.with_timezone(&Utc));
    // Compare at the stamp's own precision: 12:00:00.164700 formats as
    // .164, the same stamp as a floor of .164000.
    let now = DateTime::<Utc>::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now);
    let stamp = match floor_time {
        Some(f) if now <= f => f + Duration::milliseconds(1),
        _ => now,
    };
    format_time(stamp)
}

/// `t` in Marathon's version format.
pub fn format_time(t: DateTime<Utc>) -> Timestamp {
    let text = t.to_rfc3339_opts(SecondsFormat::Millis, true);
    // Invariant, not input: chrono's RFC 3339 output is ISO-8601.
    #[allow(clippy::expect_used)]
    Timestamp::parse(&text).expect("RFC 3339 with millis is ISO-8601")
}

/// Milliseconds since the epoch for a stored stamp (0 if unreadable).
pub fn millis_of(stamp: &str) -> u64 {
    DateTime::parse_from_rfc3339(stamp)
        .ok()
        .and_then(|t| u64::try_from(t.timestamp_millis()).ok())
        .unwrap_or(0)
}

/// The stamp for milliseconds since the epoch.
pub fn from_millis(ms: u64) -> Timestamp {
    let t = i64::try_from(ms).ok().and_then(DateTime::<Utc>::from_timestamp_millis).unwrap_or_default();
    format_time(t)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn versions_are_marathon_formatted_and_strictly_increasing() {
        let t = Utc.with_ymd_and_hms(2015, 9, 28, 19, 47, 37).unwrap();
        let first = next_version(t, None);
        assert_eq!(first.as_str(), "2015-09-28T19:47:37.000Z");
        let same_ms = next_version(t, Some(&first));
        assert_eq!(same_ms.as_str(), "2015-09-28T19:47:37.001Z");
        let clock_back = next_version(t - Duration::seconds(5), Some(&same_ms));
        assert_eq!(clock_back.as_str(), "2015-09-28T19:47:37.002Z");
        assert!(first < same_ms && same_ms < clock_back, "text order is time order");
    }

    #[test]
    fn a_later_instant_in_the_same_millisecond_still_advances() {
        let t = Utc.with_ymd_and_hms(2026, 11, 26, 1, 24, 13).unwrap() + Duration::milliseconds(164);
        let first = next_version(t, None);
        let later = next_version(t + Duration::microseconds(700), Some(&first));
        assert_eq!(first.as_str(), "2026-11-26T01:24:13.164Z");
        assert_eq!(later.as_str(), "2026-11-26T01:24:13.165Z");
    }

    #[test]
    fn millis_round_trip() {
        let stamp = from_millis(1_443_469_657_681);
        assert_eq!(stamp.as_str(), "2015-09-28T19:47:37.681Z");
        assert_eq!(millis_of(stamp.as_str()), 1_443_469_657_681);
    }
}
