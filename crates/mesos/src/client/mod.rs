//! Async Mesos scheduler client over the v1 HTTP API.
//!
//! [`start`] spawns the client loop and returns a [`Client`]: a [`Scheduler`]
//! handle for calls (accept, decline, kill, acknowledge, …) and a channel of
//! [`ClientEvent`]s carrying every decoded [`Event`] plus connection changes.
//!
//! The loop (see `subscription`) subscribes with `Accept: application/json`,
//! keeps the connection open and decodes the RecordIO stream; it follows 307
//! redirects to the leading master, retries 5xx (503 while a master recovers) and
//! broken streams with capped exponential backoff, re-subscribes with the framework
//! id it was given, and treats a silent stream (no bytes for `heartbeat_misses`
//! heartbeat intervals) as broken. It stops when the cancellation token fires, when
//! the event receiver is dropped, or on a fatal error: a 4xx answer to SUBSCRIBE
//! (returned with the master's body) or an ERROR event, after which a framework must
//! not silently re-subscribe (another instance took over, or it was refused).

mod backoff;
mod endpoint;
mod error;
mod scheduler;
mod subscription;

use std::sync::Arc;
use std::time::Duration;

pub use endpoint::{resolve_redirect, scheduler_endpoint, MasterResolver, ResolveFuture};
pub use error::ClientError;
pub use reqwest::Url;
pub use scheduler::{Scheduler, Session, STREAM_ID_HEADER};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::recordio::DEFAULT_MAX_RECORD_BYTES;
use crate::v1::{Event, FrameworkId, FrameworkInfo};

/// What the client loop tells its owner, in stream order.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    /// SUBSCRIBED arrived; calls can be made. Persist `framework_id` before anything
    /// else: it is what lets a restarted dromos reclaim its tasks.
    Connected {
        /// The framework's id.
        framework_id: FrameworkId,
        /// The leader's scheduler endpoint.
        endpoint: Url,
    },
    /// The subscription ended; calls fail until the next `Connected`. Offers
    /// received so far are void.
    Disconnected {
        /// Why, for logs and the console.
        reason: String,
    },
    /// An event from the master (including SUBSCRIBED and HEARTBEAT).
    Event(Event),
}

/// Settings of the client. `new` fills in the values Mesos documents.
#[derive(Clone)]
pub struct ClientConfig {
    /// Finds a master before each connection attempt.
    pub master: Arc<dyn MasterResolver>,
    /// Sent on SUBSCRIBE; set `id` to reclaim an existing framework. After the
    /// first SUBSCRIBED the loop keeps the assigned id for re-subscribing.
    pub framework_info: FrameworkInfo,
    /// Roles to subscribe suppressed.
    pub suppressed_roles: Vec<String>,
    /// Missed heartbeats before the stream counts as dead (Mesos suggests 5).
    pub heartbeat_misses: u32,
    /// Timeout of calls, and the wait for SUBSCRIBED after connecting (75 s).
    pub request_timeout: Duration,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// First reconnection delay.
    pub backoff_initial: Duration,
    /// Largest reconnection delay (Mesos suggests about 15 s).
    pub backoff_max: Duration,
    /// Redirects followed in one connection attempt.
    pub max_redirects: u32,
    /// Largest RecordIO record accepted.
    pub max_record_bytes: usize,
    /// Capacity of the event channel.
    pub event_buffer: usize,
}

impl ClientConfig {
    /// Defaults for talking to `master` as `framework_info`.
    pub fn new(master: impl MasterResolver, framework_info: FrameworkInfo) -> Self {
        Self {
            master: Arc::new(master),
            framework_info,
            suppressed_roles: Vec::new(),
            heartbeat_misses: 5,
            request_timeout: Duration::from_secs(75),
            connect_timeout: Duration::from_secs(10),
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(15),
            max_redirects: 5,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            event_buffer: 1024,
        }
    }

    /// How long the stream may stay silent given the master's heartbeat interval.
    /// A non-positive or absurd interval falls back to the request timeout.
    pub(crate) fn silence_limit(&self, heartbeat_seconds: f64) -> Duration {
        Duration::try_from_secs_f64(heartbeat_seconds)
            .ok()
            .filter(|d| !d.is_zero())
            .map_or(self.request_timeout, |d| d.saturating_mul(self.heartbeat_misses.max(1)))
    }
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("framework_info", &self.framework_info)
            .field("heartbeat_misses", &self.heartbeat_misses)
            .field("request_timeout", &self.request_timeout)
            .field("backoff_initial", &self.backoff_initial)
            .field("backoff_max", &self.backoff_max)
            .finish_non_exhaustive()
    }
}

/// A running client: the call handle, the event stream, and the loop's task.
#[derive(Debug)]
pub struct Client {
    /// Sends calls on the current subscription.
    pub scheduler: Scheduler,
    /// Events in stream order; closes when the loop stops.
    pub events: mpsc::Receiver<ClientEvent>,
    /// The loop; yields its fatal error, or Ok after cancellation.
    pub task: JoinHandle<Result<(), ClientError>>,
}

/// Spawns the client loop on the current tokio runtime.
pub fn start(config: ClientConfig, cancel: CancellationToken) -> Result<Client, ClientError> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(config.connect_timeout)
        .tcp_keepalive(Duration::from_secs(30))
        .build()
        .map_err(|e| ClientError::http(&e))?;
    let (session_tx, session_rx) = watch::channel(None);
    let (events_tx, events_rx) = mpsc::channel(config.event_buffer.max(1));
    let scheduler = Scheduler::new(http.clone(), session_rx, config.request_timeout);
    let loop_state =
        subscription::Subscription { http, config, session: session_tx, events: events_tx, cancel };
    let task = tokio::spawn(loop_state.run());
    Ok(Client { scheduler, events: events_rx, task })
}
