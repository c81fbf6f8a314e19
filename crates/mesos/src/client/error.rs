//! Errors of the scheduler client.

use reqwest::StatusCode;

/// Why a call failed or the client loop stopped.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No subscription is open, so there is no stream id to send the call with.
    #[error("not subscribed to a Mesos master")]
    NotConnected,
    /// SUBSCRIBE goes through the client loop, never through the handle.
    #[error("SUBSCRIBE cannot be sent through the scheduler handle")]
    SubscribeNotAllowed,
    /// The master answered with a status other than 200/202; `body` is its
    /// explanation (e.g. "Framework is not subscribed").
    #[error("master answered {status}: {body}")]
    Rejected {
        /// HTTP status.
        status: StatusCode,
        /// Response body, as text.
        body: String,
    },
    /// The master sent an ERROR event (e.g. "Framework failed over"); the
    /// framework must not re-subscribe on its own.
    #[error("master sent ERROR: {0}")]
    MasterError(String),
    /// The request could not be sent or the response not read.
    #[error("HTTP request failed: {0}")]
    Http(String),
    /// The call could not be encoded as JSON.
    #[error("cannot encode call: {0}")]
    Encode(#[from] serde_json::Error),
    /// The master address could not be resolved or is not a valid URL.
    #[error("cannot locate the master: {0}")]
    Master(String),
}

impl ClientError {
    /// Wraps a reqwest error with its whole source chain: reqwest's own message
    /// ("error sending request") hides the cause.
    pub(crate) fn http(error: &reqwest::Error) -> Self {
        Self::Http(error_chain(error))
    }
}

/// `error: cause: cause…` of an error and its sources.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
