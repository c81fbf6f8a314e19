//! Marathon's `taskStats` of an app (`embed=apps.taskStats`), computed from
//! the instances it has now: counts and life times of the tasks started
//! since the app was last scaled, of those running the latest
//! configuration, of those running an older one, and of all of them.
//!
//! The rules are Marathon's: a task belongs to a group by the app version
//! it was launched with (`>= lastScalingAt`, `>= lastConfigChangeAt`,
//! `< lastConfigChangeAt`); a group without tasks is left out; a life time
//! is the time since the task started running, so tasks not running yet
//! have none, and `lifeTime` is left out when no task has one. Without
//! `versionInfo` only `totalSummary` is given. Counts are the app's
//! (`tasksStaged` counts staging and starting tasks).

use dromos_model::AppDefinition;
use serde_json::{json, Map, Value};

use super::clock::millis_of;
use super::instances::{TaskCounts, TaskRecord};

/// Average and median life time of some tasks, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LifeTime {
    /// Mean.
    pub average_seconds: f64,
    /// Median (the mean of the middle two for an even count).
    pub median_seconds: f64,
}

/// Counts and life time of a group of tasks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskStats {
    /// Staged, running, healthy, unhealthy.
    pub counts: TaskCounts,
    /// `None` when no task of the group runs yet.
    pub life_time: Option<LifeTime>,
}

/// Marathon's `TaskStatsByVersion`; `None` groups are left out.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TaskStatsByVersion {
    /// Tasks launched at or after the last scaling.
    pub started_after_last_scaling: Option<TaskStats>,
    /// Tasks launched with the latest configuration.
    pub with_latest_config: Option<TaskStats>,
    /// Tasks launched with an older configuration.
    pub with_outdated_config: Option<TaskStats>,
    /// Every task.
    pub total_summary: Option<TaskStats>,
}

/// The stats of `tasks` (the app's) as of `now_ms`.
pub fn of(app: &AppDefinition, tasks: &[TaskRecord], now_ms: u64) -> TaskStatsByVersion {
    let stats = |keep: &dyn Fn(u64) -> bool| {
        let group: Vec<&TaskRecord> = tasks.iter().filter(|t| keep(millis_of(&t.version))).collect();
        stats_of(&group, now_ms)
    };
    let total_summary = stats(&|_| true);
    let Some(info) = app.version_info.as_ref() else {
        return TaskStatsByVersion { total_summary, ..TaskStatsByVersion::default() };
    };
    let scaled = millis_of(info.last_scaling_at.as_str());
    let configured = millis_of(info.last_config_change_at.as_str());
    TaskStatsByVersion {
        started_after_last_scaling: stats(&|v| v >= scaled),
        with_latest_config: stats(&|v| v >= configured),
        with_outdated_config: stats(&|v| v < configured),
        total_summary,
    }
}

fn stats_of(tasks: &[&TaskRecord], now_ms: u64) -> Option<TaskStats> {
    if tasks.is_empty() {
        return None;
    }
    let lives: Vec<f64> = tasks
        .iter()
        .filter_map(|t| t.started_at.as_deref())
        .map(|started| now_ms.saturating_sub(millis_of(started)) as f64 / 1000.0)
        .collect();
    Some(TaskStats { counts: TaskCounts::of(tasks.iter().copied()), life_time: life_time(lives) })
}

/// Mean and median of `seconds`; `None` for none.
pub fn life_time(mut seconds: Vec<f64>) -> Option<LifeTime> {
    if seconds.is_empty() {
        return None;
    }
    seconds.sort_by(f64::total_cmp);
    let n = seconds.len();
    let median =
        if n.is_multiple_of(2) { (seconds[n / 2 - 1] + seconds[n / 2]) / 2.0 } else { seconds[n / 2] };
    Some(LifeTime { average_seconds: seconds.iter().sum::<f64>() / n as f64, median_seconds: median })
}

impl TaskStats {
    /// `{"stats": {"counts": {...}, "lifeTime": {...}}}`.
    pub fn to_json(&self) -> Value {
        let c = &self.counts;
        let mut stats = Map::new();
        stats.insert(
            "counts".into(),
            json!({"staged": c.staged, "running": c.running, "healthy": c.healthy, "unhealthy": c.unhealthy}),
        );
        if let Some(life) = self.life_time {
            stats.insert(
                "lifeTime".into(),
                json!({"averageSeconds": life.average_seconds, "medianSeconds": life.median_seconds}),
            );
        }
        json!({ "stats": stats })
    }
}

impl TaskStatsByVersion {
    /// Marathon's `taskStats` object.
    pub fn to_json(&self) -> Value {
        let groups = [
            ("startedAfterLastScaling", &self.started_after_last_scaling),
            ("withLatestConfig", &self.with_latest_config),
            ("withOutdatedConfig", &self.with_outdated_config),
            ("totalSummary", &self.total_summary),
        ];
        let map: Map<String, Value> = groups
            .into_iter()
            .filter_map(|(name, stats)| stats.as_ref().map(|s| (name.to_owned(), s.to_json())))
            .collect();
        Value::Object(map)
    }
}

#[cfg(test)]
#[path = "task_stats_tests.rs"]
mod tests;
