//! `check`: a single Mesos-level check whose result is reported but never
//! kills the task (`check.raml` `AppCheck`). Exactly one of `http`, `tcp`,
//! `exec` must be given.

use serde::{Deserialize, Serialize};

/// HTTP or HTTPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpScheme {
    /// Plain HTTP (default).
    #[default]
    Http,
    /// HTTPS.
    Https,
}

/// The `check` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppCheck {
    /// HTTP check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpCheck>,
    /// TCP check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<TcpCheck>,
    /// Command check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecCheck>,
    /// Time between checks (default 60).
    #[serde(default = "default_interval")]
    pub interval_seconds: i32,
    /// Timeout of one check (default 20).
    #[serde(default = "default_timeout")]
    pub timeout_seconds: i32,
    /// Delay before the first check (default 15).
    #[serde(default = "default_delay")]
    pub delay_seconds: i32,
}

fn default_interval() -> i32 {
    60
}
fn default_timeout() -> i32 {
    20
}
fn default_delay() -> i32 {
    15
}

/// `check.http`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpCheck {
    /// Index into the app's ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_index: Option<i32>,
    /// Fixed port; wins over `portIndex`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// Request path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Scheme.
    #[serde(default)]
    pub scheme: HttpScheme,
}

/// `check.tcp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TcpCheck {
    /// Index into the app's ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_index: Option<i32>,
    /// Fixed port; wins over `portIndex`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
}

/// `check.exec`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecCheck {
    /// What to run.
    pub command: MesosCommand,
}

/// A shell command line or an argv vector (exactly one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MesosCommand {
    /// Run via `/bin/sh -c`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell: Option<String>,
    /// Run directly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argv: Option<Vec<String>>,
}
