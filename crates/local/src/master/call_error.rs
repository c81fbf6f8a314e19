//! `CallError`: why the master refused a call, with the HTTP status Mesos
//! answers it with (src/master/http.cpp): 400 for malformed or unknown-framework
//! calls and stream id mismatches, 403 for a framework that is not subscribed,
//! 415 for a body type it cannot read, 406 for a response type it cannot
//! write, 501 for call types it does not implement.

use axum::http::StatusCode;

/// A refused call; the message is the plain-text body Mesos would send.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// 400: malformed body, failed validation, unknown framework, stream id mismatch.
    #[error("{0}")]
    BadRequest(String),
    /// 403: the framework exists but has no open subscription.
    #[error("{0}")]
    Forbidden(String),
    /// 406: the `Accept` header allows no JSON.
    #[error("{0}")]
    NotAcceptable(String),
    /// 415: a content type other than JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 501: a call type this master does not implement.
    #[error("{0}")]
    NotImplemented(String),
    /// 503: the master is shutting down.
    #[error("{0}")]
    Unavailable(String),
}

impl CallError {
    /// The HTTP status Mesos uses for this refusal.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub(crate) fn bad(message: impl Into<String>) -> Self {
        Self::BadRequest(message.into())
    }
}

impl axum::response::IntoResponse for CallError {
    fn into_response(self) -> axum::response::Response {
        (self.status(), self.to_string()).into_response()
    }
}
