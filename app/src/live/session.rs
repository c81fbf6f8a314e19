//! (hydrate only) Console tabs follow the browser's session.
//!
//! Beside its `HttpOnly` session cookie the server sets [`TAG_COOKIE`],
//! which scripts may read: a random name for the session that opens
//! nothing, set at sign-in and cleared at sign-out. A tab remembers the
//! tag it was loaded with ([`Session::loaded`]) and joins the shared
//! event stream of that tag only ([`super::shared_stream`]), so tabs of
//! different sessions never share a stream. Once the cookie holds another
//! tag, or none, the tab reloads: the server then answers with the
//! sign-in page or the new session's console, and no tab keeps showing
//! the earlier session's live data.
//!
//! A tab checks the cookie (a local read; nothing polls the server) when:
//! - another tab pokes it on the [`CHANNEL`] `BroadcastChannel`: every tab
//!   does on loading, and before it reloads, so a sign-in as someone else
//!   in one tab reaches the others at once;
//! - its event stream is lost: the server ends a session's streams the
//!   moment the session ends (sign-out, expiry, replaced by a new
//!   sign-in), and the worker reports every failed reconnection;
//! - the browser's cookie store reports a change (where it has one);
//! - the page becomes visible again.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, EventTarget};

/// The script-readable cookie naming the session (set by the server).
const TAG_COOKIE: &str = "dromos_session_tag";
/// The channel on which tabs poke each other to check the cookie.
const CHANNEL: &str = "dromos-session";

#[wasm_bindgen]
extern "C" {
    /// `BroadcastChannel` (bound here to keep `web-sys` features as they are).
    #[wasm_bindgen(extends = EventTarget)]
    type BroadcastChannel;

    #[wasm_bindgen(constructor, catch)]
    fn new(name: &str) -> Result<BroadcastChannel, JsValue>;

    #[wasm_bindgen(method, js_name = postMessage)]
    fn post_message(this: &BroadcastChannel, message: &JsValue);
}

/// The session a tab was loaded with; cheap to clone.
#[derive(Clone)]
pub struct Session {
    inner: Rc<Inner>,
}

struct Inner {
    /// The tag at load (empty: no session, e.g. dromos runs open).
    loaded: String,
    channel: Option<BroadcastChannel>,
    /// Set once the tab is reloading: nothing more to do.
    reloading: Cell<bool>,
}

impl Session {
    /// Remembers the tag the page was loaded with, listens for changes,
    /// and pokes the other tabs (they reload if they belong to another
    /// session).
    pub fn start() -> Session {
        let session = Session {
            inner: Rc::new(Inner {
                loaded: current_tag(),
                channel: BroadcastChannel::new(CHANNEL).ok(),
                reloading: Cell::new(false),
            }),
        };
        if let Some(channel) = &session.inner.channel {
            on(channel, "message", {
                let session = session.clone();
                move |_| {
                    session.check();
                }
            });
        }
        let cookie_store = js_sys::Reflect::get(&window(), &JsValue::from_str("cookieStore"));
        if let Some(store) = cookie_store.ok().and_then(|s| s.dyn_into::<EventTarget>().ok()) {
            on(&store, "change", {
                let session = session.clone();
                move |_| {
                    session.check();
                }
            });
        }
        on(&document(), "visibilitychange", {
            let session = session.clone();
            move |_| {
                session.check();
            }
        });
        session.poke_others();
        session
    }

    /// The tag the page was loaded with.
    pub fn loaded(&self) -> &str {
        &self.inner.loaded
    }

    /// Whether the browser is still on the session this tab was loaded
    /// with; if not, the tab reloads (and `false`).
    pub fn check(&self) -> bool {
        if self.inner.reloading.get() {
            return false;
        }
        if current_tag() == self.inner.loaded {
            return true;
        }
        self.inner.reloading.set(true);
        self.poke_others();
        // Cannot fail in a page; if it did, the next check tries again.
        if window().location().reload().is_err() {
            self.inner.reloading.set(false);
        }
        false
    }

    /// Asks every other tab to check its session.
    fn poke_others(&self) {
        if let Some(channel) = &self.inner.channel {
            channel.post_message(&JsValue::from_str("check"));
        }
    }
}

/// The tag in the browser's cookies now; empty without one.
fn current_tag() -> String {
    let cookies = js_sys::Reflect::get(&document(), &JsValue::from_str("cookie"))
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default();
    tag_in(&cookies).unwrap_or_default().to_owned()
}

/// The value of [`TAG_COOKIE`] in a `document.cookie` string.
fn tag_in(cookies: &str) -> Option<&str> {
    cookies.split(';').map(str::trim).find_map(|pair| pair.strip_prefix(TAG_COOKIE)?.strip_prefix('='))
}

/// Adds a listener for the life of the page.
fn on(target: &EventTarget, name: &str, listener: impl FnMut(Event) + 'static) {
    let listener = Closure::<dyn FnMut(Event)>::new(listener);
    // Cannot fail for a function listener.
    let _ = target.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
    listener.forget();
}
