//! `/services/new` and `/services/edit/*id`: the app editor page. Deploy
//! validates in the browser first; server refusals show next to their
//! fields, and a 409 (a deployment holds the app) offers to force.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use serde_json::{json, Value};

use crate::api::app_changes::{create_app, update_app, DeploymentRef};
use crate::api::apps::get_app;
use crate::components::editor::doc::editable;
use crate::components::editor::state::EditorState;
use crate::components::editor::{AppForm, ViolationSummary};
use crate::components::error_view::{ApiErrorNotice, ErrorList};
use crate::components::page_header::PageHeader;
use crate::error::ApiError;
use crate::model::parse_app;
use crate::routes::{app_href, id_from_param};
use crate::sync_hydrate::IntoAnySync;

/// What Deploy does.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// `POST /v2/apps`.
    Create,
    /// `PUT /v2/apps/{id}`.
    Update(String),
}

/// The editor for a new app.
#[component]
pub fn NewAppPage() -> impl IntoView {
    let initial = json!({"id": "", "cmd": "", "cpus": 0.1, "mem": 128, "disk": 0, "instances": 1});
    view! {
        <PageHeader title="Deploy a service" subtitle="A long-running app: command or Docker image, resources, ports, health" />
        <EditorPanel initial target=Target::Create />
    }
}

/// The editor for an existing app, starting from its current definition.
#[component]
pub fn EditAppPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| id_from_param(&params.read().get("id").unwrap_or_default()));
    let app = crate::api::resource::json_resource(move || id.get(), get_app);
    view! {
        <PageHeader title="Edit service" subtitle="Changes roll out as a new deployment" />
        <Suspense fallback=|| view! { <section class="card"><p class="muted">"Loading…"</p></section> }>
            <ErrorBoundary fallback=|errors| view! { <section class="card"><ErrorList errors /></section> }>
                {move || Suspend::new(async move {
                    let detail = app.await?;
                    let initial = editable(serde_json::to_value(&detail.definition).unwrap_or(Value::Null));
                    Ok::<_, ApiError>(view! { <EditorPanel initial target=Target::Update(id.get_untracked()) /> })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

async fn deploy(target: Target, json: String, force: bool) -> Result<DeploymentRef, ApiError> {
    match target {
        Target::Create => create_app(json, force).await,
        Target::Update(id) => update_app(id, json, force).await,
    }
}

/// The id the document will get, for the page to open after deploying.
fn deployed_id(doc: &Value, target: &Target) -> String {
    match target {
        Target::Update(id) => id.clone(),
        Target::Create => serde_json::to_vec(doc)
            .ok()
            .and_then(|bytes| parse_app(&bytes).ok())
            .map(|app| app.id.to_string())
            .unwrap_or_else(|| "/".into()),
    }
}

#[component]
fn EditorPanel(initial: Value, target: Target) -> impl IntoView {
    let state = EditorState::new(initial);
    let json_mode = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let action = Action::new(|(target, json, force): &(Target, String, bool)| {
        deploy(target.clone(), json.clone(), *force)
    });
    let navigate = use_navigate();
    let done_target = target.clone();
    Effect::new(move |_| match action.value().get() {
        Some(Ok(_)) => navigate(
            &app_href(&state.doc.with_untracked(|d| deployed_id(d, &done_target))),
            Default::default(),
        ),
        Some(Err(error)) => {
            state.server_violations.set(error.details.clone());
            failure.set(Some(error));
        }
        None => {}
    });
    let creating = target == Target::Create;
    let verb = if creating { "Deploy" } else { "Deploy changes" };
    let submit = StoredValue::new(move |force: bool| {
        state.submitted.set(true);
        failure.set(None);
        if state.violations.with_untracked(Vec::is_empty) {
            let json = state.doc.with_untracked(Value::to_string);
            action.dispatch((target.clone(), json, force));
        }
    });
    view! {
        <div class="editor-toolbar">
            <label class="switch">
                <input type="checkbox" data-testid="json-mode" prop:checked=json_mode
                    on:change=move |ev| json_mode.set(event_target_checked(&ev)) />
                <span>"JSON mode"</span>
            </label>
            <span class="muted" data-testid="validation-state">
                {move || {
                    let started = !creating
                        || state.submitted.get()
                        || !state.touched.with(|t| t.is_empty());
                    validation_label(state.violations.with(Vec::len), started)
                }}
            </span>
            <button class="button primary" data-testid="deploy" disabled=move || action.pending().get()
                on:click=move |_| submit.with_value(|f| f(false))>
                {move || if action.pending().get() { "Deploying…" } else { verb }}
            </button>
        </div>
        <ViolationSummary state />
        {move || failure.get().map(|error| {
            if error.is_locked() {
                view! {
                    <div class="notice notice-warn" role="alert" data-testid="deploy-locked">
                        <p>"A deployment is running for this app. Stop it and deploy anyway?"</p>
                        <button class="button danger" data-testid="deploy-force" on:click=move |_| submit.with_value(|f| f(true))>
                            "Stop deployment and deploy"
                        </button>
                    </div>
                }.into_any_sync()
            } else {
                view! { <ApiErrorNotice error /> }.into_any_sync()
            }
        })}
        <AppForm state json_mode />
    }
}

/// The editor's one-line verdict: a new, untouched form is not yet wrong,
/// it only lacks what every app needs.
fn validation_label(problems: usize, started: bool) -> String {
    match (problems, started) {
        (0, _) => "Valid".to_string(),
        (_, false) => "Fill in the ID and a command or image".to_string(),
        (1, true) => "1 problem".to_string(),
        (n, true) => format!("{n} problems"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{deployed_id, validation_label, Target};

    #[test]
    fn the_page_after_deploy_is_the_apps_absolute_id() {
        let doc = json!({"id": "prod/web", "cmd": "x"});
        assert_eq!(deployed_id(&doc, &Target::Create), "/prod/web");
        assert_eq!(deployed_id(&doc, &Target::Update("/other".into())), "/other");
    }

    #[test]
    fn an_untouched_new_form_asks_instead_of_counting_problems() {
        assert_eq!(validation_label(2, false), "Fill in the ID and a command or image");
        assert_eq!(validation_label(0, false), "Valid");
        assert_eq!(validation_label(1, true), "1 problem");
        assert_eq!(validation_label(3, true), "3 problems");
    }
}
