//! [`Debounce`]: at most one refetch per window, the first one at once.
//!
//! A burst of events (a deployment of 50 instances sends hundreds of
//! status updates) must not become hundreds of refetches, but a single
//! change should show without delay. So the first event after a quiet
//! window flushes at once (leading edge); events inside the window are
//! collected and flushed once when it ends (trailing edge). A
//! [`Debounce::trailing`] one has no leading edge: the first event starts
//! the window and everything in it flushes once at its end (for refetches
//! that only reconcile what events already showed). Pure: time comes in
//! as milliseconds, the caller owns the timer.

/// What the caller does after telling [`Debounce`] about an event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Flush now.
    Flush,
    /// Start a timer; call [`Debounce::timer_fired`] after this many ms.
    WaitMs(f64),
    /// A timer is already running; it will flush.
    Nothing,
}

/// The state of one debounced stream of events.
#[derive(Debug, Clone)]
pub struct Debounce {
    /// Minimum time between two flushes.
    window_ms: f64,
    /// When the last flush happened.
    last_flush: Option<f64>,
    /// A timer is running and will flush when it fires.
    timer_running: bool,
    /// The first event after a quiet window flushes at once.
    leading: bool,
}

impl Debounce {
    /// At most one flush per `window_ms`.
    pub fn new(window_ms: f64) -> Self {
        Debounce { window_ms, last_flush: None, timer_running: false, leading: true }
    }

    /// At most one flush per `window_ms`, each `window_ms` after the first
    /// event not flushed yet.
    pub fn trailing(window_ms: f64) -> Self {
        Debounce { leading: false, ..Debounce::new(window_ms) }
    }

    /// An event arrived at `now`.
    pub fn event(&mut self, now: f64) -> Step {
        if self.timer_running {
            return Step::Nothing;
        }
        if !self.leading {
            self.timer_running = true;
            return Step::WaitMs(self.window_ms);
        }
        match self.last_flush {
            Some(last) if now - last < self.window_ms => {
                self.timer_running = true;
                Step::WaitMs(last + self.window_ms - now)
            }
            _ => {
                self.last_flush = Some(now);
                Step::Flush
            }
        }
    }

    /// The timer asked for by [`Step::WaitMs`] fired at `now`: flush.
    pub fn timer_fired(&mut self, now: f64) {
        self.timer_running = false;
        self.last_flush = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::{Debounce, Step};

    #[test]
    fn first_event_flushes_at_once_and_a_burst_flushes_once_more() {
        let mut d = Debounce::new(250.0);
        assert_eq!(d.event(1000.0), Step::Flush);
        assert_eq!(d.event(1010.0), Step::WaitMs(240.0));
        assert_eq!(d.event(1020.0), Step::Nothing);
        assert_eq!(d.event(1200.0), Step::Nothing);
        d.timer_fired(1250.0);
        // Quiet since the trailing flush: the window restarts from it.
        assert_eq!(d.event(1300.0), Step::WaitMs(200.0));
        d.timer_fired(1500.0);
        assert_eq!(d.event(2000.0), Step::Flush);
    }

    #[test]
    fn a_trailing_debounce_flushes_once_at_the_end_of_each_window() {
        let mut d = Debounce::trailing(2000.0);
        assert_eq!(d.event(1000.0), Step::WaitMs(2000.0));
        assert_eq!(d.event(1500.0), Step::Nothing);
        assert_eq!(d.event(2900.0), Step::Nothing);
        d.timer_fired(3000.0);
        assert_eq!(d.event(3100.0), Step::WaitMs(2000.0));
        d.timer_fired(5100.0);
        assert_eq!(d.event(9000.0), Step::WaitMs(2000.0), "no flush at once, even after a quiet time");
    }

    #[test]
    fn flushes_are_never_closer_than_the_window() {
        let mut d = Debounce::new(250.0);
        let mut flushes = Vec::new();
        let mut timer: Option<f64> = None;
        // An event every 10 ms for 2 s.
        for tick in 0..200 {
            let now = f64::from(tick) * 10.0;
            if let Some(at) = timer.filter(|at| *at <= now) {
                d.timer_fired(at);
                flushes.push(at);
                timer = None;
            }
            match d.event(now) {
                Step::Flush => flushes.push(now),
                Step::WaitMs(ms) => timer = Some(now + ms),
                Step::Nothing => {}
            }
        }
        assert!(flushes.len() >= 7, "{flushes:?}");
        for pair in flushes.windows(2) {
            assert!(pair[1] - pair[0] >= 250.0, "{flushes:?}");
        }
    }
}
