//! What the scheduler needs to know about an app: a subset of Marathon's
//! AppDefinition, converted by the server from its own model.

use serde::Serialize;

use crate::constraint::Constraint;
use crate::offer::UNRESERVED_ROLE;
use crate::resources::Resources;

/// The scheduler's view of one app version.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpec {
    /// Absolute app id, e.g. `/prod/web`.
    pub id: String,
    /// Full version (changes on every change, including scaling).
    pub version: String,
    /// Changes on every change except `instances` (Marathon's
    /// `versionInfo.lastConfigChangeAt`). A different value means a restart.
    pub config_version: String,
    /// Desired number of instances.
    pub instances: u32,
    /// Per-instance resources.
    pub resources: Resources,
    /// Host ports wanted by each instance, in `PORT0…` order.
    pub ports: Vec<PortRequest>,
    /// `acceptedResourceRoles`; empty means `["*"]` (unreserved only).
    pub accepted_roles: Vec<String>,
    /// Placement constraints.
    pub constraints: Vec<Constraint>,
    /// Ids this app depends on (started before it, stopped after it).
    pub dependencies: Vec<String>,
    /// Launch delay after failures.
    pub backoff: BackoffPolicy,
    /// Rolling-upgrade bounds.
    pub upgrade: UpgradeStrategy,
    /// Which instances go first on scale-down.
    pub kill_selection: KillSelection,
    /// How offers are ranked for this app.
    pub placement: PlacementStrategy,
    /// What to do with unreachable instances.
    pub unreachable: UnreachableStrategy,
    /// Kill after this many consecutive failed health checks (0 = never).
    pub max_consecutive_health_failures: u32,
    /// Whether the app has health checks (a running instance without checks
    /// counts as healthy).
    pub has_health_checks: bool,
    /// Resident (persistent volume) app: never over-capacity on upgrade.
    pub resident: bool,
}

impl RunSpec {
    /// A run spec with Marathon's defaults: 1 instance, 1 cpu, 128 MiB, no
    /// ports, unreserved resources, no constraints.
    pub fn new(id: impl Into<String>, version: impl Into<String>) -> Self {
        let version = version.into();
        Self {
            id: id.into(),
            config_version: version.clone(),
            version,
            instances: 1,
            resources: Resources::marathon_default(),
            ports: Vec::new(),
            accepted_roles: Vec::new(),
            constraints: Vec::new(),
            dependencies: Vec::new(),
            backoff: BackoffPolicy::default(),
            upgrade: UpgradeStrategy::default(),
            kill_selection: KillSelection::default(),
            placement: PlacementStrategy::default(),
            unreachable: UnreachableStrategy::default(),
            max_consecutive_health_failures: 3,
            has_health_checks: false,
            resident: false,
        }
    }

    /// Whether resources of `role` may be used by this run spec.
    pub fn accepts_role(&self, role: &str) -> bool {
        if self.accepted_roles.is_empty() {
            role == UNRESERVED_ROLE
        } else {
            self.accepted_roles.iter().any(|r| r == role)
        }
    }

    /// Whether `other` differs from `self` only in `instances` and `version`
    /// (a scale change, not a restart).
    pub fn is_only_scale_change_of(&self, other: &RunSpec) -> bool {
        let mut normalised = other.clone();
        normalised.instances = self.instances;
        normalised.version.clone_from(&self.version);
        normalised == *self
    }
}

/// A host port an instance needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum HostPort {
    /// Any port from the offer.
    Dynamic,
    /// Exactly this port.
    Fixed(u16),
}

/// One entry of `portDefinitions` or `container.portMappings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRequest {
    /// Port name (for `PORT_<NAME>`).
    pub name: Option<String>,
    /// The host port to reserve; `None` for a container-only mapping.
    pub host_port: Option<HostPort>,
    /// Container port of a mapping (0 = same as the host port).
    pub container_port: Option<u16>,
}

impl PortRequest {
    /// A host-networking `portDefinition`: with `requirePorts` a non-zero
    /// port is reserved literally, otherwise the host port is dynamic.
    pub fn host(port: u16, require_ports: bool) -> Self {
        let host_port = if require_ports && port != 0 { HostPort::Fixed(port) } else { HostPort::Dynamic };
        Self { name: None, host_port: Some(host_port), container_port: None }
    }

    /// A BRIDGE/container `portMapping`: `hostPort` 0 is dynamic, absent
    /// means no host port.
    pub fn mapping(container_port: u16, host_port: Option<u16>) -> Self {
        let host_port = host_port.map(|p| if p == 0 { HostPort::Dynamic } else { HostPort::Fixed(p) });
        Self { name: None, host_port, container_port: Some(container_port) }
    }
}

/// Launch backoff (`backoffSeconds`, `backoffFactor`, `maxLaunchDelaySeconds`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackoffPolicy {
    /// Delay after the first failure.
    pub backoff_seconds: f64,
    /// Multiplier for each further failure (≥ 1).
    pub factor: f64,
    /// Cap.
    pub max_launch_delay_seconds: f64,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        Self { backoff_seconds: 1.0, factor: 1.15, max_launch_delay_seconds: 300.0 }
    }
}

/// `upgradeStrategy`; both fractions are in `[0, 1]` (validated upstream,
/// clamped here).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UpgradeStrategy {
    /// Fraction of `instances` that must stay healthy.
    pub minimum_health_capacity: f64,
    /// Fraction of `instances` that may run in addition.
    pub maximum_over_capacity: f64,
}

impl Default for UpgradeStrategy {
    fn default() -> Self {
        Self { minimum_health_capacity: 1.0, maximum_over_capacity: 1.0 }
    }
}

/// `killSelection`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum KillSelection {
    /// Newest instances are killed first (Marathon's default).
    #[default]
    YoungestFirst,
    /// Oldest instances are killed first.
    OldestFirst,
}

/// How the matcher ranks feasible offers for this run spec.
///
/// Spread is the default: instances of one app land on different agents and on
/// the least-loaded ones, which limits the blast radius of an agent failure.
/// BinPack fills the fullest agents first, leaving whole agents free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum PlacementStrategy {
    /// Prefer agents with fewer instances of this app, then more free resources.
    #[default]
    Spread,
    /// Prefer the agent left with the least free resources (best fit).
    BinPack,
}

/// `unreachableStrategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnreachableStrategy {
    /// Never replace unreachable instances.
    Disabled,
    /// Replace after `inactive_after_secs`, forget after `expunge_after_secs`.
    Enabled {
        /// Seconds until a replacement is launched.
        inactive_after_secs: u64,
        /// Seconds until the instance is expunged.
        expunge_after_secs: u64,
    },
}

impl Default for UnreachableStrategy {
    fn default() -> Self {
        Self::Enabled { inactive_after_secs: 0, expunge_after_secs: 0 }
    }
}
