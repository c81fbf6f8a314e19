//! The reporter: one task that turns the driver's reports into durable
//! service writes, in the order the driver made them.
//!
//! A task failure becomes the app's last task failure (unless it is only
//! the trace of the embedded cluster stopped with the previous run, see
//! [`super::convert::stopped_with_embedded_master`]).
//!
//! The driver's report calls must not block, but the service's
//! [`Service::report_task`] and deployment progress are store writes; so
//! [`super::adapter::ServiceTarget`] queues [`Report`]s on an unbounded
//! channel and this task applies them one by one. An instance list is
//! diffed against the tasks the service holds and only changed tasks are
//! written (each write emits `status_update_event`). A deployment timeout
//! becomes a rollback. The task ends when the adapter, and with it the
//! sender, is dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use dromos_driver::{DeploymentProgress, DeploymentTimeout, InstanceReport, TaskFailure};
use serde_json::json;
use tokio::sync::mpsc;
use tracing::{debug, warn};

use super::convert::{failure_record, gone_record, stopped_with_embedded_master, task_record};
use crate::service::instances::TaskRecord;
use crate::service::Service;

/// Failure messages kept until the instance's final report arrives (it
/// comes in the same driver turn; this only bounds a leak).
const MAX_PENDING_FAILURES: usize = 1024;

/// One driver report, queued for the reporter.
#[derive(Debug)]
pub enum Report {
    /// Every instance the driver tracks (full replacement).
    Instances(Vec<InstanceReport>),
    /// An instance's final report.
    Gone(InstanceReport),
    /// A task failed; its message goes with the final report.
    Failure(TaskFailure),
    /// Deployment progress.
    Progress(DeploymentProgress),
    /// A deployment ran past its timeout: roll it back.
    TimedOut(DeploymentTimeout),
}

/// Applies reports until the sender is dropped.
pub async fn run(service: Arc<Service>, mut reports: mpsc::UnboundedReceiver<Report>) {
    let local_master = crate::cluster::is_local(service.master());
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    while let Some(report) = reports.recv().await {
        match report {
            Report::Instances(list) => sync_instances(&service, &list).await,
            Report::Gone(last) => {
                let message = failures.remove(&last.task_id);
                if let Some(record) = gone_record(&last) {
                    write(&service, record, message).await;
                }
            }
            Report::Failure(failure) => {
                record_failure(&service, &failure, local_master).await;
                if failures.len() >= MAX_PENDING_FAILURES {
                    failures.clear();
                }
                failures.insert(failure.task_id, failure.message);
            }
            Report::Progress(progress) => apply_progress(&service, &progress).await,
            Report::TimedOut(timeout) => roll_back(&service, &timeout).await,
        }
    }
}

/// Writes the tasks whose record changed; tasks the service holds that the
/// driver does not track any more are reported `TASK_UNKNOWN` (dropped).
async fn sync_instances(service: &Service, list: &[InstanceReport]) {
    let held: BTreeMap<String, TaskRecord> = service.tasks().into_iter().map(|t| (t.id.clone(), t)).collect();
    let mut listed = BTreeSet::new();
    for report in list {
        listed.insert(report.task_id.as_str());
        let Some(record) = task_record(report) else {
            warn!(app_id = %report.app_id, "instance of an app id that is not a path; not reported");
            continue;
        };
        if held.get(&record.id) != Some(&record) {
            write(service, record, None).await;
        }
    }
    for (id, mut stale) in held {
        if !listed.contains(id.as_str()) {
            stale.state = crate::service::instances::TaskState::TaskUnknown;
            write(service, stale, Some("unknown to the scheduler".to_owned())).await;
        }
    }
}

/// Records the app's last task failure (before the task's final state is
/// written, so the console refetching on that `status_update_event` sees it).
async fn record_failure(service: &Service, failure: &TaskFailure, local_master: bool) {
    if stopped_with_embedded_master(failure, local_master) {
        debug!(task_id = %failure.task_id, "task stopped with the previous embedded cluster; not a failure");
        return;
    }
    let Some(record) = failure_record(failure) else {
        warn!(app_id = %failure.app_id, "failure of an app id that is not a path; not recorded");
        return;
    };
    if let Err(e) = service.record_task_failure(record, failure.unhealthy_kill).await {
        warn!(task_id = %failure.task_id, error = %e, "cannot record the task failure");
    }
}

async fn write(service: &Service, record: TaskRecord, message: Option<String>) {
    let id = record.id.clone();
    if let Err(e) = service.report_task(record, message).await {
        warn!(task_id = %id, error = %e, "cannot record the task's state");
    }
}

/// Marks the steps the driver finished as done (the service finishes the
/// deployment with its last step).
async fn apply_progress(service: &Service, progress: &DeploymentProgress) {
    let id = progress.deployment_id.as_str();
    let Some(stored) = service.deployments().into_iter().find(|d| d.id == id) else {
        debug!(deployment_id = id, "progress of a deployment no longer listed");
        return;
    };
    for step in stored.steps_done..progress.steps_done.min(stored.steps.len()) {
        if let Err(e) = service.report_step_done(id, step).await {
            warn!(deployment_id = id, step, error = %e, "cannot record deployment progress");
            return;
        }
    }
    let still_listed = service.deployments().iter().any(|d| d.id == id);
    if progress.finished && still_listed {
        if let Err(e) = service.report_deployment_finished(id).await {
            warn!(deployment_id = id, error = %e, "cannot record the deployment's end");
        }
    }
}

/// Rolls back a deployment that timed out, as `DELETE
/// /v2/deployments/{id}` does: the deployment is cancelled and the reverse
/// of its changes deployed. Subscribers first get a `deployment_failed`
/// whose reason names the timeout; the rollback itself then reports
/// `deployment_failed` with reason `rolled back`, as any rollback does.
async fn roll_back(service: &Service, timeout: &DeploymentTimeout) {
    let id = timeout.deployment_id.as_str();
    let Some(stored) = service.deployments().into_iter().find(|d| d.id == id) else {
        debug!(deployment_id = id, "timed-out deployment no longer listed");
        return;
    };
    warn!(deployment_id = id, timeout_seconds = timeout.timeout_seconds, app_id = %timeout.app_id,
        "deployment timed out; rolling back");
    service.events().publish(
        "deployment_failed",
        json!({"id": id, "plan": stored.plan_json(), "reason": timeout.reason}),
    );
    if let Err(e) = service.cancel_deployment(id, false).await {
        warn!(deployment_id = id, error = %e, "cannot roll back the timed-out deployment");
    }
}
