//! Executors: what runs a launched task on this machine.
//!
//! [`launch`] spawns one runner task per launched task (tracked by the master's
//! `TaskTracker`) and returns the sender the master kills it through. A runner
//! owns its process (or container) alone; it reports every state change to the
//! master as an [`ExecutorReport`] over an unbounded channel, like Mesos'
//! command executor reporting to its agent: TASK_STARTING, TASK_RUNNING, then one
//! terminal state. It wakes on the process' exit, a kill request, and the
//! cluster's shutdown token.
//!
//! * `process`: CommandInfo tasks as `sh -c` (or argv) in their own process
//!   group and sandbox.
//! * `docker`: DOCKER containers through the Docker Engine API.
//! * `adopted`: a process left running by an earlier dromos and re-adopted
//!   after a restart ([`adopt`]); it is watched, not waited for.
//! * `simulated`: with `LocalConfig::simulate`, every task: running at once
//!   until killed, without a process.
//! * `environment`: the sandbox path and the variables every task gets.
//! * `cgroups`: the `cpus` and `mem` limits of command tasks, where the
//!   machine lets dromos create cgroups.

mod adopted;
pub(crate) mod cgroups;
mod docker;
mod docker_adopted;
mod environment;
mod process;
mod simulated;

use std::path::PathBuf;
use std::time::Duration;

use dromos_mesos::v1::{
    AgentId, ContainerType, FrameworkId, TaskId, TaskInfo, TaskState, TaskStatusReason, TaskStatusSource,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub(crate) use self::adopted::AdoptedProcess;
pub(crate) use self::docker_adopted::AdoptedContainer;
pub(crate) use self::process::kill_process_group;
use crate::checkpoint::Checkpoints;
use crate::resources::Resources;

/// A state change of one task, sent by its runner.
#[derive(Debug, Clone)]
pub(crate) struct ExecutorReport {
    pub framework_id: FrameworkId,
    pub task_id: TaskId,
    pub state: TaskState,
    /// "Command exited with status N", a launch error, …
    pub message: Option<String>,
    pub reason: Option<TaskStatusReason>,
    /// EXECUTOR for the task's own life, AGENT for failures to start it.
    pub source: TaskStatusSource,
    /// Process group leader, once spawned.
    pub pid: Option<u32>,
    /// The verdict of the task's COMMAND health check, on TASK_RUNNING.
    pub healthy: Option<bool>,
}

/// "Stop this task": SIGTERM (or `docker stop`), then SIGKILL after `grace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KillRequest {
    pub grace: Duration,
    /// Send TASK_KILLING first (the framework has TASK_KILLING_STATE).
    pub killing_state: bool,
}

/// Everything a runner needs to start a task.
#[derive(Debug, Clone)]
pub(crate) struct LaunchSpec {
    pub framework_id: FrameworkId,
    pub agent_id: AgentId,
    /// The agent's hostname (`HOST`).
    pub hostname: String,
    pub task: TaskInfo,
    /// `<data>/sandboxes/<agent>/<framework>/<task>/`.
    pub sandbox: PathBuf,
    /// The task's resources (ports for `PORT0..`).
    pub resources: Resources,
    /// The role its resources were allocated to (`MESOS_ALLOCATION_ROLE`).
    pub role: String,
    /// Where to record the running process for recovery; None when the
    /// framework does not checkpoint (and for DOCKER tasks).
    pub checkpoints: Option<Checkpoints>,
    /// Run nothing: the simulated executor (see `simulated`).
    pub simulated: bool,
}

/// Sends a runner's reports; a closed channel means the master is gone, which
/// only happens at shutdown, so send errors are ignored.
#[derive(Debug, Clone)]
pub(crate) struct Reporter {
    tx: mpsc::UnboundedSender<ExecutorReport>,
    framework_id: FrameworkId,
    task_id: TaskId,
}

impl Reporter {
    fn report(
        &self,
        state: TaskState,
        message: Option<String>,
        reason: Option<TaskStatusReason>,
        pid: Option<u32>,
    ) {
        self.send(state, message, reason, pid, None);
    }

    /// A state with a health verdict (simulated COMMAND checks).
    fn report_health(&self, state: TaskState, healthy: Option<bool>) {
        self.send(state, None, None, None, healthy);
    }

    fn send(
        &self,
        state: TaskState,
        message: Option<String>,
        reason: Option<TaskStatusReason>,
        pid: Option<u32>,
        healthy: Option<bool>,
    ) {
        let source = if reason == Some(TaskStatusReason::ContainerLaunchFailed) {
            TaskStatusSource::Agent
        } else {
            TaskStatusSource::Executor
        };
        let _ = self.tx.send(ExecutorReport {
            framework_id: self.framework_id.clone(),
            task_id: self.task_id.clone(),
            state,
            message,
            reason,
            source,
            pid,
            healthy,
        });
    }

    /// A task that could not be started at all.
    fn launch_failed(&self, message: String) {
        tracing::warn!(task_id = %self.task_id, framework_id = %self.framework_id, error = %message, "task launch failed");
        self.report(TaskState::Failed, Some(message), Some(TaskStatusReason::ContainerLaunchFailed), None);
    }
}

/// Starts the task's runner; the returned sender delivers kill requests.
pub(crate) fn launch(
    spec: LaunchSpec,
    reports: mpsc::UnboundedSender<ExecutorReport>,
    shutdown: CancellationToken,
    runners: &TaskTracker,
) -> mpsc::Sender<KillRequest> {
    let (kill_tx, kill_rx) = mpsc::channel(4);
    let reporter =
        Reporter { tx: reports, framework_id: spec.framework_id.clone(), task_id: spec.task.task_id.clone() };
    let docker =
        spec.task.container.as_ref().is_some_and(|c| c.kind == ContainerType::Docker && c.docker.is_some());
    if spec.simulated {
        runners.spawn(simulated::run(spec, reporter, kill_rx, shutdown));
    } else if docker {
        runners.spawn(docker::run(spec, reporter, kill_rx, shutdown));
    } else {
        runners.spawn(process::run(spec, reporter, kill_rx, shutdown));
    }
    kill_tx
}

/// Watches a re-adopted process (see `crate::checkpoint`); the returned
/// sender delivers kill requests.
pub(crate) fn adopt(
    process: AdoptedProcess,
    reports: mpsc::UnboundedSender<ExecutorReport>,
    shutdown: CancellationToken,
    runners: &TaskTracker,
) -> mpsc::Sender<KillRequest> {
    let (kill_tx, kill_rx) = mpsc::channel(4);
    let reporter = Reporter {
        tx: reports,
        framework_id: process.framework_id.clone(),
        task_id: process.task_id.clone(),
    };
    runners.spawn(adopted::watch(process, reporter, kill_rx, shutdown));
    kill_tx
}

/// Watches a re-adopted Docker container (see `crate::checkpoint`); the
/// returned sender delivers kill requests.
pub(crate) fn adopt_container(
    container: AdoptedContainer,
    reports: mpsc::UnboundedSender<ExecutorReport>,
    shutdown: CancellationToken,
    runners: &TaskTracker,
) -> mpsc::Sender<KillRequest> {
    let (kill_tx, kill_rx) = mpsc::channel(4);
    let reporter = Reporter {
        tx: reports,
        framework_id: container.framework_id.clone(),
        task_id: container.task_id.clone(),
    };
    runners.spawn(docker_adopted::watch(container, reporter, kill_rx, shutdown));
    kill_tx
}
