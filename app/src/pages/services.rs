//! `/services` and `/services/*group`: one group's folders and apps, with
//! breadcrumbs, filters, sorting, paging and row actions. Task events
//! change the rows in place (see [`crate::components::app_table`]); the
//! list is refetched when the event stream reports a change to apps or
//! deployments, a while after task events (to reconcile statuses, new
//! apps, folder totals and the order: [`Topic::Services`]), and after
//! every action.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::apps::list_services;
use crate::api::services_query::{ServiceQuery, ServicesPage, SortKey, TextFilter};
use crate::api::status::AppStatus;
use crate::components::app_command::{AppCommand, AppCommandDialog};
use crate::components::app_table::{AppTable, SortState};
use crate::components::error_view::ErrorList;
use crate::components::page_header::PageHeader;
use crate::live::{use_live, Topic};
use crate::routes::{group_href, id_from_param};

/// The services page.
#[component]
pub fn ServicesPage() -> impl IntoView {
    let params = use_params_map();
    let group = Memo::new(move |_| id_from_param(&params.read().get("group").unwrap_or_default()));
    let text = RwSignal::new(String::new());
    let status = RwSignal::new(None::<AppStatus>);
    let sort = SortState { key: RwSignal::new(SortKey::Name), descending: RwSignal::new(false) };
    let page = RwSignal::new(0usize);
    // A new filter or group starts at the first page.
    Effect::new(move |_| {
        group.track();
        text.track();
        status.track();
        page.set(0);
    });
    let command = RwSignal::new(None::<AppCommand>);
    let (changes, set_changes) = signal(0u32);
    let live = use_live();
    let query = move || ServiceQuery {
        group: group.get(),
        text: text.get(),
        status: status.get(),
        sort: sort.key.get(),
        descending: sort.descending.get(),
        page: page.get(),
    };
    let services = Resource::new(
        move || (query(), live.version(Topic::Services), changes.get()),
        |(q, _, _)| list_services(q),
    );
    view! {
        <PageHeader title="Services" subtitle="Apps and groups running on the cluster" />
        <div class="toolbar">
            <Breadcrumbs group />
            <A href="/services/new" attr:class="button primary" attr:data-testid="deploy-service">"Deploy a service"</A>
        </div>
        <div class="filters">
            <input
                type="search"
                class="search"
                placeholder="Name, or label:key=value"
                aria-label="Filter services by name or label (label:key=value)"
                data-testid="service-filter"
                prop:value=text
                on:input=move |ev| text.set(event_target_value(&ev))
            />
            <LabelPicker text services />
            <StatusChips status services />
        </div>
        <Transition fallback=|| view! { <section class="card"><p class="muted">"Loading services…"</p></section> }>
            <ErrorBoundary fallback=|errors| view! { <section class="card"><ErrorList errors /></section> }>
                {move || services.get().map(|result| result.map(|p| view! { <ServicesBody page=p sort command pager=page filtering=move || !text.get().is_empty() || status.get().is_some() /> }))}
            </ErrorBoundary>
        </Transition>
        <AppCommandDialog pending=command on_done=Callback::new(move |_| set_changes.update(|n| *n += 1)) />
    }
}

#[component]
fn ServicesBody(
    page: ServicesPage,
    sort: SortState,
    command: RwSignal<Option<AppCommand>>,
    pager: RwSignal<usize>,
    filtering: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    if page.apps.is_empty() && page.groups.is_empty() {
        let nothing_at_all = page.counts.total == 0 && !filtering();
        return view! {
            <section class="card empty" data-testid="services-empty">
                {if nothing_at_all {
                    view! {
                        <h2>"No services yet"</h2>
                        <p>"A service is a command or a Docker image that dromos keeps running: as many instances as you ask for, restarted when they crash, replaced when they turn unhealthy."</p>
                        <p><A href="/services/new" attr:class="button primary" attr:data-testid="deploy-first">"Deploy your first app"</A></p>
                    }
                        .into_any()
                } else {
                    view! { <p>"No services match this filter."</p> }.into_any()
                }}
            </section>
        }
        .into_any();
    }
    let (current, pages, matching) = (page.page, page.pages, page.matching);
    view! {
        <section class="card flush">
            <div class="table-scroll"><AppTable page sort command /></div>
            <div class="pager">
                <span class="muted" data-testid="page-info">
                    {format!(
                        "{matching} {} · page {} of {pages}",
                        if matching == 1 { "service" } else { "services" },
                        current + 1
                    )}
                </span>
                <button class="button" data-testid="page-prev" disabled={current == 0}
                    on:click=move |_| pager.set(current.saturating_sub(1))>"Previous"</button>
                <button class="button" data-testid="page-next" disabled={current + 1 >= pages}
                    on:click=move |_| pager.set(current + 1)>"Next"</button>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn Breadcrumbs(group: Memo<String>) -> impl IntoView {
    move || {
        let id = group.get();
        let segments: Vec<String> = id.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
        let mut path = String::new();
        let crumbs = segments
            .into_iter()
            .map(|segment| {
                path.push('/');
                path.push_str(&segment);
                let href = group_href(&path);
                view! { <li><A href=href>{segment}</A></li> }
            })
            .collect_view();
        view! {
            <nav aria-label="Breadcrumbs">
                <ol class="breadcrumbs" data-testid="breadcrumbs">
                    <li><A href="/services">"Services"</A></li>
                    {crumbs}
                </ol>
            </nav>
        }
    }
}

#[component]
fn StatusChips(
    status: RwSignal<Option<AppStatus>>,
    services: Resource<Result<ServicesPage, crate::error::ApiError>>,
) -> impl IntoView {
    // Each count suspends on its own, so the buttons keep focus while data refreshes.
    let count = move |s: AppStatus| {
        view! {
            <Transition fallback=|| ()>
                {move || Suspend::new(async move { services.await.ok().map(|p| p.counts.get(s)) })}
            </Transition>
        }
    };
    view! {
        <div class="chips" role="group" aria-label="Filter by status">
            <button class="chip" aria-pressed=move || status.get().is_none().to_string()
                data-testid="status-filter-all" on:click=move |_| status.set(None)>"All"</button>
            {AppStatus::ALL
                .into_iter()
                .map(|s| {
                    view! {
                        <button
                            class=format!("chip chip-{}", s.slug())
                            aria-pressed=move || (status.get() == Some(s)).to_string()
                            data-testid=format!("status-filter-{}", s.slug())
                            on:click=move |_| status.update(|cur| *cur = if *cur == Some(s) { None } else { Some(s) })
                        >
                            {s.label()}
                            <span class="chip-count">{count(s)}</span>
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// A selector of the labels present under the group: picking one adds
/// (or removes) its `label:key=value` term in the filter box.
#[component]
fn LabelPicker(
    text: RwSignal<String>,
    services: Resource<Result<ServicesPage, crate::error::ApiError>>,
) -> impl IntoView {
    let pick = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if let Some((key, value)) = value.split_once('=') {
            text.update(|t| *t = TextFilter::toggle_label(t, key, value));
        }
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let labels = services.await.map(|p| p.labels).unwrap_or_default();
                let active = TextFilter::parse(&text.get_untracked()).labels;
                (!labels.is_empty()).then(|| view! {
                    <select class="label-picker" data-testid="label-filter" aria-label="Filter by label" on:change=pick>
                        <option value="" selected>"Label…"</option>
                        {labels.into_iter().map(|(key, value)| {
                            let on = active.iter().any(|(k, v)| *k == key && v.as_deref() == Some(value.as_str()));
                            let pair = format!("{key}={value}");
                            let shown = if on { format!("✓ {pair}") } else { pair.clone() };
                            view! { <option value=pair>{shown}</option> }
                        }).collect_view()}
                    </select>
                })
            })}
        </Transition>
    }
}
