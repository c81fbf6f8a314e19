//! Service discovery metadata attached to a task; Mesos stores it without
//! interpreting it, for DNS and load balancers to read.

use serde::{Deserialize, Serialize};

use super::ids::Labels;
use super::proto_enum::proto_enum;

proto_enum!(
    /// Who may discover the task.
    Visibility {
        Framework = "FRAMEWORK",
        Cluster = "CLUSTER",
        External = "EXTERNAL",
    }
);

/// A named port of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Port {
    /// Port number (the host port for bridge networking).
    pub number: u32,
    /// Port name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `tcp` or `udp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Per-port visibility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    /// Port labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
}

/// The ports wrapper message (`{"ports":[…]}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ports {
    /// The ports.
    #[serde(default)]
    pub ports: Vec<Port>,
}

/// Discovery information of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscoveryInfo {
    /// Who may discover it.
    pub visibility: Visibility,
    /// Service name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Environment (e.g. `prod`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Location (e.g. a data centre).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Named ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<Ports>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
}
