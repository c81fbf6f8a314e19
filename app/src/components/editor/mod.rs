//! The app editor: the seed's "new application" form, with a JSON mode
//! that stays in sync, validation as you type (the server's own
//! [`crate::model::parse_app`], compiled into the browser) and errors next
//! to their fields by JSON pointer.
//!
//! Layout: [`doc`] (pure JSON-pointer editing and validation), [`state`]
//! (the shared signals), [`fields`] (bound inputs), one file per group of
//! sections, [`json_mode`]. The page around it (`pages::app_editor`)
//! decides what deploying means (create or update) and handles 409.

pub mod container;
pub mod doc;
pub mod fields;
pub mod general;
pub mod json_mode;
pub mod key_values;
pub mod placement;
pub mod state;

use leptos::prelude::*;

use container::ContainerSection;
use general::GeneralSection;
use json_mode::JsonEditor;
use key_values::KeyValueRows;
use placement::{ConstraintsSection, HealthChecksSection, PoliciesSection};
use state::EditorState;

/// The form sections and, when `json_mode` is on, the JSON text beside
/// them. Both edit `state.doc`; the caller provides `state` as context.
#[component]
pub fn AppForm(state: EditorState, json_mode: RwSignal<bool>) -> impl IntoView {
    provide_context(state);
    view! {
        <div class=move || if json_mode.get() { "editor split" } else { "editor" } data-testid="app-form">
            <div class="editor-form">
                <GeneralSection />
                <ContainerSection />
                <KeyValueRows pointer="/env" title="Environment variables" noun="variable" test_id="env" />
                <KeyValueRows pointer="/labels" title="Labels" noun="label" test_id="label" />
                <HealthChecksSection />
                <ConstraintsSection />
                <PoliciesSection />
            </div>
            <Show when=move || json_mode.get()>
                <JsonEditor />
            </Show>
        </div>
    }
}

/// Every current problem, listed (also those of fields the form does not
/// show); shown once a deploy was attempted.
#[component]
pub fn ViolationSummary(state: EditorState) -> impl IntoView {
    move || {
        let all = state.all_violations();
        (state.submitted.get() && !all.is_empty()).then(|| {
            view! {
                <div class="notice notice-bad" role="alert" data-testid="violation-summary">
                    <strong>{format!("{} problem(s) to fix before deploying", all.len())}</strong>
                    <ul>
                        {all
                            .into_iter()
                            .map(|v| {
                                let text = v.errors.iter().map(|e| doc::humanize(e)).collect::<Vec<_>>().join("; ");
                                view! { <li><code>{v.path}</code> " " {text}</li> }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}
