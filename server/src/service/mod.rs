//! The service layer: every front door (REST API, console server functions,
//! CLI through the REST API) calls these operations, so validation and
//! behaviour cannot drift apart.
//!
//! # State and concurrency
//!
//! The state ([`state::State`]: apps, groups, their version histories,
//! running deployments, reported tasks, the published queue) lives in
//! memory behind a `std::sync::RwLock<Arc<State>>`; readers clone the `Arc`
//! and release the lock at once. Mutations are serialised by one async
//! writer mutex: a mutation clones the state, edits the copy (pure code in
//! [`deploy`]), writes the difference to the [`Store`] in one atomic batch
//! on a blocking thread, and only then installs the copy and answers. So
//! every accepted change is durable before it is acknowledged, a failed
//! write changes nothing, and no std lock is ever held across an `.await`.
//! Store batches written at the same time (a mutation, the run loop's
//! intents, the audit entries of concurrent requests) share one store
//! transaction ([`group_commit`]), so concurrent requests do not queue
//! behind one commit each.
//! After each installed change: a structured log line, events on the
//! [`EventBus`], a counter in [`Metrics`], and the target generation is
//! bumped.
//!
//! # Run loop seam
//!
//! The scheduler run loop (owned elsewhere) plugs in through these methods;
//! they are the whole contract:
//!
//! | need | method |
//! |---|---|
//! | (a) read the target: apps with versions and instance counts, running deployments | [`Service::target`] → [`run_loop::Target`] |
//! | (b) be woken when it changes | [`Service::watch_target`] (a `watch` of the generation number) |
//! | (c) report instances (id, app, host, ports, state, health, version, stagedAt/startedAt) | [`Service::report_task`]; the queue: [`Service::publish_queue`] |
//! | (c) report a task that ended badly (the app's `lastTaskFailure`) | [`Service::record_task_failure`] |
//! | (d) report deployment progress and completion | [`Service::report_step_done`], [`Service::report_deployment_finished`], [`Service::report_deployment_failed`] |
//! | commands from the API (kill tasks, reset a launch delay) | [`Service::take_commands`] → [`run_loop::RunLoopCommand`]s |
//!
//! Until a run loop runs, deployments stay listed as running, `/v2/tasks`
//! and `/v2/queue` are empty, and kill requests wait in the command channel:
//! the API shows exactly what has happened, nothing more.

pub mod apps;
pub mod clock;
pub mod console;
pub mod deploy;
pub mod deployment;
pub mod driver_state;
pub mod error;
pub mod failures;
pub mod group_commit;
pub mod groups;
pub mod instances;
pub mod persist;
pub mod ports;
pub mod queue;
pub mod run_loop;
pub mod run_spec;
pub mod selector;
pub mod standing;
pub mod state;
pub mod task_batch;
pub mod task_stats;
pub mod task_table;
pub mod tasks;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Instant;

use chrono::Utc;
use dromos_model::{PathId, Timestamp};
use dromos_store::{Op, Store};
use serde::Serialize;
use serde_json::json;
use tokio::sync::{mpsc, watch};

use crate::config::ServeArgs;
use crate::events::EventBus;
use crate::metrics::Metrics;

use deploy::ChangeOutcome;
pub use error::ServiceError;
use run_loop::RunLoopCommand;
pub use standing::Standing;
use standing::WriteGate;
use state::State;

/// Versions kept per app and of the root group unless configured.
pub const DEFAULT_MAX_VERSIONS: usize = 50;
/// Running deployments allowed at once (Marathon's `--max_running_deployments`).
pub const MAX_RUNNING_DEPLOYMENTS: usize = 100;
/// Commands buffered for the run loop before new ones are dropped (logged).
const COMMAND_BUFFER: usize = 1024;

/// Tunables of the service.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// `host:port` under which this instance is reachable.
    pub advertised: String,
    /// The configured master.
    pub master: String,
    /// Versions kept per app and of the root (oldest pruned).
    pub max_versions: usize,
}

impl ServiceConfig {
    /// The configuration for a server listening on `addr` (advertised
    /// as `--advertise-addr` when given).
    pub fn from_args(addr: SocketAddr, args: &ServeArgs) -> Self {
        ServiceConfig {
            advertised: args.advertise_addr.clone().unwrap_or_else(|| addr.to_string()),
            master: args.master.clone(),
            max_versions: usize::from(args.max_versions),
        }
    }
}

/// Who asked for a change: goes into `api_post_event`.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The client's address, if known.
    pub client_ip: Option<String>,
    /// The request URI.
    pub uri: String,
}

/// Marathon's `DeploymentResult`: what every deploying request answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentResult {
    /// The deployment id (also the `Marathon-Deployment-Id` header).
    pub deployment_id: String,
    /// The new root version.
    pub version: Timestamp,
}

/// The running dromos, as the front doors see it.
pub struct Service {
    started: Instant,
    config: ServiceConfig,
    store: Arc<dyn Store>,
    /// Current state; replaced wholesale by mutations. Never held across `.await`.
    state: RwLock<Arc<State>>,
    /// Serialises mutations (held across the store write, an async mutex).
    writer: tokio::sync::Mutex<()>,
    /// Every store write goes through here: concurrent ones share a commit.
    commits: group_commit::GroupCommit,
    /// Generation of the target, bumped on every installed change.
    generation: watch::Sender<u64>,
    /// The launch queue as last published by the run loop (memory only).
    queue: RwLock<Vec<queue::QueueItem>>,
    events: EventBus,
    metrics: Metrics,
    /// Replaced when a new run loop takes the commands (after re-election).
    commands: Mutex<mpsc::Sender<RunLoopCommand>>,
    /// Standing among HA instances and the write fence (see `standing.rs`).
    gate: RwLock<WriteGate>,
    command_inbox: Mutex<Option<mpsc::Receiver<RunLoopCommand>>>,
    /// The console's view of the cluster's agents (see `console::cluster`).
    cluster_view: std::sync::OnceLock<console::cluster::ClusterView>,
    /// The console's Access page, once access is loaded (see `crate::access`).
    console_access: std::sync::OnceLock<app::api::access::SharedAccess>,
    /// The dashboard's samples (see `console::history`).
    console_history: console::history::History,
}

impl Service {
    /// Loads the state from `store` (blocking: call from a blocking context
    /// at start-up) and builds the service.
    pub fn open(config: ServiceConfig, store: Arc<dyn Store>) -> Result<Self, ServiceError> {
        let state = persist::load(store.as_ref())?;
        tracing::info!(
            apps = state.apps.len(),
            groups = state.groups.len(),
            deployments = state.deployments.len(),
            "service state loaded"
        );
        let (commands, inbox) = mpsc::channel(COMMAND_BUFFER);
        let commits = group_commit::GroupCommit::new(store.clone());
        Ok(Service {
            started: Instant::now(),
            config,
            store,
            state: RwLock::new(Arc::new(state)),
            writer: tokio::sync::Mutex::new(()),
            commits,
            generation: watch::channel(0).0,
            queue: RwLock::new(Vec::new()),
            events: EventBus::default(),
            metrics: Metrics::default(),
            commands: Mutex::new(commands),
            gate: RwLock::new(WriteGate::single()),
            command_inbox: Mutex::new(Some(inbox)),
            cluster_view: std::sync::OnceLock::new(),
            console_history: console::history::History::default(),
            console_access: std::sync::OnceLock::new(),
        })
    }

    /// `host:port` of this instance.
    pub fn advertised(&self) -> &str {
        &self.config.advertised
    }

    /// The configured master.
    pub fn master(&self) -> &str {
        &self.config.master
    }

    /// Milliseconds since start.
    pub fn uptime_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The event bus (SSE subscribes here).
    pub fn events(&self) -> &EventBus {
        &self.events
    }

    /// The counters.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Gauges computed from the state (Marathon's names).
    pub fn gauges(&self) -> std::collections::BTreeMap<String, f64> {
        let state = self.read();
        let count = |n: usize| n as f64;
        let counts = instances::TaskCounts::of(state.tasks.values());
        [
            ("marathon.apps.active.gauge", count(state.apps.len())),
            ("marathon.groups.active.gauge", count(state.groups.len())),
            ("marathon.deployments.active.gauge", count(state.deployments.len())),
            ("marathon.instances.running.gauge", count(counts.running)),
            ("marathon.instances.staged.gauge", count(counts.staged)),
            ("marathon.events.subscribers.gauge", count(self.events.subscribers())),
            ("marathon.uptime.gauge.seconds", self.uptime_ms() as f64 / 1000.0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// A consistent snapshot of the state.
    pub(crate) fn read(&self) -> Arc<State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Runs `edit` on a copy of the state with a fresh version, persists
    /// the difference, installs the copy. See the module docs.
    pub(crate) async fn mutate<T>(
        &self,
        edit: impl FnOnce(&State, &mut State, Timestamp) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        let _writer = self.writer.lock().await;
        let current = self.read();
        let mut next = State::clone(&current);
        let version = clock::next_version(Utc::now(), current.latest_version());
        let out = edit(&current, &mut next, version)?;
        next.forget_failures_of_removed_apps();
        crate::access::enforce::check_change(&current, &next)?;
        let ops = persist::diff(&current, &next)?;
        self.write(ops).await?;
        *self.state.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(next);
        self.generation.send_modify(|g| *g += 1);
        Ok(out)
    }

    /// Sets what the console's Access page reads (once, at start).
    pub fn set_console_access(&self, access: app::api::access::SharedAccess) {
        let _ = self.console_access.set(access);
    }

    /// What the console's Access page reads, once set.
    pub fn console_access(&self) -> Option<app::api::access::SharedAccess> {
        self.console_access.get().cloned()
    }

    /// The store (for state kept beside the apps: access, audit).
    pub(crate) fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// Writes a batch that is not part of the app state (access records,
    /// audit entries) through the same leader fence as state changes.
    pub(crate) async fn write_ops(&self, ops: Vec<Op>) -> Result<(), ServiceError> {
        self.write(ops).await
    }

    async fn write(&self, ops: Vec<Op>) -> Result<(), ServiceError> {
        if ops.is_empty() {
            return Ok(());
        }
        let ops = self.gate_ops(ops)?;
        self.commits.write(ops).await
    }

    /// Log line, events and metric for an installed root change.
    fn announce(&self, operation: &str, group: &PathId, outcome: &ChangeOutcome) {
        let d = &outcome.deployment;
        tracing::info!(
            operation,
            group = %group,
            deployment_id = %d.id,
            version = %d.version,
            steps = d.steps.len(),
            changed_apps = outcome.changed_apps.len(),
            "root group changed"
        );
        self.metrics.increment(&format!("dromos.service.{operation}.counter"));
        for cancelled in &outcome.cancelled {
            self.events.publish(
                "deployment_failed",
                json!({"id": cancelled.id, "plan": cancelled.plan_json(), "reason": "cancelled by a forced change"}),
            );
        }
        self.events.publish("group_change_success", json!({"groupId": group, "version": d.version}));
        if outcome.plan.is_empty() {
            self.events.publish("deployment_success", json!({"id": d.id, "plan": d.plan_json()}));
        } else {
            self.events
                .publish("deployment_info", json!({"plan": d.plan_json(), "currentStep": d.step_json(0)}));
        }
    }

    /// The options of a root change made now.
    fn change_options(&self, version: Timestamp, force: bool) -> deploy::ChangeOptions {
        deploy::ChangeOptions {
            force,
            restart: Default::default(),
            version,
            max_versions: self.config.max_versions,
            max_running_deployments: MAX_RUNNING_DEPLOYMENTS,
            deployment_id: uuid::Uuid::new_v4().to_string(),
        }
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
