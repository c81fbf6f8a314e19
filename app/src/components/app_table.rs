//! The services table: folder rows for sub-groups, one row per app with
//! status, instances, resources, health and row actions.
//!
//! Each app row is a [`LiveRow`] in a signal: an effect applies the task
//! events of the live feed to it as they arrive (replaying first the ones
//! the page's snapshot may not contain), so its status, instance count and
//! health bar change in place; the next refetch renders a new table.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::components::A;

use super::app_command::{AppCommand, CommandKind};
use super::health_bar::HealthBar;
use super::status_badge::StatusBadge;
use super::units;
use crate::api::row_updates::LiveRow;
use crate::api::services_query::{GroupRow, ServicesPage, SortKey};
use crate::api::status::AppStatus;
use crate::live::{use_live, LiveUpdates};
use crate::routes::{app_href, group_href};

/// The sort state the header cells read and change.
#[derive(Debug, Clone, Copy)]
pub struct SortState {
    /// Column.
    pub key: RwSignal<SortKey>,
    /// Reverse order.
    pub descending: RwSignal<bool>,
}

/// The table for one page. Row actions put an [`AppCommand`] into `command`.
#[component]
pub fn AppTable(page: ServicesPage, sort: SortState, command: RwSignal<Option<AppCommand>>) -> impl IntoView {
    let mut tasks = page.tasks;
    let rows: Vec<RwSignal<LiveRow>> = page
        .apps
        .into_iter()
        .map(|app| {
            let known = tasks.remove(&app.id);
            RwSignal::new(LiveRow::new(app, known.as_deref(), page.as_of_ms))
        })
        .collect();
    follow_task_events(use_live(), &rows);
    view! {
        <table class="table services" data-testid="services-table">
            <thead>
                <tr>
                    <SortHeader sort key=SortKey::Name label="Name" />
                    <SortHeader sort key=SortKey::Status label="Status" />
                    <SortHeader sort key=SortKey::Instances label="Running" />
                    <SortHeader sort key=SortKey::Cpus label="CPU" />
                    <SortHeader sort key=SortKey::Mem label="Memory" />
                    <th scope="col">"Health"</th>
                    <th scope="col"><span class="sr-only">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {page.groups.into_iter().map(|group| view! { <GroupTableRow group /> }).collect_view()}
                {rows.into_iter().map(|row| view! { <AppTableRow row command /> }).collect_view()}
            </tbody>
        </table>
    }
}

/// Applies the feed's task events to `rows` (in the browser: effects do
/// not run on the server): first every event still in the feed (the row
/// drops those its snapshot has), then each new one as it arrives.
fn follow_task_events(live: LiveUpdates, rows: &[RwSignal<LiveRow>]) {
    let by_app: BTreeMap<String, RwSignal<LiveRow>> =
        rows.iter().map(|row| (row.with_untracked(|r| r.app_id().to_owned()), *row)).collect();
    Effect::new(move |mark: Option<u64>| {
        live.with_task_feed(|feed| {
            for event in feed.since(mark.unwrap_or(0)) {
                if let Some(row) = by_app.get(&event.app_id) {
                    row.maybe_update(|r| r.apply(event));
                }
            }
            feed.end()
        })
    });
}

#[component]
fn SortHeader(sort: SortState, key: SortKey, label: &'static str) -> impl IntoView {
    let active = move || sort.key.get() == key;
    let aria = move || match (active(), sort.descending.get()) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    };
    let toggle = move |_| {
        if sort.key.get_untracked() == key {
            sort.descending.update(|d| *d = !*d);
        } else {
            sort.key.set(key);
            sort.descending.set(false);
        }
    };
    view! {
        <th scope="col" aria-sort=aria>
            <button class="sort" on:click=toggle data-testid=format!("sort-{}", label.to_lowercase())>
                {label}
                <span class="sort-mark" aria-hidden="true">
                    {move || match (active(), sort.descending.get()) {
                        (false, _) => "",
                        (true, false) => "▲",
                        (true, true) => "▼",
                    }}
                </span>
            </button>
        </th>
    }
}

#[component]
fn GroupTableRow(group: GroupRow) -> impl IntoView {
    let name = group.id.rsplit('/').next().unwrap_or_default().to_string();
    view! {
        <tr class="group-row" data-testid="group-row" data-group-id=group.id.clone()>
            <td>
                <A href=group_href(&group.id)>
                    <span class="icon-folder" aria-hidden="true"></span>
                    {name}
                </A>
                <span class="muted small-inline" data-testid="group-apps">{format!(" {} apps", group.apps)}</span>
            </td>
            <td></td>
            <td class="num">{format!("{} of {}", group.running, group.instances)}</td>
            <td class="num">{units::cpus(group.cpus)}</td>
            <td class="num">{units::mib(group.mem)}</td>
            <td></td>
            <td></td>
        </tr>
    }
}

#[component]
fn AppTableRow(row: RwSignal<LiveRow>, command: RwSignal<Option<AppCommand>>) -> impl IntoView {
    let app = row.with_untracked(|r| r.summary.clone());
    // Only these move with task events; each cell changes when its part does.
    let tasks = Memo::new(move |_| row.with(|r| r.summary.tasks));
    let status = Memo::new(move |_| row.with(|r| r.summary.status));
    let (desired, instances) = (app.instances, f64::from(app.instances));
    let ask = {
        let id = app.id.clone();
        move |kind: CommandKind| {
            command.set(Some(AppCommand { kind, app_id: id.clone(), instances: desired }))
        }
    };
    let suspended = app.status == AppStatus::Suspended;
    let failure = app.last_failure.as_ref().map(|f| format!("Last failure: {} {}", f.state, f.message));
    let (name, href, image) = (app.name().to_string(), app_href(&app.id), app.image.clone());
    view! {
        <tr data-testid="service-row" data-app-id=app.id.clone()>
            <td>
                <A href=href attr:data-testid="service-link">{name}</A>
                {image.map(|image| view! { <div class="muted small-inline">{image}</div> })}
            </td>
            <td>
                {move || view! { <StatusBadge status=status.get() /> }}
                {failure.map(|text| view! { <span class="failure-mark" title=text.clone() aria-label=text>"!"</span> })}
            </td>
            <td class="num" data-testid="service-instances">{move || format!("{} of {desired}", tasks.get().running)}</td>
            <td class="num">{units::cpus(app.cpus * instances)}</td>
            <td class="num">{units::mib(app.mem * instances)}</td>
            <td>{move || view! { <HealthBar tasks=tasks.get() desired /> }}</td>
            <td class="row-actions">
                <RowButton kind=CommandKind::Scale ask=ask.clone() />
                <RowButton kind=CommandKind::Restart ask=ask.clone() />
                {if suspended {
                    view! { <RowButton kind=CommandKind::Resume ask=ask.clone() /> }
                } else {
                    view! { <RowButton kind=CommandKind::Suspend ask=ask.clone() /> }
                }}
                <RowButton kind=CommandKind::Destroy ask />
            </td>
        </tr>
    }
}

#[component]
fn RowButton(kind: CommandKind, ask: impl Fn(CommandKind) + 'static) -> impl IntoView {
    view! {
        <button
            class=if kind == CommandKind::Destroy { "link-button danger" } else { "link-button" }
            data-testid=format!("action-{}", kind.slug())
            on:click=move |_| ask(kind)
        >
            {kind.label()}
        </button>
    }
}
