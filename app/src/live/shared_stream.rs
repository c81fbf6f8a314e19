//! (hydrate only) One event stream for all console tabs of a browser.
//!
//! An event stream holds an HTTP/1.1 connection for as long as the page
//! lives, and browsers open at most six per host: with a stream per tab,
//! the seventh console tab (fewer with a log follow open) stalled, its
//! page and server-function requests queued behind the streams. So the
//! tabs share one: a `SharedWorker` (`public/events-worker.js`, served as
//! [`WORKER_URL`]) holds the only `EventSource` and forwards each event,
//! and each change of the connection's state, to every tab over the tab's
//! `MessagePort`; the tab hands them to its [`Receiver`] as if its own
//! stream had delivered them. The worker reconnects as a tab's own
//! `EventSource` did; its protocol is written at the top of the script.
//!
//! Why a shared worker and not a leader tab (Web Locks + a
//! `BroadcastChannel`): the worker is no page, so it is never frozen,
//! throttled or discarded with one, and it lives exactly as long as some
//! tab uses it. A leader tab that the browser freezes in the background
//! keeps its lock and silences every tab; a leader that closes makes the
//! others elect a new one and reopen the stream, with events lost in the
//! handover. A port, unlike a broadcast, reaches each tab once and in
//! order, from the moment the worker handled its hello.
//!
//! Ports do not report that their page is gone, so a tab says goodbye
//! (`bye`) on `pagehide` and `freeze`, and rejoins on `pageshow` (from the
//! back/forward cache) and `resume`, with a new port, everything marked
//! stale (events may have passed by meanwhile). The worker also drops
//! ports that stop answering its pings; a tab that hears nothing, not
//! even a ping, for [`SILENCE_MS`] rejoins as well.
//!
//! Where `SharedWorker` is missing (some mobile browsers), or its script
//! fails to load, or it never answers, the tab falls back to its own
//! `EventSource` ([`super::event_source`]), as the console did before.
//!
//! Tabs join the worker named after [`PROTOCOL`], the session tag the page
//! was loaded with ([`super::session`]) and the stream's URL, so a console
//! with other subscriptions or another protocol, say after an upgrade of
//! dromos while old tabs are still open, gets its own worker, and so does
//! each session: a tab signed in as someone else never joins the stream
//! of the earlier session. That stream ends on the server as the earlier
//! session does; the worker reports the loss (and every failed
//! reconnection) to its tabs, which then reload into the browser's
//! current session or the sign-in page.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, EventTarget, MessageEvent};

use super::event_source;
use super::receiver::Receiver;
use super::topics::stream_url;

/// The worker's script (from `public/`).
const WORKER_URL: &str = "/events-worker.js";
/// The message format tabs and worker speak; change it with the format.
const PROTOCOL: u32 = 1;
/// A tab that hears nothing for this long (the worker pings every 10 s)
/// rejoins, or falls back if it never heard anything.
const SILENCE_MS: f64 = 30_000.0;
/// How often the tab checks for silence.
const WATCH: Duration = Duration::from_secs(10);

#[wasm_bindgen]
extern "C" {
    /// `SharedWorker` (bound here: a global that not every browser has).
    #[wasm_bindgen(extends = EventTarget)]
    type SharedWorker;

    /// Throws where the browser has no `SharedWorker`.
    #[wasm_bindgen(constructor, catch)]
    fn new(url: &str, name: &str) -> Result<SharedWorker, JsValue>;

    #[wasm_bindgen(method, getter)]
    fn port(this: &SharedWorker) -> Port;

    /// The tab's end of its `MessagePort` to the worker.
    #[wasm_bindgen(extends = EventTarget, js_name = MessagePort)]
    #[derive(Clone)]
    type Port;

    #[wasm_bindgen(method, js_name = postMessage)]
    fn post_message(this: &Port, message: &JsValue);

    #[wasm_bindgen(method)]
    fn start(this: &Port);

    #[wasm_bindgen(method)]
    fn close(this: &Port);
}

/// How the tab is connected.
enum Link {
    /// Through the worker, on this port.
    Worker(Port),
    /// Said goodbye (the page is hidden in the back/forward cache or frozen).
    Away,
    /// On the tab's own `EventSource`, for good.
    Own,
}

/// The tab's side.
struct Tab {
    receiver: Receiver,
    link: Link,
    /// Counts joins; messages of an earlier port are ignored.
    generation: u32,
    /// When the current port last heard from the worker, or joined.
    last_heard: f64,
    /// Whether the current port heard anything yet.
    heard: bool,
}

type Shared = Rc<RefCell<Tab>>;

/// Connects the tab to the shared stream, or to its own.
pub fn connect(receiver: Receiver) {
    let tab = Rc::new(RefCell::new(Tab {
        receiver,
        link: Link::Away,
        generation: 0,
        last_heard: js_sys::Date::now(),
        heard: false,
    }));
    if !join(&tab) {
        fall_back(&tab);
        return;
    }
    on(&window(), "pagehide", {
        let tab = tab.clone();
        move |_| leave(&tab)
    });
    on(&document(), "freeze", {
        let tab = tab.clone();
        move |_| leave(&tab)
    });
    on(&window(), "pageshow", {
        let tab = tab.clone();
        move |event| {
            let persisted = js_sys::Reflect::get(&event, &JsValue::from_str("persisted"));
            if persisted.ok().and_then(|p| p.as_bool()) == Some(true) {
                rejoin(&tab);
            }
        }
    });
    on(&document(), "resume", {
        let tab = tab.clone();
        move |_| rejoin(&tab)
    });
    // Leaked with the page, as the listeners above.
    let _ = set_interval_with_handle(move || watch(&tab), WATCH);
}

/// Opens a new port to the worker and says hello; `false` where the
/// browser has no shared workers.
fn join(tab: &Shared) -> bool {
    let url = stream_url();
    let name = {
        let t = tab.borrow();
        format!("dromos-events/{PROTOCOL} {} {url}", t.receiver.session().loaded())
    };
    let Ok(worker) = SharedWorker::new(WORKER_URL, &name) else {
        return false;
    };
    let port = worker.port();
    let generation = {
        let mut t = tab.borrow_mut();
        t.generation = t.generation.wrapping_add(1);
        t.last_heard = js_sys::Date::now();
        t.heard = false;
        t.link = Link::Worker(port.clone());
        t.generation
    };
    on(&port, "message", {
        let (tab, port) = (tab.clone(), port.clone());
        move |event| {
            if let Ok(event) = event.dyn_into::<MessageEvent>() {
                heard(&tab, generation, &port, &event.data());
            }
        }
    });
    // The script did not load or run: this tab streams on its own.
    on(&worker, "error", {
        let tab = tab.clone();
        move |_| {
            if tab.borrow().generation == generation {
                fall_back(&tab);
            }
        }
    });
    port.start();
    port.post_message(&message(&[("t", "hello"), ("url", url.as_str())]));
    true
}

/// A message from the worker on the port of join number `generation`.
fn heard(tab: &Shared, generation: u32, port: &Port, data: &JsValue) {
    let receiver = {
        let mut t = tab.borrow_mut();
        if t.generation != generation || !matches!(t.link, Link::Worker(_)) {
            return;
        }
        t.last_heard = js_sys::Date::now();
        t.heard = true;
        t.receiver.clone()
    };
    let field =
        |name: &str| js_sys::Reflect::get(data, &JsValue::from_str(name)).ok().and_then(|v| v.as_string());
    match field("t").as_deref() {
        Some("event") => {
            if let Some(name) = field("name") {
                receiver.event(&name, field("data").as_deref());
            }
        }
        Some("state") => match field("state").as_deref() {
            Some("open") => receiver.opened(),
            Some("reconnecting") => {
                receiver.lost();
            }
            _ => {}
        },
        Some("ping") => port.post_message(&message(&[("t", "pong")])),
        _ => {}
    }
}

/// Says goodbye to the worker: the page goes away, or may come back later.
fn leave(tab: &Shared) {
    let mut t = tab.borrow_mut();
    if let Link::Worker(port) = &t.link {
        port.post_message(&message(&[("t", "bye")]));
        port.close();
        t.link = Link::Away;
    }
}

/// Joins again on a new port; what passed by meanwhile is refetched.
fn rejoin(tab: &Shared) {
    if matches!(tab.borrow().link, Link::Own) {
        return;
    }
    leave(tab);
    let receiver = tab.borrow().receiver.clone();
    if !receiver.lost() {
        return; // reloading into the browser's current session
    }
    if !join(tab) {
        fall_back(tab);
    }
}

/// Every [`WATCH`]: a port silent for [`SILENCE_MS`] is replaced, or given
/// up for the tab's own stream if it never heard anything.
fn watch(tab: &Shared) {
    let (silent, heard) = {
        let t = tab.borrow();
        if !matches!(t.link, Link::Worker(_)) {
            return;
        }
        (js_sys::Date::now() - t.last_heard > SILENCE_MS, t.heard)
    };
    match (silent, heard) {
        (false, _) => {}
        (true, true) => rejoin(tab),
        (true, false) => fall_back(tab),
    }
}

/// Leaves the worker, if joined, and opens the tab's own stream.
fn fall_back(tab: &Shared) {
    leave(tab);
    let receiver = {
        let mut t = tab.borrow_mut();
        if matches!(t.link, Link::Own) {
            return;
        }
        t.link = Link::Own;
        t.receiver.clone()
    };
    event_source::connect(receiver);
}

/// A plain object of string fields.
fn message(fields: &[(&str, &str)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in fields {
        // Cannot fail on a fresh plain object.
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object.into()
}

/// Adds a listener for the life of the page.
fn on(target: &EventTarget, name: &str, listener: impl FnMut(Event) + 'static) {
    let listener = Closure::<dyn FnMut(Event)>::new(listener);
    // Cannot fail for a function listener.
    let _ = target.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
    listener.forget();
}
