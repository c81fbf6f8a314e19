//! `healthChecks`: how dromos decides an instance is healthy (and kills it
//! when it is not).
//!
//! `HTTP`/`HTTPS`/`TCP`/`COMMAND` are scheduler-side ("Marathon-level")
//! checks; the `MESOS_*` protocols run next to the task. Defaults are
//! Marathon's (`healthCheck.raml`): grace 300 s, interval 60 s, timeout 20 s,
//! 3 consecutive failures, delay 15 s. Parsing fills `path` ("/") for HTTP
//! kinds and `portIndex` (0) for port-based kinds when neither `port` nor
//! `portIndex` is given, so the stored definition is explicit.

use serde::{Deserialize, Serialize};

/// Health check protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HealthCheckProtocol {
    /// HTTP GET from the scheduler; 200–399 is healthy (default).
    #[default]
    Http,
    /// HTTPS GET from the scheduler (certificate not verified).
    Https,
    /// TCP connect from the scheduler.
    Tcp,
    /// Command run in the task's sandbox.
    Command,
    /// HTTP GET from the agent.
    MesosHttp,
    /// HTTPS GET from the agent.
    MesosHttps,
    /// TCP connect from the agent.
    MesosTcp,
}

impl HealthCheckProtocol {
    /// True for checks that target a port (everything but `COMMAND`).
    pub fn uses_port(self) -> bool {
        self != HealthCheckProtocol::Command
    }

    /// True for checks with an HTTP path.
    pub fn is_http(self) -> bool {
        matches!(
            self,
            HealthCheckProtocol::Http
                | HealthCheckProtocol::Https
                | HealthCheckProtocol::MesosHttp
                | HealthCheckProtocol::MesosHttps
        )
    }

    /// True for checks executed by the agent rather than the scheduler.
    pub fn is_mesos(self) -> bool {
        matches!(
            self,
            HealthCheckProtocol::MesosHttp | HealthCheckProtocol::MesosHttps | HealthCheckProtocol::MesosTcp
        )
    }
}

/// IP version used by Mesos HTTP/TCP checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum IpProtocol {
    /// IPv4 (default).
    #[default]
    #[serde(rename = "IPv4")]
    Ipv4,
    /// IPv6 (Mesos checks on Docker only).
    #[serde(rename = "IPv6")]
    Ipv6,
}

/// `command` of a `COMMAND` health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandCheck {
    /// Shell command; exit code 0 means healthy.
    pub value: String,
}

/// One entry of `healthChecks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HealthCheck {
    /// Kind of check.
    #[serde(default)]
    pub protocol: HealthCheckProtocol,
    /// Request path for HTTP kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Index into the app's ports; must address an existing port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_index: Option<i32>,
    /// Fixed port to check; wins over `portIndex`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// Command for `COMMAND` checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandCheck>,
    /// Failures are ignored this long after start (or until first healthy).
    #[serde(default = "default_grace")]
    pub grace_period_seconds: i32,
    /// Time between checks.
    #[serde(default = "default_interval")]
    pub interval_seconds: i32,
    /// A check taking longer fails.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: i32,
    /// Kill after this many failures in a row (0 = never, Marathon-level).
    #[serde(default = "default_max_failures")]
    pub max_consecutive_failures: i32,
    /// Delay before the first Mesos-level check.
    #[serde(default = "default_delay")]
    pub delay_seconds: i32,
    /// Treat 1xx answers as "no answer yet" instead of healthy.
    #[serde(default)]
    pub ignore_http1xx: bool,
    /// IP version for Mesos checks.
    #[serde(default)]
    pub ip_protocol: IpProtocol,
}

fn default_grace() -> i32 {
    300
}
fn default_interval() -> i32 {
    60
}
fn default_timeout() -> i32 {
    20
}
fn default_max_failures() -> i32 {
    3
}
fn default_delay() -> i32 {
    15
}

impl HealthCheck {
    /// A check of the given protocol with Marathon's defaults.
    pub fn new(protocol: HealthCheckProtocol) -> Self {
        let mut hc = HealthCheck {
            protocol,
            path: None,
            port_index: None,
            port: None,
            command: None,
            grace_period_seconds: default_grace(),
            interval_seconds: default_interval(),
            timeout_seconds: default_timeout(),
            max_consecutive_failures: default_max_failures(),
            delay_seconds: default_delay(),
            ignore_http1xx: false,
            ip_protocol: IpProtocol::Ipv4,
        };
        hc.fill_defaults();
        hc
    }

    /// Makes implicit defaults explicit (`path` "/", `portIndex` 0).
    /// Idempotent; applied by parsing.
    pub fn fill_defaults(&mut self) {
        if self.protocol.is_http() && self.path.is_none() {
            self.path = Some("/".to_string());
        }
        if self.protocol.uses_port() && self.port.is_none() && self.port_index.is_none() {
            self.port_index = Some(0);
        }
    }
}
