//! Time as data. The core never reads a clock: every operation that depends on
//! time takes a [`Timestamp`] supplied by the caller (the server's run loop),
//! which keeps decisions deterministic and testable.

use serde::Serialize;

/// Milliseconds since the Unix epoch, as seen by the caller's clock.
///
/// Only differences between timestamps matter to the core; arithmetic
/// saturates so a clock that steps backwards never panics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// A timestamp `secs` seconds after the epoch (handy in tests and configs).
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs.saturating_mul(1000))
    }

    /// This instant plus `millis` milliseconds, saturating.
    pub const fn plus_millis(self, millis: u64) -> Self {
        Self(self.0.saturating_add(millis))
    }

    /// Milliseconds from `earlier` to `self`, or 0 if `earlier` is later.
    pub const fn millis_since(self, earlier: Timestamp) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

/// Converts a non-negative number of seconds (possibly fractional, as in
/// Marathon's JSON) to whole milliseconds; NaN and negatives become 0.
pub(crate) fn secs_to_millis(secs: f64) -> u64 {
    if secs.is_finite() && secs > 0.0 {
        // Saturating float-to-int cast: huge values clamp to u64::MAX.
        (secs * 1000.0).round() as u64
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::{secs_to_millis, Timestamp};

    #[test]
    fn millis_since_saturates_when_clock_steps_back() {
        assert_eq!(Timestamp(5).millis_since(Timestamp(9)), 0);
        assert_eq!(Timestamp(9).millis_since(Timestamp(5)), 4);
    }

    #[test]
    fn secs_to_millis_clamps_bad_values() {
        for (secs, want) in [(1.5, 1500), (-1.0, 0), (f64::NAN, 0), (0.0, 0)] {
            assert_eq!(secs_to_millis(secs), want, "secs={secs}");
        }
    }
}
