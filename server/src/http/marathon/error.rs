//! [`ApiError`]: the one error type of the REST API, with a stable code
//! per kind and the single table mapping codes to HTTP statuses. Bodies
//! follow Marathon: `{"message": ..}` plus `details` for validation errors
//! and `deployments` for locked apps. Internal faults are logged once here
//! and answered with a generic 500.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::service::ServiceError;

/// Largest accepted request body (1 MiB, Marathon's `--http_max_request_size` scale).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Everything a REST request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A service operation failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The body is larger than [`MAX_BODY_BYTES`].
    #[error("Request body is larger than {MAX_BODY_BYTES} bytes")]
    PayloadTooLarge,
    /// A query parameter has a value we do not understand.
    #[error("{0}")]
    BadQuery(String),
    /// The body could not be read at all.
    #[error("{0}")]
    BadBody(String),
    /// The method is not served at this path (Marathon answers 405).
    #[error("HTTP method {0} is not supported by this URL")]
    MethodNotAllowed(String),
}

impl ApiError {
    /// The stable machine-readable code of this error (logged, and the key
    /// of the status table).
    pub fn code(&self) -> &'static str {
        use ServiceError as S;
        match self {
            ApiError::Service(e) => match e {
                S::Model(dromos_model::ModelError::InvalidJson(_)) => "invalid_json",
                S::Model(dromos_model::ModelError::Invalid(_)) => "invalid_object",
                S::AppNotFound { .. } => "app_not_found",
                S::GroupNotFound { .. } => "group_not_found",
                S::AppExists(_) => "app_exists",
                S::GroupExists(_) => "group_exists",
                S::Conflict(_) => "conflict",
                S::Locked { .. } => "locked",
                S::TooManyDeployments(_) => "too_many_deployments",
                S::DeploymentNotFound(_) => "deployment_not_found",
                S::TaskNotFound(_) => "task_not_found",
                S::InvalidTaskId(_) => "invalid_task_id",
                S::NotQueued(_) => "not_queued",
                S::PortsExhausted { .. } => "ports_exhausted",
                S::BadRequest(_) => "bad_request",
                S::Unauthenticated(_) => "unauthenticated",
                S::Forbidden(_) => "forbidden",
                S::NotFound(_) => "not_found",
                S::Store(_) | S::Internal(_) => "internal",
            },
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::BadQuery(_) => "bad_query",
            ApiError::BadBody(_) => "bad_body",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
        }
    }

    /// The one code → status table.
    pub fn status(&self) -> StatusCode {
        match self.code() {
            "invalid_json" | "invalid_task_id" | "bad_request" | "bad_query" | "bad_body" => {
                StatusCode::BAD_REQUEST
            }
            "too_many_deployments" | "forbidden" => StatusCode::FORBIDDEN,
            "unauthenticated" => StatusCode::UNAUTHORIZED,
            "app_not_found"
            | "group_not_found"
            | "deployment_not_found"
            | "task_not_found"
            | "not_queued"
            | "not_found" => StatusCode::NOT_FOUND,
            "method_not_allowed" => StatusCode::METHOD_NOT_ALLOWED,
            "app_exists" | "group_exists" | "conflict" | "locked" => StatusCode::CONFLICT,
            "payload_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_object" | "ports_exhausted" => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        match self {
            ApiError::Service(ServiceError::Model(e)) => e.to_json(),
            ApiError::Service(ServiceError::Locked { deployments }) => json!({
                "message": self.to_string(),
                "deployments": deployments.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
            }),
            ApiError::Service(ServiceError::Store(_) | ServiceError::Internal(_)) => {
                json!({"message": "An internal error occurred. The server log has the details."})
            }
            other => json!({"message": other.to_string()}),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code(), error = %self, "request failed");
        } else {
            tracing::debug!(code = self.code(), status = status.as_u16(), error = %self, "request refused");
        }
        (status, Json(self.body())).into_response()
    }
}

/// The console's form of a service failure: the status and Marathon
/// `message` (and `details` for a refused document) the REST API answers
/// for the same failure, from the same table. Server faults are logged
/// here, as [`IntoResponse`] does for REST, and carry the generic message.
impl From<ServiceError> for app::error::ApiError {
    fn from(error: ServiceError) -> Self {
        let error = ApiError::Service(error);
        let status = error.status();
        if status.is_server_error() {
            tracing::error!(code = error.code(), error = %error, "console request failed");
        }
        if let ApiError::Service(ServiceError::Model(model)) = &error {
            return app::error::ApiError {
                status: status.as_u16(),
                message: model.message().to_string(),
                details: model.violations().to_vec(),
            };
        }
        let body = error.body();
        let message =
            body.get("message").and_then(Value::as_str).map_or_else(|| error.to_string(), str::to_owned);
        app::error::ApiError::new(status.as_u16(), message)
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use dromos_model::{ModelError, PathId, Violation};
    use serde_json::json;

    use super::ApiError;
    use crate::service::ServiceError;

    #[test]
    fn codes_map_to_marathons_statuses_and_bodies() {
        let cases: Vec<(ApiError, StatusCode, serde_json::Value)> = vec![
            (
                ServiceError::Model(ModelError::InvalidJson(vec![Violation::new(
                    "/id",
                    "error.expected.jsstring",
                )]))
                .into(),
                StatusCode::BAD_REQUEST,
                json!({"message": "Invalid JSON", "details": [{"path": "/id", "errors": ["error.expected.jsstring"]}]}),
            ),
            (
                ServiceError::AppExists(PathId::parse("/x").unwrap_or_default()).into(),
                StatusCode::CONFLICT,
                json!({"message": "An app with id [/x] already exists."}),
            ),
            (
                ServiceError::Locked { deployments: vec!["d1".into()] }.into(),
                StatusCode::CONFLICT,
                json!({"message": "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.", "deployments": [{"id": "d1"}]}),
            ),
            (
                ServiceError::Internal("secret detail".into()).into(),
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"message": "An internal error occurred. The server log has the details."}),
            ),
            (
                ApiError::PayloadTooLarge,
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"message": "Request body is larger than 1048576 bytes"}),
            ),
            (
                ServiceError::TooManyDeployments(100).into(),
                StatusCode::FORBIDDEN,
                json!({"message": "Max number of concurrent deployments is 100. Please wait until other deployments are finished or cancel them."}),
            ),
        ];
        for (err, status, body) in cases {
            assert_eq!(err.status(), status, "{}", err.code());
            assert_eq!(err.body(), body, "{}", err.code());
        }
    }

    #[test]
    fn console_errors_carry_the_rest_status_and_message() {
        let cases: Vec<(ServiceError, u16, &str, usize)> = vec![
            (
                ServiceError::Model(ModelError::Invalid(vec![Violation::new("/cpus", "error.min")])),
                422,
                "Object is not valid",
                1,
            ),
            (ServiceError::app_not_found("/x"), 404, "App '/x' does not exist", 0),
            (
                ServiceError::Locked { deployments: vec!["d1".into()] },
                409,
                "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
                0,
            ),
            (ServiceError::TooManyDeployments(1), 403, "Max number of concurrent deployments is 1. Please wait until other deployments are finished or cancel them.", 0),
            (
                ServiceError::Internal("secret detail".into()),
                500,
                "An internal error occurred. The server log has the details.",
                0,
            ),
        ];
        for (err, status, message, details) in cases {
            let console = app::error::ApiError::from(err);
            assert_eq!((console.status, console.message.as_str()), (status, message));
            assert_eq!(console.details.len(), details, "{console:?}");
        }
        let locked = app::error::ApiError::from(ServiceError::Locked { deployments: Vec::new() });
        assert!(locked.is_locked(), "the console offers force for a lock");
    }
}
