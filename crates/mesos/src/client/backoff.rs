//! Capped exponential backoff between reconnection attempts.

use std::time::Duration;

/// Doubles the delay after each failed attempt, up to `max`; `reset` after a
/// successful subscription so a later blip reconnects quickly.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    initial: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// Starts at `initial` (at least 1 ms) and never exceeds `max`.
    pub(crate) fn new(initial: Duration, max: Duration) -> Self {
        let initial = initial.max(Duration::from_millis(1)).min(max);
        Self { initial, max, next: initial }
    }

    /// The delay to wait now; the following one is twice as long, capped.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        delay
    }

    /// Back to the initial delay.
    pub(crate) fn reset(&mut self) {
        self.next = self.initial;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Backoff;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_resets() {
        let ms = Duration::from_millis;
        let mut backoff = Backoff::new(ms(100), ms(700));
        let delays: Vec<_> = (0..5).map(|_| backoff.next_delay()).collect();
        assert_eq!(delays, vec![ms(100), ms(200), ms(400), ms(700), ms(700)]);
        backoff.reset();
        assert_eq!(backoff.next_delay(), ms(100));
    }

    #[test]
    fn backoff_initial_is_clamped_into_range() {
        let ms = Duration::from_millis;
        assert_eq!(Backoff::new(ms(0), ms(10)).next_delay(), ms(1));
        assert_eq!(Backoff::new(ms(50), ms(10)).next_delay(), ms(10));
    }
}
