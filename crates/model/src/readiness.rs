//! `readinessChecks`: during a deployment, an old instance is only killed
//! once a new one answers its readiness check (`readinessCheck.raml`).
//! Marathon allows at most one per app.

use serde::{Deserialize, Serialize};

use crate::check::HttpScheme;

/// One readiness check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReadinessCheck {
    /// Name shown in deployment status.
    #[serde(default = "default_name")]
    pub name: String,
    /// HTTP or HTTPS.
    #[serde(default)]
    pub protocol: HttpScheme,
    /// Request path.
    #[serde(default = "default_path")]
    pub path: String,
    /// Name of a port definition / mapping of the app.
    #[serde(default = "default_port_name")]
    pub port_name: String,
    /// Time between checks; greater than `timeoutSeconds`.
    #[serde(default = "default_interval")]
    pub interval_seconds: i32,
    /// Timeout of one check, at least 1.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: i32,
    /// Status codes that mean "ready" (100–999, unique, non-empty).
    #[serde(default = "default_codes")]
    pub http_status_codes_for_ready: Vec<i32>,
    /// Expose the last response in the deployment status.
    #[serde(default)]
    pub preserve_last_response: bool,
}

fn default_name() -> String {
    "readinessCheck".to_string()
}
fn default_path() -> String {
    "/".to_string()
}
fn default_port_name() -> String {
    "http-api".to_string()
}
fn default_interval() -> i32 {
    30
}
fn default_timeout() -> i32 {
    10
}
fn default_codes() -> Vec<i32> {
    vec![200]
}
