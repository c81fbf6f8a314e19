//! The reporter: one task that turns the driver's reports into durable
//! service writes, in the order the driver made them.
//!
//! A task failure becomes the app's last task failure (unless it is only
//! the trace of the embedded cluster stopped with the previous run, see
//! [`super::convert::stopped_with_embedded_master`]).
//!
//! The driver's report calls must not block, but recording tasks and
//! deployment progress are store writes; so [`super::adapter::ServiceTarget`]
//! queues [`Report`]s on an unbounded channel and this task applies them.
//! It takes every report already queued at once (a burst): consecutive task
//! reports (instance lists, final reports, failures) become one
//! [`Service::record_task_batch`], one mutation and one store batch, so a
//! burst of status updates costs the changed tasks, not a copy of the state
//! per task (a batch takes about [`MAX_BATCH_CHANGES`] changes, long
//! instance lists are taken in pieces). Within the batch the reports apply in order (a failure before
//! its task's final state). An instance list is diffed against the tasks
//! the batch holds so far and only changed tasks are written (each emits
//! `status_update_event`); entries equal to the same task's entry in the
//! last list recorded are skipped without being converted. A failed write
//! loses that batch's changes (later work is still applied); the next
//! complete list is then diffed in full, so the service catches up with
//! the driver. A deployment timeout becomes a
//! rollback. The task ends when the adapter, and with it the sender, is
//! dropped.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use dromos_driver::{DeploymentProgress, DeploymentTimeout, InstanceReport, TaskFailure};
use dromos_scheduler::Condition;
use serde_json::json;
use tokio::sync::mpsc;
use tracing::{debug, warn};

use super::convert::{failure_record, gone_record, stopped_with_embedded_master, task_record};
use crate::service::instances::TaskRecord;
use crate::service::task_batch::TaskBatch;
use crate::service::Service;

/// One driver report, queued for the reporter.
#[derive(Debug)]
pub enum Report {
    /// Every instance the driver tracks (full replacement).
    Instances(Vec<InstanceReport>),
    /// An instance's final report.
    Gone(InstanceReport),
    /// A task failed: the app's last task failure.
    Failure(TaskFailure),
    /// Deployment progress.
    Progress(DeploymentProgress),
    /// A deployment ran past its timeout: roll it back.
    TimedOut(DeploymentTimeout),
}

/// Reports taken from the channel at most at once.
const MAX_BURST: usize = 256;
/// Entries of an instance list handled as one piece of work.
const LIST_PIECE: usize = 512;
/// Changes after which a batch takes no more work: keeps a store batch
/// well under the smallest store's limit (ZooKeeper's 1 MB).
const MAX_BATCH_CHANGES: usize = 512;

/// Applies reports until the sender is dropped.
pub async fn run(service: Arc<Service>, mut reports: mpsc::UnboundedReceiver<Report>) {
    let mut reporter = Reporter::new(service);
    while let Some(first) = reports.recv().await {
        let mut burst = vec![first];
        while burst.len() < MAX_BURST {
            match reports.try_recv() {
                Ok(report) => burst.push(report),
                Err(_) => break,
            }
        }
        reporter.apply(burst).await;
    }
}

/// A task report, or a piece of an instance list, as one unit of a batch.
enum Work {
    /// Entries of an instance list; `end`: its last piece.
    List {
        entries: Vec<InstanceReport>,
        end: bool,
    },
    Gone(InstanceReport),
    Failure(TaskFailure),
}

/// What the reporter remembers between reports.
struct Reporter {
    service: Arc<Service>,
    /// The master is dromos' embedded one.
    local_master: bool,
    /// The entries of the last instance list recorded, by task id: the
    /// service holds what they say. Empty after a failed write.
    recorded: HashMap<String, InstanceReport>,
    /// The entries of the list being recorded so far.
    listing: HashMap<String, InstanceReport>,
    /// A write failed while the list was being recorded.
    listing_lost: bool,
}

impl Reporter {
    fn new(service: Arc<Service>) -> Self {
        let local_master = crate::cluster::is_local(service.master());
        Reporter {
            service,
            local_master,
            recorded: HashMap::new(),
            listing: HashMap::new(),
            listing_lost: false,
        }
    }

    /// Applies `burst` in order: runs of task reports in as few batches as
    /// the batch size allows, deployment reports one by one between them.
    async fn apply(&mut self, burst: Vec<Report>) {
        let mut work = VecDeque::new();
        for report in burst {
            match report {
                Report::Progress(progress) => {
                    self.record(&mut work).await;
                    apply_progress(&self.service, &progress).await;
                }
                Report::TimedOut(timeout) => {
                    self.record(&mut work).await;
                    roll_back(&self.service, &timeout).await;
                }
                Report::Instances(list) => split_list(list, &mut work),
                Report::Gone(last) => work.push_back(Work::Gone(last)),
                Report::Failure(failure) => work.push_back(Work::Failure(failure)),
            }
        }
        self.record(&mut work).await;
    }

    /// Records all of `work`, in batches of about [`MAX_BATCH_CHANGES`].
    async fn record(&mut self, work: &mut VecDeque<Work>) {
        while !work.is_empty() {
            let service = Arc::clone(&self.service);
            let written = service
                .record_task_batch(|batch| {
                    let mut units = 0;
                    while batch.len() < MAX_BATCH_CHANGES {
                        let Some(unit) = work.pop_front() else { break };
                        self.add(batch, unit);
                        units += 1;
                    }
                    (units, batch.len())
                })
                .await;
            match written {
                Ok((units, changes)) => debug!(units, changes, "task reports recorded"),
                Err(e) => {
                    warn!(error = %e, "cannot record the tasks' states; the next instance list repairs them");
                    self.recorded.clear();
                    self.listing_lost = true;
                }
            }
        }
    }

    fn add(&mut self, batch: &mut TaskBatch<'_>, unit: Work) {
        match unit {
            Work::List { entries, end } => {
                self.sync_entries(batch, entries);
                if end {
                    self.end_list(batch);
                }
            }
            Work::Gone(last) => {
                self.recorded.remove(&last.task_id);
                if let Some(record) = gone_record(&last) {
                    batch.set_task(record, Some(last.message));
                }
            }
            Work::Failure(failure) => record_failure(batch, &failure, self.local_master),
        }
    }

    /// Records the listed tasks whose record changed, with the Mesos
    /// message of their last update, and notes an unreachable task the
    /// driver just replaced (its record stays `TASK_UNREACHABLE`).
    fn sync_entries(&mut self, batch: &mut TaskBatch<'_>, entries: Vec<InstanceReport>) {
        for report in entries {
            let recorded = self.recorded.get(&report.task_id);
            if recorded != Some(&report) {
                let replaced = report.condition == Condition::UnreachableInactive
                    && recorded.is_some_and(|r| r.condition == Condition::Unreachable);
                let Some(record) = task_record(&report) else {
                    warn!(app_id = %report.app_id, "instance of an app id that is not a path; not reported");
                    continue;
                };
                if replaced {
                    batch.note_replaced(record.clone());
                }
                if batch.tasks().get_of(&record.app_id, &record.id) != Some(&record) {
                    batch.set_task(record, Some(report.message.clone()));
                }
            }
            self.listing.insert(report.task_id.clone(), report);
        }
    }

    /// The list is complete: tasks the batch holds that the driver does not
    /// track any more are reported `TASK_UNKNOWN` (dropped).
    fn end_list(&mut self, batch: &mut TaskBatch<'_>) {
        let listed = std::mem::take(&mut self.listing);
        let stale: Vec<TaskRecord> =
            batch.tasks().values().filter(|t| !listed.contains_key(&t.id)).cloned().collect();
        for mut task in stale {
            task.state = crate::service::instances::TaskState::TaskUnknown;
            batch.set_task(task, Some("unknown to the scheduler".to_owned()));
        }
        self.recorded = if std::mem::take(&mut self.listing_lost) { HashMap::new() } else { listed };
    }
}

/// Splits an instance list into pieces of [`LIST_PIECE`] entries (an empty
/// list is one empty piece: it still drops every task).
fn split_list(list: Vec<InstanceReport>, work: &mut VecDeque<Work>) {
    let mut rest = list.into_iter().peekable();
    loop {
        let entries: Vec<InstanceReport> = rest.by_ref().take(LIST_PIECE).collect();
        let end = rest.peek().is_none();
        work.push_back(Work::List { entries, end });
        if end {
            break;
        }
    }
}

/// Records the app's last task failure (before the task's final state is
/// recorded, so the console refetching on that `status_update_event` sees it).
fn record_failure(batch: &mut TaskBatch<'_>, failure: &TaskFailure, local_master: bool) {
    if stopped_with_embedded_master(failure, local_master) {
        debug!(task_id = %failure.task_id, "task stopped with the previous embedded cluster; not a failure");
        return;
    }
    let Some(record) = failure_record(failure) else {
        warn!(app_id = %failure.app_id, "failure of an app id that is not a path; not recorded");
        return;
    };
    batch.record_failure(record, failure.unhealthy_kill);
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

#[cfg(test)]
#[path = "reports_tests.rs"]
mod tests;
