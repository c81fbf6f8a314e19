//! [`Target`]: the seam between the run loop and the service layer.
//!
//! The service owns what *should* run (apps, deployments) and what must
//! survive a restart (framework id, instance intents); the driver owns what
//! *does* run and reports it back. The trait is deliberately small and
//! synchronous except for the three store writes the driver must wait for,
//! which return a boxed future so the trait stays object-safe
//! (`Arc<dyn Target>`).
//!
//! Promises, in order of importance:
//! 1. The framework id is persisted ([`Target::persist_framework_id`])
//!    before the driver makes any call with it.
//! 2. An instance intent is persisted ([`Target::record_instance_intent`])
//!    before the ACCEPT that launches it is sent, and listed by
//!    [`Target::known_instances`] until [`Target::expunge_instance`]; so a
//!    restarted dromos reconciles the task instead of launching a second one.
//! 3. Reports are full replacements (the latest call wins) and never block:
//!    an implementation stores them and publishes events.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use dromos_model::AppDefinition;
use dromos_scheduler::plan::DeploymentPlan;
use dromos_scheduler::queue::OfferStats;
use dromos_scheduler::{Condition, Timestamp};
use serde::Serialize;
use thiserror::Error;
use tokio::sync::{mpsc, watch};

use crate::readiness::ReadinessResult;

/// A boxed `Send` future, for the async methods of an object-safe trait.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A store write the driver waited for failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("target store write failed: {0}")]
pub struct TargetError(pub String);

/// What should run, as of one moment.
#[derive(Debug, Clone, Default)]
pub struct TargetSnapshot {
    /// Every app at its current version (stamped: `version` is set).
    /// `instances` is the wanted count; 0 is a suspended app.
    pub apps: Vec<Arc<AppDefinition>>,
    /// Deployments not finished yet, oldest first.
    pub deployments: Vec<TargetDeployment>,
}

/// A deployment the driver is to carry out.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetDeployment {
    /// Deployment id.
    pub id: String,
    /// The plan; `ScaleApplication`/`RestartApplication` act on the app's
    /// current version in [`TargetSnapshot::apps`].
    pub plan: DeploymentPlan,
    /// Steps already reported done (the driver resumes after them).
    pub steps_done: usize,
}

/// An instance about to be launched, persisted before its ACCEPT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceIntent {
    /// Stable instance id (`app.instance-<uuid>`).
    pub instance_id: String,
    /// Mesos task id (`<instance id>._app.1`).
    pub task_id: String,
    /// App id.
    pub app_id: String,
    /// App version launched.
    pub version: String,
    /// Mesos agent id.
    pub agent_id: String,
    /// Agent hostname.
    pub host: String,
    /// Host ports, aligned with the app's ports.
    pub host_ports: Vec<Option<u16>>,
    /// When the launch was decided.
    pub staged_at: Timestamp,
}

/// One instance as the driver sees it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceReport {
    /// Mesos task id.
    pub task_id: String,
    /// Instance id.
    pub instance_id: String,
    /// App id.
    pub app_id: String,
    /// App version it runs.
    pub version: String,
    /// Mesos agent id.
    pub agent_id: String,
    /// Agent hostname.
    pub host: String,
    /// Assigned host ports, in `PORT0…` order (ports without a host port
    /// are left out, as in Marathon's `ports`).
    pub ports: Vec<u16>,
    /// Lifecycle condition.
    pub condition: Condition,
    /// Last Mesos state name (`TASK_RUNNING`; `TASK_STAGING` until the
    /// first update).
    pub state: String,
    /// The Mesos message of the last status update (`"Container
    /// exited"`); empty when it had none or before the first update
    /// (Marathon's `status_update_event` `message`).
    pub message: String,
    /// `None` without health checks or before the first result.
    pub healthy: Option<bool>,
    /// When the launch was sent.
    pub staged_at: Timestamp,
    /// When it became running.
    pub started_at: Option<Timestamp>,
    /// The driver decided to kill it (scale-down, upgrade, unhealthy).
    pub killing: bool,
    /// The latest readiness-check result while a deployment gates the
    /// instance (Marathon's `readinessCheckResults` entry); `None` when not
    /// gated or before the first probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness: Option<ReadinessResult>,
}

/// A task that ended badly, for the app's `lastTaskFailure` and the event
/// bus. Which endings count is Marathon's rule: the states `TASK_FAILED`,
/// `TASK_ERROR`, `TASK_LOST`, `TASK_DROPPED`, `TASK_GONE`,
/// `TASK_GONE_BY_OPERATOR` and `TASK_UNKNOWN`; `TASK_KILLED` only when
/// dromos did not ask for the kill; and a kill dromos makes because the
/// task failed its health checks ([`TaskFailure::unhealthy_kill`], reported
/// when the kill is sent). `TASK_FINISHED` never counts (it does feed the
/// launch backoff, which is decided separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskFailure {
    /// App id.
    pub app_id: String,
    /// Mesos task id.
    pub task_id: String,
    /// Mesos state name (`TASK_FAILED`).
    pub state: String,
    /// Mesos message.
    pub message: String,
    /// Mesos reason name, if any.
    pub reason: Option<String>,
    /// Agent hostname.
    pub host: String,
    /// Mesos agent id.
    pub agent_id: String,
    /// App version the task ran.
    pub version: String,
    /// When the driver received the update (or sent the health kill).
    pub timestamp: Timestamp,
    /// dromos killed the task because it failed its health checks
    /// (Marathon's `unhealthy_instance_kill_event`); `state` is then
    /// `TASK_KILLED` and `message` says why.
    pub unhealthy_kill: bool,
}

/// One row of `/v2/queue`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueItemReport {
    /// App id.
    pub app_id: String,
    /// App version waiting to launch.
    pub version: String,
    /// Instances still to launch.
    pub count: u32,
    /// Seconds of launch backoff left.
    pub time_left_seconds: u64,
    /// `true` = waiting for offers; `false` = backed off.
    pub overdue: bool,
    /// When the app entered the queue.
    pub since: Timestamp,
    /// Offer statistics and the last round's reject funnel.
    pub offers: OfferStats,
}

/// Progress of one deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentProgress {
    /// Deployment id.
    pub deployment_id: String,
    /// Steps completed so far.
    pub steps_done: usize,
    /// Every step is done: the service removes the deployment.
    pub finished: bool,
}

/// The app label that sets a deployment timeout, in whole seconds
/// (dromos' addition to Marathon). A label, not a new field, so every
/// Marathon client and validator passes it through untouched. A
/// deployment times out when it has run longer than the smallest timeout
/// among the apps it acts on (apps it removes have no say); the timer
/// starts when the driver first sees the deployment, so it restarts with a
/// new leader. Values that are not a positive integer are ignored (logged).
pub const DEPLOYMENT_TIMEOUT_LABEL: &str = "DROMOS_DEPLOYMENT_TIMEOUT_SECONDS";

/// A deployment ran past its timeout: the driver stops carrying it out and
/// the target rolls it back (Marathon's `DELETE /v2/deployments/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentTimeout {
    /// Deployment id.
    pub deployment_id: String,
    /// The timeout that expired, seconds.
    pub timeout_seconds: u64,
    /// The app whose label set it.
    pub app_id: String,
    /// Human-readable reason for the `deployment_failed` event.
    pub reason: String,
}

/// A request from the API that only the run loop can carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriverCommand {
    /// Kill these Mesos tasks (`DELETE /v2/apps/{id}/tasks/{taskId}`,
    /// `POST /v2/tasks/delete`). Their instances are decommissioned; the
    /// steady-state reconciliation launches replacements while the app
    /// still wants them.
    KillTasks(Vec<String>),
    /// Forget the launch backoff of this app id (`DELETE /v2/queue/{id}/delay`).
    ResetDelay(String),
}

/// The service layer, as the driver needs it. See the module docs for the
/// promises an implementation makes.
pub trait Target: Send + Sync + 'static {
    /// What should run now. Cheap enough to call on every change.
    fn snapshot(&self) -> TargetSnapshot;

    /// A counter bumped on every change of what [`Target::snapshot`]
    /// returns; the driver re-reads the snapshot when it moves.
    fn changed(&self) -> watch::Receiver<u64>;

    /// The persisted framework id, if any (read once at start).
    fn framework_id(&self) -> Option<String>;

    /// Persists the framework id; resolves once it is durable.
    fn persist_framework_id(&self, id: String) -> BoxFuture<'_, Result<(), TargetError>>;

    /// Intents recorded and not expunged: tasks that may still run.
    fn known_instances(&self) -> Vec<InstanceIntent>;

    /// Persists intents (the launches of one offer) in as few store writes
    /// as the store allows; resolves once they are durable. Only then are
    /// the tasks launched; on an error none is, and the driver expunges
    /// them all (some may have been written).
    fn record_instance_intents(&self, intents: Vec<InstanceIntent>)
        -> BoxFuture<'_, Result<(), TargetError>>;

    /// Forgets instances that are gone for good, in one write.
    fn expunge_instances(&self, instance_ids: Vec<String>) -> BoxFuture<'_, Result<(), TargetError>>;

    /// Every instance the driver tracks (full replacement).
    fn report_instances(&self, instances: Vec<InstanceReport>);

    /// The launch queue (full replacement; apps with nothing to launch are
    /// absent).
    fn report_queue(&self, queue: Vec<QueueItemReport>);

    /// A task ended badly (see [`TaskFailure`] for which endings count).
    fn report_task_failure(&self, failure: TaskFailure);

    /// A deployment step finished, or the whole deployment did.
    fn report_deployment_progress(&self, progress: DeploymentProgress);

    /// An instance reached its end and is forgotten: `last` is its final
    /// report (terminal Mesos state such as `TASK_KILLED`, `TASK_FAILED`,
    /// `TASK_UNKNOWN`). Sent before the next [`Target::report_instances`],
    /// which no longer lists it; without this the terminal state would
    /// never be seen, because the driver expunges a terminal instance in
    /// the same turn that it learns of it.
    fn report_instance_gone(&self, last: InstanceReport) {
        let _ = last;
    }

    /// A deployment timed out ([`DEPLOYMENT_TIMEOUT_LABEL`]): the target
    /// rolls it back and says why. The driver no longer carries it out.
    fn report_deployment_timeout(&self, timeout: DeploymentTimeout) {
        let _ = timeout;
    }

    /// Commands from the API, taken once per [`crate::Driver::run`]; the
    /// driver stops reading when the sender is dropped. `None` (the
    /// default): the target has no commands.
    fn commands(&self) -> Option<mpsc::Receiver<DriverCommand>> {
        None
    }
}
