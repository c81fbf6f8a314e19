//! How a task is contained: Docker or the Mesos containerizer, its image, volumes
//! and networks.

use serde::{Deserialize, Serialize};

use super::ids::{Labels, Parameter};
use super::proto_enum::proto_enum;

proto_enum!(
    /// Which containerizer runs the task.
    ContainerType {
        Docker = "DOCKER",
        Mesos = "MESOS",
    }
);

proto_enum!(
    /// Docker network mode.
    DockerNetwork {
        Host = "HOST",
        Bridge = "BRIDGE",
        None = "NONE",
        User = "USER",
    }
);

proto_enum!(
    /// IP protocol version.
    Protocol {
        IPv4 = "IPv4",
        IPv6 = "IPv6",
    }
);

proto_enum!(
    /// Volume access mode.
    VolumeMode {
        Rw = "RW",
        Ro = "RO",
    }
);

proto_enum!(
    /// Image format for the Mesos containerizer.
    ImageType {
        Appc = "APPC",
        Docker = "DOCKER",
    }
);

/// A host port forwarded into the container (bridge / user networks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortMapping {
    /// Port on the agent; must come from the offer's `ports`.
    pub host_port: u32,
    /// Port inside the container.
    pub container_port: u32,
    /// `tcp` or `udp` (`tcp` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// Settings for the Docker containerizer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DockerInfo {
    /// Image reference, e.g. `nginx:1.25`.
    pub image: String,
    /// Network mode (Mesos default: HOST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<DockerNetwork>,
    /// Port mappings for BRIDGE/USER networking.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub port_mappings: Vec<PortMapping>,
    /// Run privileged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    /// Extra `docker run` flags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    /// Pull even when the image is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_pull_image: Option<bool>,
}

/// A Docker image reference for the Mesos containerizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerImage {
    /// Image name.
    pub name: String,
}

/// A container image for the Mesos containerizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// Image format.
    #[serde(rename = "type")]
    pub kind: ImageType,
    /// Set for DOCKER images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker: Option<DockerImage>,
    /// Use a cached image if present (Mesos default: true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached: Option<bool>,
}

/// Settings for the Mesos containerizer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MesosInfo {
    /// Root filesystem image; none means the host filesystem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
}

/// A volume mounted into the container (host path form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    /// Access mode.
    pub mode: VolumeMode,
    /// Mount point inside the container (relative = inside the sandbox).
    pub container_path: String,
    /// Path on the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_path: Option<String>,
}

/// One IP address of a container network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpAddress {
    /// IPv4 or IPv6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// The address; reported in status updates for IP-per-task networks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
}

/// A container network: requested in ContainerInfo, reported in ContainerStatus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInfo {
    /// Requested or assigned addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_addresses: Vec<IpAddress>,
    /// CNI network name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Network groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Labels passed to the network plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
    /// Port mappings on this network.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub port_mappings: Vec<PortMapping>,
}

/// The container a task (or executor) runs in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerInfo {
    /// Containerizer.
    #[serde(rename = "type")]
    pub kind: ContainerType,
    /// Mounted volumes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
    /// Container host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Docker settings (type DOCKER).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker: Option<DockerInfo>,
    /// Mesos containerizer settings (type MESOS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesos: Option<MesosInfo>,
    /// Networks to join.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_infos: Vec<NetworkInfo>,
}

impl ContainerInfo {
    /// A Docker container for `image` with Mesos' defaults for everything else.
    pub fn docker(image: impl Into<String>) -> Self {
        Self {
            kind: ContainerType::Docker,
            volumes: Vec::new(),
            hostname: None,
            docker: Some(DockerInfo {
                image: image.into(),
                network: None,
                port_mappings: Vec::new(),
                privileged: None,
                parameters: Vec::new(),
                force_pull_image: None,
            }),
            mesos: None,
            network_infos: Vec::new(),
        }
    }
}
