//! (hydrate only) The tab's own `EventSource` on `/v2/events`: the
//! fallback where no shared worker can be had ([`super::shared_stream`]).
//!
//! One connection for the life of the page: its listeners are leaked on
//! purpose (the console never unmounts its root). The browser reconnects
//! by itself after a dropped connection; when it gives up (the stream
//! answered an error), a new `EventSource` is opened after [`RETRY`].
//! What arrives goes to the tab's [`Receiver`].

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventSource, MessageEvent};

use super::receiver::Receiver;
use super::topics::{stream_url, SUBSCRIPTIONS};

/// Wait before opening a new stream after the browser gave up.
const RETRY: Duration = Duration::from_secs(3);

/// Opens the stream and wires its events to `receiver`.
pub fn connect(receiver: Receiver) {
    let source = match EventSource::new(&stream_url()) {
        Ok(source) => source,
        Err(_) => {
            receiver.lost();
            set_timeout(move || connect(receiver), RETRY);
            return;
        }
    };
    for (name, _) in SUBSCRIPTIONS {
        let receiver = receiver.clone();
        let on_event = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            let data = event.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string());
            receiver.event(name, data.as_deref());
        });
        // Cannot fail for a function listener.
        let _ = source.add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
        on_event.forget();
    }
    let opened = receiver.clone();
    let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| opened.opened());
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    on_open.forget();
    let on_error = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        receiver.lost();
        let closed = event
            .target()
            .and_then(|t| t.dyn_into::<EventSource>().ok())
            .filter(|s| s.ready_state() == EventSource::CLOSED);
        if let Some(source) = closed {
            source.close();
            let receiver = receiver.clone();
            set_timeout(move || connect(receiver), RETRY);
        }
    });
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
}
