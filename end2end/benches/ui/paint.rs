//! Event-to-paint, from the timestamps `probe.js` recorded in the page.
//!
//! For each `status_update_event` that arrived on the console's own
//! EventSource at time `a` (recorded by a listener that runs before the
//! console's), the event is on screen once the console has fetched a
//! services list that includes it and painted the result:
//!
//! 1. the covering request: the first services-list request
//!    (`/api/apps/list`, Resource Timing) that *started* at or after `a`;
//!    dromos publishes an event after the change it reports, so that
//!    answer reflects it;
//! 2. applied: the first change of the services table (MutationObserver)
//!    at or after that request's `responseEnd`; when the table did not
//!    change within a second (the answer looked the same as the screen),
//!    `responseEnd` itself;
//! 3. painted: the end of the first frame rendered after that (a message
//!    posted from `requestAnimationFrame` is handled after the frame's
//!    paint).
//!
//! Event-to-paint is 3 − `a`. It includes the console's debouncing of
//! events (at most one refetch per 250 ms), the request, the render and
//! the paint. An event whose covering request never came (the end of the
//! run) is counted as unresolved, not as a sample. The headline figure
//! counts the events of apps on the page (the ones that can be shown);
//! the events of other apps (a refetch that changes nothing visible) are
//! reported beside it.

/// What the probe recorded, in page milliseconds.
#[derive(Debug, Default)]
pub struct Recording {
    /// Arrival times of status events (within the measured window), and
    /// whether their app is on the page.
    pub arrivals: Vec<(f64, bool)>,
    /// (start, responseEnd) of services-list requests.
    pub fetches: Vec<(f64, f64)>,
    /// Times of services-table changes.
    pub mutations: Vec<f64>,
    /// Times right after each rendered frame.
    pub frames: Vec<f64>,
}

/// The distribution of event-to-paint.
#[derive(Debug, Default, Clone)]
pub struct EventToPaint {
    pub samples: usize,
    pub unresolved: usize,
    /// Samples whose table did not change after the covering answer.
    pub unchanged: usize,
    pub p50: f64,
    pub p95: f64,
    pub max: f64,
    /// (p50, p95) of the parts: arrival → request start (the console's
    /// debouncing), the request, response → table changed, → painted.
    pub parts: [(f64, f64); 4],
}

/// A table change this long after an answer is not that answer's.
const APPLY_LIMIT_MS: f64 = 1000.0;

fn first_at_or_after(sorted: &[f64], at: f64) -> Option<f64> {
    let index = sorted.partition_point(|&t| t < at);
    sorted.get(index).copied()
}

/// Quantile `q` of sorted samples (nearest rank).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64) * q).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

impl Recording {
    /// Over the events of apps on the page only, or over all events.
    pub fn event_to_paint(&self, visible_only: bool) -> EventToPaint {
        let mut fetches = self.fetches.clone();
        fetches.sort_by(|a, b| a.0.total_cmp(&b.0));
        let starts: Vec<f64> = fetches.iter().map(|f| f.0).collect();
        let mut mutations = self.mutations.clone();
        mutations.sort_by(f64::total_cmp);
        let mut frames = self.frames.clone();
        frames.sort_by(f64::total_cmp);
        let mut result = EventToPaint::default();
        let mut latencies = Vec::new();
        let mut parts: [Vec<f64>; 4] = Default::default();
        for &(arrival, visible) in &self.arrivals {
            if visible_only && !visible {
                continue;
            }
            let index = starts.partition_point(|&s| s < arrival);
            let Some(&(start, response_end)) = fetches.get(index) else {
                result.unresolved += 1;
                continue;
            };
            let applied = match first_at_or_after(&mutations, response_end) {
                Some(m) if m - response_end <= APPLY_LIMIT_MS => m,
                _ => {
                    result.unchanged += 1;
                    response_end
                }
            };
            let Some(painted) = frames.get(frames.partition_point(|&f| f <= applied)).copied() else {
                result.unresolved += 1;
                continue;
            };
            latencies.push(painted - arrival);
            let steps = [start - arrival, response_end - start, applied - response_end, painted - applied];
            for (part, step) in parts.iter_mut().zip(steps) {
                part.push(step);
            }
        }
        for (out, part) in result.parts.iter_mut().zip(&mut parts) {
            part.sort_by(f64::total_cmp);
            *out = (quantile(part, 0.5), quantile(part, 0.95));
        }
        latencies.sort_by(f64::total_cmp);
        result.samples = latencies.len();
        result.p50 = quantile(&latencies, 0.5);
        result.p95 = quantile(&latencies, 0.95);
        result.max = latencies.last().copied().unwrap_or(f64::NAN);
        result
    }
}
