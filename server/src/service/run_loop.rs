//! The seam between the service and the scheduler run loop; see the table
//! in the [`super`] module docs. The run loop reads the [`Target`], waits
//! on [`Service::watch_target`], and reports back what really happened.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError};

use dromos_model::{AppDefinition, PathId};
use serde_json::json;
use tokio::sync::{mpsc, watch};
use tracing::instrument;

use super::deployment::Deployment;
use super::error::ServiceError;
use super::instances::TaskRecord;
use super::queue::QueueItem;
use super::Service;

/// What should be running: seam (a).
#[derive(Debug, Clone)]
pub struct Target {
    /// Generation this snapshot belongs to (see [`Service::watch_target`]).
    pub generation: u64,
    /// Current apps (definition, version, `instances`).
    pub apps: BTreeMap<PathId, Arc<AppDefinition>>,
    /// Running deployments with their steps.
    pub deployments: Vec<Deployment>,
    /// Tasks as last reported.
    pub tasks: Vec<TaskRecord>,
}

/// Requests from the API that only the run loop can carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunLoopCommand {
    /// Kill these tasks (their instances stay until reported terminal).
    KillTasks(Vec<String>),
    /// Reset the launch backoff of this app.
    ResetDelay(PathId),
}

impl Service {
    /// The current target.
    pub fn target(&self) -> Target {
        let generation = *self.generation.borrow();
        let state = self.read();
        Target {
            generation,
            apps: state.apps.clone(),
            deployments: state.deployments.values().cloned().collect(),
            tasks: state.tasks.values().cloned().collect(),
        }
    }

    /// A receiver that changes whenever the target changes (seam (b)).
    pub fn watch_target(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// The command channel of the run loop. The first call gets the
    /// channel commands were queued on since start-up; a later call (a run
    /// loop restarted after re-election) gets a fresh channel, and the
    /// previous receiver sees its channel closed. Always `Some`.
    pub fn take_commands(&self) -> Option<mpsc::Receiver<RunLoopCommand>> {
        if let Some(inbox) = self.command_inbox.lock().unwrap_or_else(PoisonError::into_inner).take() {
            return Some(inbox);
        }
        let (sender, inbox) = mpsc::channel(super::COMMAND_BUFFER);
        *self.commands.lock().unwrap_or_else(PoisonError::into_inner) = sender;
        Some(inbox)
    }

    pub(crate) fn send_command(&self, command: RunLoopCommand) {
        let sender = self.commands.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if let Err(e) = sender.try_send(command) {
            tracing::warn!(error = %e, "run loop command dropped (no run loop, or it is behind)");
        }
    }

    /// Seam (c): a task's new state. Durable before it returns; a terminal
    /// state removes the task. Emits `status_update_event` and
    /// `instance_changed_event`. (The reporter records bursts of these
    /// with [`Service::record_task_batch`].)
    #[instrument(skip_all, fields(app_id = %task.app_id, task_id = %task.id))]
    pub async fn report_task(&self, task: TaskRecord, message: Option<String>) -> Result<(), ServiceError> {
        self.record_task_batch(|batch| batch.set_task(task, message)).await
    }

    /// Seam (c): the launch queue as the run loop sees it (memory only:
    /// the queue is rebuilt from the target after a restart).
    pub fn publish_queue(&self, items: Vec<QueueItem>) {
        *self.queue.write().unwrap_or_else(PoisonError::into_inner) = items;
    }

    /// Seam (d): step `step` (0-based) of deployment `id` is done. Emits
    /// `deployment_step_success` (and `app_terminated_event` for stopped
    /// apps); the last step finishes the deployment in the same write, so
    /// no deployment is ever stored with every step done (a leader change
    /// between two writes would leave it listed for good).
    #[instrument(skip_all, fields(deployment_id = %id, step))]
    pub async fn report_step_done(&self, id: &str, step: usize) -> Result<(), ServiceError> {
        let deployment = self
            .mutate(|_, target, _| {
                let d = target
                    .deployments
                    .get_mut(id)
                    .ok_or_else(|| ServiceError::DeploymentNotFound(id.to_owned()))?;
                if step >= d.steps.len() {
                    return Err(ServiceError::Internal(format!("deployment {id} has no step {step}")));
                }
                d.steps_done = d.steps_done.max(step + 1);
                let d = d.clone();
                if d.steps_done >= d.steps.len() {
                    target.deployments.remove(id);
                }
                Ok(d)
            })
            .await?;
        self.events.publish(
            "deployment_step_success",
            json!({"plan": deployment.plan_json(), "currentStep": deployment.step_json(step)}),
        );
        for action in deployment.steps.get(step).into_iter().flatten() {
            if action.action == "StopApplication" {
                self.events.publish("app_terminated_event", json!({"appId": action.app}));
            }
        }
        if deployment.steps_done >= deployment.steps.len() {
            self.announce_deployment_success(&deployment);
        }
        Ok(())
    }

    /// Seam (d): deployment `id` completed; emits `deployment_success`.
    #[instrument(skip_all, fields(deployment_id = %id))]
    pub async fn report_deployment_finished(&self, id: &str) -> Result<(), ServiceError> {
        let d = self.forget_deployment(id).await?;
        self.announce_deployment_success(&d);
        Ok(())
    }

    fn announce_deployment_success(&self, d: &Deployment) {
        tracing::info!(deployment_id = %d.id, version = %d.version, steps = d.steps.len(), "deployment finished");
        self.metrics.increment("dromos.service.deployment-success.counter");
        self.events.publish("deployment_success", json!({"id": d.id, "plan": d.plan_json()}));
    }

    /// Seam (d): deployment `id` failed; emits `deployment_failed`.
    #[instrument(skip_all, fields(deployment_id = %id))]
    pub async fn report_deployment_failed(&self, id: &str, reason: &str) -> Result<(), ServiceError> {
        let d = self.forget_deployment(id).await?;
        self.metrics.increment("dromos.service.deployment-failed.counter");
        self.events.publish("deployment_failed", json!({"id": id, "plan": d.plan_json(), "reason": reason}));
        Ok(())
    }

    async fn forget_deployment(&self, id: &str) -> Result<Deployment, ServiceError> {
        self.mutate(|_, target, _| {
            target.deployments.remove(id).ok_or_else(|| ServiceError::DeploymentNotFound(id.to_owned()))
        })
        .await
    }
}
