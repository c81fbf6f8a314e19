//! Mesos `TaskStatus` → the core's status input.
//!
//! The core's [`StatusUpdate`] names the instance (derived from the task id,
//! see [`super::task_id`]) and carries the time the driver received it; the
//! rest (reason, message, Mesos-run health result, the agent's own
//! timestamp) is kept next to it for reports and logs.
//!
//! `TASK_LOST` is what a master sends a framework it does not treat as
//! partition-aware (an older Mesos, or one that ignores the capability)
//! where it would otherwise send one of five states. The core never sees
//! it: [`lost_state`] names the state a partition-aware master sends in the
//! same case, read from the reason and, for reconciliation answers (all
//! `REASON_RECONCILIATION`), the master's message. Only a task that may
//! still run (an unreachable or removed agent) becomes unreachable and
//! waits for the app's `unreachableStrategy`; a task the master does not
//! know, or whose agent no longer knows it, is over and replaced at once.

use dromos_mesos::v1;
use dromos_scheduler::tracker::{StatusUpdate, TaskState};
use dromos_scheduler::Timestamp;

use super::task_id::instance_of_task;

/// One status update in driver terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusInput {
    /// The Mesos task id.
    pub task_id: String,
    /// What the tracker applies.
    pub update: StatusUpdate,
    /// Mesos' reason name (`REASON_COMMAND_EXECUTOR_FAILED`).
    pub reason: Option<String>,
    /// Mesos' human-readable message.
    pub message: Option<String>,
    /// Result of a Mesos-run health check, when the task has one.
    pub healthy: Option<bool>,
    /// When the agent produced the update (its clock).
    pub timestamp: Option<Timestamp>,
    /// The agent the task is on.
    pub agent_id: Option<String>,
}

/// Translates a status received at `received_at`; `None` for a state this
/// version of Mesos' protocol does not define (logged by the caller).
pub fn to_status_input(status: &v1::TaskStatus, received_at: Timestamp) -> Option<StatusInput> {
    let task_id = status.task_id.value.clone();
    let state = match status.state {
        v1::TaskState::Lost => lost_state(status.reason, status.message.as_deref()),
        other => task_state(other)?,
    };
    let update = StatusUpdate { instance_id: instance_of_task(&task_id).to_owned(), state, at: received_at };
    Some(StatusInput {
        task_id,
        update,
        reason: status.reason.map(|r| r.as_str().to_owned()),
        message: status.message.clone(),
        healthy: status.healthy,
        timestamp: status.timestamp.and_then(seconds_to_timestamp),
        agent_id: status.agent_id.as_ref().map(|a| a.value.clone()),
    })
}

/// The core's name for a Mesos task state; `None` for `TASK_LOST` (its
/// meaning depends on the reason, see [`lost_state`]) and for states this
/// version of the protocol does not define.
pub fn task_state(state: v1::TaskState) -> Option<TaskState> {
    Some(match state {
        v1::TaskState::Staging => TaskState::Staging,
        v1::TaskState::Starting => TaskState::Starting,
        v1::TaskState::Running => TaskState::Running,
        v1::TaskState::Killing => TaskState::Killing,
        v1::TaskState::Finished => TaskState::Finished,
        v1::TaskState::Failed => TaskState::Failed,
        v1::TaskState::Killed => TaskState::Killed,
        v1::TaskState::Error => TaskState::Error,
        v1::TaskState::Dropped => TaskState::Dropped,
        v1::TaskState::Unreachable => TaskState::Unreachable,
        v1::TaskState::Gone => TaskState::Gone,
        v1::TaskState::GoneByOperator => TaskState::GoneByOperator,
        v1::TaskState::Unknown => TaskState::Unknown,
        v1::TaskState::Lost | v1::TaskState::Unrecognized => return None,
    })
}

/// The state a partition-aware master would have sent instead of
/// `TASK_LOST` with this reason and message (Mesos' `master.cpp`):
///
/// | `TASK_LOST` with | sent instead | dromos |
/// | --- | --- | --- |
/// | "Reconciliation: Task is unknown" (task and agent unknown; "…to the master" on old masters), `REASON_TASK_UNKNOWN` | `TASK_UNKNOWN` | replaced now |
/// | "Reconciliation: Task is unknown to the agent" (or "…slave", older masters) | `TASK_GONE` | replaced now |
/// | "Reconciliation: Task is gone", `REASON_AGENT_REMOVED_BY_OPERATOR` | `TASK_GONE_BY_OPERATOR` | replaced now |
/// | "Reconciliation: Task is unreachable", other reconciliation answers, `REASON_AGENT_REMOVED`, `REASON_AGENT_DISCONNECTED` | `TASK_UNREACHABLE` | `unreachableStrategy` |
/// | any other reason (executor, container, launch failures), or none | `TASK_GONE` | replaced now |
///
/// Marathon reads `TASK_LOST` the same way (`TaskCondition.inferStateForLost`)
/// except that it keeps a task the master reports plainly unknown as
/// unreachable, so an app with a long `inactiveAfterSeconds`, or with the
/// strategy disabled, waits for a task that does not exist.
pub fn lost_state(reason: Option<v1::TaskStatusReason>, message: Option<&str>) -> TaskState {
    use v1::TaskStatusReason as R;
    const RECONCILIATION: &str = "Reconciliation: Task is ";
    if let Some(answer) = message.and_then(|m| m.strip_prefix(RECONCILIATION)) {
        if answer.starts_with("unknown to the agent") || answer.starts_with("unknown to the slave") {
            return TaskState::Gone;
        }
        if answer.starts_with("unknown") {
            return TaskState::Unknown;
        }
        if answer.starts_with("gone") {
            return TaskState::GoneByOperator;
        }
    }
    match reason {
        Some(R::TaskUnknown) => TaskState::Unknown,
        Some(R::AgentRemovedByOperator) => TaskState::GoneByOperator,
        Some(R::Reconciliation | R::AgentRemoved | R::AgentDisconnected) => TaskState::Unreachable,
        _ => TaskState::Gone,
    }
}

fn seconds_to_timestamp(secs: f64) -> Option<Timestamp> {
    // Saturating cast; negative or NaN times are dropped.
    (secs.is_finite() && secs >= 0.0).then(|| Timestamp((secs * 1000.0).round() as u64))
}

#[cfg(test)]
mod tests {
    use dromos_mesos::v1;
    use dromos_scheduler::tracker::TaskState;
    use dromos_scheduler::Timestamp;

    use super::to_status_input;

    #[test]
    fn status_carries_instance_state_reason_message_and_health() {
        let mut status =
            v1::TaskStatus::new(v1::TaskId::new("web.instance-u1._app.1"), v1::TaskState::Failed);
        status.reason = Some(v1::TaskStatusReason::CommandExecutorFailed);
        status.message = Some("exit 1".into());
        status.healthy = Some(false);
        status.timestamp = Some(1_700_000_000.25);
        status.agent_id = Some(v1::AgentId::new("S1"));
        let input = to_status_input(&status, Timestamp(42)).expect("known state");
        assert_eq!(input.update.instance_id, "web.instance-u1");
        assert_eq!(input.update.state, TaskState::Failed);
        assert_eq!(input.update.at, Timestamp(42));
        assert_eq!(input.reason.as_deref(), Some("REASON_COMMAND_EXECUTOR_FAILED"));
        assert_eq!(input.message.as_deref(), Some("exit 1"));
        assert_eq!(input.healthy, Some(false));
        assert_eq!(input.timestamp, Some(Timestamp(1_700_000_000_250)));
        assert_eq!(input.agent_id.as_deref(), Some("S1"));
    }

    #[test]
    fn every_mesos_state_maps_to_its_core_state() {
        let cases = [
            (v1::TaskState::Staging, Some(TaskState::Staging)),
            (v1::TaskState::Running, Some(TaskState::Running)),
            (v1::TaskState::Lost, None),
            (v1::TaskState::GoneByOperator, Some(TaskState::GoneByOperator)),
            (v1::TaskState::Unrecognized, None),
        ];
        for (state, want) in cases {
            assert_eq!(super::task_state(state), want, "{state:?}");
        }
    }

    #[test]
    fn task_lost_becomes_what_a_partition_aware_master_would_have_said() {
        use v1::TaskStatusReason as R;
        let recon = Some(R::Reconciliation);
        // (reason, message, core state)
        let cases = [
            (recon, Some("Reconciliation: Task is unknown"), TaskState::Unknown),
            (recon, Some("Reconciliation: Task is unknown to the master"), TaskState::Unknown),
            (recon, Some("Reconciliation: Task is unknown to the agent"), TaskState::Gone),
            (recon, Some("Reconciliation: Task is unknown to the slave"), TaskState::Gone),
            (recon, Some("Reconciliation: Task is gone"), TaskState::GoneByOperator),
            (recon, Some("Reconciliation: Task is unreachable"), TaskState::Unreachable),
            (recon, Some("Reconciliation: Latest task state"), TaskState::Unreachable),
            (recon, None, TaskState::Unreachable),
            (Some(R::AgentRemoved), Some("Agent a1 removed: health check timed out"), TaskState::Unreachable),
            (Some(R::AgentDisconnected), Some("Agent a1 disconnected"), TaskState::Unreachable),
            (Some(R::AgentRemovedByOperator), None, TaskState::GoneByOperator),
            (Some(R::TaskUnknown), None, TaskState::Unknown),
            (Some(R::ExecutorTerminated), Some("Executor terminated"), TaskState::Gone),
            (Some(R::InvalidOffers), None, TaskState::Gone),
            (None, None, TaskState::Gone),
        ];
        for (reason, message, want) in cases {
            let mut status =
                v1::TaskStatus::new(v1::TaskId::new("web.instance-u1._app.1"), v1::TaskState::Lost);
            status.reason = reason;
            status.message = message.map(str::to_owned);
            let input = to_status_input(&status, Timestamp(1)).expect("TASK_LOST is understood");
            assert_eq!(input.update.state, want, "{reason:?} {message:?}");
        }
    }
}
