//! [`ServiceError`]: every way a service operation can fail.
//!
//! Each variant is a fact about the request or the system, not an HTTP
//! status; the REST layer maps them to Marathon's statuses and bodies in
//! one table (`http::marathon::error`). Store and internal faults carry
//! their detail for the log only.

use dromos_model::{ModelError, PathId};
use dromos_store::StoreError;

/// Why a service operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The submitted document is malformed (400) or breaks a rule (422).
    #[error("{0}")]
    Model(#[from] ModelError),
    /// No app with this id (also: not at this version).
    #[error("App '{id}' does not exist{}", version.as_ref().map(|v| format!(" in version {v}")).unwrap_or_default())]
    AppNotFound {
        /// The id asked for, as given (possibly not a valid id).
        id: String,
        /// The version asked for, if any.
        version: Option<String>,
    },
    /// No group with this id (also: not at this version).
    #[error("Group '{id}' does not exist{}", version.as_ref().map(|v| format!(" in version {v}")).unwrap_or_default())]
    GroupNotFound {
        /// The id asked for.
        id: String,
        /// The version asked for, if any.
        version: Option<String>,
    },
    /// `POST /v2/apps` with the id of an existing app.
    #[error("An app with id [{0}] already exists.")]
    AppExists(PathId),
    /// `POST /v2/groups` with the id of an existing group.
    #[error("Group {0} is already created. Use PUT to change this group.")]
    GroupExists(PathId),
    /// An app or group id clashes with the other kind (`/a` is an app and
    /// a group is created at `/a`, or the reverse).
    #[error("{0}")]
    Conflict(String),
    /// The change touches apps that running deployments are changing.
    #[error("App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.")]
    Locked {
        /// Ids of the blocking deployments.
        deployments: Vec<String>,
    },
    /// More deployments are running than `--max-running-deployments`.
    #[error("Max number of concurrent deployments is {0}. Please wait until other deployments are finished or cancel them.")]
    TooManyDeployments(usize),
    /// No running deployment with this id.
    #[error("DeploymentPlan {0} does not exist")]
    DeploymentNotFound(String),
    /// No task with this id (of this app).
    #[error("Task '{0}' does not exist")]
    TaskNotFound(String),
    /// A task id that cannot be one of ours.
    #[error("Invalid task id {0}")]
    InvalidTaskId(String),
    /// `DELETE /v2/queue/{id}/delay` for an app that is not delayed.
    #[error("Application {0} not found in tasks queue.")]
    NotQueued(PathId),
    /// Every service port of the range is taken.
    #[error("All service ports in {min}-{max} are in use")]
    PortsExhausted {
        /// Range start.
        min: u16,
        /// Range end (inclusive).
        max: u16,
    },
    /// The request makes no sense as a whole (e.g. `wipe` with `scale`).
    #[error("{0}")]
    BadRequest(String),
    /// No (valid) credentials while users exist (401).
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// Something other than an app, group, deployment or task is missing
    /// (a user, team or token), with the full message.
    #[error("{0}")]
    NotFound(String),
    /// The durable store failed; nothing was acknowledged.
    #[error("store failed: {0}")]
    Store(#[from] StoreError),
    /// A broken invariant or a failed background task.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// A 404 for an app id given in a request.
    pub fn app_not_found(id: impl ToString) -> Self {
        ServiceError::AppNotFound { id: id.to_string(), version: None }
    }

    /// A 404 for a group id given in a request.
    pub fn group_not_found(id: impl ToString) -> Self {
        ServiceError::GroupNotFound { id: id.to_string(), version: None }
    }
}

#[cfg(test)]
mod tests {
    use super::ServiceError;

    #[test]
    fn messages_follow_marathon_wording() {
        let cases = [
            (ServiceError::app_not_found("/x"), "App '/x' does not exist"),
            (
                ServiceError::AppNotFound { id: "/x".into(), version: Some("v1".into()) },
                "App '/x' does not exist in version v1",
            ),
            (ServiceError::group_not_found("/g"), "Group '/g' does not exist"),
            (ServiceError::DeploymentNotFound("d".into()), "DeploymentPlan d does not exist"),
            (ServiceError::InvalidTaskId("nope".into()), "Invalid task id nope"),
        ];
        for (err, want) in cases {
            assert_eq!(err.to_string(), want);
        }
    }
}
