//! The command executor: runs a CommandInfo task as a process.
//!
//! Like Mesos' `mesos-executor`: TASK_STARTING, then `/bin/sh -c <value>` (or
//! `value` with `arguments` as argv when `shell` is false) in the sandbox with
//! `stdout`/`stderr` files, then TASK_RUNNING. The process leads its own process
//! group, so a kill reaches everything it started: SIGTERM to the group, SIGKILL
//! after the grace period. A framework with TASK_KILLING_STATE sees
//! TASK_KILLING first, and the process keeps running for a short drain
//! ([`KILL_DRAIN`], at most the grace period) before it is signalled: Mesos
//! signals at once, but then a client that discovers tasks through the API
//! can still pick a task that no longer answers. When the task ends by itself, whatever it left
//! behind in its group is SIGKILLed too (Mesos destroys the container).
//! `cpus` and `mem` are enforced through a cgroup of the task's own where
//! the machine allows it (see `cgroups`); the process is moved in right after
//! the spawn and the cgroup removed once the task has ended.
//! `CommandInfo.uris` are not fetched and `user` is not switched.

use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use dromos_mesos::v1::{TaskState, TaskStatusReason};
use nix::errno::Errno;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::cgroups::{self, TaskCgroup, TaskLimits};
use super::environment::task_environment;
use super::{KillRequest, LaunchSpec, Reporter};
use crate::checkpoint::{boot_id, start_ticks, TaskRecord};

/// How long a task shown as TASK_KILLING keeps running before SIGTERM.
pub(crate) const KILL_DRAIN: Duration = Duration::from_millis(500);

/// Sends `signal` to the process group led by `pid`; false when the group is
/// already gone (or the pid is not a valid one).
pub(crate) fn kill_process_group(pid: u32, signal: Signal) -> bool {
    let Ok(raw) = i32::try_from(pid) else { return false };
    if raw <= 1 {
        return false;
    }
    match killpg(Pid::from_raw(raw), signal) {
        Ok(()) => true,
        Err(Errno::ESRCH) => false,
        Err(error) => {
            tracing::warn!(pid, %signal, %error, "cannot signal process group");
            false
        }
    }
}

/// How the wait for the process ended.
enum Ending {
    Exited(std::io::Result<ExitStatus>),
    KillRequested(KillRequest),
    Shutdown,
}

/// Runs the task to its terminal state, reporting each step.
pub(super) async fn run(
    spec: LaunchSpec,
    reporter: Reporter,
    mut kills: mpsc::Receiver<KillRequest>,
    shutdown: CancellationToken,
) {
    reporter.report(TaskState::Starting, None, None, None);
    let cgroup = task_cgroup(&spec);
    let mut child = match spawn(&spec).await {
        Ok(child) => child,
        Err(message) => {
            if let Some(cgroup) = cgroup {
                cgroup.remove().await;
            }
            return reporter.launch_failed(message);
        }
    };
    let pid = child.id();
    let cgroup = cgroup.map(|cgroup| enter(&spec, cgroup, pid));
    tracing::info!(task_id = %spec.task.task_id, framework_id = %spec.framework_id, agent_id = %spec.agent_id,
        pid, sandbox = %spec.sandbox.display(), "task process started");
    if let Some(pid) = pid {
        checkpoint(&spec, pid).await;
    }
    reporter.report(TaskState::Running, None, None, pid);
    let ending = tokio::select! {
        status = child.wait() => Ending::Exited(status),
        Some(kill) = kills.recv() => Ending::KillRequested(kill),
        () = shutdown.cancelled() => Ending::Shutdown,
    };
    let (state, message) = match ending {
        Ending::Exited(status) => exit_state(status),
        Ending::KillRequested(kill) => {
            if kill.killing_state {
                reporter.report(TaskState::Killing, None, None, pid);
            }
            match drain(&mut child, kill, &shutdown).await {
                Some(status) => (TaskState::Killed, describe(status)),
                None => (TaskState::Killed, terminate(&mut child, pid, kill.grace, &shutdown).await),
            }
        }
        Ending::Shutdown => (TaskState::Killed, terminate(&mut child, pid, Duration::ZERO, &shutdown).await),
    };
    if let Some(pid) = pid {
        // Leftovers of the group (background jobs) go with the task.
        kill_process_group(pid, Signal::SIGKILL);
    }
    if let Some(cgroup) = cgroup {
        cgroup.remove().await;
    }
    if let Some(checkpoints) = &spec.checkpoints {
        checkpoints.remove_task(&spec.framework_id, spec.task.task_id.as_str()).await;
    }
    let reason = (state == TaskState::Failed).then_some(TaskStatusReason::CommandExecutorFailed);
    reporter.report(state, Some(message), reason, pid);
}

/// The cgroup holding the task to its `cpus` and `mem`, with its limits
/// written; None (logged at debug) when the task asked for neither or the
/// machine does not allow it: the task then runs without limits.
fn task_cgroup(spec: &LaunchSpec) -> Option<TaskCgroup> {
    let limits = TaskLimits::new(spec.resources.scalar("cpus"), spec.resources.scalar("mem"))?;
    match cgroups::agent().create(spec.task.task_id.as_str(), limits) {
        Ok(cgroup) => Some(cgroup),
        Err(reason) => {
            tracing::debug!(task_id = %spec.task.task_id, %reason, "task runs without cgroup limits");
            None
        }
    }
}

/// Moves the just spawned process into its cgroup. When that fails the task
/// runs without (some of) its limits; the cgroup is still removed at its end.
fn enter(spec: &LaunchSpec, cgroup: TaskCgroup, pid: Option<u32>) -> TaskCgroup {
    match pid.ok_or_else(|| "the process has no pid".to_owned()).and_then(|pid| cgroup.add(pid)) {
        Ok(()) => {
            tracing::debug!(task_id = %spec.task.task_id, pid, cgroup = ?cgroup.dirs(), "task process limited")
        }
        Err(reason) => {
            tracing::debug!(task_id = %spec.task.task_id, pid, %reason, "task runs without cgroup limits")
        }
    }
    cgroup
}

/// Records the running process for recovery after a crash (frameworks with
/// `checkpoint` only). A task that cannot be recorded still runs; it is
/// just not re-adopted after a crash.
async fn checkpoint(spec: &LaunchSpec, pid: u32) {
    let Some(checkpoints) = &spec.checkpoints else { return };
    let Some(start_ticks) = start_ticks(pid) else { return };
    let record = TaskRecord::launched(spec, (pid, start_ticks, boot_id()), None);
    if let Err(error) = checkpoints.save_task(&record).await {
        tracing::warn!(task_id = %spec.task.task_id, pid, %error,
            "cannot record the task for recovery; it will not be re-adopted after a crash");
    }
}

/// Between TASK_KILLING and SIGTERM the task keeps running for
/// [`KILL_DRAIN`] (never longer than its grace period), so that clients
/// that find tasks through the API, where it now shows as TASK_KILLING,
/// stop sending it requests before it stops answering. Some(status) when
/// it exited meanwhile.
async fn drain(
    child: &mut Child,
    kill: KillRequest,
    shutdown: &CancellationToken,
) -> Option<std::io::Result<ExitStatus>> {
    let wait = if kill.killing_state { KILL_DRAIN.min(kill.grace) } else { Duration::ZERO };
    if wait.is_zero() {
        return None;
    }
    tokio::select! {
        status = child.wait() => Some(status),
        () = tokio::time::sleep(wait) => None,
        () = shutdown.cancelled() => None,
    }
}

/// SIGTERM the group, SIGKILL it after `grace` (or at once on shutdown), reap.
async fn terminate(
    child: &mut Child,
    pid: Option<u32>,
    grace: Duration,
    shutdown: &CancellationToken,
) -> String {
    let Some(pid) = pid else {
        return describe(child.wait().await);
    };
    let first = if grace.is_zero() { Signal::SIGKILL } else { Signal::SIGTERM };
    kill_process_group(pid, first);
    let status = tokio::select! {
        status = child.wait() => status,
        () = tokio::time::sleep(grace) => {
            kill_process_group(pid, Signal::SIGKILL);
            child.wait().await
        }
        () = shutdown.cancelled() => {
            kill_process_group(pid, Signal::SIGKILL);
            child.wait().await
        }
    };
    describe(status)
}

async fn spawn(spec: &LaunchSpec) -> Result<Child, String> {
    let command = spec.task.command.clone().unwrap_or_default();
    let value = command.value.clone().ok_or_else(|| "Task command has no value".to_owned())?;
    tokio::fs::create_dir_all(&spec.sandbox)
        .await
        .map_err(|e| format!("Failed to create sandbox {}: {e}", spec.sandbox.display()))?;
    let stdout = sandbox_file(spec, "stdout").await?;
    let stderr = sandbox_file(spec, "stderr").await?;
    let mut process = if command.shell.unwrap_or(true) {
        let mut p = Command::new("/bin/sh");
        p.arg("-c").arg(&value);
        p
    } else {
        let mut p = Command::new(&value);
        if let Some((argv0, rest)) = command.arguments.split_first() {
            p.arg0(argv0).args(rest);
        }
        p
    };
    let sandbox = spec.sandbox.display().to_string();
    process
        .current_dir(&spec.sandbox)
        .envs(task_environment(spec, &sandbox))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .process_group(0)
        .kill_on_drop(false);
    process.spawn().map_err(|e| format!("Failed to launch command {value:?}: {e}"))
}

async fn sandbox_file(spec: &LaunchSpec, name: &str) -> Result<std::fs::File, String> {
    let path = spec.sandbox.join(name);
    let file = tokio::fs::File::create(&path)
        .await
        .map_err(|e| format!("Failed to create {}: {e}", path.display()))?;
    Ok(file.into_std().await)
}

/// TASK_FINISHED for exit 0, TASK_FAILED otherwise, with Mesos' message.
fn exit_state(status: std::io::Result<ExitStatus>) -> (TaskState, String) {
    let state = match &status {
        Ok(s) if s.success() => TaskState::Finished,
        _ => TaskState::Failed,
    };
    (state, describe(status))
}

/// "Command exited with status N" / "Command terminated with signal SIGTERM".
fn describe(status: std::io::Result<ExitStatus>) -> String {
    match status {
        Ok(s) => match (s.code(), s.signal()) {
            (Some(code), _) => format!("Command exited with status {code}"),
            (None, Some(signal)) => {
                let name = Signal::try_from(signal).map_or_else(|_| signal.to_string(), |s| s.to_string());
                format!("Command terminated with signal {name}")
            }
            (None, None) => "Command terminated".to_owned(),
        },
        Err(e) => format!("Failed to wait for the command: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;

    use dromos_mesos::v1::TaskState;

    use super::exit_state;

    #[test]
    fn exit_statuses_map_to_mesos_states_and_messages() {
        let cases = [
            (ExitStatus::from_raw(0), TaskState::Finished, "Command exited with status 0"),
            (ExitStatus::from_raw(3 << 8), TaskState::Failed, "Command exited with status 3"),
            (ExitStatus::from_raw(15), TaskState::Failed, "Command terminated with signal SIGTERM"),
        ];
        for (status, state, message) in cases {
            assert_eq!(exit_state(Ok(status)), (state, message.to_owned()));
        }
    }
}
