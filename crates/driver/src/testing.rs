//! An in-memory [`Target`] for tests of the driver and of code built on it.
//!
//! [`InMemoryTarget::deploy`] behaves like the service: it stores the new
//! app versions and a deployment planned with the scheduler core's
//! [`compute_plan`]; progress reports advance and finally remove the
//! deployment. Every report bumps [`InMemoryTarget::reported`], so a test
//! can wait for a condition with [`InMemoryTarget::wait_until`] instead of
//! sleeping.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use dromos_model::AppDefinition;
use dromos_scheduler::plan::{compute_plan, PlanError};
use tokio::sync::{mpsc, watch};

use crate::target::{
    BoxFuture, DeploymentProgress, DeploymentTimeout, DriverCommand, InstanceIntent, InstanceReport,
    QueueItemReport, Target, TargetDeployment, TargetError, TargetSnapshot, TaskFailure,
};
use crate::translate::run_spec::to_run_spec;

/// Everything the in-memory target holds; read it with
/// [`InMemoryTarget::state`].
#[derive(Debug, Clone, Default)]
pub struct TargetState {
    /// Apps by id.
    pub apps: BTreeMap<String, Arc<AppDefinition>>,
    /// Unfinished deployments.
    pub deployments: Vec<TargetDeployment>,
    /// Persisted framework id.
    pub framework_id: Option<String>,
    /// Persisted intents by instance id.
    pub intents: BTreeMap<String, InstanceIntent>,
    /// Latest instance report.
    pub instances: Vec<InstanceReport>,
    /// Latest queue report.
    pub queue: Vec<QueueItemReport>,
    /// Every failure reported.
    pub failures: Vec<TaskFailure>,
    /// Every progress report.
    pub progress: Vec<DeploymentProgress>,
    /// Final reports of forgotten instances, in order.
    pub gone: Vec<InstanceReport>,
    /// Every deployment timeout reported.
    pub timeouts: Vec<DeploymentTimeout>,
    /// The apps before each listed deployment (what a rollback restores).
    pub originals: BTreeMap<String, Vec<Arc<AppDefinition>>>,
}

/// A [`Target`] kept in memory.
#[derive(Debug)]
pub struct InMemoryTarget {
    state: Mutex<TargetState>,
    command_tx: mpsc::Sender<DriverCommand>,
    commands: Mutex<Option<mpsc::Receiver<DriverCommand>>>,
    changed: watch::Sender<u64>,
    reported: watch::Sender<u64>,
}

impl Default for InMemoryTarget {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryTarget {
    /// An empty target.
    pub fn new() -> Self {
        let (command_tx, commands) = mpsc::channel(64);
        Self {
            state: Mutex::new(TargetState::default()),
            command_tx,
            commands: Mutex::new(Some(commands)),
            changed: watch::Sender::new(0),
            reported: watch::Sender::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, TargetState> {
        // A panic while holding the lock only happens in a failing test.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A copy of everything held.
    pub fn state(&self) -> TargetState {
        self.lock().clone()
    }

    /// Replaces the apps with `apps` (by id; apps not listed are removed)
    /// and records a deployment from the old set to the new one. Returns
    /// the deployment id, or `None` when nothing changed.
    pub fn deploy(&self, apps: Vec<AppDefinition>) -> Result<Option<String>, PlanError> {
        let mut state = self.lock();
        let specs = |apps: &mut dyn Iterator<Item = &AppDefinition>| {
            apps.filter_map(|a| to_run_spec(a).ok()).map(|s| (s.id.clone(), s)).collect::<BTreeMap<_, _>>()
        };
        let before = specs(&mut state.apps.values().map(Arc::as_ref));
        let after = specs(&mut apps.iter());
        let plan = compute_plan(&before, &after)?;
        let original: Vec<Arc<AppDefinition>> = state.apps.values().cloned().collect();
        state.apps = apps.into_iter().map(|a| (a.id.to_string(), Arc::new(a))).collect();
        let id = (!plan.is_empty()).then(|| {
            let id = uuid::Uuid::new_v4().to_string();
            state.deployments.push(TargetDeployment { id: id.clone(), plan, steps_done: 0 });
            state.originals.insert(id.clone(), original);
            id
        });
        drop(state);
        self.changed.send_modify(|v| *v += 1);
        Ok(id)
    }

    /// Lists `deployment` as stored, whatever its progress (what a new
    /// leader loads when its predecessor stopped between two writes).
    pub fn insert_deployment(&self, deployment: TargetDeployment) {
        self.lock().deployments.push(deployment);
        self.changed.send_modify(|v| *v += 1);
    }

    /// Sends a command as the API would; false when the driver is not
    /// reading (channel full or closed).
    pub fn send_command(&self, command: DriverCommand) -> bool {
        self.command_tx.try_send(command).is_ok()
    }

    /// A receiver bumped on every report.
    pub fn reported(&self) -> watch::Receiver<u64> {
        self.reported.subscribe()
    }

    /// Waits until `pred` holds for the state (checked after every report),
    /// or `timeout` passes; returns the last state and whether it held.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        pred: impl Fn(&TargetState) -> bool,
    ) -> (TargetState, bool) {
        let mut reports = self.reported();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let state = self.state();
            if pred(&state) {
                return (state, true);
            }
            if tokio::time::timeout_at(deadline, reports.changed()).await.is_err() {
                return (state, false);
            }
        }
    }

    fn bump_reported(&self) {
        self.reported.send_modify(|v| *v += 1);
    }
}

impl Target for InMemoryTarget {
    fn snapshot(&self) -> TargetSnapshot {
        let state = self.lock();
        TargetSnapshot {
            apps: state.apps.values().cloned().collect(),
            deployments: state.deployments.clone(),
        }
    }

    fn changed(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    fn framework_id(&self) -> Option<String> {
        self.lock().framework_id.clone()
    }

    fn persist_framework_id(&self, id: String) -> BoxFuture<'_, Result<(), TargetError>> {
        self.lock().framework_id = Some(id);
        Box::pin(async { Ok(()) })
    }

    fn known_instances(&self) -> Vec<InstanceIntent> {
        self.lock().intents.values().cloned().collect()
    }

    fn record_instance_intents(
        &self,
        intents: Vec<InstanceIntent>,
    ) -> BoxFuture<'_, Result<(), TargetError>> {
        let mut state = self.lock();
        for intent in intents {
            state.intents.insert(intent.instance_id.clone(), intent);
        }
        Box::pin(async { Ok(()) })
    }

    fn expunge_instances(&self, instance_ids: Vec<String>) -> BoxFuture<'_, Result<(), TargetError>> {
        let mut state = self.lock();
        for id in &instance_ids {
            state.intents.remove(id);
        }
        Box::pin(async { Ok(()) })
    }

    fn report_instances(&self, instances: Vec<InstanceReport>) {
        self.lock().instances = instances;
        self.bump_reported();
    }

    fn report_queue(&self, queue: Vec<QueueItemReport>) {
        self.lock().queue = queue;
        self.bump_reported();
    }

    fn report_task_failure(&self, failure: TaskFailure) {
        self.lock().failures.push(failure);
        self.bump_reported();
    }

    fn commands(&self) -> Option<mpsc::Receiver<DriverCommand>> {
        self.commands.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
    }

    fn report_instance_gone(&self, last: InstanceReport) {
        self.lock().gone.push(last);
        self.bump_reported();
    }

    /// Rolls the deployment back like the service: it is dropped and the
    /// apps it changed return to their versions from before it.
    fn report_deployment_timeout(&self, timeout: DeploymentTimeout) {
        let original = {
            let mut state = self.lock();
            state.deployments.retain(|d| d.id != timeout.deployment_id);
            state.timeouts.push(timeout.clone());
            state.originals.remove(&timeout.deployment_id)
        };
        if let Some(apps) = original {
            let apps = apps.iter().map(|a| a.as_ref().clone()).collect();
            if let Err(e) = self.deploy(apps) {
                tracing::warn!(error = %e, "rollback could not be planned");
            }
        }
        self.bump_reported();
    }

    fn report_deployment_progress(&self, progress: DeploymentProgress) {
        let mut state = self.lock();
        if progress.finished {
            state.deployments.retain(|d| d.id != progress.deployment_id);
            state.originals.remove(&progress.deployment_id);
        } else if let Some(d) = state.deployments.iter_mut().find(|d| d.id == progress.deployment_id) {
            d.steps_done = progress.steps_done;
        }
        state.progress.push(progress);
        drop(state);
        self.bump_reported();
        self.changed.send_modify(|v| *v += 1);
    }
}
