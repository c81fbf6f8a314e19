//! Services rows kept current between refetches: the reducer that applies
//! a task event of the bus (`status_update_event`,
//! `health_status_changed_event`, `instance_health_changed_event`) to the
//! row of its app, so the table shows a change as soon as the event
//! arrives instead of after the next refetch.
//!
//! A row starts from a snapshot: the [`AppSummary`] the services list
//! returned, the app's tasks ([`TaskBrief`]) and `as_of_ms`, the server's
//! clock read *before* the snapshot was. dromos publishes an event after
//! the change it reports, so an event stamped before `as_of_ms` is already
//! in the snapshot and is ignored; a later one may or may not be, and
//! applying it again changes nothing. The bus does not promise order, so
//! each task remembers the stamp of the last event applied to it (and an
//! ended task stays as a tombstone): an older event, a duplicate or a
//! resurrection of an ended task is ignored. Counts are recomputed from
//! the tasks like `/v2/apps?embed=apps.counts`; the status word follows
//! the counts only where the snapshot said neither deploying nor queued
//! (`Running` / `Suspended`), the rest waits for the next refetch.
//!
//! Pure and shared by server and browser: the server renders rows from the
//! snapshot, the browser replays its recent events on each new snapshot.

use serde::{Deserialize, Serialize};

use super::apps::{AppSummary, TaskCounts};
use super::status::{AppStatus, QueueState};

/// One task of a row as the services list sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskBrief {
    /// Mesos task id.
    pub id: String,
    /// Mesos state name, e.g. `TASK_RUNNING`.
    pub state: String,
    /// `None` without health checks or before the first result.
    pub healthy: Option<bool>,
}

/// What a task event says, as rows need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskEvent {
    /// Absolute app id.
    pub app_id: String,
    /// Mesos task id, or (health events of newer Marathon) an instance id:
    /// the task id without its `._app.N` suffix.
    pub task_id: String,
    /// The change.
    pub change: TaskChange,
    /// The event's `timestamp`, ms since the epoch (server clock).
    pub at_ms: u64,
}

/// The change a [`TaskEvent`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskChange {
    /// `status_update_event`: the task is now in this Mesos state.
    State(String),
    /// A health event: the last check passed (`true`) or failed.
    Health(bool),
}

/// The event types a [`TaskEvent`] is parsed from.
pub const TASK_EVENT_TYPES: [&str; 3] =
    ["status_update_event", "health_status_changed_event", "instance_health_changed_event"];

/// The fields of the three event types (Marathon spellings).
#[cfg_attr(not(feature = "hydrate"), derive(Deserialize))]
#[cfg_attr(not(feature = "hydrate"), serde(rename_all = "camelCase"))]
struct Fields {
    app_id: Option<String>,
    run_spec_id: Option<String>,
    task_id: Option<String>,
    instance_id: Option<String>,
    task_status: Option<String>,
    alive: Option<bool>,
    healthy: Option<bool>,
    timestamp: Option<String>,
}

impl Fields {
    /// Reads the fields of an event's JSON; `None` if it is not a JSON
    /// object or a field has the wrong type.
    #[cfg(not(feature = "hydrate"))]
    fn read(data: &str) -> Option<Fields> {
        serde_json::from_str(data).ok()
    }

    /// In the browser its own JSON parser reads them: serde_json would
    /// be in the main module only for this, and every page would load it
    /// (the pages' data is decoded in their own chunks).
    #[cfg(feature = "hydrate")]
    fn read(data: &str) -> Option<Fields> {
        use wasm_bindgen::JsValue;

        let object =
            js_sys::JSON::parse(data).ok().filter(|v| v.is_object() && !js_sys::Array::is_array(v))?;
        let field = |key: &str| -> Option<Option<JsValue>> {
            let value = js_sys::Reflect::get(&object, &JsValue::from_str(key)).ok()?;
            Some((!value.is_undefined() && !value.is_null()).then_some(value))
        };
        let text = |key: &str| match field(key)? {
            Some(value) => value.as_string().map(Some),
            None => Some(None),
        };
        let flag = |key: &str| match field(key)? {
            Some(value) => value.as_bool().map(Some),
            None => Some(None),
        };
        Some(Fields {
            app_id: text("appId")?,
            run_spec_id: text("runSpecId")?,
            task_id: text("taskId")?,
            instance_id: text("instanceId")?,
            task_status: text("taskStatus")?,
            alive: flag("alive")?,
            healthy: flag("healthy")?,
            timestamp: text("timestamp")?,
        })
    }
}

impl TaskEvent {
    /// Parses the JSON `data` of an event of type `event_type`; `None` for
    /// other types and for events missing what a row needs.
    pub fn parse(event_type: &str, data: &str) -> Option<TaskEvent> {
        let f = Fields::read(data)?;
        let change = match event_type {
            "status_update_event" => TaskChange::State(f.task_status?),
            "health_status_changed_event" | "instance_health_changed_event" => {
                TaskChange::Health(f.alive.or(f.healthy)?)
            }
            _ => return None,
        };
        Some(TaskEvent {
            app_id: f.app_id.or(f.run_spec_id)?,
            task_id: f.task_id.or(f.instance_id)?,
            change,
            at_ms: epoch_ms(&f.timestamp?)?,
        })
    }
}

/// `2024-01-31T12:00:00.123Z` (the bus' stamps) in ms since the epoch.
pub fn epoch_ms(stamp: &str) -> Option<u64> {
    let b = stamp.as_bytes();
    let num = |from: usize, len: usize| -> Option<u64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0u64, |n, d| d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0')))
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, c)| b.get(at) != Some(&c)) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let millis = if b.get(19) == Some(&b'.') { num(20, 3)? } else { 0 };
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from the civil date (proleptic Gregorian, H. Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis)
}

/// Where a Mesos state stands in a task's life: a later state wins over an
/// earlier one stamped in the same millisecond.
fn rank(state: &str) -> u8 {
    match state {
        "TASK_STAGING" => 0,
        "TASK_STARTING" => 1,
        "TASK_RUNNING" => 2,
        "TASK_UNREACHABLE" => 3,
        "TASK_KILLING" => 4,
        _ => 5,
    }
}

/// Whether the task is over (the server forgets it).
fn is_terminal(state: &str) -> bool {
    matches!(
        state,
        "TASK_FINISHED"
            | "TASK_FAILED"
            | "TASK_KILLED"
            | "TASK_ERROR"
            | "TASK_GONE"
            | "TASK_DROPPED"
            | "TASK_UNKNOWN"
            | "TASK_LOST"
    )
}

/// A task as the row knows it.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    state: String,
    healthy: Option<bool>,
    /// Stamp of the last state applied (0: from the snapshot).
    state_at: u64,
    /// Stamp of the last health applied (0: from the snapshot).
    health_at: u64,
}

/// One services row and what it needs to follow task events.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveRow {
    /// What the row shows; `tasks` and (see the module docs) `status` move
    /// with events.
    pub summary: AppSummary,
    /// Every task seen since the snapshot, ended ones included, by id. A
    /// list: an app has a few tasks, and a map's code would be a sizeable
    /// part of the services page's WASM.
    tasks: Vec<(String, Seen)>,
    /// Events stamped before this are in the snapshot.
    as_of_ms: u64,
    /// The snapshot sent the app's tasks, so events can be applied.
    tracked: bool,
    /// The status word follows the counts (not deploying, not queued).
    status_follows: bool,
}

impl LiveRow {
    /// The row of `summary` read at `as_of_ms`; with `tasks` `None` (not
    /// sent) the row stays as it is until the next snapshot.
    pub fn new(summary: AppSummary, tasks: Option<&[TaskBrief]>, as_of_ms: u64) -> Self {
        let status_follows = matches!(summary.status, AppStatus::Running | AppStatus::Suspended);
        let seen =
            |t: &TaskBrief| Seen { state: t.state.clone(), healthy: t.healthy, state_at: 0, health_at: 0 };
        let mut row = LiveRow {
            summary,
            tasks: tasks.unwrap_or_default().iter().map(|t| (t.id.clone(), seen(t))).collect(),
            as_of_ms,
            tracked: tasks.is_some(),
            status_follows,
        };
        if row.tracked {
            row.recount();
        }
        row
    }

    /// The app's id.
    pub fn app_id(&self) -> &str {
        &self.summary.id
    }

    /// Applies `event`; returns whether [`LiveRow::summary`] changed.
    pub fn apply(&mut self, event: &TaskEvent) -> bool {
        if !self.tracked || event.app_id != self.summary.id || event.at_ms < self.as_of_ms {
            return false;
        }
        let applied = match &event.change {
            TaskChange::State(state) => self.set_state(&event.task_id, state, event.at_ms),
            TaskChange::Health(healthy) => self.set_health(&event.task_id, *healthy, event.at_ms),
        };
        if !applied {
            return false;
        }
        let before = (self.summary.tasks, self.summary.status);
        self.recount();
        before != (self.summary.tasks, self.summary.status)
    }

    fn set_state(&mut self, task_id: &str, state: &str, at: u64) -> bool {
        match self.tasks.iter_mut().find(|(id, _)| id == task_id) {
            Some((_, seen)) => {
                let newer = at > seen.state_at || (at == seen.state_at && rank(state) > rank(&seen.state));
                if !newer || (is_terminal(&seen.state) && !is_terminal(state)) {
                    return false;
                }
                seen.state = state.to_owned();
                seen.state_at = at;
            }
            None => {
                let seen = Seen { state: state.to_owned(), healthy: None, state_at: at, health_at: 0 };
                self.tasks.push((task_id.to_owned(), seen));
            }
        }
        true
    }

    fn set_health(&mut self, task_or_instance: &str, healthy: bool, at: u64) -> bool {
        // An instance's ended tasks stay as tombstones: the one not over is meant.
        let found = self.tasks.iter_mut().find(|(id, seen)| {
            (id.as_str() == task_or_instance
                || id.split_once("._app").is_some_and(|(i, _)| i == task_or_instance))
                && !is_terminal(&seen.state)
        });
        match found {
            Some((_, seen)) if at >= seen.health_at => {
                seen.healthy = Some(healthy);
                seen.health_at = at;
                true
            }
            _ => false,
        }
    }

    /// Counts (and the status word where it follows them) from the tasks.
    fn recount(&mut self) {
        let mut counts = TaskCounts::default();
        for (_, seen) in self.tasks.iter().filter(|(_, s)| !is_terminal(&s.state)) {
            counts.running += u32::from(seen.state == "TASK_RUNNING");
            counts.staged += u32::from(matches!(seen.state.as_str(), "TASK_STAGING" | "TASK_STARTING"));
            counts.healthy += u32::from(seen.healthy == Some(true));
            counts.unhealthy += u32::from(seen.healthy == Some(false));
        }
        self.summary.tasks = counts;
        if self.status_follows {
            self.summary.status =
                AppStatus::derive(self.summary.instances, counts.running, false, QueueState::NotQueued);
        }
    }
}

#[cfg(test)]
#[path = "row_updates_tests.rs"]
mod tests;
