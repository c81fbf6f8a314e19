//! `AppDefinition`: the blueprint of a long-running service, exactly the
//! fields of Marathon's `App` (NOTES §2) with Marathon's defaults.
//!
//! A value of this type is *normalized*: defaults are explicit, deprecated
//! input (`uris`, `ports`, `docker.network`, `docker.portMappings`) has been
//! moved to its modern field, health checks carry their implied `path` and
//! `portIndex`. Serializing it gives what Marathon returns for an app (minus
//! status fields such as `tasksRunning`, which the server adds). It is built
//! by [`crate::parse_app`] / [`crate::AppUpdate`]; [`AppDefinition::validate`]
//! lists every rule it breaks.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::check::AppCheck;
use crate::constraint::Constraint;
use crate::container::Container;
use crate::env::{EnvValue, SecretDef};
use crate::error::ModelError;
use crate::fetch::FetchUri;
use crate::health::HealthCheck;
use crate::network::{Network, NetworkMode};
use crate::path_id::PathId;
use crate::ports::{PortDefinition, PortMapping};
use crate::readiness::ReadinessCheck;
use crate::resources::ResourceLimits;
use crate::strategy::{KillSelection, UnreachableStrategy, UpgradeStrategy};
use crate::timestamp::Timestamp;

/// Label that marks an app as "never more than one instance" (DC/OS
/// frameworks): instances ≤ 1 and a 0/0 upgrade strategy are enforced.
pub const SINGLE_INSTANCE_LABEL: &str = "MARATHON_SINGLE_INSTANCE_APP";

/// When the app last changed, split by kind of change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VersionInfo {
    /// Last change of `instances` only (or any change).
    pub last_scaling_at: Timestamp,
    /// Last change that required a restart.
    pub last_config_change_at: Timestamp,
}

/// A Marathon app definition. See the module docs for the invariants.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppDefinition {
    /// Absolute id; not root, no reserved suffix.
    pub id: PathId,
    /// Shell command (`/bin/sh -c`); exclusive with `args`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmd: Option<String>,
    /// Command vector (no shell); exclusive with `cmd`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Unix user on the agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Environment; secret references must name an entry of `secrets`.
    pub env: BTreeMap<String, EnvValue>,
    /// Declared secrets.
    pub secrets: BTreeMap<String, SecretDef>,
    /// Wanted number of instances (0..=10,000).
    pub instances: i32,
    /// CPU shares per instance (default 1).
    pub cpus: f64,
    /// Memory per instance in MiB (default 128).
    pub mem: f64,
    /// Disk per instance in MiB (default 0).
    pub disk: f64,
    /// GPUs per instance (default 0).
    pub gpus: i32,
    /// `""` or `//cmd`: the command executor. Others are rejected.
    pub executor: String,
    /// Placement constraints.
    pub constraints: Vec<Constraint>,
    /// Offer roles accepted; empty = any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accepted_resource_roles: Vec<String>,
    /// Artifacts fetched into the sandbox.
    pub fetch: Vec<FetchUri>,
    /// First relaunch delay after a failure, seconds (default 1).
    pub backoff_seconds: i32,
    /// Delay multiplier per failure, ≥ 1 (default 1.15).
    pub backoff_factor: f64,
    /// Delay cap, seconds (default 300).
    pub max_launch_delay_seconds: i32,
    /// Container; `None` runs the command as a plain process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    /// Health checks.
    pub health_checks: Vec<HealthCheck>,
    /// Mesos-level check that reports but never kills.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<AppCheck>,
    /// Readiness checks (at most one).
    pub readiness_checks: Vec<ReadinessCheck>,
    /// Apps/groups to deploy before this one (absolute ids).
    pub dependencies: Vec<PathId>,
    /// Rolling-upgrade bounds.
    pub upgrade_strategy: UpgradeStrategy,
    /// Free-form metadata.
    pub labels: BTreeMap<String, String>,
    /// Network attachments; never empty after parsing.
    pub networks: Vec<Network>,
    /// Host ports (host networking only).
    pub port_definitions: Vec<PortDefinition>,
    /// Use `portDefinitions[].port` as literal host ports.
    pub require_ports: bool,
    /// SIGTERM→SIGKILL grace, seconds; `None` = agent default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_kill_grace_period_seconds: Option<i32>,
    /// Handling of unreachable instances.
    pub unreachable_strategy: UnreachableStrategy,
    /// Scale-down victim order.
    pub kill_selection: KillSelection,
    /// Mesos role; `None` = the group's / default role (filled by the server).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Allocate a pseudo-TTY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// Burst limits above the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_limits: Option<ResourceLimits>,
    /// Version stamp, set by the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<Timestamp>,
    /// Change stamps, set by the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_info: Option<VersionInfo>,
}

impl AppDefinition {
    /// An app with Marathon's defaults (host networking, one `default` port,
    /// no command). Add `cmd`/`args` or a container before validating.
    pub fn new(id: PathId) -> Self {
        AppDefinition {
            id,
            cmd: None,
            args: Vec::new(),
            user: None,
            env: BTreeMap::new(),
            secrets: BTreeMap::new(),
            instances: 1,
            cpus: 1.0,
            mem: 128.0,
            disk: 0.0,
            gpus: 0,
            executor: String::new(),
            constraints: Vec::new(),
            accepted_resource_roles: Vec::new(),
            fetch: Vec::new(),
            backoff_seconds: 1,
            backoff_factor: 1.15,
            max_launch_delay_seconds: 300,
            container: None,
            health_checks: Vec::new(),
            check: None,
            readiness_checks: Vec::new(),
            dependencies: Vec::new(),
            upgrade_strategy: UpgradeStrategy::default(),
            labels: BTreeMap::new(),
            networks: vec![Network::host()],
            port_definitions: vec![PortDefinition::default_port()],
            require_ports: false,
            task_kill_grace_period_seconds: None,
            unreachable_strategy: UnreachableStrategy::default(),
            kill_selection: KillSelection::default(),
            role: None,
            tty: None,
            resource_limits: None,
            version: None,
            version_info: None,
        }
    }

    /// Every rule this definition breaks, as `ModelError::Invalid` with JSON
    /// pointer paths; `Ok(())` when it may be deployed.
    pub fn validate(&self) -> Result<(), ModelError> {
        crate::validation::validate_app(self).into_result()
    }

    /// True when every network is `host` (also when `networks` is empty).
    pub fn is_host_networking(&self) -> bool {
        self.networks.iter().all(|n| n.mode == NetworkMode::Host)
    }

    /// The port mappings of the container (empty without a container).
    pub fn port_mappings(&self) -> &[PortMapping] {
        self.container.as_ref().and_then(|c| c.port_mappings.as_deref()).unwrap_or_default()
    }

    /// How many ports the app asks for: what `portIndex` may address.
    pub fn port_count(&self) -> usize {
        if self.is_host_networking() {
            self.port_definitions.len()
        } else {
            self.port_mappings().len()
        }
    }

    /// Names of the app's ports, in order (unnamed ports skipped).
    pub fn port_names(&self) -> Vec<&str> {
        if self.is_host_networking() {
            self.port_definitions.iter().filter_map(|p| p.name.as_deref()).collect()
        } else {
            self.port_mappings().iter().filter_map(|p| p.name.as_deref()).collect()
        }
    }
}

/// Reads a stored/serialized app: the same conversion as parsing (relative
/// ids against the root, legacy fields migrated) but without re-running
/// validation, so tightening a rule never makes stored apps unreadable.
impl<'de> Deserialize<'de> for AppDefinition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let update = crate::update::AppUpdate::deserialize(deserializer)?;
        update.build_unvalidated().map_err(|e| {
            let text: Vec<String> =
                e.violations().iter().map(|v| format!("{}: {}", v.path, v.errors.join("; "))).collect();
            serde::de::Error::custom(text.join(", "))
        })
    }
}
