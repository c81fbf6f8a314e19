//! A re-adopted process: a command task that an earlier dromos started and
//! that survived its crash (see `crate::checkpoint`).
//!
//! It is not this process' child, so it cannot be waited for: the runner
//! checks every [`POLL`] that the recorded pid still has the recorded start
//! time. Its exit status is unknown, so a process that ends on its own is
//! reported TASK_FAILED saying so. Kills work as for a spawned process:
//! TASK_KILLING and a short drain, SIGTERM to the group, SIGKILL after the
//! grace period.

use std::time::Duration;

use dromos_mesos::v1::{FrameworkId, TaskId, TaskState, TaskStatusReason};
use nix::sys::signal::Signal;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::process::KILL_DRAIN;
use super::{kill_process_group, KillRequest, Reporter};
use crate::checkpoint::{is_alive, Checkpoints};

/// How often the process is looked at.
const POLL: Duration = Duration::from_millis(250);
/// How often it is looked at while it is being killed.
const KILL_POLL: Duration = Duration::from_millis(20);
/// How long to wait for the group to vanish after SIGKILL.
const SIGKILL_WAIT: Duration = Duration::from_secs(5);

/// The recorded identity of an adopted process.
#[derive(Debug, Clone)]
pub(crate) struct AdoptedProcess {
    pub framework_id: FrameworkId,
    pub task_id: TaskId,
    pub pid: u32,
    pub start_ticks: u64,
    pub boot_id: String,
    /// Its record, removed once the process is gone.
    pub checkpoints: Checkpoints,
}

impl AdoptedProcess {
    fn alive(&self) -> bool {
        is_alive(&self.boot_id, self.pid, self.start_ticks)
    }

    /// Waits until the process is gone or `limit` passed; true when gone.
    async fn gone_within(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while self.alive() {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(KILL_POLL).await;
        }
        true
    }

    /// SIGTERM (SIGKILL when `grace` is zero), SIGKILL after `grace`.
    async fn terminate(&self, grace: Duration) -> String {
        let first = if grace.is_zero() { Signal::SIGKILL } else { Signal::SIGTERM };
        kill_process_group(self.pid, first);
        if !grace.is_zero() && self.gone_within(grace).await {
            return format!("Command terminated with signal {first}");
        }
        kill_process_group(self.pid, Signal::SIGKILL);
        if !self.gone_within(SIGKILL_WAIT).await {
            tracing::warn!(pid = self.pid, task_id = %self.task_id, "adopted process survived SIGKILL");
        }
        "Command terminated with signal SIGKILL".to_owned()
    }
}

/// Watches the process to its end, reporting the terminal state.
pub(super) async fn watch(
    process: AdoptedProcess,
    reporter: Reporter,
    mut kills: mpsc::Receiver<KillRequest>,
    shutdown: CancellationToken,
) {
    let pid = Some(process.pid);
    tracing::info!(task_id = %process.task_id, framework_id = %process.framework_id, pid = process.pid,
        "watching re-adopted task process");
    let (state, message) = loop {
        tokio::select! {
            () = tokio::time::sleep(POLL) => {
                if !process.alive() {
                    break (TaskState::Failed, format!(
                        "Command (pid {}) exited; its exit status is unknown because it was re-adopted after a dromos restart",
                        process.pid
                    ));
                }
            }
            Some(kill) = kills.recv() => {
                if kill.killing_state {
                    reporter.report(TaskState::Killing, None, None, pid);
                    let drain = KILL_DRAIN.min(kill.grace);
                    if process.gone_within(drain).await {
                        break (TaskState::Killed, "Command exited while being killed".to_owned());
                    }
                }
                break (TaskState::Killed, process.terminate(kill.grace).await);
            }
            () = shutdown.cancelled() => break (TaskState::Killed, process.terminate(Duration::ZERO).await),
        }
    };
    kill_process_group(process.pid, Signal::SIGKILL);
    process.checkpoints.remove_task(&process.framework_id, process.task_id.as_str()).await;
    let reason = (state == TaskState::Failed).then_some(TaskStatusReason::ExecutorTerminated);
    reporter.report(state, Some(message), reason, pid);
}
