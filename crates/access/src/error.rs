//! Errors of the access rules. Each names the field or thing at fault.

use thiserror::Error;

/// Why an access operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccessError {
    /// Credentials were missing or wrong (HTTP 401).
    #[error("Unauthorized: {0}")]
    Unauthenticated(String),
    /// The caller is known but may not do this (HTTP 403).
    #[error("Forbidden: {0}")]
    Forbidden(String),
    /// A name, path or value is malformed (HTTP 422), with the field.
    #[error("{field}: {message}")]
    Invalid {
        /// The JSON path of the offending field, e.g. `/name`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The user, team or token does not exist (HTTP 404).
    #[error("{0} does not exist")]
    NotFound(String),
    /// It exists already (HTTP 409).
    #[error("{0} already exists")]
    Conflict(String),
    /// Hashing failed (should not happen; HTTP 500).
    #[error("internal: {0}")]
    Internal(String),
}

impl AccessError {
    /// An [`AccessError::Invalid`] for `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AccessError::Invalid { field: field.to_owned(), message: message.into() }
    }
}
