//! The event bus: every change the service makes is published here, and
//! `/v2/events` (SSE) and the console's live views subscribe.
//!
//! One `tokio::sync::broadcast` channel: publishing never waits for a
//! subscriber, so a slow reader never delays the others. A subscriber that
//! falls more than [`EVENT_BUFFER`] events behind is told it lagged; the SSE
//! endpoint then closes its stream so the client reconnects and re-reads
//! state (Marathon's advice: treat the stream as a cache-invalidation
//! signal).
//!
//! # How big the buffer is, and why
//!
//! The service publishes in bursts: the reporter records up to 512 task
//! changes as one batch and then publishes two events per change
//! (`status_update_event`, `instance_changed_event`), about 1,000 events
//! in one synchronous loop, and deployments add their own. No subscriber
//! runs during such a loop, and on a busy machine the reporter may finish
//! several batches before the subscribers' tasks get a core. With 1,024
//! slots one batch filled the ring, so every `/v2/events` client, the
//! console's shared stream included, was dropped as "too slow" while 10
//! `PUT /v2/apps` of 100 apps deployed, however fast it read.
//! [`EVENT_BUFFER`] is 4,096, four such batches. Measured with a release
//! dromos (`--local-simulate`, two cores, load average 3 to 5 from other
//! work): the 10 `PUT`s of 100 one-instance apps publish about 7,050
//! events in 2 s, and 3 or 5 `curl` readers kept their streams and got
//! every event in each of three runs (as did the `ui` benchmark's own
//! subscription, in five runs). A reader that stops reading is still
//! dropped once 4,096 events have passed it: 4 s at 1,000 events/s.
//!
//! What a buffer does not fix: with 10 instances per app (10,000 tasks,
//! about 60,000 events in 8 to 18 s) the readers were about 16,000
//! events behind within 2 s, all three dropped at the same instant: both
//! runtime workers were publishing and no subscriber task ran. A ring
//! that rides that out holds 16,000 events (18 MB) whenever one reader
//! is slow; the publisher yielding between batches is the fix there.
//!
//! The ring is shared, so its memory is per bus, not per subscriber: an
//! event is about 1 KB (a `serde_json` object of ten fields; 1,004 bytes
//! allocated for a `status_update_event`, 989 for an
//! `instance_changed_event`), a slot keeps its event until every
//! subscriber has read it, and the slots themselves are about 40 bytes.
//! So while one reader lags the full ring holds about 4.5 MB: 4.5 KB per
//! subscriber with 1,000 subscribers (the `events` benchmark's budget is
//! 8 KB), 0.45 KB with 10,000. 8,192 slots would take the whole budget
//! at 1,000 subscribers.
//!
//! In-process consumers that must not miss an event (the dashboard's
//! outcome counter) [`EventBus::tap`] the bus instead: a tap is called
//! with each event as it is published, so it can never lag; it must be
//! cheap and must not block or publish.
//!
//! Event JSON follows Marathon's `Events.scala`: every event carries
//! `eventType` and `timestamp` besides its own fields.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, Weak};

use chrono::Utc;
use serde_json::{Map, Value};
use tokio::sync::broadcast;

use crate::service::clock;

/// Events kept for slow subscribers before they lag (see the module doc
/// for the figure).
pub const EVENT_BUFFER: usize = 4096;

/// One published event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `eventType`, e.g. `api_post_event`.
    pub event_type: String,
    /// The JSON object, `eventType` and `timestamp` included.
    pub data: Value,
}

type TapFn = dyn Fn(&Event) + Send + Sync;

/// The taps, each with the id its [`Tap`] removes it by.
#[derive(Default)]
struct Taps {
    next_id: AtomicU64,
    list: RwLock<Vec<(u64, Arc<TapFn>)>>,
}

/// The bus. Cheap to clone; all clones share the channel and the taps.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Event>>,
    taps: Arc<Taps>,
}

impl fmt::Debug for EventBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let taps = self.taps.list.read().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("EventBus")
            .field("subscribers", &self.sender.receiver_count())
            .field("taps", &taps)
            .finish()
    }
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new(EVENT_BUFFER)
    }
}

/// A tap on the bus; dropping it removes the tap.
#[must_use = "the tap is removed when this is dropped"]
pub struct Tap {
    id: u64,
    taps: Weak<Taps>,
}

impl Drop for Tap {
    fn drop(&mut self) {
        if let Some(taps) = self.taps.upgrade() {
            taps.list.write().unwrap_or_else(PoisonError::into_inner).retain(|(id, _)| *id != self.id);
        }
    }
}

impl EventBus {
    /// A bus keeping `capacity` events for slow subscribers.
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity.max(1));
        EventBus { sender, taps: Arc::default() }
    }

    /// Publishes `event_type` with `fields` (a JSON object; other values
    /// are wrapped as `{"value": ..}`). Never blocks: the taps are called,
    /// then the event is queued for the subscribers (without subscribers
    /// it is dropped).
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
        for (_, tap) in self.taps.list.read().unwrap_or_else(PoisonError::into_inner).iter() {
            tap(&event);
        }
        // An error only means nobody listens right now.
        let _ = self.sender.send(Arc::new(event));
    }

    /// A new subscription, starting with the next event.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    /// Calls `tap` with every event published from now on, inside
    /// [`Self::publish`], until the returned [`Tap`] is dropped. For
    /// in-process consumers that must see every event: `tap` runs on the
    /// publisher's thread, so it must be quick, must not block and must
    /// not publish or tap.
    pub fn tap(&self, tap: impl Fn(&Event) + Send + Sync + 'static) -> Tap {
        let id = self.taps.next_id.fetch_add(1, Ordering::Relaxed);
        self.taps.list.write().unwrap_or_else(PoisonError::into_inner).push((id, Arc::new(tap)));
        Tap { id, taps: Arc::downgrade(&self.taps) }
    }

    /// Current number of subscribers.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use serde_json::json;
    use tokio::sync::broadcast::error::{RecvError, TryRecvError};

    use super::{EventBus, EVENT_BUFFER};

    /// Events the reporter publishes for one batch of task changes.
    const BATCH_EVENTS: usize = 1024;

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

    /// The publisher publishes three reporter batches at a time without
    /// yielding (the subscriber only runs in between, as when the
    /// subscribers wait for a core), 9,216 events in all: a subscriber
    /// that reads whenever it runs gets every one, in order; one that
    /// stopped reading has lagged by then.
    #[tokio::test(flavor = "current_thread")]
    async fn a_reading_subscriber_survives_bursts_a_stopped_one_is_dropped() {
        const BURSTS: usize = 3;
        const PER_BURST: usize = 3 * BATCH_EVENTS;
        let bus = EventBus::default();
        let mut reader = bus.subscribe();
        let mut stopped = bus.subscribe();
        let reading = tokio::spawn(async move {
            let mut next = 0;
            while next < BURSTS * PER_BURST {
                match reader.recv().await {
                    Ok(event) => {
                        assert_eq!(event.data["i"], next, "in order, none skipped");
                        next += 1;
                    }
                    Err(RecvError::Lagged(missed)) => panic!("a reading subscriber lagged by {missed}"),
                    Err(RecvError::Closed) => break,
                }
            }
            next
        });
        for burst in 0..BURSTS {
            for i in burst * PER_BURST..(burst + 1) * PER_BURST {
                bus.publish("status_update_event", json!({"i": i}));
            }
            // The reporter's store write between two bursts.
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        assert_eq!(reading.await.unwrap(), BURSTS * PER_BURST);
        let missed = BURSTS * PER_BURST - EVENT_BUFFER;
        assert!(
            matches!(stopped.try_recv(), Err(TryRecvError::Lagged(n)) if n as usize == missed),
            "the subscriber that never read is told it lagged by {missed}"
        );
    }

    #[test]
    fn a_tap_sees_every_event_even_when_subscribers_lag_until_it_is_dropped() {
        let bus = EventBus::new(2);
        let _lagging = bus.subscribe();
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        let tap = bus.tap(move |event| {
            if event.event_type == "status_update_event" {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        });
        for i in 0..100 {
            bus.publish("status_update_event", json!({"i": i}));
            bus.publish("instance_changed_event", json!({"i": i}));
        }
        assert_eq!(seen.load(Ordering::Relaxed), 100);
        drop(tap);
        bus.publish("status_update_event", json!({}));
        assert_eq!(seen.load(Ordering::Relaxed), 100, "a dropped tap is no longer called");
        assert!(format!("{bus:?}").contains("taps: 0"));
    }
}
