//! The Configuration tab of the app page: stored versions, the JSON of
//! one, a line diff between any two, and "apply this version".
//!
//! Applying replaces the app with the old definition (`PUT
//! /v2/apps/{id}` without the server-set `version`/`versionInfo`); a 409
//! (a deployment holds the app) asks "apply anyway?" and repeats the
//! write with `force`. The tab's choices live in [`ConfigState`], owned
//! by the page, so they survive the refetches live updates cause.

use leptos::prelude::*;

use super::error_view::{ApiErrorNotice, ErrorList};
use crate::api::app_changes::{update_app, DeploymentRef};
use crate::api::apps::{get_app_version, AppDetail};
use crate::diff::{changes, diff_lines, fold_unchanged, Block, DiffLine, CONTEXT};
use crate::error::ApiError;
use crate::model::AppDefinition;
use crate::sync_hydrate::IntoAnySync;

/// What the user picked on the tab.
#[derive(Debug, Clone, Copy)]
pub struct ConfigState {
    /// The version shown (`None`: the current one).
    pub picked: RwSignal<Option<String>>,
    /// The version it is compared with (`None`: no diff, plain JSON).
    pub compare: RwSignal<Option<String>>,
    /// A version whose apply was refused with 409, awaiting "apply anyway".
    pub conflict: RwSignal<Option<(String, ApiError)>>,
    /// The outcome of the last apply, shown until the next one.
    pub applied: RwSignal<Option<Result<DeploymentRef, ApiError>>>,
}

impl ConfigState {
    /// Fresh state: the current version, no comparison.
    pub fn new() -> Self {
        ConfigState {
            picked: RwSignal::new(None),
            compare: RwSignal::new(None),
            conflict: RwSignal::new(None),
            applied: RwSignal::new(None),
        }
    }
}

impl Default for ConfigState {
    fn default() -> Self {
        Self::new()
    }
}

/// The definition as the user compares and applies it: pretty JSON
/// without the stamps the server sets (they differ in every version).
pub fn definition_text(def: &AppDefinition) -> String {
    let mut value = serde_json::to_value(def).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.remove("version");
        map.remove("versionInfo");
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// The text of `version` of app `id`; `current` is already at hand.
async fn load(id: String, version: String, current: (String, String)) -> Result<String, ApiError> {
    if version == current.0 {
        return Ok(current.1);
    }
    get_app_version(id, version).await.map(|def| definition_text(&def))
}

/// The tab.
#[component]
pub fn ConfigurationTab(detail: AppDetail, state: ConfigState, on_change: Callback<()>) -> impl IntoView {
    let id = detail.summary.id.clone();
    let current = detail.summary.version.clone();
    let current_text = definition_text(&detail.definition);
    let now = current.clone();
    let selected = Signal::derive(move || state.picked.get().unwrap_or_else(|| now.clone()));
    let shown = {
        let (id, current) = (id.clone(), (current.clone(), current_text.clone()));
        crate::api::resource::resource(
            move || (selected.get(), state.compare.get()),
            move |(version, compare)| {
                let (id, current) = (id.clone(), current.clone());
                async move {
                    let text = load(id.clone(), version, current.clone()).await?;
                    let base = match compare {
                        Some(v) => Some(load(id, v, current).await?),
                        None => None,
                    };
                    Ok::<_, ApiError>((text, base))
                }
            },
        )
    };
    // The outcome goes straight into the page's state from the request's
    // own future: a live refetch of the app may rebuild this tab while the
    // request runs, and an effect of the old tab would never see it.
    let apply = {
        let (id, current) = (id.clone(), (current.clone(), current_text.clone()));
        Action::new(move |(version, force): &(String, bool)| {
            let (id, current, version, force) = (id.clone(), current.clone(), version.clone(), *force);
            async move {
                let loaded = load(id.clone(), version.clone(), current).await;
                let result = match loaded {
                    Ok(text) => update_app(id, text, force).await,
                    Err(e) => Err(e),
                };
                match result {
                    Err(e) if e.is_locked() => state.conflict.set(Some((version, e))),
                    other => {
                        let ok = other.is_ok();
                        state.conflict.set(None);
                        state.applied.set(Some(other));
                        if ok {
                            state.picked.set(None);
                            state.compare.set(None);
                            on_change.run(());
                        }
                    }
                }
            }
        })
    };
    let versions = detail.versions.clone();
    let compare_options = detail.versions.clone();
    let is_current = {
        let current = current.clone();
        move || selected.get() == current
    };
    let run_apply = move |force: bool| {
        state.applied.set(None);
        apply.dispatch((selected.get_untracked(), force));
    };
    view! {
        <div class="config">
            <aside class="versions" aria-label="Versions">
                <h3>"Versions"</h3>
                <ul data-testid="versions">
                    {versions.into_iter().map(|v| {
                        let label = if v == current { format!("{v} (current)") } else { v.clone() };
                        let pick = v.clone();
                        view! {
                            <li>
                                <button class="link-button" aria-pressed=move || (selected.get() == v).to_string()
                                    data-testid="version" on:click=move |_| state.picked.set(Some(pick.clone()))>{label}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </aside>
            <div class="config-body">
                <div class="config-toolbar">
                    <label class="inline-field">
                        <span>"Compare with"</span>
                        <select data-testid="compare-with" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            state.compare.set((!v.is_empty()).then_some(v));
                        }>
                            <option value="" selected=move || state.compare.get().is_none()>"— nothing (show JSON)"</option>
                            {compare_options.into_iter().map(|v| {
                                let value = v.clone();
                                view! { <option value=value.clone() selected=move || state.compare.get().as_deref() == Some(value.as_str())>{v}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {move || (!is_current()).then(|| view! {
                        <button class="button primary" data-testid="apply-version"
                            disabled=move || apply.pending().get()
                            on:click=move |_| run_apply(false)>"Apply this version"</button>
                    })}
                </div>
                {move || state.conflict.get().map(|(version, error)| view! {
                    <div class="notice notice-warn" role="alertdialog" aria-labelledby="apply-conflict-title" data-testid="apply-conflict">
                        <p id="apply-conflict-title"><strong>"A deployment is running for this app."</strong></p>
                        <p>{error.message.clone()}</p>
                        <p>{format!("Apply version {version} anyway? The running deployment is cancelled.")}</p>
                        <div class="dialog-actions">
                            <button class="button danger" data-testid="apply-force" on:click=move |_| run_apply(true)>"Apply anyway"</button>
                            <button class="button" data-testid="apply-cancel" on:click=move |_| state.conflict.set(None)>"Cancel"</button>
                        </div>
                    </div>
                })}
                {move || state.applied.get().map(|result| match result {
                    Ok(r) => view! {
                        <p class="notice notice-info" role="status" data-testid="apply-done">
                            {if r.deployment_id.is_empty() { "Nothing to change: this is the current definition.".to_string() }
                             else { format!("Applied: deployment {} started.", r.deployment_id) }}
                        </p>
                    }.into_any_sync(),
                    Err(error) => view! { <ApiErrorNotice error /> }.into_any_sync(),
                })}
                <Transition fallback=|| view! { <p class="muted">"Loading version…"</p> }>
                    <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                        {move || shown.get().map(|r| r.map(|(text, base)| match base {
                            None => view! { <pre class="json" data-testid="config-json">{text}</pre> }.into_any_sync(),
                            Some(base) => view! { <DiffView old=base new=text /> }.into_any_sync(),
                        }))}
                    </ErrorBoundary>
                </Transition>
            </div>
        </div>
    }
}

/// A unified line diff, old → new, with long runs of unchanged lines
/// folded into a row that unfolds them in place when clicked.
#[component]
fn DiffView(old: String, new: String) -> impl IntoView {
    let diff = diff_lines(&old, &new);
    let (removed, added) = changes(&diff);
    let summary = if removed + added == 0 {
        "No differences.".to_string()
    } else {
        format!("{removed} line(s) removed, {added} added")
    };
    let blocks = fold_unchanged(&diff, CONTEXT)
        .into_iter()
        .map(|block| match block {
            Block::Shown(range) => diff[range].iter().cloned().map(diff_line).collect_view().into_any_sync(),
            Block::Folded(range) => {
                let lines = diff[range].to_vec();
                let count = lines.len();
                let open = RwSignal::new(false);
                view! {
                    <Show when=move || open.get() fallback=move || view! {
                        <button class="d-fold" data-testid="diff-fold"
                            on:click=move |_| open.set(true)>
                            {format!("⋯ {count} unchanged line{}", if count == 1 { "" } else { "s" })}
                        </button>
                    }>
                        {lines.iter().cloned().map(diff_line).collect_view()}
                    </Show>
                }
                .into_any_sync()
            }
        })
        .collect_view();
    view! {
        <p class="muted diff-summary" data-testid="diff-summary">{summary}</p>
        <pre class="json diff" data-testid="config-diff">{blocks}</pre>
    }
}

fn diff_line(line: DiffLine) -> AnyView {
    match line {
        DiffLine::Same(t) => {
            view! { <span class="d-same" data-testid="diff-same">{format!("  {t}")}</span> }.into_any_sync()
        }
        DiffLine::Removed(t) => {
            view! { <del class="d-del" data-testid="diff-removed">{format!("- {t}")}</del> }.into_any_sync()
        }
        DiffLine::Added(t) => {
            view! { <ins class="d-ins" data-testid="diff-added">{format!("+ {t}")}</ins> }.into_any_sync()
        }
    }
}
