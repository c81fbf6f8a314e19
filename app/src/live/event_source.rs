//! (hydrate only) The browser's `EventSource` on `/v2/events`.
//!
//! One connection for the life of the page: its listeners are leaked on
//! purpose (the console never unmounts its root). The browser reconnects
//! by itself after a dropped connection; when it gives up (the stream
//! answered an error), a new `EventSource` is opened after [`RETRY`].
//! After a reconnect every topic is marked stale, since events may have
//! been missed.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventSource};

use super::debounce::{Debounce, Step};
use super::topics::{stream_url, SUBSCRIPTIONS};
use super::{LinkState, LiveUpdates, Topic};

/// At most one refetch per topic in this window.
const WINDOW_MS: f64 = 250.0;
/// Wait before opening a new stream after the browser gave up.
const RETRY: Duration = Duration::from_secs(3);

/// Topics made stale since the last flush, and the debounce state.
struct Pending {
    debounce: Debounce,
    stale: [bool; 3],
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
    let pending = Rc::new(RefCell::new(Pending { debounce: Debounce::new(WINDOW_MS), stale: [false; 3] }));
    for (name, topics) in SUBSCRIPTIONS {
        let pending = pending.clone();
        let on_event = Closure::<dyn FnMut(Event)>::new(move |_: Event| note(&pending, live, topics));
        // Cannot fail for a function listener.
        let _ = source.add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
        on_event.forget();
    }
    let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        let was = live.link.get_untracked();
        live.link.set(LinkState::Open);
        if was == LinkState::Reconnecting {
            live.bump([true; 3]);
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
