//! Live updates: the console listens to the server's event bus
//! (`/v2/events`, Server-Sent Events) and refetches what an event makes
//! stale, instead of polling.
//!
//! [`provide_live_updates`] (called once by [`crate::App`]) puts a
//! [`LiveUpdates`] in the context: one version counter per [`Topic`] plus
//! the state of the connection. Resources key on
//! [`LiveUpdates::version`], so an event refetches exactly the resources
//! of its topics. In the browser an effect connects the page to the
//! stream (hydrate only): all console tabs of a browser share one
//! connection, held by a shared worker ([`shared_stream`]), or where
//! there is none the page opens its own `EventSource` ([`event_source`]);
//! either reconnects after errors. What arrives goes to the page's
//! [`receiver`], which bumps the counters at most once per [`debounce`]
//! window. Task events are also parsed once
//! into the [`TaskFeed`] ([`task_feed`]), which the services page applies
//! to its rows in place; they make the services list stale only for a
//! rarer reconciling refetch ([`topics::reconciles`]). On the server the
//! counters stay 0 and the feed empty, so server-rendered resources and
//! hydrated ones agree on their keys.
//! A tab whose session ended or was replaced by another sign-in reloads
//! ([`session`]), so it never shows an earlier session's live data.
//! [`clock`] lets views that move with time (the dashboard's charts) do so
//! between events, from the browser's own clock.

pub mod clock;
pub mod debounce;
#[cfg(feature = "hydrate")]
mod event_source;
#[cfg(feature = "hydrate")]
mod receiver;
#[cfg(feature = "hydrate")]
mod session;
#[cfg(feature = "hydrate")]
mod shared_stream;
pub mod task_feed;
pub mod topics;

use leptos::prelude::*;

pub use task_feed::TaskFeed;
pub use topics::Topic;

/// The state of the connection to the event stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Not connected yet (also: rendered on the server).
    Connecting,
    /// Events arrive.
    Open,
    /// Lost; the browser or the console reconnects.
    Reconnecting,
}

impl LinkState {
    /// Lower-case name, for `data-state` and CSS.
    pub fn slug(self) -> &'static str {
        match self {
            LinkState::Connecting => "connecting",
            LinkState::Open => "open",
            LinkState::Reconnecting => "reconnecting",
        }
    }

    /// What the user reads.
    pub fn label(self) -> &'static str {
        match self {
            LinkState::Connecting => "Connecting…",
            LinkState::Open => "Live",
            LinkState::Reconnecting => "Reconnecting…",
        }
    }
}

/// Version counters of the console's data, bumped by events.
#[derive(Debug, Clone, Copy)]
pub struct LiveUpdates {
    /// One counter per topic, in [`Topic::ALL`] order.
    versions: [RwSignal<u32>; 4],
    link: RwSignal<LinkState>,
    /// Recent task events, parsed.
    feed: RwSignal<TaskFeed>,
}

impl LiveUpdates {
    fn new() -> Self {
        LiveUpdates {
            versions: [RwSignal::new(0), RwSignal::new(0), RwSignal::new(0), RwSignal::new(0)],
            link: RwSignal::new(LinkState::Connecting),
            feed: RwSignal::new(TaskFeed::default()),
        }
    }

    /// The version of `topic`'s data (tracked: a resource keyed on it
    /// refetches when an event makes the topic stale).
    pub fn version(&self, topic: Topic) -> u32 {
        self.versions[topic.index()].get()
    }

    /// The connection state (tracked).
    pub fn link(&self) -> LinkState {
        self.link.get()
    }

    /// The recent task events (tracked: a reader runs again when one
    /// arrives, and takes those after the mark it read up to,
    /// [`TaskFeed::end`]).
    pub fn with_task_feed<T>(&self, read: impl FnOnce(&TaskFeed) -> T) -> T {
        self.feed.with(read)
    }

    /// Marks the topics whose flag is set in `stale` as changed.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn bump(&self, stale: [bool; 4]) {
        for topic in Topic::ALL {
            if stale[topic.index()] {
                self.versions[topic.index()].update(|n| *n = n.wrapping_add(1));
            }
        }
    }
}

/// Creates the live-update context and, in the browser, connects it to the
/// event stream. Call once, at the root.
pub fn provide_live_updates() -> LiveUpdates {
    let live = LiveUpdates::new();
    provide_context(live);
    // Effects run only in the browser, after hydration.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| shared_stream::connect(receiver::Receiver::new(live)));
    live
}

/// The live-update context; a disconnected one (counters stay 0) where no
/// root provided it, e.g. a component rendered on its own in a test.
pub fn use_live() -> LiveUpdates {
    use_context::<LiveUpdates>().unwrap_or_else(LiveUpdates::new)
}
