//! `networks`: how a task is attached — the agent's namespace (`host`),
//! Docker's bridge (`container/bridge`) or a named container network
//! (`container`). Default is `[{"mode": "host"}]`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Network attachment mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum NetworkMode {
    /// A named container network (the wire default when `mode` is omitted).
    #[default]
    #[serde(rename = "container")]
    Container,
    /// The bridge network (`docker run --net bridge`).
    #[serde(rename = "container/bridge")]
    ContainerBridge,
    /// The agent's network namespace.
    #[serde(rename = "host")]
    Host,
}

/// One network the task joins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Network {
    /// Attachment mode.
    #[serde(default)]
    pub mode: NetworkMode,
    /// Network name; required for `container`, forbidden otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Labels for the network attachment (not for host mode).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

impl Network {
    /// `{"mode": "host"}`.
    pub fn host() -> Self {
        Network::with_mode(NetworkMode::Host)
    }

    /// A network with the given mode and no name or labels.
    pub fn with_mode(mode: NetworkMode) -> Self {
        Network { mode, name: None, labels: BTreeMap::new() }
    }
}
