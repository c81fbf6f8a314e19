//! `container`: the image an app runs in, its port mappings and volumes.
//!
//! dromos runs `DOCKER` containers through the Docker Engine and plain
//! commands (no container, or `MESOS` without an image) as sandboxed
//! processes. Legacy input fields (`docker.network`, `docker.portMappings`)
//! are accepted and moved to `networks` / `container.portMappings` while
//! parsing, so a parsed definition never carries them. Persistent and
//! external volumes are parsed only to be rejected by validation with a
//! "not supported by dromos" message.

use serde::{Deserialize, Serialize};

use crate::ports::PortMapping;

/// Which containerizer runs the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ContainerType {
    /// Docker Engine (Marathon's default).
    #[default]
    Docker,
    /// Mesos' own containerizer; dromos only supports it without an image.
    Mesos,
}

/// The `container` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Container {
    /// Containerizer.
    #[serde(default, rename = "type")]
    pub kind: ContainerType,
    /// Image settings; required for `DOCKER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker: Option<DockerContainer>,
    /// Port mappings for bridge / container networking; must be empty in
    /// host networking. `None` only in raw input ("use the default
    /// mapping"); a parsed definition always has `Some`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_mappings: Option<Vec<PortMapping>>,
    /// Volumes mounted into the container.
    #[serde(default)]
    pub volumes: Vec<Volume>,
    /// Linux-specific settings (seccomp, IPC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linux_info: Option<LinuxInfo>,
}

/// The `container.docker` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DockerContainer {
    /// Image reference, non-empty (`python:3.5-alpine`).
    pub image: String,
    /// Pull even if the image is present locally.
    #[serde(default)]
    pub force_pull_image: bool,
    /// `docker run --privileged`.
    #[serde(default)]
    pub privileged: bool,
    /// `docker run --<key>=<value>` passthrough.
    #[serde(default)]
    pub parameters: Vec<DockerParameter>,
    /// Registry credentials as a secret (Mesos containerizer only in
    /// Marathon; rejected by dromos).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_config: Option<PullConfig>,
    /// Deprecated credentials (rejected by dromos).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<DockerCredential>,
    /// Legacy input only: moved to `networks` while parsing; always `None`
    /// in a parsed definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<DockerNetwork>,
    /// Legacy input only: moved to `container.portMappings` while parsing;
    /// always `None` in a parsed definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_mappings: Option<Vec<PortMapping>>,
}

impl DockerContainer {
    /// A docker section with just an image and Marathon's defaults.
    pub fn with_image(image: impl Into<String>) -> Self {
        DockerContainer {
            image: image.into(),
            force_pull_image: false,
            privileged: false,
            parameters: Vec::new(),
            pull_config: None,
            credential: None,
            network: None,
            port_mappings: None,
        }
    }
}

/// One `docker run` option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerParameter {
    /// Option name without dashes (`label`, `memory-swap`); non-empty.
    pub key: String,
    /// Option value.
    pub value: String,
}

/// `docker.pullConfig`: a secret holding `~/.docker/config.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullConfig {
    /// Name of a declared secret.
    pub secret: String,
}

/// Deprecated `docker.credential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerCredential {
    /// Principal name.
    pub principal: String,
    /// Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// Legacy `docker.network`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DockerNetwork {
    /// Becomes `networks: [{"mode": "container/bridge"}]`.
    Bridge,
    /// Becomes `networks: [{"mode": "host"}]`.
    Host,
    /// No network: not supported by dromos.
    None,
    /// IP-per-task via `ipAddress`: not supported by dromos.
    User,
}

/// Access mode of a volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VolumeMode {
    /// Read-only.
    #[serde(rename = "RO")]
    ReadOnly,
    /// Read-write.
    #[serde(rename = "RW")]
    ReadWrite,
}

/// One entry of `container.volumes`. Marathon's wire format is a union told
/// apart by which key is present; validation requires exactly one of
/// `hostPath` / `secret` and rejects `persistent` / `external`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Volume {
    /// Mount point in the container, non-empty.
    pub container_path: String,
    /// Host volume: path on the agent to bind-mount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_path: Option<String>,
    /// Secret volume: name of a declared secret written to the path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// RO/RW; required for host volumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<VolumeMode>,
    /// Local persistent volume: not supported by dromos (kept opaque).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent: Option<serde_json::Value>,
    /// External (DVDI/CSI) volume: not supported by dromos (kept opaque).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<serde_json::Value>,
}

impl Volume {
    /// A host bind mount.
    pub fn host(container_path: &str, host_path: &str, mode: VolumeMode) -> Self {
        Volume {
            container_path: container_path.to_string(),
            host_path: Some(host_path.to_string()),
            secret: None,
            mode: Some(mode),
            persistent: None,
            external: None,
        }
    }
}

/// `container.linuxInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinuxInfo {
    /// Seccomp profile selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seccomp: Option<Seccomp>,
    /// IPC namespace settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipc_info: Option<IpcInfo>,
}

/// Seccomp settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seccomp {
    /// Named profile on the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_name: Option<String>,
    /// Run without seccomp filtering.
    #[serde(default)]
    pub unconfined: bool,
}

/// IPC namespace settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IpcInfo {
    /// Private or shared with the parent.
    pub mode: IpcMode,
    /// `/dev/shm` size in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shm_size: Option<i32>,
}

/// IPC namespace mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IpcMode {
    /// Own IPC namespace.
    Private,
    /// The executor's IPC namespace.
    ShareParent,
}
