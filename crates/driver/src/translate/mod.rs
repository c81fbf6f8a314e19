//! Translation between the three vocabularies the driver speaks: the
//! service's model ([`dromos_model::AppDefinition`]), the scheduler core's
//! types ([`dromos_scheduler::RunSpec`], [`dromos_scheduler::Offer`], …) and
//! the Mesos v1 messages of [`dromos_mesos::v1`].
//!
//! Everything here is pure (no I/O, no clock: time comes in as a
//! [`dromos_scheduler::Timestamp`]) and is the only place where Mesos types
//! and scheduler types meet: the core never sees a Mesos type, and the rest
//! of the driver hands Mesos messages to the client without looking inside.
//!
//! | module | direction |
//! | --- | --- |
//! | [`run_spec`] | `AppDefinition` → `RunSpec` |
//! | [`offer`] | Mesos `Offer` → scheduler `Offer` |
//! | [`task_id`] | instance ids and Marathon-style task ids |
//! | [`env`] | the environment Marathon gives a task (NOTES §3.6) |
//! | [`task_info`] | scheduler `Launch` + `AppDefinition` → Mesos `TaskInfo` |
//! | [`status`] | Mesos `TaskStatus` → the core's status input |

pub mod env;
pub mod offer;
pub mod run_spec;
pub mod status;
pub mod task_id;
pub mod task_info;

use thiserror::Error;

/// Why an app definition cannot be handed to the scheduler core.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TranslateError {
    /// A constraint the scheduler cannot parse (the model validated it, so
    /// this means the two parsers disagree).
    #[error("app {app_id}: constraint {index} ({constraint}) is invalid: {reason}")]
    Constraint {
        /// The app.
        app_id: String,
        /// Index in `constraints`.
        index: usize,
        /// The constraint as written.
        constraint: String,
        /// The scheduler's complaint.
        reason: String,
    },
    /// The app has no version stamp (the service stamps every stored app).
    #[error("app {0} has no version")]
    MissingVersion(String),
    /// A launch names ports the app does not have, or the offer lacks a
    /// resource the matcher took from it: the launch must not be sent.
    #[error("launch of {app_id} does not fit its offer: {detail}")]
    LaunchMismatch {
        /// The app.
        app_id: String,
        /// What did not line up.
        detail: String,
    },
}
