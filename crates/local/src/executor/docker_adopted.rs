//! A re-adopted Docker task: a container that an earlier dromos started and
//! that the engine may still run after that dromos crashed (see
//! `crate::checkpoint`).
//!
//! The watcher asks the engine first. A container that still runs is
//! followed as if this dromos had started it (its output from now on is
//! appended to the sandbox files; kills stop it; its exit is reported with
//! its status). One that is gone or stopped is removed and reported
//! TASK_FAILED (REASON_EXECUTOR_TERMINATED), saying it ended while dromos
//! was not running, so the scheduler replaces it. Either way the task's
//! record is removed once the task has ended.

use std::path::PathBuf;

use bollard::query_parameters::InspectContainerOptions;
use bollard::Docker;
use dromos_mesos::v1::{FrameworkId, TaskId, TaskState, TaskStatusReason};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::docker::{remove, report_end, supervise};
use super::{KillRequest, Reporter};
use crate::checkpoint::Checkpoints;

/// The recorded identity of an adopted container.
#[derive(Debug, Clone)]
pub(crate) struct AdoptedContainer {
    pub framework_id: FrameworkId,
    pub task_id: TaskId,
    /// The container's name (`mesos-<uuid>`).
    pub name: String,
    pub sandbox: PathBuf,
    /// Its record, removed once the task has ended.
    pub checkpoints: Checkpoints,
}

/// Follows the container to its end, or reports that it already ended.
pub(super) async fn watch(
    container: AdoptedContainer,
    reporter: Reporter,
    kills: mpsc::Receiver<KillRequest>,
    shutdown: CancellationToken,
) {
    let AdoptedContainer { framework_id, task_id, name, sandbox, checkpoints } = container;
    match running(&name).await {
        Ok(docker) => {
            tracing::info!(task_id = %task_id, container = %name, "re-adopted task container still runs");
            let since = i32::try_from(epoch_seconds()).unwrap_or(0);
            let (state, message) =
                supervise(&docker, &name, &sandbox, Some(since), kills, &reporter, shutdown).await;
            checkpoints.remove_task(&framework_id, task_id.as_str()).await;
            report_end(&reporter, state, message);
        }
        Err(message) => {
            tracing::warn!(task_id = %task_id, container = %name, %message, "re-adopted task container is gone");
            checkpoints.remove_task(&framework_id, task_id.as_str()).await;
            let reason = Some(TaskStatusReason::ExecutorTerminated);
            reporter.report(TaskState::Failed, Some(message), reason, None);
        }
    }
}

/// The engine, when it still runs container `name`; else why not (having
/// removed what is left of the container).
async fn running(name: &str) -> Result<Docker, String> {
    let docker = Docker::connect_with_local_defaults()
        .map_err(|e| format!("Docker is not reachable to re-adopt container {name}: {e}"))?;
    match docker.inspect_container(name, None::<InspectContainerOptions>).await {
        Ok(info) if info.state.as_ref().and_then(|s| s.running) == Some(true) => Ok(docker),
        Ok(_) => {
            remove(&docker, name).await;
            Err(format!("Container {name} ended while dromos was not running; its exit status is unknown"))
        }
        Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => {
            Err(format!("Container {name} is gone; it ended while dromos was not running"))
        }
        Err(e) => Err(format!("Docker is not reachable to re-adopt container {name}: {e}")),
    }
}

/// Seconds since the epoch, now.
fn epoch_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
