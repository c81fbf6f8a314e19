//! Instances as the API shows them: what the run loop reports through
//! [`super::Service::report_task`], kept in memory and in the store
//! (namespace `instances`), and turned into Marathon's task JSON and the
//! `tasksRunning`/`tasksStaged`/`tasksHealthy`/`tasksUnhealthy` counts.

use dromos_model::PathId;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Mesos task state of a reported task, in Mesos' spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(clippy::enum_variant_names)] // the Mesos names
pub enum TaskState {
    /// Launch sent, not yet running.
    #[serde(rename = "TASK_STAGING")]
    TaskStaging,
    /// Starting.
    #[serde(rename = "TASK_STARTING")]
    TaskStarting,
    /// Running.
    #[serde(rename = "TASK_RUNNING")]
    TaskRunning,
    /// Being killed.
    #[serde(rename = "TASK_KILLING")]
    TaskKilling,
    /// Agent unreachable.
    #[serde(rename = "TASK_UNREACHABLE")]
    TaskUnreachable,
    /// Finished (terminal).
    #[serde(rename = "TASK_FINISHED")]
    TaskFinished,
    /// Failed (terminal).
    #[serde(rename = "TASK_FAILED")]
    TaskFailed,
    /// Killed (terminal).
    #[serde(rename = "TASK_KILLED")]
    TaskKilled,
    /// Could not launch (terminal).
    #[serde(rename = "TASK_ERROR")]
    TaskError,
    /// Gone with its agent (terminal).
    #[serde(rename = "TASK_GONE")]
    TaskGone,
    /// Dropped before launch (terminal).
    #[serde(rename = "TASK_DROPPED")]
    TaskDropped,
    /// Unknown to the master (terminal).
    #[serde(rename = "TASK_UNKNOWN")]
    TaskUnknown,
}

impl TaskState {
    /// The task is over; the service forgets it once reported.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::TaskFinished
                | Self::TaskFailed
                | Self::TaskKilled
                | Self::TaskError
                | Self::TaskGone
                | Self::TaskDropped
                | Self::TaskUnknown
        )
    }

    /// Counted as `tasksStaged` (Marathon: staging or starting).
    pub fn is_staged(self) -> bool {
        matches!(self, Self::TaskStaging | Self::TaskStarting)
    }

    /// The Mesos name.
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }

    /// Marathon's instance `Condition` name for the state (`Running` for
    /// `TASK_RUNNING`), the spelling of `condition` in
    /// `instance_changed_event`; `status_update_event` keeps [`Self::name`].
    pub fn condition(self) -> &'static str {
        match self {
            Self::TaskStaging => "Staging",
            Self::TaskStarting => "Starting",
            Self::TaskRunning => "Running",
            Self::TaskKilling => "Killing",
            Self::TaskUnreachable => "Unreachable",
            Self::TaskFinished => "Finished",
            Self::TaskFailed => "Failed",
            Self::TaskKilled => "Killed",
            Self::TaskError => "Error",
            Self::TaskGone => "Gone",
            Self::TaskDropped => "Dropped",
            Self::TaskUnknown => "Unknown",
        }
    }
}

/// One task as reported by the run loop: seam (c) of the service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskRecord {
    /// Mesos task id (`app.instance-<uuid>._app.1`).
    pub id: String,
    /// The app it runs.
    pub app_id: PathId,
    /// Agent host name.
    pub host: String,
    /// Mesos agent id.
    pub agent_id: String,
    /// Host ports, in `PORT0…` order.
    pub ports: Vec<u16>,
    /// Current state.
    pub state: TaskState,
    /// Health: `None` without health checks or before the first result.
    pub healthy: Option<bool>,
    /// App version it was launched with.
    pub version: String,
    /// When the launch was sent (ISO-8601).
    pub staged_at: Option<String>,
    /// When it became running (ISO-8601).
    pub started_at: Option<String>,
    /// The latest readiness-check result while a deployment waits for the
    /// instance to be ready (Marathon's `readinessCheckResults` entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<ReadinessRecord>,
}

/// One readiness verdict, in Marathon's `TaskReadinessCheckResult` shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessRecord {
    /// The check's name.
    pub name: String,
    /// Mesos task id.
    pub task_id: String,
    /// The last answer was one of `httpStatusCodesForReady`.
    pub ready: bool,
    /// The last response, when the check preserves it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_response: Option<ReadinessResponse>,
}

/// The last HTTP response of a readiness check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessResponse {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` (empty when the answer had none).
    pub content_type: String,
    /// Body (truncated by the checker).
    pub body: String,
}

impl TaskRecord {
    /// Marathon's `Task` JSON; `service_ports` are the app's.
    pub fn to_json(&self, service_ports: &[i32]) -> Value {
        let health: Vec<Value> = self
            .healthy
            .map(|alive| {
                vec![json!({
                    "alive": alive,
                    "consecutiveFailures": 0,
                    "firstSuccess": Value::Null,
                    "lastSuccess": Value::Null,
                    "lastFailure": Value::Null,
                    "lastFailureCause": Value::Null,
                    "instanceId": instance_id(&self.id),
                })]
            })
            .unwrap_or_default();
        json!({
            "appId": self.app_id,
            "id": self.id,
            "host": self.host,
            "ports": self.ports,
            "servicePorts": service_ports,
            "ipAddresses": [],
            "slaveId": self.agent_id,
            "state": self.state,
            "stagedAt": self.staged_at,
            "startedAt": self.started_at,
            "version": self.version,
            "healthCheckResults": health,
            "localVolumes": [],
            "role": "*",
        })
    }
}

/// `tasksStaged/Running/Healthy/Unhealthy` of one app.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaskCounts {
    /// Staging or starting.
    pub staged: usize,
    /// Running.
    pub running: usize,
    /// Last health result passed.
    pub healthy: usize,
    /// Last health result failed.
    pub unhealthy: usize,
}

impl TaskCounts {
    /// Counts over `tasks`.
    pub fn of<'a>(tasks: impl IntoIterator<Item = &'a TaskRecord>) -> Self {
        let mut c = TaskCounts::default();
        for t in tasks {
            c.staged += usize::from(t.state.is_staged());
            c.running += usize::from(t.state == TaskState::TaskRunning);
            c.healthy += usize::from(t.healthy == Some(true));
            c.unhealthy += usize::from(t.healthy == Some(false));
        }
        c
    }
}

/// Whether `id` has the shape of a dromos/Marathon task id
/// (`<app>.(instance-|marathon-)<uuid>[.<suffix>]`).
pub fn is_task_id(id: &str) -> bool {
    ["instance-", "marathon-"].iter().any(|marker| {
        id.find(&format!(".{marker}")).is_some_and(|at| at > 0 && id.len() > at + 1 + marker.len())
    })
}

/// The app a task id belongs to: the part before `.instance-`/`.marathon-`
/// with `_` read as `/` (ids never contain `_`), e.g.
/// `team-a_web.instance-…` → `/team-a/web`.
pub fn app_of_task(task_id: &str) -> Option<dromos_model::PathId> {
    let at = ["instance-", "marathon-"].iter().filter_map(|m| task_id.find(&format!(".{m}"))).min()?;
    dromos_model::PathId::parse(&format!("/{}", task_id[..at].replace('_', "/"))).ok()
}

/// The instance id part of a task id (the task id without `._app.N`).
pub fn instance_id(task_id: &str) -> &str {
    task_id.split_once("._app").map_or(task_id, |(instance, _)| instance)
}

#[cfg(test)]
mod tests {
    use super::{app_of_task, instance_id, is_task_id, TaskState};

    #[test]
    fn the_app_of_a_task_id() {
        let app = |t: &str| app_of_task(t).map(|p| p.to_string());
        assert_eq!(
            app("team-a_web.instance-0b6e1c4e-2b1a-11ef-9c37-0242ac110002._app.1").as_deref(),
            Some("/team-a/web")
        );
        assert_eq!(app("web.marathon-0b6e1c4e").as_deref(), Some("/web"));
        assert_eq!(app("no-marker"), None);
        assert_eq!(app("Bad_Id.instance-x"), None);
    }

    #[test]
    fn task_id_shapes() {
        for ok in ["web.instance-1234._app.1", "a.b.marathon-55", "x.instance-u"] {
            assert!(is_task_id(ok), "{ok}");
        }
        for bad in ["not_known", ".instance-x", "web.instance-", "", "instance-x"] {
            assert!(!is_task_id(bad), "{bad}");
        }
        assert_eq!(instance_id("web.instance-1._app.3"), "web.instance-1");
    }

    #[test]
    fn states_use_mesos_names() {
        assert_eq!(TaskState::TaskRunning.name(), "TASK_RUNNING");
        assert!(TaskState::TaskKilled.is_terminal());
        assert!(!TaskState::TaskKilling.is_terminal());
    }

    #[test]
    fn every_state_has_the_marathon_condition_of_its_mesos_name() {
        let table = [
            (TaskState::TaskStaging, "TASK_STAGING", "Staging"),
            (TaskState::TaskStarting, "TASK_STARTING", "Starting"),
            (TaskState::TaskRunning, "TASK_RUNNING", "Running"),
            (TaskState::TaskKilling, "TASK_KILLING", "Killing"),
            (TaskState::TaskUnreachable, "TASK_UNREACHABLE", "Unreachable"),
            (TaskState::TaskFinished, "TASK_FINISHED", "Finished"),
            (TaskState::TaskFailed, "TASK_FAILED", "Failed"),
            (TaskState::TaskKilled, "TASK_KILLED", "Killed"),
            (TaskState::TaskError, "TASK_ERROR", "Error"),
            (TaskState::TaskGone, "TASK_GONE", "Gone"),
            (TaskState::TaskDropped, "TASK_DROPPED", "Dropped"),
            (TaskState::TaskUnknown, "TASK_UNKNOWN", "Unknown"),
        ];
        for (state, mesos, condition) in table {
            assert_eq!((state.name().as_str(), state.condition()), (mesos, condition));
        }
    }
}
