//! The Logs tab of the app page: `stdout` or `stderr` of one instance,
//! followed live.
//!
//! The browser reads the REST API's sandbox files directly: the current
//! size (`GET /v2/tasks/{id}/files/{stream}?offset=-1`), then a stream of
//! everything from the last [`TAIL_BYTES`] on
//! (`.../{stream}/follow?offset=N`, Server-Sent Events `data` and a final
//! `eof`). [`follow`] (hydrate only) owns that connection; it is opened
//! by an effect keyed on the instance and the stream and closed when
//! either changes or the tab goes away. The pane scrolls with the output
//! until the user scrolls up, and resumes at the bottom.

#[cfg(feature = "hydrate")]
mod follow;

use leptos::html::Pre;
use leptos::prelude::*;

use crate::api::apps::TaskView;

/// How much of the existing output is shown when following starts.
pub const TAIL_BYTES: u64 = 64 * 1024;
/// The most the pane keeps; older output is dropped at a line boundary.
pub const MAX_PANE_BYTES: usize = 512 * 1024;

/// Which output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl LogStream {
    /// The file name in the sandbox and in the URL.
    pub fn name(self) -> &'static str {
        match self {
            LogStream::Stdout => "stdout",
            LogStream::Stderr => "stderr",
        }
    }
}

/// Where the follower stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogStatus {
    /// Reading the size, connecting.
    Loading,
    /// New output shows as it is written.
    Following,
    /// The task ended and its output was read to the end.
    Ended,
    /// The stream broke; a new one is being opened.
    Reconnecting,
    /// The output cannot be read (the message says why).
    Failed(String),
}

impl LogStatus {
    fn slug(&self) -> &'static str {
        match self {
            LogStatus::Loading => "loading",
            LogStatus::Following => "following",
            LogStatus::Ended => "ended",
            LogStatus::Reconnecting => "reconnecting",
            LogStatus::Failed(_) => "failed",
        }
    }

    fn label(&self) -> String {
        match self {
            LogStatus::Loading => "Loading…".into(),
            LogStatus::Following => "Following".into(),
            LogStatus::Ended => "Task ended — end of output".into(),
            LogStatus::Reconnecting => "Connection lost, reconnecting…".into(),
            LogStatus::Failed(why) => format!("Cannot read the output: {why}"),
        }
    }
}

/// Appends `chunk` to `pane`, dropping the oldest lines beyond `max` bytes.
pub fn append_capped(pane: &mut String, chunk: &str, max: usize) {
    pane.push_str(chunk);
    if pane.len() > max {
        let mut cut = pane.len() - max;
        while !pane.is_char_boundary(cut) {
            cut += 1;
        }
        let cut = pane[cut..].find('\n').map_or(cut, |at| cut + at + 1);
        pane.drain(..cut);
    }
}

/// The tab. `tasks` are the app's instances (a memo, so the pane is not
/// rebuilt when other facts of the app change).
#[component]
pub fn LogsTab(tasks: Memo<Vec<TaskView>>) -> impl IntoView {
    let chosen = RwSignal::new(None::<String>);
    let stream = RwSignal::new(LogStream::Stdout);
    // The chosen instance, else the first one (running ones first).
    let task = Memo::new(move |_| {
        let tasks = tasks.get();
        chosen.get().filter(|id| tasks.iter().any(|t| t.id == *id)).or_else(|| {
            tasks.iter().find(|t| t.state == "TASK_RUNNING").or(tasks.first()).map(|t| t.id.clone())
        })
    });
    let text = RwSignal::new(String::new());
    let status = RwSignal::new(LogStatus::Loading);
    let stick = RwSignal::new(true);
    // Where the pane stood at its last scroll event: only a move up from
    // there is the user going back (new output also moves the bottom away).
    let last_top = StoredValue::new(0_i32);
    let pane = NodeRef::<Pre>::new();

    // Opens the follower for the current (task, stream); effects run in the browser only.
    Effect::new(move |_| {
        let (Some(task), stream) = (task.get(), stream.get()) else { return };
        text.set(String::new());
        status.set(LogStatus::Loading);
        stick.set(true);
        #[cfg(feature = "hydrate")]
        {
            let handle = send_wrapper::SendWrapper::new(follow::start(task, stream, text, status));
            on_cleanup(move || drop(handle));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (task, stream);
    });
    // Keeps the newest output in view unless the user scrolled up.
    // The move waits for the next frame: by then the new text is in the
    // pane, whichever of this effect and the text's own update ran first.
    Effect::new(move |_| {
        text.track();
        request_animation_frame(move || {
            if let Some(el) = pane.get_untracked() {
                if stick.get_untracked() {
                    el.set_scroll_top(el.scroll_height());
                }
            }
        });
    });
    // Scrolling up pauses; reaching the bottom again resumes. The scroll
    // event of the pane's own move may arrive after more output grew the
    // pane, so "not at the bottom" alone does not pause.
    let on_scroll = move |_| {
        if let Some(el) = pane.get_untracked() {
            let top = el.scroll_top();
            let at_bottom = el.scroll_height() - top - el.client_height() < 8;
            if at_bottom {
                stick.set(true);
            } else if top < last_top.get_value() {
                stick.set(false);
            }
            last_top.set_value(top);
        }
    };
    let jump = move |_| {
        stick.set(true);
        if let Some(el) = pane.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    };
    view! {
        {move || tasks.with(Vec::is_empty).then(|| view! {
            <p class="muted" data-testid="logs-empty">"No instance is running, so there is no output to show."</p>
        })}
        <div class="logs" class:hidden=move || tasks.with(Vec::is_empty)>
            <div class="logs-toolbar">
                <label class="inline-field">
                    <span>"Instance"</span>
                    <select data-testid="log-instance" on:change=move |ev| chosen.set(Some(event_target_value(&ev)))>
                        {move || tasks.get().into_iter().map(|t| {
                            let id = t.id.clone();
                            let selected = task.get().as_deref() == Some(id.as_str());
                            let state = t.state.trim_start_matches("TASK_").to_lowercase();
                            view! { <option value=id.clone() selected=selected>{format!("{id} · {} · {state}", t.host)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <div class="segmented" role="radiogroup" aria-label="Output stream">
                    {[LogStream::Stdout, LogStream::Stderr].into_iter().map(|s| view! {
                        <button role="radio" class="segment" aria-checked=move || (stream.get() == s).to_string()
                            data-testid=format!("log-stream-{}", s.name()) on:click=move |_| stream.set(s)>{s.name()}</button>
                    }).collect_view()}
                </div>
                <span class="log-status" data-testid="log-status" data-state=move || status.with(LogStatus::slug) role="status">
                    {move || status.with(LogStatus::label)}
                </span>
            </div>
            <div class="log-frame">
                <pre class="log" node_ref=pane tabindex="0" aria-label="Instance output" data-testid="log-pane"
                    on:scroll=on_scroll>{move || text.get()}</pre>
                {move || (!stick.get()).then(|| view! {
                    <button class="button log-jump" data-testid="log-follow" on:click=jump>"Paused · jump to the end ↓"</button>
                })}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::append_capped;

    #[test]
    fn the_pane_drops_whole_old_lines_beyond_its_cap() {
        let mut pane = String::new();
        append_capped(&mut pane, "one\ntwo\n", 16);
        assert_eq!(pane, "one\ntwo\n");
        append_capped(&mut pane, "three\nfour\n", 16);
        assert_eq!(pane, "two\nthree\nfour\n");
        let mut pane = "ééé\n".to_string();
        append_capped(&mut pane, "x", 3);
        assert_eq!(pane, "x");
    }
}
