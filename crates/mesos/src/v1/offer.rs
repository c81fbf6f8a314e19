//! Offers (resources on one agent, offered to this framework), inverse offers
//! (maintenance requests), and the operations an ACCEPT applies to offers.

use serde::{Deserialize, Serialize};

use super::framework::{DomainInfo, Unavailability, Url};
use super::ids::{AgentId, ExecutorId, FrameworkId, OfferId, OperationId};
use super::proto_enum::proto_enum;
use super::resources::{AllocationInfo, Attribute, Resource};
use super::task::{ExecutorInfo, TaskGroupInfo, TaskInfo};

/// Resources on one agent, valid until used, declined or rescinded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    /// The offer.
    pub id: OfferId,
    /// The framework it is offered to.
    pub framework_id: FrameworkId,
    /// The agent the resources are on.
    pub agent_id: AgentId,
    /// The agent's host name (hostname constraints).
    pub hostname: String,
    /// The agent's HTTP endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Url>,
    /// The agent's fault domain (region/zone constraints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<DomainInfo>,
    /// What is offered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
    /// The agent's attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
    /// This framework's executors already running on the agent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub executor_ids: Vec<ExecutorId>,
    /// Scheduled maintenance of the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailability: Option<Unavailability>,
    /// The role the offer is allocated to (MULTI_ROLE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation_info: Option<AllocationInfo>,
}

/// A request to give resources back for maintenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InverseOffer {
    /// The inverse offer (an OfferID in the proto).
    pub id: OfferId,
    /// The agent's endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Url>,
    /// The framework asked.
    pub framework_id: FrameworkId,
    /// The agent going down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    /// When and for how long.
    pub unavailability: Unavailability,
    /// The resources wanted back; empty means the whole agent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
}

/// Offer filters: how long the master should not re-offer declined resources.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    /// Seconds (Mesos default 5, at most one year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refuse_seconds: Option<f64>,
}

impl Filters {
    /// Refuse the declined resources for `seconds`.
    pub fn refuse_seconds(seconds: f64) -> Self {
        Self { refuse_seconds: Some(seconds) }
    }
}

proto_enum!(
    /// The operations dromos applies to offers.
    OperationType {
        Unknown = "UNKNOWN",
        Launch = "LAUNCH",
        LaunchGroup = "LAUNCH_GROUP",
    }
);

/// LAUNCH: start independent tasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Launch {
    /// The tasks.
    #[serde(default)]
    pub task_infos: Vec<TaskInfo>,
}

/// LAUNCH_GROUP: start a task group under one executor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaunchGroup {
    /// The executor (DEFAULT for pods).
    pub executor: ExecutorInfo,
    /// The tasks.
    pub task_group: TaskGroupInfo,
}

/// One step of an ACCEPT; steps apply in order, and unused offered resources are
/// declined with the call's filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Which body is set.
    #[serde(rename = "type")]
    pub kind: OperationType,
    /// Set only to get UPDATE_OPERATION_STATUS events for non-launch operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<OperationId>,
    /// Body of LAUNCH.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch: Option<Launch>,
    /// Body of LAUNCH_GROUP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_group: Option<LaunchGroup>,
}

impl Operation {
    /// LAUNCH of the given tasks.
    pub fn launch(task_infos: Vec<TaskInfo>) -> Self {
        Self {
            kind: OperationType::Launch,
            id: None,
            launch: Some(Launch { task_infos }),
            launch_group: None,
        }
    }

    /// LAUNCH_GROUP of a task group under `executor`.
    pub fn launch_group(executor: ExecutorInfo, task_group: TaskGroupInfo) -> Self {
        Self {
            kind: OperationType::LaunchGroup,
            id: None,
            launch: None,
            launch_group: Some(LaunchGroup { executor, task_group }),
        }
    }
}
