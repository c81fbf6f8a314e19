//! `Framework`: a registered scheduler, its open event stream (if any), its
//! suppressed roles and its refusal filters.
//!
//! Invariant: at most one `Connection` per framework; a re-subscribe replaces it
//! (the old stream gets ERROR "Framework failed over" and is closed).

use std::collections::BTreeSet;
use std::time::Instant;

use dromos_mesos::v1::{AgentId, Event, FrameworkCapabilityType, FrameworkId, FrameworkInfo};
use tokio::sync::mpsc;

use crate::resources::Resources;

/// Events buffered per subscriber before it counts as too slow and is
/// disconnected (it can re-subscribe and reconcile).
pub(crate) const EVENT_BUFFER: usize = 16 * 1024;

/// An open subscription stream.
#[derive(Debug)]
pub(crate) struct Connection {
    /// `Mesos-Stream-Id`; calls must carry it.
    pub stream_id: String,
    /// Feeds the HTTP response body.
    pub events: mpsc::Sender<Event>,
}

/// "Do not offer these resources on this agent again before `expires`."
#[derive(Debug, Clone)]
pub(crate) struct RefusalFilter {
    pub agent_id: AgentId,
    pub resources: Resources,
    pub expires: Instant,
}

/// A registered framework.
#[derive(Debug)]
pub(crate) struct Framework {
    pub id: FrameworkId,
    /// As last subscribed (with `id` filled in).
    pub info: FrameworkInfo,
    /// The open stream; None while disconnected.
    pub connection: Option<Connection>,
    pub registered_time: f64,
    pub reregistered_time: Option<f64>,
    pub unregistered_time: Option<f64>,
    /// When the stream was lost; the framework is removed `failover_timeout` later.
    pub disconnected_at: Option<Instant>,
    /// Roles that get no offers until REVIVE.
    pub suppressed: BTreeSet<String>,
    pub filters: Vec<RefusalFilter>,
}

impl Framework {
    /// A newly registered framework.
    pub(crate) fn new(id: FrameworkId, info: FrameworkInfo, now: f64) -> Self {
        Self {
            id,
            info,
            connection: None,
            registered_time: now,
            reregistered_time: None,
            unregistered_time: None,
            disconnected_at: None,
            suppressed: BTreeSet::new(),
            filters: Vec::new(),
        }
    }

    /// The roles it subscribed with (`*` unless MULTI_ROLE roles were given).
    pub(crate) fn roles(&self) -> Vec<String> {
        if self.is_multi_role() && !self.info.roles.is_empty() {
            self.info.roles.clone()
        } else {
            vec!["*".to_owned()]
        }
    }

    /// The role offers are made to: the first role not suppressed.
    pub(crate) fn offer_role(&self) -> Option<String> {
        self.roles().into_iter().find(|r| !self.suppressed.contains(r))
    }

    pub(crate) fn is_multi_role(&self) -> bool {
        self.info.has_capability(FrameworkCapabilityType::MultiRole)
    }

    pub(crate) fn is_partition_aware(&self) -> bool {
        self.info.has_capability(FrameworkCapabilityType::PartitionAware)
    }

    pub(crate) fn wants_killing_state(&self) -> bool {
        self.info.has_capability(FrameworkCapabilityType::TaskKillingState)
    }

    pub(crate) fn is_connected(&self) -> bool {
        self.connection.is_some()
    }

    /// Queues an event; false when the stream is gone or hopelessly behind
    /// (the caller then disconnects the framework). No connection is not an error.
    pub(crate) fn send(&mut self, event: Event) -> bool {
        match &self.connection {
            Some(connection) => connection.events.try_send(event).is_ok(),
            None => true,
        }
    }

    /// True when an unexpired filter covers `resources` on `agent`.
    pub(crate) fn refuses(&self, agent: &AgentId, resources: &Resources, now: Instant) -> bool {
        self.filters
            .iter()
            .any(|f| f.expires > now && &f.agent_id == agent && f.resources.contains(resources))
    }

    /// Drops expired filters.
    pub(crate) fn expire_filters(&mut self, now: Instant) {
        self.filters.retain(|f| f.expires > now);
    }
}
