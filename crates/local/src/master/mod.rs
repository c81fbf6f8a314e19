//! The master actor: the one task that owns all cluster state.
//!
//! [`Master::run`] is woken by four things: a [`Command`] from the HTTP layer
//! (subscribe, a call, a closed event stream, a read-only view), an
//! [`ExecutorReport`] from a task runner, the heartbeat timer, and the
//! allocation/retry timer. Each wake-up runs to completion without awaiting, so
//! no lock is ever needed and no state is shared. Replies go back through
//! oneshot channels; events go to each subscribed framework through its own
//! bounded channel, which the HTTP layer turns into the RecordIO stream. A
//! framework whose channel is closed or full is treated as disconnected.
//!
//! The allocator runs after any command that freed or unfiltered resources and
//! on every allocation tick (so expired refusal filters take effect).

mod agent;
mod allocator;
mod call_error;
mod calls;
mod framework;
mod launch;
mod metrics;
mod offers;
mod recover;
mod subscribe;
mod task;
mod updates;
mod view;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use dromos_mesos::v1::{Call, Event, FrameworkId, FrameworkInfo, OfferId, TaskId};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub(crate) use self::agent::Agent;
pub use self::call_error::CallError;
use self::framework::Framework;
use self::metrics::Counters;
use self::task::Task;
use crate::checkpoint::Checkpoints;
use crate::config::LocalConfig;
use crate::executor::ExecutorReport;
use crate::files::TaskSandbox;
use crate::resources::Resources;

/// Completed tasks and frameworks kept for `/master/state` (Mesos keeps 1000
/// tasks per framework and 50 frameworks by default).
const MAX_COMPLETED_TASKS: usize = 1000;
const MAX_COMPLETED_FRAMEWORKS: usize = 50;

/// A request to the master actor.
#[derive(Debug)]
pub(crate) enum Command {
    /// SUBSCRIBE: register or fail over; answers with the event stream.
    Subscribe {
        /// The framework as it describes itself (`id` set on re-subscribe).
        framework_info: FrameworkInfo,
        /// Roles that start suppressed.
        suppressed_roles: Vec<String>,
        /// The new subscription, or why it was refused.
        reply: oneshot::Sender<Result<Subscription, CallError>>,
    },
    /// Any other call, with the `Mesos-Stream-Id` it came with.
    Call {
        /// The decoded call.
        call: Call,
        /// The header value, if sent.
        stream_id: Option<String>,
        /// Accepted (202) or refused.
        reply: oneshot::Sender<Result<(), CallError>>,
    },
    /// The HTTP side of a subscription went away.
    StreamClosed {
        /// Whose stream.
        framework_id: FrameworkId,
        /// Which stream; ignored when the framework has already moved on.
        stream_id: String,
    },
    /// Where a task's sandbox is and whether the task ended (log files).
    Sandbox {
        /// The task, of any framework.
        task_id: String,
        /// None when this master does not know the task.
        reply: oneshot::Sender<Option<TaskSandbox>>,
    },
    /// A read-only rendering of the state (endpoints).
    View {
        /// What to render.
        view: View,
        /// The JSON document.
        reply: oneshot::Sender<serde_json::Value>,
    },
}

/// Read-only documents the master renders for the HTTP endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    /// `/master/state`.
    State,
    /// `/master/state-summary`.
    StateSummary,
    /// `/metrics/snapshot`.
    Metrics,
}

/// An accepted subscription: the stream id and the events to send.
#[derive(Debug)]
pub(crate) struct Subscription {
    /// `Mesos-Stream-Id` of this connection.
    pub stream_id: String,
    /// The framework (None when the subscription was refused with an ERROR event).
    pub framework_id: Option<FrameworkId>,
    /// Events in order; closes when the master drops the connection.
    pub events: mpsc::Receiver<Event>,
}

/// An outstanding offer.
#[derive(Debug, Clone)]
pub(crate) struct OfferRecord {
    pub framework_id: FrameworkId,
    pub agent_id: dromos_mesos::v1::AgentId,
    pub resources: Resources,
    /// The role the resources were allocated to.
    pub role: String,
    /// When it was made (for `offer_timeout`).
    pub created: Instant,
}

/// All state of the embedded master; owned by the actor task alone.
pub(crate) struct Master {
    /// Master UUID; prefix of every id the master generates.
    id: String,
    config: Arc<LocalConfig>,
    start_time: f64,
    started: Instant,
    agents: BTreeMap<dromos_mesos::v1::AgentId, Agent>,
    frameworks: BTreeMap<FrameworkId, Framework>,
    completed_frameworks: VecDeque<Framework>,
    offers: BTreeMap<OfferId, OfferRecord>,
    tasks: BTreeMap<(FrameworkId, TaskId), Task>,
    completed_tasks: VecDeque<Task>,
    counters: Counters,
    next_framework: u64,
    next_offer: u64,
    /// Set when resources were freed or unfiltered; the allocator runs after the
    /// current command.
    dirty: bool,
    reports: mpsc::UnboundedSender<ExecutorReport>,
    runners: TaskTracker,
    shutdown: CancellationToken,
    /// Durable task records for recovery after a crash.
    checkpoints: Checkpoints,
}

/// Seconds since the epoch, as Mesos timestamps are written.
pub(crate) fn now_seconds() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

impl Master {
    /// A master with the configured agents and no frameworks.
    pub(crate) fn new(
        config: Arc<LocalConfig>,
        agents: Vec<Agent>,
        id: String,
        reports: mpsc::UnboundedSender<ExecutorReport>,
        shutdown: CancellationToken,
        checkpoints: Checkpoints,
    ) -> Self {
        Self {
            id,
            config,
            start_time: now_seconds(),
            started: Instant::now(),
            agents: agents.into_iter().map(|a| (a.id.clone(), a)).collect(),
            frameworks: BTreeMap::new(),
            completed_frameworks: VecDeque::new(),
            offers: BTreeMap::new(),
            tasks: BTreeMap::new(),
            completed_tasks: VecDeque::new(),
            counters: Counters::default(),
            next_framework: 0,
            next_offer: 0,
            dirty: true,
            reports,
            runners: TaskTracker::new(),
            shutdown,
            checkpoints,
        }
    }

    /// Runs until the shutdown token fires or every command sender is gone, then
    /// kills every task's process group and waits for the runners to finish.
    pub(crate) async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
        mut reports: mpsc::UnboundedReceiver<ExecutorReport>,
    ) {
        let mut heartbeat = tokio::time::interval(self.config.heartbeat_interval);
        heartbeat.reset();
        let mut tick = tokio::time::interval(self.config.allocation_interval);
        let shutdown = self.shutdown.clone();
        loop {
            tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                command = commands.recv() => match command {
                    Some(command) => self.handle(command),
                    None => break,
                },
                Some(report) = reports.recv() => self.apply_report(report),
                _ = heartbeat.tick() => self.send_heartbeats(),
                _ = tick.tick() => self.on_tick(Instant::now()),
            }
            if std::mem::take(&mut self.dirty) {
                self.allocate(Instant::now());
            }
        }
        self.stop().await;
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Subscribe { framework_info, suppressed_roles, reply } => {
                let result = self.subscribe(framework_info, suppressed_roles);
                // The caller may have gone away (client hung up); nothing to undo
                // because the stream guard reports the closed stream.
                let _ = reply.send(result);
            }
            Command::Call { call, stream_id, reply } => {
                let _ = reply.send(self.handle_call(call, stream_id.as_deref()));
            }
            Command::StreamClosed { framework_id, stream_id } => {
                self.stream_closed(&framework_id, &stream_id)
            }
            Command::View { view, reply } => {
                let _ = reply.send(self.render(view));
            }
            Command::Sandbox { task_id, reply } => {
                let _ = reply.send(self.sandbox_of(&task_id));
            }
        }
    }

    /// The sandbox of the live or recently completed task `task_id`.
    fn sandbox_of(&self, task_id: &str) -> Option<TaskSandbox> {
        let live = self.tasks.values().find(|t| t.info.task_id.as_str() == task_id);
        let task =
            live.or_else(|| self.completed_tasks.iter().rev().find(|t| t.info.task_id.as_str() == task_id))?;
        let agent = self.agents.get(&task.agent_id)?;
        Some(TaskSandbox {
            dir: agent.sandbox_root.join(task.framework_id.as_str()).join(task_id),
            terminal: task.is_terminal(),
        })
    }

    /// Periodic work: failover timeouts, update retries, expired filters.
    fn on_tick(&mut self, now: Instant) {
        self.expire_failed_over(now);
        self.retry_updates(now);
        self.rescind_expired_offers(now);
        self.dirty = true;
    }

    fn send_heartbeats(&mut self) {
        let ids: Vec<FrameworkId> = self.frameworks.keys().cloned().collect();
        for id in ids {
            self.send_event(&id, Event::Heartbeat);
        }
    }

    /// Sends one event to a framework; a broken connection disconnects it.
    pub(crate) fn send_event(&mut self, framework_id: &FrameworkId, event: Event) {
        let Some(framework) = self.frameworks.get_mut(framework_id) else { return };
        if !framework.send(event) {
            let stream = framework.connection.as_ref().map(|c| c.stream_id.clone()).unwrap_or_default();
            self.stream_closed(framework_id, &stream);
        }
    }

    /// Kills every process group still running, then waits (bounded) for the
    /// runners to reap them.
    async fn stop(&mut self) {
        for task in self.tasks.values() {
            task.kill_now();
        }
        tracing::info!(tasks = self.tasks.len(), "local master stopping");
        self.runners.close();
        if tokio::time::timeout(std::time::Duration::from_secs(10), self.runners.wait()).await.is_err() {
            tracing::warn!("task runners did not stop within 10 s");
        }
    }

    fn push_completed_task(&mut self, task: Task) {
        self.completed_tasks.push_back(task);
        while self.completed_tasks.len() > MAX_COMPLETED_TASKS {
            self.completed_tasks.pop_front();
        }
    }

    fn push_completed_framework(&mut self, framework: Framework) {
        self.completed_frameworks.push_back(framework);
        while self.completed_frameworks.len() > MAX_COMPLETED_FRAMEWORKS {
            self.completed_frameworks.pop_front();
        }
    }
}
