//! Who is talking: the framework's own description (`FrameworkInfo`), the master's
//! (`MasterInfo`), and the address/domain types both use.

use serde::{Deserialize, Serialize};

use super::ids::{DurationInfo, FrameworkId, Labels, Parameter, TimeInfo};
use super::proto_enum::proto_enum;

proto_enum!(
    /// Optional master behaviours a framework opts into.
    FrameworkCapabilityType {
        Unknown = "UNKNOWN",
        RevocableResources = "REVOCABLE_RESOURCES",
        TaskKillingState = "TASK_KILLING_STATE",
        GpuResources = "GPU_RESOURCES",
        SharedResources = "SHARED_RESOURCES",
        PartitionAware = "PARTITION_AWARE",
        MultiRole = "MULTI_ROLE",
        ReservationRefinement = "RESERVATION_REFINEMENT",
        RegionAware = "REGION_AWARE",
    }
);

/// One capability entry (`{"type":"MULTI_ROLE"}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkCapability {
    /// The capability.
    #[serde(rename = "type")]
    pub kind: FrameworkCapabilityType,
}

/// The framework's registration record, sent in SUBSCRIBE.
///
/// `roles` requires the MULTI_ROLE capability (the master refuses the subscription
/// with an ERROR event otherwise); the deprecated single `role` is not offered here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkInfo {
    /// Unix user tasks run as; the HTTP API requires it to be explicit.
    pub user: String,
    /// Display name.
    pub name: String,
    /// Unset on the first subscribe; the master-assigned id when re-subscribing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FrameworkId>,
    /// Seconds the master keeps tasks alive while the framework is disconnected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover_timeout: Option<f64>,
    /// Whether agents checkpoint this framework's tasks (survive agent restarts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<bool>,
    /// Roles to receive offers for (MULTI_ROLE).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Host the framework runs on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Authentication principal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// The framework's UI, linked from the Mesos console.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webui_url: Option<String>,
    /// Opted-in behaviours.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<FrameworkCapability>,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
}

impl FrameworkInfo {
    /// A minimal FrameworkInfo: user and name, nothing else set.
    pub fn new(user: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            name: name.into(),
            id: None,
            failover_timeout: None,
            checkpoint: None,
            roles: Vec::new(),
            hostname: None,
            principal: None,
            webui_url: None,
            capabilities: Vec::new(),
            labels: None,
        }
    }

    /// Whether the given capability is declared.
    pub fn has_capability(&self, kind: FrameworkCapabilityType) -> bool {
        self.capabilities.iter().any(|c| c.kind == kind)
    }
}

/// A network address; `port` is required, hostname and ip optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Dotted IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// TCP port.
    pub port: i32,
}

/// A URL in Mesos' structured form (agent URLs in offers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Url {
    /// `http` or `https`.
    pub scheme: String,
    /// Host and port.
    pub address: Address,
    /// Path, e.g. `/slave(1)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Query parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<Parameter>,
    /// Fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fragment: Option<String>,
}

/// A named region or zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainName {
    /// Region or zone name.
    pub name: String,
}

/// The fault domain of an agent or master (region/zone constraints).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultDomain {
    /// The region.
    pub region: DomainName,
    /// The zone within the region.
    pub zone: DomainName,
}

/// Where a machine sits; empty when the cluster has no fault domains.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainInfo {
    /// The fault domain, if configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault_domain: Option<FaultDomain>,
}

/// One master capability (`{"type":"AGENT_UPDATE"}`); kept as a string since
/// dromos only displays it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MasterCapability {
    /// Capability name.
    #[serde(rename = "type")]
    pub kind: String,
}

/// The leading master, as announced in SUBSCRIBED and stored in ZooKeeper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MasterInfo {
    /// The master's UUID; framework/agent/offer ids are prefixed with it.
    pub id: String,
    /// IPv4 address as a network-order uint32 (legacy; prefer `address`).
    pub ip: u32,
    /// HTTP port.
    pub port: u32,
    /// libprocess pid, `master@ip:port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<String>,
    /// Host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Mesos version, e.g. `1.11.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Address to reach the master at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// The master's fault domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<DomainInfo>,
    /// Master capabilities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<MasterCapability>,
}

/// A maintenance window announced on an offer or inverse offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unavailability {
    /// When the machine goes away.
    pub start: TimeInfo,
    /// For how long; unset means indefinitely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<DurationInfo>,
}
