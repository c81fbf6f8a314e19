//! `/services/app/*id`: one app, with page actions and the tabs Instances,
//! Logs, Configuration, Debug and Endpoints. Refetched when the event stream
//! reports a change to apps.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::apps::{get_app, AppDetail};
use crate::api::services_query::parent_of;
use crate::api::status::AppStatus;
use crate::components::app_command::{AppCommand, AppCommandDialog, CommandKind};
use crate::components::app_config::{ConfigState, ConfigurationTab};
use crate::components::app_debug::DebugTab;
use crate::components::app_instances::{EndpointsTab, InstancesTab};
use crate::components::app_logs::LogsTab;
use crate::components::error_view::ErrorList;
use crate::components::health_bar::HealthBar;
use crate::components::status_badge::StatusBadge;
use crate::components::units;
use crate::live::{use_live, Topic};
use crate::routes::{edit_href, group_href, id_from_param};
use crate::sync_hydrate::IntoAnySync;

/// The tabs, in order: (slug, label).
const TABS: [(&str, &str); 5] = [
    ("instances", "Instances"),
    ("logs", "Logs"),
    ("configuration", "Configuration"),
    ("debug", "Debug"),
    ("endpoints", "Endpoints"),
];

/// The app page.
#[component]
pub fn AppDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| id_from_param(&params.read().get("id").unwrap_or_default()));
    let live = use_live();
    let (changes, set_changes) = signal(0u32);
    let app = crate::api::resource::json_resource(
        move || (id.get(), live.version(Topic::Apps), changes.get()),
        |(id, _, _)| get_app(id),
    );
    let tab = RwSignal::new("instances");
    let config = ConfigState::new();
    let command = RwSignal::new(None::<AppCommand>);
    let navigate = use_navigate();
    let on_done = Callback::new(move |kind: CommandKind| {
        if kind == CommandKind::Destroy {
            navigate(&group_href(&parent_of(&id.get_untracked())), Default::default());
        } else {
            set_changes.update(|n| *n += 1);
        }
    });
    let refresh = Callback::new(move |()| set_changes.update(|n| *n += 1));
    // The instances alone: the Logs tab keeps its stream while other facts change.
    let tasks = Memo::new(move |_| app.get().and_then(Result::ok).map(|d| d.tasks).unwrap_or_default());
    view! {
        <Title text=move || id.get() />
        <header class="page-header">
            <nav aria-label="Breadcrumbs">
                <ol class="breadcrumbs">
                    <li><A href="/services">"Services"</A></li>
                    {move || {
                        let parent = parent_of(&id.get());
                        (parent != "/").then(|| view! { <li><A href=group_href(&parent)>{parent.clone()}</A></li> })
                    }}
                </ol>
            </nav>
            <h1 data-testid="page-title">{move || id.get()}</h1>
        </header>
        <Transition fallback=|| view! { <section class="card"><p class="muted">"Loading…"</p></section> }>
            <ErrorBoundary fallback=|errors| view! { <section class="card"><ErrorList errors /></section> }>
                {move || app.get().map(|r| r.map(|detail| view! { <AppSummaryCard detail command /> }))}
            </ErrorBoundary>
        </Transition>
        <section class="card">
            <div class="tabs" role="tablist" aria-label="App details">
                {TABS.into_iter().map(|(slug, label)| view! {
                    <button role="tab" class="tab" id=format!("tab-{slug}") aria-controls="app-tabpanel"
                        aria-selected=move || (tab.get() == slug).to_string()
                        data-testid=format!("tab-{slug}") on:click=move |_| tab.set(slug)>{label}</button>
                }).collect_view()}
            </div>
            <div role="tabpanel" id="app-tabpanel" class="tab-panel" aria-labelledby=move || format!("tab-{}", tab.get())>
                {move || if tab.get() == "logs" {
                    view! { <LogsTab tasks /> }.into_any_sync()
                } else {
                    view! {
                        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                            {move || app.get().and_then(Result::ok).map(|detail| view! { <TabBody detail tab config refresh /> })}
                        </Transition>
                    }.into_any_sync()
                }}
            </div>
        </section>
        <AppCommandDialog pending=command on_done />
    }
}

#[component]
fn AppSummaryCard(detail: AppDetail, command: RwSignal<Option<AppCommand>>) -> impl IntoView {
    let s = detail.summary.clone();
    let ask = {
        let (id, instances) = (s.id.clone(), s.instances);
        move |kind: CommandKind| command.set(Some(AppCommand { kind, app_id: id.clone(), instances }))
    };
    let toggle = if s.status == AppStatus::Suspended { CommandKind::Resume } else { CommandKind::Suspend };
    view! {
        <section class="card">
            <div class="app-head">
                <div class="app-facts">
                    <StatusBadge status=s.status />
                    <span data-testid="detail-instances">{format!("{} of {} running", s.tasks.running, s.instances)}</span>
                    <span class="muted">{format!("{} CPU · {} · {} disk per instance", units::cpus(s.cpus), units::mib(s.mem), units::mib(s.disk))}</span>
                    {s.image.clone().map(|i| view! { <span class="mono muted">{i}</span> })}
                </div>
                <div class="app-actions">
                    <A href=edit_href(&s.id) attr:class="button primary" attr:data-testid="edit-app">"Edit"</A>
                    {[CommandKind::Scale, CommandKind::Restart, toggle, CommandKind::Destroy].into_iter().map(|kind| {
                        let ask = ask.clone();
                        view! {
                            <button class=if kind == CommandKind::Destroy { "button danger" } else { "button" }
                                data-testid=format!("detail-{}", kind.slug()) on:click=move |_| ask(kind)>{kind.label()}</button>
                        }
                    }).collect_view()}
                </div>
            </div>
            <HealthBar tasks=s.tasks desired=s.instances />
            {(!detail.deployments.is_empty()).then(|| view! {
                <p class="notice notice-info">"A deployment is changing this app. " <A href="/deployments">"See deployments"</A></p>
            })}
        </section>
    }
}

/// The data-driven tabs (all but Logs), rebuilt when the app refetches.
#[component]
fn TabBody(
    detail: AppDetail,
    tab: RwSignal<&'static str>,
    config: ConfigState,
    refresh: Callback<()>,
) -> impl IntoView {
    move || {
        let detail = detail.clone();
        match tab.get() {
            "configuration" => {
                view! { <ConfigurationTab detail state=config on_change=refresh /> }.into_any_sync()
            }
            "debug" => view! { <DebugTab detail on_change=refresh /> }.into_any_sync(),
            "endpoints" => view! { <EndpointsTab detail /> }.into_any_sync(),
            _ => view! { <InstancesTab detail on_change=refresh /> }.into_any_sync(),
        }
    }
}
