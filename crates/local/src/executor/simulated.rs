//! The simulated executor (`LocalConfig::simulate`): a task that runs
//! nothing.
//!
//! It reports TASK_STARTING and TASK_RUNNING at once and stays running
//! until it is killed (TASK_KILLING first when the framework asked for it,
//! then TASK_KILLED) or the cluster shuts down. No process is spawned, no
//! sandbox is created and nothing is recorded for recovery, so thousands
//! of tasks fit on a laptop: for demonstrations of a big cluster and for
//! benchmarks of the layers above the agent. A COMMAND health check
//! passes (TASK_RUNNING carries `healthy: true`); a check that would need
//! something listening (HTTP or TCP, on the agent or in the scheduler)
//! cannot pass, since nothing listens.

use dromos_mesos::v1::{HealthCheckType, TaskState};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{KillRequest, LaunchSpec, Reporter};

/// Runs the task to its terminal state, reporting each step.
pub(super) async fn run(
    spec: LaunchSpec,
    reporter: Reporter,
    mut kills: mpsc::Receiver<KillRequest>,
    shutdown: CancellationToken,
) {
    reporter.report(TaskState::Starting, None, None, None);
    let command_check = spec.task.health_check.as_ref().is_some_and(|c| c.kind == HealthCheckType::Command);
    reporter.report_health(TaskState::Running, command_check.then_some(true));
    tracing::debug!(task_id = %spec.task.task_id, agent_id = %spec.agent_id, "simulated task running");
    let kill = tokio::select! {
        Some(kill) = kills.recv() => Some(kill),
        () = shutdown.cancelled() => None,
    };
    if kill.is_some_and(|k| k.killing_state) {
        reporter.report(TaskState::Killing, None, None, None);
    }
    reporter.report(TaskState::Killed, Some("Simulated task killed".to_owned()), None, None);
}
