//! `/master/state` and `/master/state-summary` in Mesos' v0 JSON shapes
//! (src/master/readonly_handler.cpp, src/common/http.cpp): agents are `slaves`,
//! resources are objects (`{"cpus":2,"mem":1024,"disk":0,"gpus":0,
//! "ports":"[31000-32000]"}`), tasks carry `statuses`.
//!
//! Each logical agent is marked with `"logical": true` and the machine's
//! `"physical_hostname"`, so a dashboard can tell that several agents are one
//! machine (Mesos has no such fields; readers ignore them).

use dromos_mesos::v1::{Attribute, TaskState, ValueType};
use serde_json::{json, Map, Value};

use super::framework::Framework;
use super::task::Task;
use super::{Agent, Master, View};
use crate::resources::Resources;

/// Task states counted per agent and framework in `/master/state-summary`.
const SUMMARY_STATES: [TaskState; 8] = [
    TaskState::Staging,
    TaskState::Starting,
    TaskState::Running,
    TaskState::Killing,
    TaskState::Finished,
    TaskState::Killed,
    TaskState::Failed,
    TaskState::Lost,
];

impl Master {
    pub(super) fn render(&self, view: View) -> Value {
        match view {
            View::State => self.render_state(),
            View::StateSummary => self.render_summary(),
            View::Metrics => self.render_metrics(),
        }
    }

    fn render_state(&self) -> Value {
        let pid = format!("master@127.0.0.1:{}", self.config.master_port);
        json!({
            "version": crate::MESOS_VERSION,
            "build_user": "dromos",
            "start_time": self.start_time,
            "elected_time": self.start_time,
            "id": self.id,
            "pid": pid,
            "hostname": self.config.hostname,
            "leader": pid,
            "leader_info": self.master_info(),
            "activated_slaves": self.agents.len(),
            "deactivated_slaves": 0,
            "unreachable_slaves": 0,
            "capabilities": [],
            "flags": {
                "allocation_interval": format!("{}ms", self.config.allocation_interval.as_millis()),
                "work_dir": self.config.data_dir.display().to_string(),
            },
            "slaves": self.agents.values().map(|a| self.agent_json(a)).collect::<Vec<_>>(),
            "recovered_slaves": [],
            "frameworks": self.frameworks.values().map(|f| self.framework_json(f)).collect::<Vec<_>>(),
            "completed_frameworks":
                self.completed_frameworks.iter().map(|f| self.framework_json(f)).collect::<Vec<_>>(),
            "orphan_tasks": [],
            "unregistered_frameworks": [],
        })
    }

    fn agent_json(&self, agent: &Agent) -> Value {
        json!({
            "id": agent.id.as_str(),
            "pid": format!("slave({})@127.0.0.1:5051", agent.id.as_str()),
            "hostname": agent.hostname,
            "port": 5051,
            "registered_time": agent.registered_time,
            "attributes": attributes_json(&agent.attributes),
            "resources": resources_json(&agent.total),
            "used_resources": resources_json(&agent.used),
            "offered_resources": resources_json(&agent.offered),
            "reserved_resources": {},
            "unreserved_resources": resources_json(&agent.total),
            "active": true,
            "deactivated": false,
            "version": crate::MESOS_VERSION,
            "capabilities": ["MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT"],
            "logical": true,
            "physical_hostname": self.config.hostname,
        })
    }

    fn framework_json(&self, f: &Framework) -> Value {
        let live: Vec<&Task> = self.tasks.values().filter(|t| t.framework_id == f.id).collect();
        let completed = self.completed_tasks.iter().filter(|t| t.framework_id == f.id);
        let offers: Vec<Value> = self
            .offers
            .iter()
            .filter(|(_, o)| o.framework_id == f.id)
            .map(|(id, o)| {
                json!({"id": id.as_str(), "framework_id": f.id.as_str(), "slave_id": o.agent_id.as_str(),
                    "allocation_info": {"role": o.role}, "resources": resources_json(&o.resources)})
            })
            .collect();
        let offered = self
            .offers
            .values()
            .filter(|o| o.framework_id == f.id)
            .fold(Resources::default(), |a, o| a.plus(&o.resources));
        let used =
            live.iter().filter(|t| !t.is_terminal()).fold(Resources::default(), |a, t| a.plus(&t.resources));
        json!({
            "id": f.id.as_str(),
            "name": f.info.name,
            "user": f.info.user,
            "hostname": f.info.hostname.clone().unwrap_or_default(),
            "webui_url": f.info.webui_url.clone().unwrap_or_default(),
            "principal": f.info.principal,
            "failover_timeout": f.info.failover_timeout.unwrap_or(0.0),
            "checkpoint": f.info.checkpoint.unwrap_or(false),
            "roles": f.roles(),
            "capabilities": f.info.capabilities.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(),
            "active": f.is_connected(),
            "connected": f.is_connected(),
            "recovered": false,
            "registered_time": f.registered_time,
            "reregistered_time": f.reregistered_time,
            "unregistered_time": f.unregistered_time.unwrap_or(0.0),
            "resources": resources_json(&used.plus(&offered)),
            "used_resources": resources_json(&used),
            "offered_resources": resources_json(&offered),
            "tasks": live.iter().map(|t| task_json(t)).collect::<Vec<_>>(),
            "unreachable_tasks": [],
            "completed_tasks": completed.map(task_json).collect::<Vec<_>>(),
            "offers": offers,
            "executors": [],
            "labels": f.info.labels.as_ref().map(|l| l.labels.clone()).unwrap_or_default(),
        })
    }

    fn render_summary(&self) -> Value {
        let all_tasks = || self.tasks.values().chain(self.completed_tasks.iter());
        let slaves: Vec<Value> = self
            .agents
            .values()
            .map(|a| {
                let mut v = self.agent_json(a);
                let tasks: Vec<&Task> = all_tasks().filter(|t| t.agent_id == a.id).collect();
                add_state_counts(&mut v, &tasks);
                let mut ids: Vec<&str> = tasks.iter().map(|t| t.framework_id.as_str()).collect();
                ids.sort_unstable();
                ids.dedup();
                v["framework_ids"] = json!(ids);
                v
            })
            .collect();
        let frameworks: Vec<Value> = self
            .frameworks
            .values()
            .map(|f| {
                let tasks: Vec<&Task> = all_tasks().filter(|t| t.framework_id == f.id).collect();
                let mut v = json!({
                    "id": f.id.as_str(), "name": f.info.name, "hostname": f.info.hostname,
                    "webui_url": f.info.webui_url, "active": f.is_connected(),
                    "capabilities": f.info.capabilities.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(),
                    "used_resources": resources_json(&self.allocated_to(&f.id)),
                });
                add_state_counts(&mut v, &tasks);
                let mut ids: Vec<&str> = tasks.iter().map(|t| t.agent_id.as_str()).collect();
                ids.sort_unstable();
                ids.dedup();
                v["slave_ids"] = json!(ids);
                v
            })
            .collect();
        json!({"hostname": self.config.hostname, "cluster": "dromos-local", "slaves": slaves, "frameworks": frameworks})
    }
}

fn add_state_counts(target: &mut Value, tasks: &[&Task]) {
    for state in SUMMARY_STATES.iter().chain([TaskState::Error].iter()) {
        target[state.as_str()] = json!(tasks.iter().filter(|t| t.state == *state).count());
    }
}

/// A task in the v0 shape.
fn task_json(task: &Task) -> Value {
    let statuses: Vec<Value> = task
        .history
        .iter()
        .map(|(state, timestamp)| json!({"state": state.as_str(), "timestamp": timestamp}))
        .collect();
    let mut v = json!({
        "id": task.info.task_id.as_str(),
        "name": task.info.name,
        "framework_id": task.framework_id.as_str(),
        "executor_id": "",
        "slave_id": task.agent_id.as_str(),
        "state": task.state.as_str(),
        "resources": resources_json(&task.resources),
        "role": task.role,
        "statuses": statuses,
    });
    let optional = [
        ("labels", task.info.labels.as_ref().map(|l| json!(l.labels))),
        ("discovery", task.info.discovery.as_ref().and_then(|d| serde_json::to_value(d).ok())),
        ("container", task.info.container.as_ref().and_then(|c| serde_json::to_value(c).ok())),
        ("health_check", task.info.health_check.as_ref().and_then(|h| serde_json::to_value(h).ok())),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            v[key] = value;
        }
    }
    if let Some(healthy) = task.latest.as_ref().and_then(|s| s.healthy) {
        v["healthy"] = json!(healthy);
    }
    v
}

/// Resources as the v0 object: scalars by name (cpus/gpus/mem/disk always),
/// ranges as `"[a-b, c-d]"`.
pub(crate) fn resources_json(resources: &Resources) -> Value {
    let mut m = Map::new();
    for name in ["cpus", "gpus", "mem", "disk"] {
        m.insert(name.to_owned(), json!(round3(resources.scalar(name))));
    }
    for (name, value) in resources.scalars() {
        m.insert(name.to_owned(), json!(round3(value)));
    }
    for (name, spans) in resources.all_ranges() {
        let text: Vec<String> = spans.iter().map(|(b, e)| format!("{b}-{e}")).collect();
        m.insert(name.to_owned(), json!(format!("[{}]", text.join(", "))));
    }
    Value::Object(m)
}

/// Attributes as the v0 object: text as strings, scalars as numbers.
fn attributes_json(attributes: &[Attribute]) -> Value {
    let mut m = Map::new();
    for a in attributes {
        let value = match a.kind {
            ValueType::Scalar => json!(a.scalar.map_or(0.0, |s| s.value)),
            _ => json!(a.text.as_ref().map(|t| t.value.clone()).unwrap_or_default()),
        };
        m.insert(a.name.clone(), value);
    }
    Value::Object(m)
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}
