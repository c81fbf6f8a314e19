//! `/services` and `/services/*group`: one group's folders and apps, with
//! breadcrumbs, filters, sorting, paging and row actions. The table's rows
//! are kept across refetches, keyed by id ([`ServiceRows`]): task events
//! change them in place, and the list is refetched when the event stream
//! reports a change to apps or deployments, a while after task events (to
//! reconcile statuses, new apps, folder totals and the order:
//! [`Topic::Services`]), and after every action; a refetch changes only the
//! cells, rows and order that differ.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::apps::list_services;
use crate::api::resource::Compact;
use crate::api::services_query::{ServiceQuery, ServicesPage, SortKey, TextFilter};
use crate::api::status::AppStatus;
use crate::components::app_command::{AppCommand, AppCommandDialog};
use crate::components::app_table::{AppTable, SortState};
use crate::components::error_view::ErrorList;
use crate::components::page_header::PageHeader;
use crate::components::service_rows::{ServiceRows, Shown};
use crate::live::{use_live, Topic};
use crate::routes::{group_href, id_from_param};
use crate::sync_hydrate::IntoAnySync;

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
    let services = crate::api::resource::resource(
        move || (query(), live.version(Topic::Services), changes.get()),
        |(q, _, _)| list_services(q),
    );
    view! {
        <PageHeader title="Services" subtitle="Apps and groups running on the cluster" />
        <div class="toolbar">
            <Breadcrumbs group />
            <A href="/services/new" attr:class="button primary" attr:data-testid="deploy-service">"Deploy a service"</A>
        </div>
        // One suspense boundary for the filters and the table: the chips'
        // counts and the label selector read the same snapshot as the rows.
        <Transition fallback=|| view! { <section class="card"><p class="muted">"Loading services…"</p></section> }>
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
            <ErrorBoundary fallback=|errors| view! { <section class="card"><ErrorList errors /></section> }>
                <ServicesBody services sort command pager=page filtering=move || !text.get_untracked().is_empty() || status.get_untracked().is_some() />
            </ErrorBoundary>
        </Transition>
        <AppCommandDialog pending=command on_done=Callback::new(move |_| set_changes.update(|n| *n += 1)) />
    }
}

/// The table (or an empty state) of the list's latest snapshot. Created
/// once; each snapshot updates its rows ([`ServiceRows::show`]).
#[component]
fn ServicesBody(
    services: Resource<Result<ServicesPage, crate::error::ApiError>, Compact>,
    sort: SortState,
    command: RwSignal<Option<AppCommand>>,
    pager: RwSignal<usize>,
    filtering: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    let rows = ServiceRows::new(use_live());
    rows.follow();
    // Read where the view reads it (inside the Transition, so the server
    // waits for it); changes only when the table appears or goes.
    let shown = Memo::new(move |_| services.get().map(|result| result.map(|p| rows.show(p, filtering()))));
    move || {
        shown.get().map(|result| {
            result.map(|shown| match shown {
                Shown::Table => view! {
                    <section class="card flush">
                        <div class="table-scroll"><AppTable rows sort command /></div>
                        <Pages rows pager />
                    </section>
                }
                .into_any_sync(),
                Shown::Empty { filtered } => view! { <EmptyList filtered /> }.into_any_sync(),
            })
        })
    }
}

#[component]
fn EmptyList(filtered: bool) -> impl IntoView {
    view! {
        <section class="card empty" data-testid="services-empty">
            {if filtered {
                view! { <p>"No services match this filter."</p> }.into_any_sync()
            } else {
                view! {
                    <h2>"No services yet"</h2>
                    <p>"A service is a command or a Docker image that dromos keeps running: as many instances as you ask for, restarted when they crash, replaced when they turn unhealthy."</p>
                    <p><A href="/services/new" attr:class="button primary" attr:data-testid="deploy-first">"Deploy your first app"</A></p>
                }
                    .into_any_sync()
            }}
        </section>
    }
}

/// The page count and the buttons to the previous and next pages.
#[component]
fn Pages(rows: ServiceRows, pager: RwSignal<usize>) -> impl IntoView {
    let at = rows.pager();
    let info = move || {
        let p = at.get();
        let noun = if p.matching == 1 { "service" } else { "services" };
        format!("{} {noun} · page {} of {}", p.matching, p.page + 1, p.pages)
    };
    view! {
        <div class="pager">
            <span class="muted" data-testid="page-info">{info}</span>
            <button class="button" data-testid="page-prev" disabled=move || at.get().page == 0
                on:click=move |_| pager.set(at.get_untracked().page.saturating_sub(1))>"Previous"</button>
            <button class="button" data-testid="page-next" disabled=move || { let p = at.get(); p.page + 1 >= p.pages }
                on:click=move |_| pager.set(at.get_untracked().page + 1)>"Next"</button>
        </div>
    }
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
    services: Resource<Result<ServicesPage, crate::error::ApiError>, Compact>,
) -> impl IntoView {
    // Read inside the page's suspense boundary (the server waits for the
    // snapshot); a refetch changes the counts' text, never the buttons, so
    // a focused chip keeps its focus.
    let counts = Memo::new(move |_| services.get().and_then(Result::ok).map(|p| p.counts));
    let count = move |s: AppStatus| move || counts.get().map(|c| c.get(s));
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
    services: Resource<Result<ServicesPage, crate::error::ApiError>, Compact>,
) -> impl IntoView {
    let pick = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if let Some((key, value)) = value.split_once('=') {
            text.update(|t| *t = TextFilter::toggle_label(t, key, value));
        }
    };
    // Rebuilt only when the set of labels changes, not on every snapshot.
    let labels =
        Memo::new(move |_| services.get().and_then(Result::ok).map(|p| p.labels).unwrap_or_default());
    move || {
        let labels = labels.get();
        (!labels.is_empty()).then(|| view! {
            <select class="label-picker" data-testid="label-filter" aria-label="Filter by label" on:change=pick>
                <option value="" selected>"Label…"</option>
                {labels.into_iter().map(|(key, value)| {
                    let pair = format!("{key}={value}");
                    let shown = {
                        let pair = pair.clone();
                        move || {
                            let on = TextFilter::parse(&text.read()).labels.iter().any(|(k, v)| *k == key && v.as_deref() == Some(value.as_str()));
                            if on { format!("✓ {pair}") } else { pair.clone() }
                        }
                    };
                    view! { <option value=pair>{shown}</option> }
                }).collect_view()}
            </select>
        })
    }
}
