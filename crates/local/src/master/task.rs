//! `Task`: a launched task as the master tracks it, with its reliable status
//! update stream.
//!
//! Like Mesos' status update manager, updates of one task are delivered in
//! order and one at a time: the head of `pending` is sent (and re-sent every
//! `status_update_retry`) until the framework acknowledges its uuid, then the
//! next one goes out. `state` is always the latest state reported, which is what
//! reconciliation answers with. A terminal task leaves the live table once its
//! last update is acknowledged.

use std::collections::VecDeque;
use std::time::Instant;

use dromos_mesos::v1::{AgentId, FrameworkId, TaskInfo, TaskState, TaskStatus};
use tokio::sync::mpsc;

use crate::executor::{kill_process_group, KillRequest};
use crate::resources::Resources;

/// One task.
#[derive(Debug)]
pub(crate) struct Task {
    /// As launched.
    pub info: TaskInfo,
    pub framework_id: FrameworkId,
    pub agent_id: AgentId,
    /// The role its resources were offered to.
    pub role: String,
    /// What it holds on its agent until it is terminal.
    pub resources: Resources,
    /// Latest reported state (TASK_STAGING until the runner reports).
    pub state: TaskState,
    /// Latest status, for reconciliation and `/master/state`.
    pub latest: Option<TaskStatus>,
    /// (state, timestamp) of every status, oldest first.
    pub history: Vec<(TaskState, f64)>,
    /// Unacknowledged updates; the head is the one in flight.
    pub pending: VecDeque<TaskStatus>,
    /// When the head was last sent.
    pub last_sent: Option<Instant>,
    /// Reaches the runner; None once terminal.
    pub kill: Option<mpsc::Sender<KillRequest>>,
    /// Process group leader while running (for shutdown).
    pub pid: Option<u32>,
}

impl Task {
    /// A task that was just handed to a runner.
    pub(crate) fn staging(
        info: TaskInfo,
        framework_id: FrameworkId,
        role: String,
        resources: Resources,
        kill: mpsc::Sender<KillRequest>,
        now: f64,
    ) -> Self {
        Self {
            agent_id: info.agent_id.clone(),
            info,
            framework_id,
            role,
            resources,
            state: TaskState::Staging,
            latest: None,
            history: vec![(TaskState::Staging, now)],
            pending: VecDeque::new(),
            last_sent: None,
            kill: Some(kill),
            pid: None,
        }
    }

    /// A task re-adopted after a restart (see `super::recover`): running,
    /// with nothing to deliver (the framework saw it running).
    pub(crate) fn recovered(
        info: TaskInfo,
        framework_id: FrameworkId,
        role: String,
        resources: Resources,
        status: TaskStatus,
        pid: Option<u32>,
    ) -> Self {
        Self {
            agent_id: info.agent_id.clone(),
            info,
            framework_id,
            role,
            resources,
            state: status.state,
            history: vec![(status.state, status.timestamp.unwrap_or_default())],
            latest: Some(status),
            pending: VecDeque::new(),
            last_sent: None,
            kill: None,
            pid,
        }
    }

    pub(crate) fn is_terminal(&self) -> bool {
        self.state.is_terminal()
    }

    /// Asks the runner to kill the task; false when it is already gone.
    pub(crate) fn request_kill(&self, request: KillRequest) -> bool {
        self.kill.as_ref().is_some_and(|k| k.try_send(request).is_ok())
    }

    /// SIGKILLs the process group at once (shutdown: no time for grace).
    pub(crate) fn kill_now(&self) {
        if let (Some(pid), false) = (self.pid, self.is_terminal()) {
            kill_process_group(pid, nix::sys::signal::Signal::SIGKILL);
        }
    }

    /// The update to (re)send now, if one is waiting.
    pub(crate) fn head(&self) -> Option<&TaskStatus> {
        self.pending.front()
    }

    /// Pops the head when `uuid` acknowledges it; true when it did.
    pub(crate) fn acknowledge(&mut self, uuid: &[u8]) -> bool {
        let matches = self.head().and_then(|s| s.uuid.as_ref()).is_some_and(|u| u.0 == uuid);
        if matches {
            self.pending.pop_front();
            self.last_sent = None;
        }
        matches
    }

    /// Terminal with nothing left to deliver: can leave the live table.
    pub(crate) fn is_done(&self) -> bool {
        self.is_terminal() && self.pending.is_empty()
    }
}
