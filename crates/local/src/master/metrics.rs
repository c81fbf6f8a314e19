//! `/metrics/snapshot`: Mesos' flat `name → number` document, from counters the
//! master keeps and gauges computed from its state at render time.

use dromos_mesos::v1::TaskState;
use serde_json::{Map, Value};

use super::Master;
use crate::resources::Resources;

/// Monotonic counters (reset when the process restarts, as in Mesos).
#[derive(Debug, Default, Clone)]
pub(crate) struct Counters {
    pub tasks_launched: u64,
    pub tasks_finished: u64,
    pub tasks_failed: u64,
    pub tasks_killed: u64,
    pub tasks_lost: u64,
    pub tasks_error: u64,
    pub tasks_dropped: u64,
    pub valid_status_updates: u64,
    pub allocation_runs: u64,
}

impl Counters {
    /// Counts a task reaching a terminal state.
    pub(crate) fn count_terminal(&mut self, state: TaskState) {
        let counter = match state {
            TaskState::Finished => &mut self.tasks_finished,
            TaskState::Failed => &mut self.tasks_failed,
            TaskState::Killed => &mut self.tasks_killed,
            TaskState::Lost => &mut self.tasks_lost,
            TaskState::Error => &mut self.tasks_error,
            TaskState::Dropped => &mut self.tasks_dropped,
            _ => return,
        };
        *counter += 1;
    }
}

impl Master {
    pub(super) fn render_metrics(&self) -> Value {
        let mut m = Map::new();
        let mut put = |name: &str, value: f64| {
            m.insert(name.to_owned(), Value::from(value));
        };
        let total = self.agents.values().fold(Resources::default(), |acc, a| acc.plus(&a.total));
        let used = self.agents.values().fold(Resources::default(), |acc, a| acc.plus(&a.used));
        let offered = self.agents.values().fold(Resources::default(), |acc, a| acc.plus(&a.offered));
        for name in ["cpus", "mem", "disk", "gpus"] {
            let (t, u) = (total.scalar(name), used.scalar(name));
            put(&format!("master/{name}_total"), t);
            put(&format!("master/{name}_used"), u);
            put(&format!("master/{name}_percent"), if t > 0.0 { u / t } else { 0.0 });
            put(&format!("allocator/mesos/resources/{name}/total"), t);
            put(&format!("allocator/mesos/resources/{name}/offered_or_allocated"), u + offered.scalar(name));
        }
        let live = |state: TaskState| self.tasks.values().filter(|t| t.state == state).count() as f64;
        put("master/tasks_staging", live(TaskState::Staging));
        put("master/tasks_starting", live(TaskState::Starting));
        put("master/tasks_running", live(TaskState::Running));
        put("master/tasks_killing", live(TaskState::Killing));
        put("master/tasks_unreachable", 0.0);
        let c = &self.counters;
        put("master/tasks_finished", c.tasks_finished as f64);
        put("master/tasks_failed", c.tasks_failed as f64);
        put("master/tasks_killed", c.tasks_killed as f64);
        put("master/tasks_lost", c.tasks_lost as f64);
        put("master/tasks_error", c.tasks_error as f64);
        put("master/tasks_dropped", c.tasks_dropped as f64);
        put("master/valid_status_updates", c.valid_status_updates as f64);
        put("master/invalid_status_updates", 0.0);
        put("allocator/mesos/allocation_runs", c.allocation_runs as f64);
        let connected = self.frameworks.values().filter(|f| f.is_connected()).count() as f64;
        put("master/frameworks_active", connected);
        put("master/frameworks_connected", connected);
        put("master/frameworks_disconnected", self.frameworks.len() as f64 - connected);
        put("master/frameworks_inactive", self.frameworks.len() as f64 - connected);
        let agents = self.agents.len() as f64;
        for (name, value) in
            [("active", agents), ("connected", agents), ("disconnected", 0.0), ("inactive", 0.0)]
        {
            put(&format!("master/slaves_{name}"), value);
        }
        put("master/slaves_unreachable", 0.0);
        put("master/slave_registrations", agents);
        put("master/outstanding_offers", self.offers.len() as f64);
        put("master/elected", 1.0);
        put("master/uptime_secs", self.started.elapsed().as_secs_f64());
        put("dromos/local/tasks_launched", c.tasks_launched as f64);
        Value::Object(m)
    }
}
