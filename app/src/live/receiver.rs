//! (hydrate only) What a tab does with what arrives from the event stream,
//! whichever way it came: through the shared worker
//! ([`super::shared_stream`]) or the tab's own `EventSource`
//! ([`super::event_source`]).
//!
//! Each event makes its topics stale at most once per [`WINDOW_MS`]; task
//! events are parsed here, once, into the [`super::TaskFeed`], and make
//! the services list stale only once per [`RECONCILE_MS`] (trailing).
//! After a reconnect every topic is marked stale, since events may have
//! been missed. A lost stream may mean the session ended: the tab then
//! checks that it still belongs to the browser's session ([`Session`]).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;

use super::debounce::{Debounce, Step};
use super::session::Session;
use super::topics::{reconciles, topics_of};
use super::{LinkState, LiveUpdates, Topic};
use crate::api::row_updates::{TaskEvent, TASK_EVENT_TYPES};

/// At most one refetch per topic in this window.
const WINDOW_MS: f64 = 250.0;
/// The services list's reconciling refetch after task events: once, this
/// long after the first event it has not reconciled yet.
const RECONCILE_MS: f64 = 2000.0;

/// Topics made stale since the last flush, and the debounce state.
struct Pending {
    debounce: Debounce,
    stale: [bool; 4],
}

/// The tab's end of the stream; one per page, kept across reconnects and
/// changes of transport, so the debounce windows carry over.
#[derive(Clone)]
pub struct Receiver {
    live: LiveUpdates,
    pending: Rc<RefCell<Pending>>,
    reconcile: Rc<RefCell<Pending>>,
    session: Session,
}

impl Receiver {
    /// A receiver bumping `live`.
    pub fn new(live: LiveUpdates) -> Self {
        let pending = |debounce| Rc::new(RefCell::new(Pending { debounce, stale: [false; 4] }));
        Receiver {
            live,
            pending: pending(Debounce::new(WINDOW_MS)),
            reconcile: pending(Debounce::trailing(RECONCILE_MS)),
            session: Session::start(),
        }
    }

    /// The session the page was loaded with.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// An event of type `name` arrived, with its `data` (JSON).
    pub fn event(&self, name: &str, data: Option<&str>) {
        if TASK_EVENT_TYPES.contains(&name) {
            if let Some(task_event) = data.and_then(|data| TaskEvent::parse(name, data)) {
                self.live.feed.update(|feed| feed.push(task_event));
            }
        }
        note(&self.pending, self.live, topics_of(name));
        if reconciles(name) {
            note(&self.reconcile, self.live, &[Topic::Services]);
        }
    }

    /// The stream is open: events arrive. After a loss, everything is
    /// stale.
    pub fn opened(&self) {
        // Reopened under another session's cookie: reload into it instead.
        if !self.session.check() {
            return;
        }
        let was = self.live.link.get_untracked();
        self.live.link.set(LinkState::Open);
        if was == LinkState::Reconnecting {
            self.live.bump([true; 4]);
        }
    }

    /// The stream is lost (or events may have been missed); whoever owns
    /// it reconnects, and [`Receiver::opened`] then marks everything stale.
    /// If the browser's session is no longer the page's, the tab reloads
    /// (and `false`: nothing to reconnect).
    pub fn lost(&self) -> bool {
        self.live.link.set(LinkState::Reconnecting);
        self.session.check()
    }
}

/// An event of `topics` arrived: flush now or once the window ends.
fn note(pending: &Rc<RefCell<Pending>>, live: LiveUpdates, topics: &[Topic]) {
    let step = {
        let mut p = pending.borrow_mut();
        for topic in topics {
            p.stale[topic.index()] = true;
        }
        p.debounce.event(js_sys::Date::now())
    };
    match step {
        Step::Flush => flush(pending, live),
        Step::WaitMs(ms) => {
            let pending = pending.clone();
            let wait = Duration::from_millis(ms.ceil().max(0.0) as u64);
            set_timeout(
                move || {
                    pending.borrow_mut().debounce.timer_fired(js_sys::Date::now());
                    flush(&pending, live);
                },
                wait,
            );
        }
        Step::Nothing => {}
    }
}

fn flush(pending: &Rc<RefCell<Pending>>, live: LiveUpdates) {
    let stale = std::mem::take(&mut pending.borrow_mut().stale);
    live.bump(stale);
}
