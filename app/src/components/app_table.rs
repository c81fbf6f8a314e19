//! The services table: folder rows for sub-groups, one row per app with
//! status, instances, resources, health and row actions.
//!
//! Rows link with plain `<a>` elements (the router follows their clicks
//! all the same): a router `<A>` per row would add a resolved-path memo and
//! two effects to each row's hydration, for an "active link" state that a
//! table row never has.
//!
//! The rows come from [`ServiceRows`], keyed by id: a row is created once
//! per app (or folder) and its cells read the row's signal, so a refetch
//! changes only the cells whose values differ, and task events change a
//! row's status, instance count and health bar in place.

use leptos::either::Either;
use leptos::prelude::*;

use super::app_command::{AppCommand, CommandKind};
use super::health_bar::HealthBar;
use super::service_rows::{AppRowState, GroupRowState, ServiceRows, TableRow};
use super::status_badge::StatusBadge;
use super::units;
use crate::api::services_query::SortKey;
use crate::api::status::AppStatus;
use crate::routes::{app_href, group_href};

/// The sort state the header cells read and change.
#[derive(Debug, Clone, Copy)]
pub struct SortState {
    /// Column.
    pub key: RwSignal<SortKey>,
    /// Reverse order.
    pub descending: RwSignal<bool>,
}

/// The table of the rows. Row actions put an [`AppCommand`] into `command`.
#[component]
pub fn AppTable(rows: ServiceRows, sort: SortState, command: RwSignal<Option<AppCommand>>) -> impl IntoView {
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
                <For each=move || rows.table() key=|row| row.id().to_owned() let(row)>
                    {match row {
                        TableRow::Group(state) => Either::Left(view! { <GroupTableRow state /> }),
                        TableRow::App(state) => Either::Right(view! { <AppTableRow state command /> }),
                    }}
                </For>
            </tbody>
        </table>
    }
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
fn GroupTableRow(state: GroupRowState) -> impl IntoView {
    let GroupRowState { id, group } = state;
    let group = RwSignal::from(group);
    let name = id.rsplit('/').next().unwrap_or_default().to_string();
    view! {
        <tr class="group-row" data-testid="group-row" data-group-id=id.clone()>
            <td>
                <a href=group_href(&id)>
                    <span class="icon-folder" aria-hidden="true"></span>
                    {name}
                </a>
                <span class="muted small-inline" data-testid="group-apps">
                    {move || group.with(|g| format!(" {} {}", g.apps, if g.apps == 1 { "app" } else { "apps" }))}
                </span>
            </td>
            <td></td>
            <td class="num">{move || group.with(|g| format!("{} of {}", g.running, g.instances))}</td>
            <td class="num">{move || group.with(|g| units::cpus(g.cpus))}</td>
            <td class="num">{move || group.with(|g| units::mib(g.mem))}</td>
            <td></td>
            <td></td>
        </tr>
    }
}

#[component]
fn AppTableRow(state: AppRowState, command: RwSignal<Option<AppCommand>>) -> impl IntoView {
    let AppRowState { id, row } = state;
    let row = RwSignal::from(row);
    // The signal changes only when what the row shows does (a snapshot
    // or task event that changes nothing is stored silently); each cell
    // then writes to the DOM only if its own text or attributes differ.
    let status = move || row.with(|r| r.summary.status);
    let ask = {
        let id = id.clone();
        move |kind: CommandKind| {
            let instances = row.with_untracked(|r| r.summary.instances);
            command.set(Some(AppCommand { kind, app_id: id.clone(), instances }))
        }
    };
    let name = id.rsplit('/').next().unwrap_or(&id).to_string();
    view! {
        <tr data-testid="service-row" data-app-id=id.clone()>
            <td>
                <a href=app_href(&id) data-testid="service-link">{name}</a>
                {move || row.with(|r| r.summary.image.clone()).map(|image| view! { <div class="muted small-inline">{image}</div> })}
            </td>
            <td>
                {move || view! { <StatusBadge status=status() /> }}
                {move || {
                    let failure = row.with(|r| r.summary.last_failure.as_ref().map(|f| format!("Last failure: {} {}", f.state, f.message)));
                    failure.map(|text| view! { <span class="failure-mark" title=text.clone() aria-label=text>"!"</span> })
                }}
            </td>
            <td class="num" data-testid="service-instances">
                {move || row.with(|r| format!("{} of {}", r.summary.tasks.running, r.summary.instances))}
            </td>
            <td class="num">{move || row.with(|r| units::cpus(r.summary.cpus * f64::from(r.summary.instances)))}</td>
            <td class="num">{move || row.with(|r| units::mib(r.summary.mem * f64::from(r.summary.instances)))}</td>
            <td>{move || row.with(|r| view! { <HealthBar tasks=r.summary.tasks desired=r.summary.instances /> })}</td>
            <td class="row-actions">
                <RowButton kind=CommandKind::Scale ask=ask.clone() />
                <RowButton kind=CommandKind::Restart ask=ask.clone() />
                {
                    let ask = ask.clone();
                    move || {
                        let kind = if status() == AppStatus::Suspended { CommandKind::Resume } else { CommandKind::Suspend };
                        view! { <RowButton kind ask=ask.clone() /> }
                    }
                }
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
