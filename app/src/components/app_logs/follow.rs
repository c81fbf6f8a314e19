//! (hydrate only) Reading and following one sandbox file from the browser.
//!
//! [`start`] asks for the file's size, then opens an `EventSource` on the
//! follow endpoint from [`TAIL_BYTES`] before the end. The browser's own
//! reconnect would replay from that first offset, so on an error the
//! source is closed and a new one opened from the next unread offset.
//! Dropping the returned [`Follow`] stops everything.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventSource, MessageEvent};

use super::{append_capped, LogStatus, LogStream, MAX_PANE_BYTES, TAIL_BYTES};

/// Wait before reopening a broken stream.
const RETRY: Duration = Duration::from_secs(2);

/// A window of the file: `{"data", "offset"}` (also each follow event).
#[derive(Debug, Deserialize)]
struct Chunk {
    #[serde(default)]
    data: String,
    offset: u64,
}

struct State {
    base: String,
    source: Option<EventSource>,
    /// Set when the follower was dropped: nothing may reopen.
    stopped: bool,
    /// The first byte not shown yet.
    next_offset: u64,
    text: RwSignal<String>,
    status: RwSignal<LogStatus>,
}

/// A running follower; dropping it closes the stream.
pub struct Follow(Rc<RefCell<State>>);

impl Drop for Follow {
    fn drop(&mut self) {
        let mut state = self.0.borrow_mut();
        state.stopped = true;
        if let Some(source) = state.source.take() {
            source.close();
        }
    }
}

/// Starts following `stream` of `task` into `text`, reporting in `status`.
pub fn start(task: String, stream: LogStream, text: RwSignal<String>, status: RwSignal<LogStatus>) -> Follow {
    let task = String::from(js_sys::encode_uri_component(&task));
    let base = format!("/v2/tasks/{task}/files/{}", stream.name());
    let state = Rc::new(RefCell::new(State {
        base: base.clone(),
        source: None,
        stopped: false,
        next_offset: 0,
        text,
        status,
    }));
    let shared = state.clone();
    leptos::task::spawn_local(async move {
        match size_of(&base).await {
            Ok(size) => {
                shared.borrow_mut().next_offset = size.saturating_sub(TAIL_BYTES);
                open(&shared);
            }
            Err(why) => status.set(LogStatus::Failed(why)),
        }
    });
    Follow(state)
}

/// The file's current size (`?offset=-1`).
async fn size_of(base: &str) -> Result<u64, String> {
    let response =
        gloo_net::http::Request::get(&format!("{base}?offset=-1")).send().await.map_err(|e| e.to_string())?;
    if !response.ok() {
        let status = response.status();
        let message = response
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(message);
    }
    response.json::<Chunk>().await.map(|c| c.offset).map_err(|e| e.to_string())
}

/// Opens the follow stream from `next_offset`.
fn open(state: &Rc<RefCell<State>>) {
    let url = {
        let s = state.borrow();
        if s.stopped {
            return;
        }
        format!("{}/follow?offset={}", s.base, s.next_offset)
    };
    let Ok(source) = EventSource::new(&url) else {
        state.borrow().status.set(LogStatus::Failed("the browser refused the stream".into()));
        return;
    };
    let on_data = {
        let state = state.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(raw) = event.data().as_string() else { return };
            let Ok(chunk) = serde_json::from_str::<Chunk>(&raw) else { return };
            receive(&state, chunk);
        })
    };
    let on_eof = {
        let state = state.clone();
        Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            let mut s = state.borrow_mut();
            if let Some(source) = s.source.take() {
                source.close();
            }
            s.status.set(LogStatus::Ended);
        })
    };
    let on_error = {
        let state = state.clone();
        Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            let retry = {
                let mut s = state.borrow_mut();
                match s.source.take() {
                    Some(source) if !s.stopped => {
                        source.close();
                        s.status.set(LogStatus::Reconnecting);
                        true
                    }
                    _ => false,
                }
            };
            if retry {
                let state = state.clone();
                set_timeout(move || open(&state), RETRY);
            }
        })
    };
    let on_open = {
        let state = state.clone();
        Closure::<dyn FnMut(Event)>::new(move |_: Event| state.borrow().status.set(LogStatus::Following))
    };
    // Cannot fail for function listeners.
    let _ = source.add_event_listener_with_callback("data", on_data.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("eof", on_eof.as_ref().unchecked_ref());
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    // The closures live as long as the page; each holds only this follower's state.
    on_data.forget();
    on_eof.forget();
    on_error.forget();
    on_open.forget();
    state.borrow_mut().source = Some(source);
}

/// Shows the part of `chunk` not shown yet.
fn receive(state: &Rc<RefCell<State>>, chunk: Chunk) {
    let mut s = state.borrow_mut();
    if s.stopped {
        return;
    }
    let end = chunk.offset + chunk.data.len() as u64;
    if end <= s.next_offset {
        return;
    }
    // Skip what an overlapping chunk repeats (after a reconnect).
    let mut skip = usize::try_from(s.next_offset.saturating_sub(chunk.offset)).unwrap_or(usize::MAX);
    while skip < chunk.data.len() && !chunk.data.is_char_boundary(skip) {
        skip += 1;
    }
    let fresh = &chunk.data[skip.min(chunk.data.len())..];
    s.next_offset = end;
    s.text.update(|pane| append_capped(pane, fresh, MAX_PANE_BYTES));
    if s.status.get_untracked() != LogStatus::Following {
        s.status.set(LogStatus::Following);
    }
}
