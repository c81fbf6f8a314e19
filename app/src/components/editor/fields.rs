//! Form controls bound to a JSON pointer of the editor document: text and
//! number inputs, selects, checkboxes, and their inline errors.
//!
//! A text input keeps the user's own text as long as it means what the
//! document holds (so `1.` or `0.50` are not rewritten while typing); when
//! the document changes elsewhere (JSON mode, a removed row) it shows the
//! new value.

use leptos::prelude::*;
use serde_json::Value;

use super::doc::{parse_field, render_field, FieldKind};
use super::state::EditorState;
use crate::sync_hydrate::IntoAnySync;

/// A text signal for the input at `pointer`, kept in sync with the document.
pub fn bound_text(state: EditorState, pointer: String, kind: FieldKind) -> RwSignal<String> {
    let text = RwSignal::new(state.doc.with_untracked(|d| render_field(d.pointer(&pointer))));
    Effect::new(move |_| {
        let current = state.doc.with(|d| d.pointer(&pointer).cloned());
        if parse_field(kind, &text.get_untracked()) != current {
            text.set(render_field(current.as_ref()));
        }
    });
    text
}

/// The inline errors of `pointer`.
#[component]
pub fn FieldErrors(pointer: String) -> impl IntoView {
    let state = EditorState::from_context();
    move || {
        let errors = state.errors_at(&pointer);
        (!errors.is_empty()).then(|| {
            view! {
                <ul class="field-errors" data-testid="field-error" data-path=pointer.clone()>
                    {errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
            }
        })
    }
}

/// A bare input (for table cells): text or number, no label around it.
#[component]
pub fn CellInput(
    pointer: String,
    #[prop(optional)] kind: FieldKind,
    /// Accessible name (cells have no visible label).
    label: String,
    #[prop(optional, into)] test_id: String,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    let state = EditorState::from_context();
    let text = bound_text(state, pointer.clone(), kind);
    let invalid_ptr = pointer.clone();
    let invalid = move || (!state.errors_at(&invalid_ptr).is_empty()).to_string();
    view! {
        <input
            type="text"
            inputmode=if kind == FieldKind::Number { "decimal" } else { "text" }
            aria-label=label
            aria-invalid=invalid
            placeholder=placeholder
            data-testid=test_id
            prop:value=text
            on:input=move |ev| {
                let value = event_target_value(&ev);
                text.set(value.clone());
                state.write(&pointer, parse_field(kind, &value));
            }
        />
    }
}

/// A labelled input with its errors below.
#[component]
pub fn Field(
    label: &'static str,
    pointer: &'static str,
    #[prop(optional)] kind: FieldKind,
    /// A textarea instead of a one-line input.
    #[prop(optional)]
    multiline: bool,
    #[prop(optional)] placeholder: &'static str,
    /// Help text under the input.
    #[prop(optional)]
    hint: &'static str,
    #[prop(optional)] test_id: &'static str,
) -> impl IntoView {
    let state = EditorState::from_context();
    let text = bound_text(state, pointer.to_string(), kind);
    let on_input = move |value: String| {
        text.set(value.clone());
        state.write(pointer, parse_field(kind, &value));
    };
    let invalid = move || (!state.errors_at(pointer).is_empty()).to_string();
    let input = if multiline {
        view! {
            <textarea rows="3" placeholder=placeholder data-testid=test_id aria-invalid=invalid
                prop:value=text on:input=move |ev| on_input(event_target_value(&ev))></textarea>
        }
        .into_any_sync()
    } else {
        view! {
            <input type="text" inputmode=if kind == FieldKind::Number { "decimal" } else { "text" }
                placeholder=placeholder data-testid=test_id aria-invalid=invalid
                prop:value=text on:input=move |ev| on_input(event_target_value(&ev)) />
        }
        .into_any_sync()
    };
    view! {
        <label class="field" data-field=pointer>
            <span class="field-label">{label}</span>
            {input}
            {(!hint.is_empty()).then(|| view! { <span class="hint">{hint}</span> })}
            <FieldErrors pointer=pointer.to_string() />
        </label>
    }
}

/// A select writing a string; the option equal to `default` stands for an
/// absent key.
#[component]
pub fn SelectInput(
    pointer: String,
    options: &'static [(&'static str, &'static str)],
    default: &'static str,
    label: String,
    #[prop(optional, into)] test_id: String,
) -> impl IntoView {
    let state = EditorState::from_context();
    let read_ptr = pointer.clone();
    let current = Memo::new(move |_| {
        state.doc.with(|d| d.pointer(&read_ptr).and_then(Value::as_str).unwrap_or(default).to_string())
    });
    view! {
        <select aria-label=label data-testid=test_id prop:value=current
            on:change=move |ev| state.write(&pointer, Some(Value::String(event_target_value(&ev))))>
            {options
                .iter()
                .map(|(value, text)| {
                    // `selected` makes the server-rendered page show the value before hydration.
                    view! { <option value=*value selected=move || current.get() == *value>{*text}</option> }
                })
                .collect_view()}
        </select>
    }
}

/// A checkbox; unchecked removes the key (Marathon's default is `false`).
#[component]
pub fn CheckField(
    label: &'static str,
    pointer: &'static str,
    #[prop(optional)] test_id: &'static str,
) -> impl IntoView {
    let state = EditorState::from_context();
    let checked = move || state.doc.with(|d| d.pointer(pointer).and_then(Value::as_bool).unwrap_or(false));
    view! {
        <label class="check" data-field=pointer>
            <input type="checkbox" data-testid=test_id prop:checked=checked
                on:change=move |ev| state.write(pointer, event_target_checked(&ev).then_some(Value::Bool(true))) />
            <span>{label}</span>
        </label>
    }
}
