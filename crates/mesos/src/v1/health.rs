//! Health checks Mesos runs for a task, and how a task is killed.

use serde::{Deserialize, Serialize};

use super::container::Protocol;
use super::ids::DurationInfo;
use super::proto_enum::proto_enum;
use super::task::CommandInfo;

proto_enum!(
    /// Which check field is set.
    HealthCheckType {
        Unknown = "UNKNOWN",
        Command = "COMMAND",
        Http = "HTTP",
        Tcp = "TCP",
    }
);

/// An HTTP GET check; healthy on 200–399 unless `statuses` says otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpCheck {
    /// Port to probe (inside the task's network namespace).
    pub port: u32,
    /// `http` (default) or `https`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Request path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Status codes that count as healthy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<u32>,
    /// IP version to probe with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
}

/// A TCP connect check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpCheck {
    /// Port to connect to.
    pub port: u32,
    /// IP version to probe with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
}

/// A Mesos-run health check; results arrive as `healthy` on status updates.
/// Unset timings take Mesos' defaults (delay 15 s, interval 10 s, timeout 20 s,
/// 3 consecutive failures, grace 10 s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthCheck {
    /// Which of `http`/`tcp`/`command` is set.
    #[serde(rename = "type")]
    pub kind: HealthCheckType,
    /// HTTP check (type HTTP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpCheck>,
    /// TCP check (type TCP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<TcpCheck>,
    /// Command check (type COMMAND).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandInfo>,
    /// Seconds before the first check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_seconds: Option<f64>,
    /// Seconds between checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_seconds: Option<f64>,
    /// Seconds before one check counts as failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<f64>,
    /// Failures in a row before the task is killed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_failures: Option<u32>,
    /// Seconds after start during which failures are ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<f64>,
}

/// How long the executor waits between SIGTERM and SIGKILL (default 3 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KillPolicy {
    /// The grace period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period: Option<DurationInfo>,
}
