//! The event bus: every change the service makes is published here, and
//! `/v2/events` (SSE) and the console's live views subscribe.
//!
//! One `tokio::sync::broadcast` channel: publishing never waits for a
//! subscriber. A subscriber that falls more than [`EVENT_BUFFER`] events
//! behind is told it lagged; the SSE endpoint then closes its stream so
//! the client reconnects and re-reads state (Marathon's advice: treat the
//! stream as a cache-invalidation signal).
//!
//! Event JSON follows Marathon's `Events.scala`: every event carries
//! `eventType` and `timestamp` besides its own fields.

use std::sync::Arc;

use chrono::Utc;
use serde_json::{Map, Value};
use tokio::sync::broadcast;

use crate::service::clock;

/// Events kept for slow subscribers before they lag.
pub const EVENT_BUFFER: usize = 1024;

/// One published event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `eventType`, e.g. `api_post_event`.
    pub event_type: String,
    /// The JSON object, `eventType` and `timestamp` included.
    pub data: Value,
}

/// The bus. Cheap to clone; all clones share the channel.
#[derive(Debug, Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Event>>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new(EVENT_BUFFER)
    }
}

impl EventBus {
    /// A bus keeping `capacity` events for slow subscribers.
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity.max(1));
        EventBus { sender }
    }

    /// Publishes `event_type` with `fields` (a JSON object; other values
    /// are wrapped as `{"value": ..}`). Never blocks; without subscribers
    /// the event is dropped.
    pub fn publish(&self, event_type: &str, fields: Value) {
        let mut data = match fields {
            Value::Object(map) => map,
            other => {
                let mut map = Map::new();
                map.insert("value".into(), other);
                map
            }
        };
        data.insert("eventType".into(), Value::String(event_type.to_owned()));
        data.insert("timestamp".into(), Value::String(clock::format_time(Utc::now()).to_string()));
        let event = Event { event_type: event_type.to_owned(), data: Value::Object(data) };
        // An error only means nobody listens right now.
        let _ = self.sender.send(Arc::new(event));
    }

    /// A new subscription, starting with the next event.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    /// Current number of subscribers.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;
    use tokio::sync::broadcast::error::TryRecvError;

    use super::EventBus;

    #[test]
    fn events_carry_type_and_timestamp() {
        let bus = EventBus::new(4);
        let mut rx = bus.subscribe();
        bus.publish("app_terminated_event", json!({"appId": "/a"}));
        let event = rx.try_recv().unwrap();
        assert_eq!(event.event_type, "app_terminated_event");
        assert_eq!(event.data["appId"], "/a");
        assert_eq!(event.data["eventType"], "app_terminated_event");
        assert!(event.data["timestamp"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn a_slow_subscriber_lags_without_blocking_the_publisher() {
        let bus = EventBus::new(2);
        let mut slow = bus.subscribe();
        for i in 0..10 {
            bus.publish("x", json!({"i": i}));
        }
        assert!(matches!(slow.try_recv(), Err(TryRecvError::Lagged(8))));
        assert_eq!(slow.try_recv().unwrap().data["i"], 8, "then the newest kept events");
    }
}
