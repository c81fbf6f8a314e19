//! `Event`: what the master streams to a subscribed scheduler, one per RecordIO
//! record.
//!
//! Decoding is tolerant: unknown fields are ignored and an event type this crate
//! does not know decodes to `Event::Unrecognized`, so a newer master never breaks
//! the stream. Encoding (used by the embedded master) writes the proto "union"
//! layout `{"type":"OFFERS","offers":{"offers":[…]}}`.

use serde::{Deserialize, Serialize};

use super::call::ExecutorMessage;
use super::framework::MasterInfo;
use super::ids::{AgentId, ExecutorId, FrameworkId, OfferId};
use super::offer::{InverseOffer, Offer};
use super::proto_enum::proto_enum;
use super::status::{OperationStatus, TaskStatus};

/// One event from the master.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "EventWire", try_from = "EventWire")]
pub enum Event {
    /// First event of a subscription.
    Subscribed(Subscribed),
    /// New offers.
    Offers(Vec<Offer>),
    /// Maintenance requests.
    InverseOffers(Vec<InverseOffer>),
    /// An offer is no longer valid; any ACCEPT of it will fail.
    Rescind {
        /// The rescinded offer.
        offer_id: OfferId,
    },
    /// An inverse offer is withdrawn.
    RescindInverseOffer {
        /// The withdrawn inverse offer.
        inverse_offer_id: OfferId,
    },
    /// A task status update.
    Update(TaskStatus),
    /// An operation status update.
    UpdateOperationStatus(OperationStatus),
    /// Data from an executor.
    Message(ExecutorMessage),
    /// An agent or executor failed.
    Failure(Failure),
    /// The master refused the framework or a call; the stream closes after it.
    Error {
        /// The master's explanation (e.g. "Framework failed over").
        message: String,
    },
    /// Keep-alive, every `heartbeat_interval_seconds`.
    Heartbeat,
    /// An event type this crate does not know; safe to ignore.
    Unrecognized,
}

impl Event {
    /// The wire type of this event.
    pub fn event_type(&self) -> EventType {
        match self {
            Self::Subscribed(_) => EventType::Subscribed,
            Self::Offers(_) => EventType::Offers,
            Self::InverseOffers(_) => EventType::InverseOffers,
            Self::Rescind { .. } => EventType::Rescind,
            Self::RescindInverseOffer { .. } => EventType::RescindInverseOffer,
            Self::Update(_) => EventType::Update,
            Self::UpdateOperationStatus(_) => EventType::UpdateOperationStatus,
            Self::Message(_) => EventType::Message,
            Self::Failure(_) => EventType::Failure,
            Self::Error { .. } => EventType::Error,
            Self::Heartbeat => EventType::Heartbeat,
            Self::Unrecognized => EventType::Unrecognized,
        }
    }
}

proto_enum!(
    /// Every event type of the proto.
    EventType {
        Unknown = "UNKNOWN",
        Subscribed = "SUBSCRIBED",
        Offers = "OFFERS",
        InverseOffers = "INVERSE_OFFERS",
        Rescind = "RESCIND",
        RescindInverseOffer = "RESCIND_INVERSE_OFFER",
        Update = "UPDATE",
        UpdateOperationStatus = "UPDATE_OPERATION_STATUS",
        Message = "MESSAGE",
        Failure = "FAILURE",
        Error = "ERROR",
        Heartbeat = "HEARTBEAT",
    }
);

/// SUBSCRIBED body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscribed {
    /// The framework's id; store it before acting on anything else.
    pub framework_id: FrameworkId,
    /// Seconds between heartbeats (15 on real Mesos).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_interval_seconds: Option<f64>,
    /// The leading master.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_info: Option<MasterInfo>,
}

/// FAILURE body: an executor exited (both ids set) or an agent was removed
/// (only `agent_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    /// The executor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor_id: Option<ExecutorId>,
    /// Raw POSIX wait status of the executor (apply WEXITSTATUS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i32>,
}

#[derive(Serialize, Deserialize)]
struct OffersBody {
    #[serde(default)]
    offers: Vec<Offer>,
}

#[derive(Serialize, Deserialize)]
struct InverseOffersBody {
    #[serde(default)]
    inverse_offers: Vec<InverseOffer>,
}

#[derive(Serialize, Deserialize)]
struct RescindBody {
    offer_id: OfferId,
}

#[derive(Serialize, Deserialize)]
struct RescindInverseOfferBody {
    inverse_offer_id: OfferId,
}

#[derive(Serialize, Deserialize)]
struct StatusBody<T> {
    status: T,
}

#[derive(Serialize, Deserialize)]
struct ErrorBody {
    message: String,
}

/// The proto "union" layout of an event, used only for (de)serialisation.
#[derive(Serialize, Deserialize)]
struct EventWire {
    #[serde(rename = "type")]
    kind: EventType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subscribed: Option<Subscribed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offers: Option<OffersBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inverse_offers: Option<InverseOffersBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rescind: Option<RescindBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rescind_inverse_offer: Option<RescindInverseOfferBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    update: Option<StatusBody<TaskStatus>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    update_operation_status: Option<StatusBody<OperationStatus>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<ExecutorMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failure: Option<Failure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<ErrorBody>,
}

impl EventWire {
    fn empty(kind: EventType) -> Self {
        Self {
            kind,
            subscribed: None,
            offers: None,
            inverse_offers: None,
            rescind: None,
            rescind_inverse_offer: None,
            update: None,
            update_operation_status: None,
            message: None,
            failure: None,
            error: None,
        }
    }
}

impl From<Event> for EventWire {
    fn from(event: Event) -> Self {
        let mut w = EventWire::empty(event.event_type());
        match event {
            Event::Subscribed(b) => w.subscribed = Some(b),
            Event::Offers(offers) => w.offers = Some(OffersBody { offers }),
            Event::InverseOffers(inverse_offers) => {
                w.inverse_offers = Some(InverseOffersBody { inverse_offers })
            }
            Event::Rescind { offer_id } => w.rescind = Some(RescindBody { offer_id }),
            Event::RescindInverseOffer { inverse_offer_id } => {
                w.rescind_inverse_offer = Some(RescindInverseOfferBody { inverse_offer_id })
            }
            Event::Update(status) => w.update = Some(StatusBody { status }),
            Event::UpdateOperationStatus(status) => w.update_operation_status = Some(StatusBody { status }),
            Event::Message(b) => w.message = Some(b),
            Event::Failure(b) => w.failure = Some(b),
            Event::Error { message } => w.error = Some(ErrorBody { message }),
            Event::Heartbeat | Event::Unrecognized => {}
        }
        w
    }
}

/// Why a JSON event could not be turned into an `Event`.
#[derive(Debug, thiserror::Error)]
#[error("event of type {0} has no `{1}` body")]
pub struct EventDecodeError(EventType, &'static str);

fn body<T>(kind: EventType, field: &'static str, value: Option<T>) -> Result<T, EventDecodeError> {
    value.ok_or(EventDecodeError(kind, field))
}

impl TryFrom<EventWire> for Event {
    type Error = EventDecodeError;

    fn try_from(w: EventWire) -> Result<Self, EventDecodeError> {
        let k = w.kind;
        Ok(match k {
            EventType::Subscribed => Event::Subscribed(body(k, "subscribed", w.subscribed)?),
            // Empty repeated fields may be left out entirely by the encoder.
            EventType::Offers => Event::Offers(w.offers.map(|b| b.offers).unwrap_or_default()),
            EventType::InverseOffers => {
                Event::InverseOffers(w.inverse_offers.map(|b| b.inverse_offers).unwrap_or_default())
            }
            EventType::Rescind => Event::Rescind { offer_id: body(k, "rescind", w.rescind)?.offer_id },
            EventType::RescindInverseOffer => Event::RescindInverseOffer {
                inverse_offer_id: body(k, "rescind_inverse_offer", w.rescind_inverse_offer)?.inverse_offer_id,
            },
            EventType::Update => Event::Update(body(k, "update", w.update)?.status),
            EventType::UpdateOperationStatus => Event::UpdateOperationStatus(
                body(k, "update_operation_status", w.update_operation_status)?.status,
            ),
            EventType::Message => Event::Message(body(k, "message", w.message)?),
            EventType::Failure => Event::Failure(w.failure.unwrap_or(Failure {
                agent_id: None,
                executor_id: None,
                status: None,
            })),
            EventType::Error => Event::Error { message: body(k, "error", w.error)?.message },
            EventType::Heartbeat => Event::Heartbeat,
            EventType::Unknown | EventType::Unrecognized => Event::Unrecognized,
        })
    }
}
