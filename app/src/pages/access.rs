//! `/access`: who is signed in, the teams' usage against their quotas, and
//! for admins the newest entries of the audit log.

use leptos::prelude::*;

use crate::api::access::{get_access_overview, AccessOverview, Allocation, AuditRow, TeamUsage};
use crate::components::error_view::ErrorList;
use crate::components::page_header::PageHeader;
use crate::components::resource_bar::ResourceBar;
use crate::components::units;
use crate::sync_hydrate::IntoAnySync;

/// The Access page.
#[component]
pub fn AccessPage() -> impl IntoView {
    let overview = crate::api::resource::resource(|| (), |_| get_access_overview());
    view! {
        <PageHeader title="Access" subtitle="Your account, your teams' quotas and the audit log" />
        <Transition fallback=|| view! { <section class="card"><p class="muted">"Loading…"</p></section> }>
            <ErrorBoundary fallback=|errors| view! { <section class="card"><ErrorList errors /></section> }>
                {move || overview.get().map(|r| r.map(|o| view! { <Overview overview=o /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Overview(overview: AccessOverview) -> impl IntoView {
    let me = overview.me;
    let role = if me.open {
        "dromos has no users yet: everyone on this machine may do everything.".to_owned()
    } else if me.admin {
        "Administrator: you may change everything.".to_owned()
    } else if me.teams.is_empty() {
        "You belong to no team yet: ask an admin to add you to one.".to_owned()
    } else {
        format!("Member of {}.", me.teams.join(", "))
    };
    view! {
        <section class="card" data-testid="access-me">
            <div class="card-head">
                <h2>"Signed in as " <span data-testid="access-user">{me.name.clone()}</span></h2>
                {(!me.open).then(|| view! {
                    <form method="post" action="/v2/access/logout">
                        <button type="submit" class="button" data-testid="sign-out">"Sign out"</button>
                    </form>
                })}
            </div>
            <p class="muted">{role}</p>
            {me.open.then(|| view! {
                <p>"Create the first admin to require sign-in: "
                    <code>"dromos user add NAME --admin --password-stdin"</code></p>
            })}
        </section>
        {overview.teams.into_iter().map(|team| view! { <TeamCard team /> }).collect_view()}
        {overview.audit.map(|rows| view! { <AuditCard rows /> })}
    }
}

fn bar(label: &'static str, a: Allocation, format: fn(f64) -> String, test_id: &'static str) -> AnyView {
    match a.limit {
        Some(limit) => view! { <ResourceBar label used=a.used total=limit format test_id /> }.into_any_sync(),
        None => view! {
            <div class="resource" data-testid=test_id>
                <div class="resource-head">
                    <span class="resource-label">{label}</span>
                    <span class="muted">{format!("{} · no limit", format(a.used))}</span>
                </div>
            </div>
        }
        .into_any_sync(),
    }
}

fn count(value: f64) -> String {
    format!("{value:.0}")
}

#[component]
fn TeamCard(team: TeamUsage) -> impl IntoView {
    view! {
        <section class="card" data-testid="team-card" data-team=team.name.clone()>
            <div class="card-head">
                <h2>"Team " {team.name.clone()}</h2>
                <span class="muted">{team.paths.join(", ")}</span>
            </div>
            <div class="grid-2">
                {bar("CPU", team.cpus, units::cpus, "quota-cpus")}
                {bar("Memory", team.mem, units::mib, "quota-mem")}
                {bar("Disk", team.disk, units::mib, "quota-disk")}
                {bar("Instances", team.instances, count, "quota-instances")}
            </div>
        </section>
    }
}

#[component]
fn AuditCard(rows: Vec<AuditRow>) -> impl IntoView {
    view! {
        <section class="card flush" data-testid="audit-card">
            <div class="card-head" style="padding: 14px 18px 0"><h2>"Audit log"</h2><span class="muted">"newest first"</span></div>
            <div class="table-scroll"><table class="table" data-testid="audit-table">
                <thead><tr><th>"When"</th><th>"Who"</th><th>"From"</th><th>"What"</th><th>"Result"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let ok = (200..400).contains(&row.status);
                        view! {
                            <tr data-testid="audit-row">
                                <td class="mono">{row.at}</td>
                                <td>{row.who}</td>
                                <td class="mono">{row.from}</td>
                                <td class="mono">{row.action}</td>
                                <td>
                                    <span class=if ok { "badge badge-running" } else { "badge badge-delayed" }>{row.status}</span>
                                    {row.error.map(|e| view! { " " <span class="muted">{e}</span> })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
    }
}
