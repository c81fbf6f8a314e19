//! Task, deployment and queue operations of the API: list and kill tasks
//! (optionally scaling the app down), list and cancel deployments (with
//! rollback), show the queue and reset a launch delay.

use std::collections::BTreeMap;
use std::sync::Arc;

use dromos_model::{AppDefinition, PathId};
use serde_json::json;
use tracing::instrument;

use super::apps::{read_id, result_of};
use super::deploy;
use super::deployment::Deployment;
use super::error::ServiceError;
use super::instances::{is_task_id, ReadinessRecord, TaskRecord};
use super::queue::QueueItem;
use super::run_loop::RunLoopCommand;
use super::state::State;
use super::{DeploymentResult, Service};

/// What a kill request did.
#[derive(Debug, Clone)]
pub enum KillOutcome {
    /// Kill requested; these tasks will go.
    Killed(Vec<TaskRecord>),
    /// `scale=true`: the app was scaled down by the killed count.
    Scaled(DeploymentResult),
}

/// Which tasks a kill request names.
#[derive(Debug, Clone)]
pub enum KillSelector {
    /// All tasks of an app, optionally only on one host.
    App {
        /// Raw app id from the URL.
        app: String,
        /// `host=`.
        host: Option<String>,
    },
    /// One task of an app (`/v2/apps/{id}/tasks/{taskId}`).
    AppTask {
        /// Raw app id.
        app: String,
        /// Task id.
        task: String,
    },
    /// `POST /v2/tasks/delete` ids.
    Ids(Vec<String>),
}

impl Service {
    /// Every reported task, optionally only those in the given states.
    pub fn tasks(&self) -> Vec<TaskRecord> {
        self.read().tasks.values().filter(|t| crate::access::enforce::may_read(&t.app_id)).cloned().collect()
    }

    /// Tasks of one app.
    pub fn app_tasks(&self, raw_id: &str) -> Result<Vec<TaskRecord>, ServiceError> {
        self.app(raw_id).map(|s| s.tasks)
    }

    /// Service ports of an app (for task JSON), empty if unknown.
    pub fn service_ports_of(&self, app: &PathId) -> Vec<i32> {
        self.read().apps.get(app).map(|a| super::ports::service_ports(a)).unwrap_or_default()
    }

    /// Kills tasks: the run loop receives a [`RunLoopCommand::KillTasks`];
    /// with `scale` the apps are scaled down by the number killed.
    #[instrument(skip_all, fields(scale, force))]
    pub async fn kill_tasks(
        &self,
        selector: KillSelector,
        scale: bool,
        force: bool,
    ) -> Result<KillOutcome, ServiceError> {
        let victims = self.select_tasks(&selector)?;
        for victim in &victims {
            crate::access::enforce::check_write(&victim.app_id)?;
        }
        if scale {
            let mut by_app: BTreeMap<PathId, i32> = BTreeMap::new();
            for t in &victims {
                *by_app.entry(t.app_id.clone()).or_default() += 1;
            }
            let outcome = self
                .mutate(|current, target, version| {
                    for (id, n) in &by_app {
                        if let Some(app) = target.apps.get(id) {
                            let instances = (app.instances - n).max(0);
                            target.apps.insert(
                                id.clone(),
                                Arc::new(AppDefinition { instances, ..AppDefinition::clone(app) }),
                            );
                        }
                    }
                    deploy::finish_change(current, target, &self.change_options(version, force))
                })
                .await?;
            self.request_kill(&victims);
            self.announce("kill-and-scale", &PathId::root(), &outcome);
            return Ok(KillOutcome::Scaled(result_of(&outcome)));
        }
        self.request_kill(&victims);
        self.metrics.increment("dromos.service.kill-tasks.counter");
        Ok(KillOutcome::Killed(victims))
    }

    fn select_tasks(&self, selector: &KillSelector) -> Result<Vec<TaskRecord>, ServiceError> {
        let state = self.read();
        match selector {
            KillSelector::App { app, host } => {
                let id = existing_app(&state, app)?;
                Ok(state
                    .tasks
                    .of_app(&id)
                    .filter(|t| host.as_ref().is_none_or(|h| *h == t.host))
                    .cloned()
                    .collect())
            }
            KillSelector::AppTask { app, task } => {
                let id = existing_app(&state, app)?;
                let t = state.tasks.get_of(&id, task);
                Ok(vec![t.cloned().ok_or_else(|| ServiceError::TaskNotFound(task.clone()))?])
            }
            KillSelector::Ids(ids) => {
                if let Some(bad) = ids.iter().find(|id| !is_task_id(id)) {
                    return Err(ServiceError::InvalidTaskId(bad.clone()));
                }
                Ok(ids.iter().filter_map(|id| state.tasks.get(id)).cloned().collect())
            }
        }
    }

    fn request_kill(&self, victims: &[TaskRecord]) {
        if victims.is_empty() {
            return;
        }
        let ids: Vec<String> = victims.iter().map(|t| t.id.clone()).collect();
        tracing::info!(tasks = ?ids, "kill requested");
        self.send_command(RunLoopCommand::KillTasks(ids));
    }

    /// Running deployments, oldest version first.
    pub fn deployments(&self) -> Vec<Deployment> {
        let mut list: Vec<Deployment> = self
            .read()
            .deployments
            .values()
            .filter(|d| {
                d.affected_apps
                    .iter()
                    .any(|a| PathId::parse(a).is_ok_and(|id| crate::access::enforce::may_read(&id)))
            })
            .cloned()
            .collect();
        list.sort_by(|a, b| a.version.cmp(&b.version));
        list
    }

    /// The latest readiness verdicts of the instances deployments wait
    /// for, by app id (only apps the caller may read).
    pub fn readiness_by_app(&self) -> BTreeMap<String, Vec<ReadinessRecord>> {
        let mut by_app: BTreeMap<String, Vec<ReadinessRecord>> = BTreeMap::new();
        for task in self.read().tasks.values() {
            if let Some(verdict) = task.readiness.as_ref() {
                if crate::access::enforce::may_read(&task.app_id) {
                    by_app.entry(task.app_id.to_string()).or_default().push(verdict.clone());
                }
            }
        }
        by_app
    }

    /// `DELETE /v2/deployments/{id}`: with `force` just forget it (no
    /// rollback, `None`); otherwise cancel it and deploy the reverse of
    /// its changes on the current root.
    #[instrument(skip_all, fields(deployment_id = %id))]
    pub async fn cancel_deployment(
        &self,
        id: &str,
        force: bool,
    ) -> Result<Option<DeploymentResult>, ServiceError> {
        let found = self.read().deployments.get(id).cloned();
        let deployment = found.ok_or_else(|| ServiceError::DeploymentNotFound(id.to_owned()))?;
        for app in &deployment.affected_apps {
            if let Ok(app) = PathId::parse(app) {
                crate::access::enforce::check_write(&app)?;
            }
        }
        if force {
            self.mutate(|_, target, _| {
                target.deployments.remove(id);
                Ok(())
            })
            .await?;
            self.metrics.increment("dromos.service.cancel-deployment.counter");
            self.events.publish(
                "deployment_failed",
                json!({"id": id, "plan": deployment.plan_json(), "reason": "cancelled"}),
            );
            return Ok(None);
        }
        let outcome = self
            .mutate(|current, target, version| {
                target.deployments.remove(id);
                revert(current, target, &deployment)?;
                let mut opts = self.change_options(version, true);
                opts.force = true;
                deploy::finish_change(current, target, &opts)
            })
            .await?;
        self.events.publish(
            "deployment_failed",
            json!({"id": id, "plan": deployment.plan_json(), "reason": "rolled back"}),
        );
        self.announce("rollback-deployment", &PathId::root(), &outcome);
        Ok(Some(result_of(&outcome)))
    }

    /// The launch queue as last published by the run loop.
    pub fn queue(&self) -> Vec<(QueueItem, Option<Arc<AppDefinition>>)> {
        let state = self.read();
        let queue = self.queue.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        queue
            .into_iter()
            .filter(|q| crate::access::enforce::may_read(&q.app_id))
            .map(|q| {
                let app = state.apps.get(&q.app_id).cloned();
                (q, app)
            })
            .collect()
    }

    /// `DELETE /v2/queue/{id}/delay`: asks the run loop to reset the
    /// backoff; 404 when the app is not backed off.
    pub fn reset_delay(&self, raw_id: &str) -> Result<(), ServiceError> {
        let id = read_id(raw_id)?;
        crate::access::enforce::check_write(&id)?;
        let delayed = self
            .queue
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .any(|q| q.app_id == id && q.view.time_left_seconds > 0);
        if !delayed {
            return Err(ServiceError::NotQueued(id));
        }
        self.send_command(RunLoopCommand::ResetDelay(id));
        Ok(())
    }
}

fn existing_app(state: &State, raw: &str) -> Result<PathId, ServiceError> {
    let id = read_id(raw)?;
    if state.apps.contains_key(&id) {
        Ok(id)
    } else {
        Err(ServiceError::app_not_found(&id))
    }
}

/// Undoes `deployment`'s changes to its apps in `target` (Marathon's
/// `DeploymentPlanReverter` for apps): each affected app goes back to its
/// definition in the deployment's original root, or away if it was new.
fn revert(current: &State, target: &mut State, deployment: &Deployment) -> Result<(), ServiceError> {
    let original = current.root_at(&deployment.original_version).unwrap_or_default();
    for raw in &deployment.affected_apps {
        let Ok(id) = PathId::parse(raw) else { continue };
        match original.apps.get(&id) {
            Some(app) => {
                target.ensure_group(
                    &id.parent(),
                    &current.latest_version().cloned().unwrap_or_else(|| super::clock::from_millis(0)),
                );
                target.apps.insert(id, app.clone());
            }
            None => {
                target.apps.remove(&id);
            }
        }
    }
    Ok(())
}
