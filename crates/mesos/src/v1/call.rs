//! `Call`: what a scheduler sends to `POST /api/v1/scheduler`.
//!
//! In Rust a call is a framework id plus one `CallBody` variant, so a call can
//! never carry a type without its body or two bodies at once. On the wire it is the
//! proto "union": `{"framework_id":…,"type":"ACCEPT","accept":{…}}`. Decoding (for
//! the embedded master) rejects calls whose type has no body type here.

use serde::{Deserialize, Serialize};

use super::framework::FrameworkInfo;
use super::health::KillPolicy;
use super::ids::{AgentId, Bytes, ExecutorId, FrameworkId, OfferId, TaskId};
use super::offer::{Filters, Operation};
use super::proto_enum::proto_enum;
use super::resources::Resource;

/// A call to the master. `framework_id` is unset only on the first SUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "CallWire", try_from = "CallWire")]
pub struct Call {
    /// The calling framework.
    pub framework_id: Option<FrameworkId>,
    /// What is asked.
    pub body: CallBody,
}

impl Call {
    /// A call by a subscribed framework.
    pub fn new(framework_id: FrameworkId, body: CallBody) -> Self {
        Self { framework_id: Some(framework_id), body }
    }

    /// SUBSCRIBE; when `framework_info.id` is set (re-subscribe) it is also sent as
    /// the top-level `framework_id`, as Mesos expects.
    pub fn subscribe(framework_info: FrameworkInfo, suppressed_roles: Vec<String>) -> Self {
        Self {
            framework_id: framework_info.id.clone(),
            body: CallBody::Subscribe(Subscribe { framework_info, suppressed_roles }),
        }
    }

    /// The wire type of this call.
    pub fn call_type(&self) -> CallType {
        self.body.call_type()
    }
}

/// The body of a call; one variant per call type dromos uses.
#[derive(Debug, Clone, PartialEq)]
pub enum CallBody {
    /// Register or re-register; opens the event stream.
    Subscribe(Subscribe),
    /// Remove the framework and kill all its tasks.
    Teardown,
    /// Use offers.
    Accept(Accept),
    /// Return offers.
    Decline(Decline),
    /// Agree to maintenance.
    AcceptInverseOffers(InverseOfferIds),
    /// Refuse maintenance.
    DeclineInverseOffers(InverseOfferIds),
    /// Resume offers for roles and clear their filters.
    Revive(Revive),
    /// Kill a task.
    Kill(Kill),
    /// Shut an executor down.
    Shutdown(Shutdown),
    /// Acknowledge a reliably delivered status update.
    Acknowledge(Acknowledge),
    /// Ask for the latest state of tasks (none listed = all known tasks).
    Reconcile(Reconcile),
    /// Send data to an executor.
    Message(ExecutorMessage),
    /// Ask for resources (hint to the allocator).
    Request(Request),
    /// Stop offers for roles.
    Suppress(Suppress),
}

impl CallBody {
    /// The wire type of this body.
    pub fn call_type(&self) -> CallType {
        match self {
            Self::Subscribe(_) => CallType::Subscribe,
            Self::Teardown => CallType::Teardown,
            Self::Accept(_) => CallType::Accept,
            Self::Decline(_) => CallType::Decline,
            Self::AcceptInverseOffers(_) => CallType::AcceptInverseOffers,
            Self::DeclineInverseOffers(_) => CallType::DeclineInverseOffers,
            Self::Revive(_) => CallType::Revive,
            Self::Kill(_) => CallType::Kill,
            Self::Shutdown(_) => CallType::Shutdown,
            Self::Acknowledge(_) => CallType::Acknowledge,
            Self::Reconcile(_) => CallType::Reconcile,
            Self::Message(_) => CallType::Message,
            Self::Request(_) => CallType::Request,
            Self::Suppress(_) => CallType::Suppress,
        }
    }
}

proto_enum!(
    /// Every call type of the proto; those without a `CallBody` variant are
    /// recognised only so the embedded master can name them when refusing them.
    CallType {
        Unknown = "UNKNOWN",
        Subscribe = "SUBSCRIBE",
        Teardown = "TEARDOWN",
        Accept = "ACCEPT",
        Decline = "DECLINE",
        AcceptInverseOffers = "ACCEPT_INVERSE_OFFERS",
        DeclineInverseOffers = "DECLINE_INVERSE_OFFERS",
        Revive = "REVIVE",
        Kill = "KILL",
        Shutdown = "SHUTDOWN",
        Acknowledge = "ACKNOWLEDGE",
        AcknowledgeOperationStatus = "ACKNOWLEDGE_OPERATION_STATUS",
        Reconcile = "RECONCILE",
        ReconcileOperations = "RECONCILE_OPERATIONS",
        Message = "MESSAGE",
        Request = "REQUEST",
        Suppress = "SUPPRESS",
        UpdateFramework = "UPDATE_FRAMEWORK",
    }
);

/// SUBSCRIBE body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscribe {
    /// The framework; `id` set when re-subscribing.
    pub framework_info: FrameworkInfo,
    /// Roles to start out suppressed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed_roles: Vec<String>,
}

/// ACCEPT body. Each offer id may appear in only one ACCEPT or DECLINE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accept {
    /// Offers used (all from the same agent).
    #[serde(default)]
    pub offer_ids: Vec<OfferId>,
    /// Operations, applied in order.
    #[serde(default)]
    pub operations: Vec<Operation>,
    /// Filters for the unused remainder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Filters>,
}

/// DECLINE body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decline {
    /// Offers returned.
    #[serde(default)]
    pub offer_ids: Vec<OfferId>,
    /// How long not to re-offer them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Filters>,
}

/// ACCEPT_INVERSE_OFFERS / DECLINE_INVERSE_OFFERS body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InverseOfferIds {
    /// The inverse offers answered.
    #[serde(default)]
    pub inverse_offer_ids: Vec<OfferId>,
    /// Filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Filters>,
}

/// REVIVE body (the proto field is `roles`; the doc's `role` example is wrong).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revive {
    /// Roles to revive; empty means all subscribed roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

/// SUPPRESS body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppress {
    /// Roles to suppress; empty means all subscribed roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

/// KILL body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kill {
    /// The task.
    pub task_id: TaskId,
    /// Its agent, when known (lets the master route the kill).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    /// Overrides the task's kill policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kill_policy: Option<KillPolicy>,
}

/// SHUTDOWN body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shutdown {
    /// The executor.
    pub executor_id: ExecutorId,
    /// Its agent.
    pub agent_id: AgentId,
}

/// ACKNOWLEDGE body: echoes a status update's agent, task and uuid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledge {
    /// Agent of the update.
    pub agent_id: AgentId,
    /// Task of the update.
    pub task_id: TaskId,
    /// `TaskStatus.uuid` of the update.
    pub uuid: Bytes,
}

/// One task to reconcile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileTask {
    /// The task.
    pub task_id: TaskId,
    /// Its agent, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
}

/// RECONCILE body; answers arrive as UPDATE events with REASON_RECONCILIATION.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconcile {
    /// Tasks to ask about; empty = implicit reconciliation of all tasks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<ReconcileTask>,
}

/// Data between a framework and one of its executors (MESSAGE call and event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutorMessage {
    /// The executor's agent.
    pub agent_id: AgentId,
    /// The executor.
    pub executor_id: ExecutorId,
    /// The payload.
    pub data: Bytes,
}

/// One resource request (`mesos.v1.Request`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceRequest {
    /// Preferred agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    /// Wanted resources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
}

/// REQUEST body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The requests.
    #[serde(default)]
    pub requests: Vec<ResourceRequest>,
}

/// The proto "union" layout of a call, used only for (de)serialisation.
#[derive(Serialize, Deserialize)]
struct CallWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    framework_id: Option<FrameworkId>,
    #[serde(rename = "type")]
    kind: CallType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subscribe: Option<Subscribe>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    accept: Option<Accept>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decline: Option<Decline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    accept_inverse_offers: Option<InverseOfferIds>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decline_inverse_offers: Option<InverseOfferIds>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revive: Option<Revive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kill: Option<Kill>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shutdown: Option<Shutdown>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    acknowledge: Option<Acknowledge>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reconcile: Option<Reconcile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<ExecutorMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    request: Option<Request>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    suppress: Option<Suppress>,
}

impl CallWire {
    fn empty(framework_id: Option<FrameworkId>, kind: CallType) -> Self {
        Self {
            framework_id,
            kind,
            subscribe: None,
            accept: None,
            decline: None,
            accept_inverse_offers: None,
            decline_inverse_offers: None,
            revive: None,
            kill: None,
            shutdown: None,
            acknowledge: None,
            reconcile: None,
            message: None,
            request: None,
            suppress: None,
        }
    }
}

impl From<Call> for CallWire {
    fn from(call: Call) -> Self {
        let mut wire = CallWire::empty(call.framework_id, call.body.call_type());
        match call.body {
            CallBody::Subscribe(b) => wire.subscribe = Some(b),
            CallBody::Teardown => {}
            CallBody::Accept(b) => wire.accept = Some(b),
            CallBody::Decline(b) => wire.decline = Some(b),
            CallBody::AcceptInverseOffers(b) => wire.accept_inverse_offers = Some(b),
            CallBody::DeclineInverseOffers(b) => wire.decline_inverse_offers = Some(b),
            CallBody::Revive(b) => wire.revive = Some(b),
            CallBody::Kill(b) => wire.kill = Some(b),
            CallBody::Shutdown(b) => wire.shutdown = Some(b),
            CallBody::Acknowledge(b) => wire.acknowledge = Some(b),
            CallBody::Reconcile(b) => wire.reconcile = Some(b),
            CallBody::Message(b) => wire.message = Some(b),
            CallBody::Request(b) => wire.request = Some(b),
            CallBody::Suppress(b) => wire.suppress = Some(b),
        }
        wire
    }
}

/// Why a JSON call could not be turned into a `Call`.
#[derive(Debug, thiserror::Error)]
pub enum CallDecodeError {
    /// The type names a call this crate has no body for (or an unknown name).
    #[error("call type {0} is not supported")]
    Unsupported(CallType),
    /// The body field matching the type is absent.
    #[error("call of type {0} has no `{1}` body")]
    MissingBody(CallType, &'static str),
}

fn body<T>(kind: CallType, field: &'static str, value: Option<T>) -> Result<T, CallDecodeError> {
    value.ok_or(CallDecodeError::MissingBody(kind, field))
}

impl TryFrom<CallWire> for Call {
    type Error = CallDecodeError;

    fn try_from(w: CallWire) -> Result<Self, Self::Error> {
        let k = w.kind;
        let body = match k {
            CallType::Subscribe => CallBody::Subscribe(body(k, "subscribe", w.subscribe)?),
            CallType::Teardown => CallBody::Teardown,
            CallType::Accept => CallBody::Accept(body(k, "accept", w.accept)?),
            CallType::Decline => CallBody::Decline(body(k, "decline", w.decline)?),
            CallType::AcceptInverseOffers => {
                CallBody::AcceptInverseOffers(body(k, "accept_inverse_offers", w.accept_inverse_offers)?)
            }
            CallType::DeclineInverseOffers => {
                CallBody::DeclineInverseOffers(body(k, "decline_inverse_offers", w.decline_inverse_offers)?)
            }
            // Revive and Suppress bodies are optional: no body means all roles.
            CallType::Revive => CallBody::Revive(w.revive.unwrap_or_default()),
            CallType::Suppress => CallBody::Suppress(w.suppress.unwrap_or_default()),
            CallType::Kill => CallBody::Kill(body(k, "kill", w.kill)?),
            CallType::Shutdown => CallBody::Shutdown(body(k, "shutdown", w.shutdown)?),
            CallType::Acknowledge => CallBody::Acknowledge(body(k, "acknowledge", w.acknowledge)?),
            CallType::Reconcile => CallBody::Reconcile(w.reconcile.unwrap_or_default()),
            CallType::Message => CallBody::Message(body(k, "message", w.message)?),
            CallType::Request => CallBody::Request(w.request.unwrap_or_default()),
            other => return Err(CallDecodeError::Unsupported(other)),
        };
        Ok(Call { framework_id: w.framework_id, body })
    }
}
