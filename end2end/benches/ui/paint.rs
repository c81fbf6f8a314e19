//! Event-to-paint, from the timestamps `probe.js` recorded in the page.
//!
//! For each `status_update_event` that arrived on the console's own
//! EventSource at time `a` (recorded by a listener that runs before the
//! console's) and that changes what the app's row shows:
//!
//! 1. changed: the first change of that app's row of the services table
//!    (`tr[data-app-id]`, MutationObserver: something inside the row
//!    changed, or the row was rendered anew) at or after `a`;
//! 2. painted: the end of the first frame rendered after that (a message
//!    posted from `requestAnimationFrame` is handled after the frame's
//!    paint).
//!
//! Event-to-paint is 2 − `a`, whatever the console does in between
//! (apply the event in place, or refetch the list and render it again).
//! A row re-rendered from a refetch that does not reflect the event yet
//! counts as its paint too, which favours a console that re-renders often.
//!
//! Which events change the row: the row shows instance counts (running,
//! staged, health), so an event that moves its task between "running",
//! "staged" (staging or starting) and "neither" (killing, unreachable,
//! ended, unknown) does; the others (`TASK_STARTING` after `TASK_STAGING`,
//! `TASK_KILLED` after `TASK_KILLING`, a repeat) are counted as `silent`,
//! not as samples. A task's previous state is the last event the page got
//! for it; a task not seen before was running (the harness starts
//! streaming once every task runs) unless its first event is `TASK_STAGING`
//! or `TASK_STARTING` (a new task). A visible event whose row did not change
//! within [`APPLY_LIMIT_MS`] is `missed` and counts as an infinite sample;
//! one with no frame after its change (the end of the run) is `unresolved`
//! and not counted. The headline figure covers the events of apps on the
//! page; the events of other apps (which no row shows) are only counted.

use std::collections::BTreeMap;

/// One status event the page received.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// Page ms.
    pub at: f64,
    pub app: String,
    pub task: String,
    pub state: String,
    /// Within the measured window (earlier ones only tell task states).
    pub measured: bool,
}

/// What the probe recorded, in page milliseconds.
#[derive(Debug, Default)]
pub struct Recording {
    /// Every status event the page received, in arrival order.
    pub arrivals: Vec<Arrival>,
    /// The apps on the page.
    pub visible: Vec<String>,
    /// (time, app id) of every change of an app row.
    pub rows: Vec<(f64, String)>,
    /// Times right after each rendered frame.
    pub frames: Vec<f64>,
}

/// The distribution of event-to-paint.
#[derive(Debug, Default, Clone)]
pub struct EventToPaint {
    pub samples: usize,
    /// Measured events of apps on the page that change nothing the row shows.
    pub silent: usize,
    /// Measured events of apps not on the page.
    pub off_page: usize,
    /// Visible events whose row did not change within [`APPLY_LIMIT_MS`].
    pub missed: usize,
    pub unresolved: usize,
    pub p50: f64,
    pub p95: f64,
    pub max: f64,
    /// (p50, p95) of the parts: arrival → row changed, → painted.
    pub parts: [(f64, f64); 2],
}

/// A row change this long after an event is not that event's.
pub const APPLY_LIMIT_MS: f64 = 2000.0;

/// What the row counts a task as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counted {
    Running,
    Staged,
    Neither,
}

fn counted(state: &str) -> Counted {
    match state {
        "TASK_RUNNING" => Counted::Running,
        "TASK_STAGING" | "TASK_STARTING" => Counted::Staged,
        _ => Counted::Neither,
    }
}

/// Quantile `q` of sorted samples (nearest rank).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64) * q).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn first_at_or_after(sorted: &[f64], at: f64) -> Option<f64> {
    sorted.get(sorted.partition_point(|&t| t < at)).copied()
}

impl Recording {
    /// Whether each arrival changes what its row shows (see the module docs).
    fn visible_changes(&self) -> Vec<bool> {
        let mut last: BTreeMap<&str, Counted> = BTreeMap::new();
        self.arrivals
            .iter()
            .map(|a| {
                let now = counted(&a.state);
                let before = last.insert(a.task.as_str(), now).unwrap_or(match now {
                    Counted::Staged => Counted::Neither,
                    _ => Counted::Running,
                });
                before != now
            })
            .collect()
    }

    /// Over the measured events of the apps on the page.
    pub fn event_to_paint(&self) -> EventToPaint {
        let mut changes: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for (at, app) in &self.rows {
            changes.entry(app.as_str()).or_default().push(*at);
        }
        for times in changes.values_mut() {
            times.sort_by(f64::total_cmp);
        }
        let mut frames = self.frames.clone();
        frames.sort_by(f64::total_cmp);
        let mut result = EventToPaint::default();
        let mut latencies = Vec::new();
        let mut parts: [Vec<f64>; 2] = Default::default();
        for (arrival, visible) in self.arrivals.iter().zip(self.visible_changes()) {
            if !arrival.measured {
                continue;
            }
            if !self.visible.contains(&arrival.app) {
                result.off_page += 1;
                continue;
            }
            if !visible {
                result.silent += 1;
                continue;
            }
            let row = changes.get(arrival.app.as_str()).map(Vec::as_slice).unwrap_or_default();
            let Some(changed) =
                first_at_or_after(row, arrival.at).filter(|c| c - arrival.at <= APPLY_LIMIT_MS)
            else {
                result.missed += 1;
                latencies.push(f64::INFINITY);
                continue;
            };
            let Some(painted) = frames.get(frames.partition_point(|&f| f <= changed)).copied() else {
                result.unresolved += 1;
                continue;
            };
            latencies.push(painted - arrival.at);
            parts[0].push(changed - arrival.at);
            parts[1].push(painted - changed);
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
