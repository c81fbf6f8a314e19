//! The last task failure of each app (Marathon's `lastTaskFailure`): why an
//! app's task last ended badly, kept per app in the state and the store
//! (namespace `failures`), so it survives a restart of dromos and is shown
//! by `GET /v2/apps/{id}`, `embed=apps.lastTaskFailure` and the console's
//! Debug tab.
//!
//! Which endings count is decided by the run loop (Marathon's rule, see
//! [`dromos_driver::TaskFailure`]); the service keeps the newest one of
//! each app. A failure of an app that no longer exists is not recorded, and
//! deleting an app forgets its failure in the same store batch (see
//! [`super::State::forget_failures_of_removed_apps`]).
//!
//! Each recorded failure gives a structured log line, the counter
//! `dromos.service.task-failure.counter`, and for a health kill Marathon's
//! `unhealthy_instance_kill_event` on `/v2/events` (the failure itself
//! travels in the task's `status_update_event`, as in Marathon).

use dromos_model::PathId;
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::error::ServiceError;
use super::Service;

/// Longest message kept, in bytes (an agent's message can be long).
pub const MAX_MESSAGE_BYTES: usize = 4096;

/// An app's last task failure, in Marathon's `TaskFailure` JSON shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskFailureRecord {
    /// The app.
    pub app_id: PathId,
    /// Mesos task id.
    pub task_id: String,
    /// Mesos state name, e.g. `TASK_FAILED`.
    pub state: String,
    /// The agent's or executor's message, or why dromos killed the task.
    pub message: String,
    /// Agent host name.
    pub host: String,
    /// Mesos agent id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slave_id: Option<String>,
    /// App version the task ran.
    pub version: String,
    /// When it happened, ISO-8601.
    pub timestamp: String,
}

/// `message` cut to at most [`MAX_MESSAGE_BYTES`], on a character boundary.
pub fn bounded_message(message: &str) -> String {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message.to_owned();
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &message[..end])
}

impl Service {
    /// Records `failure` as its app's last task failure (durable before it
    /// returns). `unhealthy_kill`: dromos killed the task for failing its
    /// health checks. Returns `false`, recording nothing, when the app does
    /// not exist (any more).
    #[instrument(skip_all, fields(app_id = %failure.app_id, task_id = %failure.task_id))]
    pub async fn record_task_failure(
        &self,
        failure: TaskFailureRecord,
        unhealthy_kill: bool,
    ) -> Result<bool, ServiceError> {
        self.record_task_batch(|batch| batch.record_failure(failure, unhealthy_kill)).await
    }
}

#[cfg(test)]
#[path = "failures_tests.rs"]
mod tests;
