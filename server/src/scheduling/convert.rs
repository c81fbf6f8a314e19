//! Pure conversions between the driver's report types and the service's
//! records: instance reports → [`TaskRecord`], task failures →
//! [`TaskFailureRecord`], queue reports → [`QueueItem`], stored deployments
//! → [`TargetDeployment`], and the stored form of instance intents.

use std::collections::BTreeMap;
use std::sync::Arc;

use dromos_driver::readiness::ReadinessResult;
use dromos_driver::{InstanceIntent, InstanceReport, QueueItemReport, TargetDeployment, TaskFailure};
use dromos_model::{AppDefinition, PathId};
use dromos_scheduler::plan::{Action, DeploymentPlan, Step};
use dromos_scheduler::queue::QueueItemView;
use dromos_scheduler::{Condition, Timestamp};
use serde::Deserialize;

use crate::service::clock;
use crate::service::deployment::{Deployment, StepAction};
use crate::service::failures::{bounded_message, TaskFailureRecord};
use crate::service::instances::{ReadinessRecord, ReadinessResponse, TaskRecord, TaskState};
use crate::service::queue::QueueItem;

/// ISO-8601 form of a driver timestamp, as the service shows times.
fn iso(t: Timestamp) -> String {
    clock::from_millis(t.0).to_string()
}

/// The service's state for a Mesos state name; names the service has no
/// variant for fall back to the driver's condition. `TASK_LOST` is read by
/// the driver from its reason (unreachable, gone or unknown), so the
/// condition says which it is.
pub fn task_state(name: &str, condition: Condition) -> TaskState {
    if let Ok(state) = serde_json::from_value::<TaskState>(serde_json::Value::String(name.to_owned())) {
        return state;
    }
    match name {
        "TASK_GONE_BY_OPERATOR" => TaskState::TaskGone,
        _ => state_of_condition(condition),
    }
}

fn state_of_condition(condition: Condition) -> TaskState {
    match condition {
        Condition::Scheduled | Condition::Provisioned | Condition::Staging => TaskState::TaskStaging,
        Condition::Starting => TaskState::TaskStarting,
        Condition::Running => TaskState::TaskRunning,
        Condition::Killing => TaskState::TaskKilling,
        Condition::Unreachable | Condition::UnreachableInactive => TaskState::TaskUnreachable,
        Condition::Finished => TaskState::TaskFinished,
        Condition::Killed => TaskState::TaskKilled,
        Condition::Error => TaskState::TaskError,
        Condition::Failed => TaskState::TaskFailed,
        Condition::Gone => TaskState::TaskGone,
        Condition::Dropped => TaskState::TaskDropped,
        Condition::Unknown => TaskState::TaskUnknown,
    }
}

/// The service's record of an instance report; `None` when the app id is
/// not a valid path (never the case for ids the driver got from the service).
pub fn task_record(report: &InstanceReport) -> Option<TaskRecord> {
    Some(TaskRecord {
        id: report.task_id.clone(),
        app_id: PathId::parse(&report.app_id).ok()?,
        host: report.host.clone(),
        agent_id: report.agent_id.clone(),
        ports: report.ports.clone(),
        state: task_state(&report.state, report.condition),
        healthy: report.healthy,
        version: report.version.clone(),
        staged_at: Some(iso(report.staged_at)),
        started_at: report.started_at.map(iso),
        readiness: report.readiness.as_ref().map(readiness_record),
    })
}

/// A readiness verdict in the service's (Marathon's) shape.
pub fn readiness_record(result: &ReadinessResult) -> ReadinessRecord {
    ReadinessRecord {
        name: result.name.clone(),
        task_id: result.task_id.clone(),
        ready: result.ready,
        last_response: result.last_response.as_ref().map(|r| ReadinessResponse {
            status: r.status,
            content_type: r.content_type.clone().unwrap_or_default(),
            body: r.body.clone(),
        }),
    }
}

/// The record of an instance the driver forgot: its last state when that
/// is terminal, else `TASK_KILLED` when it was being killed, else
/// `TASK_UNKNOWN` (the service then drops it).
pub fn gone_record(last: &InstanceReport) -> Option<TaskRecord> {
    let mut record = task_record(last)?;
    if !record.state.is_terminal() {
        record.state = if last.killing { TaskState::TaskKilled } else { TaskState::TaskUnknown };
    }
    Some(record)
}

/// The service's record of a task failure the driver reported; `None`
/// when the app id is not a path.
pub fn failure_record(failure: &TaskFailure) -> Option<TaskFailureRecord> {
    Some(TaskFailureRecord {
        app_id: PathId::parse(&failure.app_id).ok()?,
        task_id: failure.task_id.clone(),
        state: failure.state.clone(),
        message: bounded_message(&failure.message),
        host: failure.host.clone(),
        slave_id: Some(failure.agent_id.clone()).filter(|a| !a.is_empty()),
        version: failure.version.clone(),
        timestamp: iso(failure.timestamp),
    })
}

/// Whether a reported failure is one dromos itself caused by stopping its
/// embedded cluster: with `--master local` the master is new at every
/// start and answers the reconciliation of the tasks the last run stopped
/// (gracefully, on purpose) with `TASK_UNKNOWN`. Tasks of a crashed dromos
/// are re-adopted, or reported `TASK_FAILED` when they died meanwhile, so
/// this hides no real failure; against a real Mesos master it never applies.
pub fn stopped_with_embedded_master(failure: &TaskFailure, local_master: bool) -> bool {
    local_master
        && failure.state == "TASK_UNKNOWN"
        && failure.reason.as_deref() == Some("REASON_RECONCILIATION")
}

/// A `/v2/queue` row from the driver's queue report.
pub fn queue_item(report: QueueItemReport) -> Option<QueueItem> {
    let app_id = PathId::parse(&report.app_id).ok()?;
    let view = QueueItemView {
        run_spec_id: report.app_id,
        count: report.count,
        time_left_seconds: report.time_left_seconds,
        overdue: report.overdue,
        since: report.since,
        stats: report.offers,
    };
    Some(QueueItem { app_id, view })
}

/// The driver's view of a stored deployment. The service keeps each
/// step's action names and app ids; a scale action's count is the app's
/// current `instances` (a later change of the same app either waits for
/// this deployment or cancels it, so the current count is the target).
pub fn target_deployment(
    deployment: &Deployment,
    apps: &BTreeMap<PathId, Arc<AppDefinition>>,
) -> TargetDeployment {
    let steps = deployment
        .steps
        .iter()
        .map(|actions| Step { actions: actions.iter().filter_map(|a| action(a, apps)).collect() })
        .collect();
    TargetDeployment {
        id: deployment.id.clone(),
        plan: DeploymentPlan { steps },
        steps_done: deployment.steps_done,
    }
}

fn action(step: &StepAction, apps: &BTreeMap<PathId, Arc<AppDefinition>>) -> Option<Action> {
    let run_spec_id = step.app.clone();
    Some(match step.action.as_str() {
        "StartApplication" => Action::StartApplication { run_spec_id },
        "StopApplication" => Action::StopApplication { run_spec_id },
        "RestartApplication" => Action::RestartApplication { run_spec_id },
        "ScaleApplication" => {
            let wanted =
                PathId::parse(&step.app).ok().and_then(|id| apps.get(&id)).map_or(0, |a| a.instances);
            Action::ScaleApplication { run_spec_id, instances: u32::try_from(wanted).unwrap_or(0) }
        }
        other => {
            tracing::warn!(action = other, app = %step.app, "unknown deployment action; skipped");
            return None;
        }
    })
}

/// The stored form of an [`InstanceIntent`] (which serialises to exactly
/// this shape: camelCase, the timestamp as milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredIntent {
    instance_id: String,
    task_id: String,
    app_id: String,
    version: String,
    agent_id: String,
    host: String,
    host_ports: Vec<Option<u16>>,
    staged_at: u64,
}

/// Encodes an intent for the store.
pub fn encode_intent(intent: &InstanceIntent) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(intent)
}

/// Decodes a stored intent.
pub fn decode_intent(bytes: &[u8]) -> Result<InstanceIntent, serde_json::Error> {
    let s: StoredIntent = serde_json::from_slice(bytes)?;
    Ok(InstanceIntent {
        instance_id: s.instance_id,
        task_id: s.task_id,
        app_id: s.app_id,
        version: s.version,
        agent_id: s.agent_id,
        host: s.host,
        host_ports: s.host_ports,
        staged_at: Timestamp(s.staged_at),
    })
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
