//! What to run: `TaskInfo`, its command, and the executor/task group used by
//! LAUNCH_GROUP.
//!
//! A `TaskInfo` has exactly one of `command` (run by Mesos' command or Docker
//! executor) or `executor`; dromos builds command tasks, and executors only for
//! task groups.

use serde::{Deserialize, Serialize};

use super::container::ContainerInfo;
use super::discovery::DiscoveryInfo;
use super::health::{HealthCheck, KillPolicy};
use super::ids::{AgentId, Bytes, DurationInfo, ExecutorId, FrameworkId, Labels, TaskId};
use super::proto_enum::proto_enum;
use super::resources::Resource;

/// A file the fetcher downloads into the sandbox before the task starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandUri {
    /// Source URI.
    pub value: String,
    /// Mark the file executable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executable: Option<bool>,
    /// Extract archives (Mesos default: true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extract: Option<bool>,
    /// Use the agent's fetcher cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<bool>,
    /// File name inside the sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_file: Option<String>,
}

/// One environment variable; dromos sends only plain values (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    /// Variable name.
    pub name: String,
    /// Variable value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// The environment wrapper message (`{"variables":[…]}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// The variables, in order.
    #[serde(default)]
    pub variables: Vec<Variable>,
}

impl Environment {
    /// Builds an environment from name/value pairs.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            variables: pairs
                .into_iter()
                .map(|(name, value)| Variable { name: name.into(), value: Some(value.into()) })
                .collect(),
        }
    }
}

/// The command to run. With `shell` unset or true, `value` runs under
/// `/bin/sh -c`; with `shell: false`, `value` is the executable and `arguments`
/// its argv (for Docker: leave `value` unset to keep the image's entrypoint/CMD).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandInfo {
    /// Files to fetch into the sandbox.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uris: Vec<CommandUri>,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// Run through the shell (Mesos default: true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell: Option<bool>,
    /// Shell command line, or the executable when `shell` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// argv when `shell` is false.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<String>,
    /// Unix user, overriding the framework's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

impl CommandInfo {
    /// A shell command line.
    pub fn shell(command: impl Into<String>) -> Self {
        Self { value: Some(command.into()), ..Self::default() }
    }
}

/// One task to launch on the agent an offer came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskInfo {
    /// Display name.
    pub name: String,
    /// Framework-chosen id, unique among live tasks.
    pub task_id: TaskId,
    /// The offer's agent.
    pub agent_id: AgentId,
    /// Resources taken from the offer (keep role/allocation_info as offered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
    /// Custom executor (task groups set it on the group instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor: Option<ExecutorInfo>,
    /// Command to run with the built-in executor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandInfo>,
    /// Container settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerInfo>,
    /// Health check run by Mesos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    /// Kill grace period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kill_policy: Option<KillPolicy>,
    /// Opaque data for the executor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Bytes>,
    /// Labels (Marathon puts app labels here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
    /// Discovery metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery: Option<DiscoveryInfo>,
    /// Kill the task when it runs longer than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_completion_time: Option<DurationInfo>,
}

impl TaskInfo {
    /// A command task with no resources, container or checks yet.
    pub fn command(
        name: impl Into<String>,
        task_id: TaskId,
        agent_id: AgentId,
        command: CommandInfo,
    ) -> Self {
        Self {
            name: name.into(),
            task_id,
            agent_id,
            resources: Vec::new(),
            executor: None,
            command: Some(command),
            container: None,
            health_check: None,
            kill_policy: None,
            data: None,
            labels: None,
            discovery: None,
            max_completion_time: None,
        }
    }
}

proto_enum!(
    /// DEFAULT is Mesos' built-in executor for task groups.
    ExecutorType {
        Unknown = "UNKNOWN",
        Default = "DEFAULT",
        Custom = "CUSTOM",
    }
);

/// An executor; dromos uses the DEFAULT executor for task groups (pods).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutorInfo {
    /// DEFAULT or CUSTOM.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ExecutorType>,
    /// Framework-chosen executor id.
    pub executor_id: ExecutorId,
    /// The owning framework.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework_id: Option<FrameworkId>,
    /// The executor command (CUSTOM only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandInfo>,
    /// Container of the executor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerInfo>,
    /// Resources for the executor itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Time the executor gets to shut down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shutdown_grace_period: Option<DurationInfo>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
}

/// Tasks launched together under one executor (all fail or are killed together).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskGroupInfo {
    /// The tasks.
    #[serde(default)]
    pub tasks: Vec<TaskInfo>,
}
