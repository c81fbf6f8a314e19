//! Serde types for the JSON form of the Mesos v1 scheduler API.
//!
//! The JSON follows Mesos' own protobuf↔JSON mapping (stout `protobuf.hpp`), not
//! proto3 JSON: keys are the proto field names in snake_case, enums are value
//! names, `bytes` are standard base64, 64-bit integers are plain numbers, and ids
//! are `{"value":"…"}` messages.
//!
//! Two directions, two rules:
//! * Incoming messages (events, and calls for the embedded master) ignore unknown
//!   fields and decode unknown enum names to `Unrecognized`.
//! * Outgoing messages only contain fields of the proto; unset optional fields and
//!   empty repeated fields are left out, so Mesos applies its own defaults. The
//!   conformance test (`tests/conformance.rs`) checks this against the `.proto` files.
//!
//! Key types: [`Call`] / [`CallBody`] (sent), [`Event`] (received), [`Offer`],
//! [`TaskInfo`], [`TaskStatus`], [`FrameworkInfo`].

mod call;
mod container;
mod discovery;
mod event;
mod framework;
mod health;
mod ids;
mod offer;
mod proto_enum;
mod resources;
mod status;
mod task;

#[cfg(test)]
mod tests;

pub use call::{
    Accept, Acknowledge, Call, CallBody, CallDecodeError, CallType, Decline, ExecutorMessage,
    InverseOfferIds, Kill, Reconcile, ReconcileTask, Request, ResourceRequest, Revive, Shutdown, Subscribe,
    Suppress,
};
pub use container::{
    ContainerInfo, ContainerType, DockerImage, DockerInfo, DockerNetwork, Image, ImageType, IpAddress,
    MesosInfo, NetworkInfo, PortMapping, Protocol, Volume, VolumeMode,
};
pub use discovery::{DiscoveryInfo, Port, Ports, Visibility};
pub use event::{Event, EventDecodeError, EventType, Failure, Subscribed};
pub use framework::{
    Address, DomainInfo, DomainName, FaultDomain, FrameworkCapability, FrameworkCapabilityType,
    FrameworkInfo, MasterCapability, MasterInfo, Unavailability, Url,
};
pub use health::{HealthCheck, HealthCheckType, HttpCheck, KillPolicy, TcpCheck};
pub use ids::{
    AgentId, Bytes, ContainerId, DurationInfo, ExecutorId, FrameworkId, Label, Labels, OfferId, OperationId,
    Parameter, ResourceProviderId, TaskId, TimeInfo,
};
pub use offer::{Filters, InverseOffer, Launch, LaunchGroup, Offer, Operation, OperationType};
pub use resources::{
    AllocationInfo, Attribute, Range, Ranges, ReservationInfo, ReservationType, Resource, Scalar, Set, Text,
    ValueType,
};
pub use status::{
    ContainerStatus, OperationState, OperationStatus, TaskState, TaskStatus, TaskStatusReason,
    TaskStatusSource, Uuid,
};
pub use task::{
    CommandInfo, CommandUri, Environment, ExecutorInfo, ExecutorType, TaskGroupInfo, TaskInfo, Variable,
};
