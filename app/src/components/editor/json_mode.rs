//! The JSON mode: the whole document as text. Valid JSON typed here
//! replaces the document at once (so the form follows); text that is not
//! JSON yet stays in the box with the parser's message under it.

use leptos::prelude::*;
use serde_json::Value;

use super::state::EditorState;

fn pretty(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).unwrap_or_default()
}

/// The JSON text area, in sync with the form.
#[component]
pub fn JsonEditor() -> impl IntoView {
    let state = EditorState::from_context();
    let text = RwSignal::new(state.doc.with_untracked(pretty));
    let syntax = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let doc = state.doc.get();
        let same = serde_json::from_str::<Value>(&text.get_untracked()).is_ok_and(|typed| typed == doc);
        if !same {
            text.set(pretty(&doc));
            syntax.set(None);
        }
    });
    let on_input = move |value: String| {
        text.set(value.clone());
        match serde_json::from_str::<Value>(&value) {
            Ok(doc) => {
                syntax.set(None);
                state.submitted.set(true);
                state.change("/", |d| *d = doc);
            }
            Err(e) => syntax.set(Some(e.to_string())),
        }
    };
    view! {
        <div class="json-editor">
            <label class="field">
                <span class="field-label">"JSON"</span>
                <textarea spellcheck="false" rows="28" data-testid="json-editor" aria-invalid=move || syntax.get().is_some().to_string()
                    prop:value=text on:input=move |ev| on_input(event_target_value(&ev))></textarea>
            </label>
            {move || syntax.get().map(|message| view! {
                <ul class="field-errors" data-testid="json-syntax-error"><li>{format!("Not valid JSON: {message}")}</li></ul>
            })}
        </div>
    }
}
