//! `GET /v2/events`: the event bus as Server-Sent Events.
//!
//! Requires `Accept: text/event-stream` (else 405, as Marathon). Each
//! message is `event: <eventType>` + `data: <json>`; `event_type=` (may
//! repeat) filters. A subscriber that lags behind the bus's buffer is
//! disconnected (see [`crate::events`]); signed-in non-admins receive only
//! the events about apps and groups they may read; attaching and detaching are
//! themselves events (`event_stream_attached` / `event_stream_detached`).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Request};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;

use super::error::ApiError;
use super::request::{accepts, Params};
use crate::events::{Event, EventBus};
use crate::service::Service;

/// Publishes `event_stream_detached` when the client's stream is dropped.
struct Attachment {
    bus: EventBus,
    remote: String,
}

impl Drop for Attachment {
    fn drop(&mut self) {
        self.bus.publish("event_stream_detached", json!({ "remoteAddress": self.remote }));
    }
}

struct Subscription {
    rx: Receiver<Arc<Event>>,
    filter: Vec<String>,
    attachment: Attachment,
    /// The subscriber: the stream is polled outside the request's access
    /// scope, so it is captured when the stream opens.
    caller: dromos_access::Caller,
}

/// The handler.
pub async fn stream(
    State(service): State<Arc<Service>>,
    headers: HeaderMap,
    params: Params,
    request: Request<axum::body::Body>,
) -> Result<Response, ApiError> {
    if !accepts(&headers, "text/event-stream") {
        return Err(ApiError::MethodNotAllowed("GET".into()));
    }
    let remote = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string())
        .unwrap_or_else(|| "unknown".into());
    let bus = service.events().clone();
    let rx = bus.subscribe();
    bus.publish("event_stream_attached", json!({ "remoteAddress": remote }));
    service.metrics().increment("dromos.events.attached.counter");
    let filter = params.all("event_type").into_iter().map(str::to_owned).collect();
    let caller = crate::access::current_caller();
    let subscription = Subscription { rx, filter, attachment: Attachment { bus, remote }, caller };
    Ok(Sse::new(events(subscription)).keep_alive(KeepAlive::default()).into_response())
}

fn events(subscription: Subscription) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    stream::unfold(subscription, |mut sub| async move {
        loop {
            match sub.rx.recv().await {
                Ok(event) => {
                    if !sub.filter.is_empty() && !sub.filter.contains(&event.event_type) {
                        continue;
                    }
                    if !crate::access::enforce::may_see_event(&sub.caller, &event.data) {
                        continue;
                    }
                    let sse =
                        SseEvent::default().event(event.event_type.clone()).data(event.data.to_string());
                    return Some((Ok(sse), sub));
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(remote = %sub.attachment.remote, missed, "event subscriber too slow; disconnecting");
                    return None;
                }
                Err(RecvError::Closed) => return None,
            }
        }
    })
}
