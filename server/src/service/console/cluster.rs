//! Agents and their resources for the dashboard and the nodes page.
//!
//! The service has no agent records of its own: a [`ClusterView`] hook,
//! set once the cluster is known ([`Service::set_cluster_view`]), answers
//! Mesos' `/master/state` JSON (agents as `slaves` with `resources`,
//! `used_resources`, `attributes`, `active`). Without a view (an external
//! master) the console shows no agents. Task counts always come from the
//! service's own task records, so they match `/v2/tasks`.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use app::api::cluster::{ClusterOverview, NodeView, Resources};
use serde_json::Value;

use crate::service::instances::{TaskRecord, TaskState};
use crate::service::Service;

/// Answers the cluster's `/master/state` JSON, or `None` when it cannot
/// (the master stopped).
pub type ClusterView = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Option<Value>> + Send>> + Send + Sync>;

/// The view of the embedded cluster: its master's `/master/state`.
pub fn local_cluster_view(cluster: dromos_local::LocalCluster) -> ClusterView {
    Arc::new(move || {
        let cluster = cluster.clone();
        Box::pin(async move { cluster.state().await })
    })
}

impl Service {
    /// Gives the console its view of the cluster's agents; the first view
    /// set stays (the cluster is started once per process).
    pub fn set_cluster_view(&self, view: ClusterView) {
        if self.cluster_view.set(view).is_err() {
            tracing::warn!("a cluster view was already set; keeping the first");
        }
    }

    /// The cluster's `/master/state`, if a view is set and answers.
    pub(super) async fn cluster_state(&self) -> Option<Value> {
        let view = self.cluster_view.get()?.clone();
        view().await
    }
}

/// Non-terminal states in lifecycle order, as the dashboard lists them.
const STATE_ORDER: [TaskState; 5] = [
    TaskState::TaskStaging,
    TaskState::TaskStarting,
    TaskState::TaskRunning,
    TaskState::TaskKilling,
    TaskState::TaskUnreachable,
];

fn agents(state: Option<&Value>) -> &[Value] {
    state.and_then(|s| s.get("slaves")).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Mesos reports `active` for every agent; a missing flag reads as active.
fn is_active(agent: &Value) -> bool {
    agent.get("active").and_then(Value::as_bool).unwrap_or(true)
}

/// The scalar resources of a v0 resources object (`{"cpus": 2, ...}`).
fn resources(value: Option<&Value>) -> Resources {
    let scalar = |name: &str| value.and_then(|v| v.get(name)).and_then(Value::as_f64).unwrap_or(0.0);
    Resources { cpus: scalar("cpus"), mem: scalar("mem"), disk: scalar("disk"), gpus: scalar("gpus") }
}

fn plus(a: Resources, b: Resources) -> Resources {
    Resources { cpus: a.cpus + b.cpus, mem: a.mem + b.mem, disk: a.disk + b.disk, gpus: a.gpus + b.gpus }
}

/// Attributes as text pairs, by name: text as is, numbers as written.
fn attributes(agent: &Value) -> Vec<(String, String)> {
    let Some(map) = agent.get("attributes").and_then(Value::as_object) else { return Vec::new() };
    let mut pairs: Vec<(String, String)> = map
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
        .collect();
    pairs.sort();
    pairs
}

fn text(agent: &Value, key: &str) -> String {
    agent.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// Totals over the active agents and the service's tasks by state.
pub fn overview(state: Option<&Value>, tasks: &[TaskRecord]) -> ClusterOverview {
    let active: Vec<&Value> = agents(state).iter().filter(|a| is_active(a)).collect();
    let mut by_state: BTreeMap<String, u32> = BTreeMap::new();
    for t in tasks.iter().filter(|t| !t.state.is_terminal()) {
        *by_state.entry(t.state.name()).or_default() += 1;
    }
    let mut tasks_by_state: Vec<(String, u32)> =
        STATE_ORDER.iter().filter_map(|s| by_state.remove_entry(&s.name())).collect();
    tasks_by_state.extend(by_state);
    ClusterOverview {
        agents: u32::try_from(active.len()).unwrap_or(u32::MAX),
        used: active.iter().map(|a| resources(a.get("used_resources"))).fold(Resources::default(), plus),
        total: active.iter().map(|a| resources(a.get("resources"))).fold(Resources::default(), plus),
        tasks_by_state,
    }
}

/// Every agent of the view by host name (then id), with the number of
/// the service's non-terminal tasks on it.
pub fn nodes(state: Option<&Value>, tasks: &[TaskRecord]) -> Vec<NodeView> {
    let mut nodes: Vec<NodeView> = agents(state)
        .iter()
        .map(|agent| {
            let id = text(agent, "id");
            let on_agent = tasks.iter().filter(|t| !t.state.is_terminal() && t.agent_id == id).count();
            NodeView {
                hostname: text(agent, "hostname"),
                active: is_active(agent),
                attributes: attributes(agent),
                used: resources(agent.get("used_resources")),
                total: resources(agent.get("resources")),
                tasks: u32::try_from(on_agent).unwrap_or(u32::MAX),
                id,
            }
        })
        .collect();
    nodes.sort_by(|a, b| (&a.hostname, &a.id).cmp(&(&b.hostname, &b.id)));
    nodes
}
