//! (hydrate only) The browser's `EventSource` on `/v2/events`.
//!
//! One connection for the life of the page: its listeners are leaked on
//! purpose (the console never unmounts its root). The browser reconnects
//! by itself after a dropped connection; when it gives up (the stream
//! answered an error), a new `EventSource` is opened after [`RETRY`].
//! After a reconnect every topic is marked stale, since events may have
//! been missed.
//!
//! Each event makes its topics stale at most once per [`WINDOW_MS`]; task
//! events are parsed here, once, into the [`super::TaskFeed`], and make
//! the services list stale only once per [`RECONCILE_MS`] (trailing).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventSource, MessageEvent};

use super::debounce::{Debounce, Step};
use super::topics::{reconciles, stream_url, SUBSCRIPTIONS};
use super::{LinkState, LiveUpdates, Topic};
use crate::api::row_updates::{TaskEvent, TASK_EVENT_TYPES};

/// At most one refetch per topic in this window.
const WINDOW_MS: f64 = 250.0;
/// The services list's reconciling refetch after task events: once, this
/// long after the first event it has not reconciled yet.
const RECONCILE_MS: f64 = 2000.0;
/// Wait before opening a new stream after the browser gave up.
const RETRY: Duration = Duration::from_secs(3);

/// Topics made stale since the last flush, and the debounce state.
struct Pending {
    debounce: Debounce,
    stale: [bool; 4],
}

/// Opens the stream and wires its events to `live`.
pub fn connect(live: LiveUpdates) {
    let source = match EventSource::new(&stream_url()) {
        Ok(source) => source,
        Err(_) => {
            live.link.set(LinkState::Reconnecting);
            set_timeout(move || connect(live), RETRY);
            return;
        }
    };
    let pending = Rc::new(RefCell::new(Pending { debounce: Debounce::new(WINDOW_MS), stale: [false; 4] }));
    let reconcile =
        Rc::new(RefCell::new(Pending { debounce: Debounce::trailing(RECONCILE_MS), stale: [false; 4] }));
    for (name, topics) in SUBSCRIPTIONS {
        let (pending, reconcile) = (pending.clone(), reconcile.clone());
        let parse = TASK_EVENT_TYPES.contains(&name);
        let on_event = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            if parse {
                feed(live, name, &event);
            }
            note(&pending, live, topics);
            if reconciles(name) {
                note(&reconcile, live, &[Topic::Services]);
            }
        });
        // Cannot fail for a function listener.
        let _ = source.add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
        on_event.forget();
    }
    let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        let was = live.link.get_untracked();
        live.link.set(LinkState::Open);
        if was == LinkState::Reconnecting {
            live.bump([true; 4]);
        }
    });
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    on_open.forget();
    let on_error = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        live.link.set(LinkState::Reconnecting);
        let closed = event
            .target()
            .and_then(|t| t.dyn_into::<EventSource>().ok())
            .filter(|s| s.ready_state() == EventSource::CLOSED);
        if let Some(source) = closed {
            source.close();
            set_timeout(move || connect(live), RETRY);
        }
    });
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
}

/// Parses a task event of type `name` into the feed.
fn feed(live: LiveUpdates, name: &str, event: &Event) {
    let data = event.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string());
    if let Some(task_event) = data.and_then(|data| TaskEvent::parse(name, &data)) {
        live.feed.update(|feed| feed.push(task_event));
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
