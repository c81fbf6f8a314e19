//! [`ApiError`]: how a console call fails, the same facts the REST API puts
//! in its status line and Marathon body (`{"message", "details"}`).
//!
//! Server functions return `Result<T, ApiError>`; the browser gets the value
//! back typed, so the editor can put 422 violations next to their fields and
//! recognise a 409 (an app locked by a running deployment) to offer
//! "deploy anyway" with `force`.

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::PostcardEncoding;
use serde::{Deserialize, Serialize};

use crate::model::{ModelError, Violation};

/// A failed console call: HTTP-like status, Marathon's message, and the
/// violations of a refused document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// The status the REST API answers for the same failure: 400 malformed,
    /// 404 unknown id, 409 locked by a deployment or already exists,
    /// 422 invalid definition, 500 internal, 503 not reachable / no leader.
    pub status: u16,
    /// Marathon's `message`, shown to the user as is. Internal faults carry a
    /// generic text; their detail is logged on the server only.
    pub message: String,
    /// Marathon's `details`: JSON pointers into the submitted document and
    /// their messages. Empty unless `status` is 400 or 422.
    #[serde(default)]
    pub details: Vec<Violation>,
}

/// Status of a request refused because a running deployment changes the
/// same app; repeating it with `force` cancels that deployment.
pub const STATUS_LOCKED: u16 = 409;

impl ApiError {
    /// An error without violations.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ApiError { status, message: message.into(), details: Vec::new() }
    }

    /// 404 with Marathon's wording for an app.
    pub fn app_not_found(id: &str) -> Self {
        Self::new(404, format!("App '{id}' does not exist"))
    }

    /// 500 with a generic message (log the detail before calling this).
    pub fn internal() -> Self {
        Self::new(500, "internal server error")
    }

    /// True when the request was refused because a deployment is running;
    /// the user may repeat it with `force`.
    pub fn is_locked(&self) -> bool {
        self.status == STATUS_LOCKED && self.message.contains("locked")
    }
}

/// 400 for malformed JSON, 422 for a definition that breaks a rule.
impl From<ModelError> for ApiError {
    fn from(error: ModelError) -> Self {
        let status = match error {
            ModelError::InvalidJson(_) => 400,
            ModelError::Invalid(_) => 422,
        };
        ApiError { status, message: error.message().to_string(), details: error.violations().to_vec() }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = PostcardEncoding;

    /// Transport failures (server unreachable, bad response) are 503: the
    /// console shows them as "cannot reach dromos", not as a user mistake.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let status = match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => 503,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => 400,
            _ => 500,
        };
        Self::new(status, value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::ApiError;
    use crate::model::parse_app;

    #[test]
    fn model_errors_keep_marathon_status_message_and_paths() {
        let cases: [(&[u8], u16, &str, &str); 2] = [
            (b"{", 400, "Invalid JSON", "/"),
            (br#"{"id":"a","cmd":"x","cpus":-1}"#, 422, "Object is not valid", "/cpus"),
        ];
        for (body, status, message, path) in cases {
            let error = ApiError::from(parse_app(body).expect_err("invalid on purpose"));
            assert_eq!(error.status, status, "{}", String::from_utf8_lossy(body));
            assert_eq!(error.message, message);
            assert!(error.details.iter().any(|v| v.path == path), "{:?}", error.details);
        }
    }

    #[test]
    fn only_a_409_about_a_lock_offers_force() {
        let locked = ApiError::new(
            409,
            "App is locked by one or more deployments. Override with the option '?force=true'.",
        );
        let exists = ApiError::new(409, "An app with id [/a] already exists.");
        assert!(locked.is_locked());
        assert!(!exists.is_locked());
        assert!(!ApiError::new(422, "locked").is_locked());
    }
}
