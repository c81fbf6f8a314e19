//! Ports an app asks for: `portDefinitions` (host networking) and
//! `container.portMappings` (bridge / container networking).
//!
//! Port numbers are `i32` as in Marathon's wire format, so an out-of-range
//! number is reported by validation with its path rather than as a JSON type
//! error. `0` means "assign one": a dynamic host port, or a service port from
//! the service-port range (NOTES §3.7, done by the server, not here).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Transport protocol(s) of a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Protocol {
    /// TCP only (default).
    #[default]
    #[serde(rename = "tcp")]
    Tcp,
    /// UDP only.
    #[serde(rename = "udp")]
    Udp,
    /// Both; Marathon spells it `udp,tcp`.
    #[serde(rename = "udp,tcp")]
    UdpTcp,
}

/// A port reserved on the agent for host-networked tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortDefinition {
    /// With `requirePorts=false`: the service port (0 = assign). With
    /// `requirePorts=true`: the literal host port. 0..=65535.
    #[serde(default)]
    pub port: i32,
    /// Transport protocol.
    #[serde(default)]
    pub protocol: Protocol,
    /// Unique among the app's ports; DNS-label characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Free-form metadata (VIPs, load balancer hints).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

impl PortDefinition {
    /// Marathon's implicit port when `portDefinitions` is omitted in host mode.
    pub fn default_port() -> Self {
        PortDefinition {
            port: 0,
            protocol: Protocol::Tcp,
            name: Some("default".to_string()),
            labels: BTreeMap::new(),
        }
    }
}

/// Maps a container port to a host port (and a service port).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortMapping {
    /// Port inside the container; 0 = same as the assigned host port.
    #[serde(default)]
    pub container_port: i32,
    /// Host port: 0 = dynamic, absent = none (container networks only;
    /// bridge mode fills in 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port: Option<i32>,
    /// Well-known port for service discovery; 0 = assign.
    #[serde(default)]
    pub service_port: i32,
    /// Transport protocol.
    #[serde(default)]
    pub protocol: Protocol,
    /// Unique among the mappings; DNS-label characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Container networks this mapping applies to (empty = all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_names: Vec<String>,
}

impl PortMapping {
    /// Marathon's implicit mapping when `portMappings` is omitted in a
    /// non-host network (`raml/Apps.scala DefaultPortMappings`).
    pub fn default_mapping(bridge: bool) -> Self {
        PortMapping {
            container_port: 0,
            host_port: bridge.then_some(0),
            service_port: 0,
            protocol: Protocol::Tcp,
            name: Some("default".to_string()),
            labels: BTreeMap::new(),
            network_names: Vec::new(),
        }
    }
}
