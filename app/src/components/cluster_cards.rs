//! The dashboard's cluster cards: allocation gauges, tasks by state and
//! services by status, drawn with plain HTML and inline SVG.

use leptos::prelude::*;
use leptos_router::components::A;

use super::resource_bar::ResourceBar;
use super::units;
use crate::api::cluster::Dashboard;
use crate::api::status::StatusCounts;

/// Allocation, tasks and services.
#[component]
pub fn ClusterCards(data: Dashboard) -> impl IntoView {
    let c = data.cluster;
    view! {
        <div class="cards-3">
            <section class="card" aria-labelledby="alloc-title" data-testid="allocation">
                <div class="card-head">
                    <h2 id="alloc-title">"Allocation"</h2>
                    <span class="muted" data-testid="agents-count">
                        {format!("{} agent{}", c.agents, if c.agents == 1 { "" } else { "s" })}
                    </span>
                </div>
                <ResourceBar label="CPU" used=c.used.cpus total=c.total.cpus format=units::cpus test_id="alloc-cpu" />
                <ResourceBar label="Memory" used=c.used.mem total=c.total.mem format=units::mib test_id="alloc-mem" />
                <ResourceBar label="Disk" used=c.used.disk total=c.total.disk format=units::mib test_id="alloc-disk" />
            </section>
            <section class="card" aria-labelledby="tasks-title" data-testid="tasks-by-state">
                <div class="card-head">
                    <h2 id="tasks-title">"Tasks"</h2>
                    <span class="muted" data-testid="tasks-total">{c.tasks_by_state.iter().map(|(_, n)| n).sum::<u32>()}</span>
                </div>
                <TaskBars states=c.tasks_by_state />
            </section>
            <section class="card" aria-labelledby="health-title" data-testid="services-health">
                <div class="card-head">
                    <h2 id="health-title">"Services"</h2>
                    <A href="/services">{format!("View all {}", data.services.total)}</A>
                </div>
                <StatusStack counts=data.services />
                {(data.unhealthy_instances > 0).then(|| view! {
                    <p class="notice notice-bad small" data-testid="unhealthy-instances">
                        {format!("{} unhealthy instance(s)", data.unhealthy_instances)}
                    </p>
                })}
            </section>
        </div>
    }
}

/// One horizontal SVG bar per task state.
#[component]
fn TaskBars(states: Vec<(String, u32)>) -> impl IntoView {
    if states.is_empty() {
        return view! { <p class="muted">"No tasks."</p> }.into_any();
    }
    let max = states.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let height = states.len() * 26;
    view! {
        <svg class="chart" viewBox=format!("0 0 300 {height}") width="100%" role="img" aria-label="Tasks by state">
            {states.into_iter().enumerate().map(|(row, (state, n))| {
                let y = row * 26;
                let width = f64::from(n) * 170.0 / f64::from(max);
                let name = state.trim_start_matches("TASK_").to_lowercase();
                view! {
                    <g data-testid="task-state" data-state=state.clone()>
                        <text x="0" y=y + 16 class="chart-label">{name.clone()}</text>
                        <rect x="90" y=y + 4 width=format!("{width:.1}") height="16" rx="3" class=format!("bar-{name}") />
                        <text x=format!("{:.1}", 96.0 + width) y=y + 16 class="chart-value">{n}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
    .into_any()
}

/// A stacked SVG bar of apps by status with a legend of counts.
#[component]
fn StatusStack(counts: StatusCounts) -> impl IntoView {
    let total = counts.total.max(1) as f64;
    let mut x = 0.0;
    let segments = counts
        .by_status
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(status, n)| {
            let width = *n as f64 * 300.0 / total;
            let start = x;
            x += width;
            view! { <rect x=format!("{start:.1}") y="0" width=format!("{width:.1}") height="14" class=format!("fill-{}", status.slug()) /> }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox="0 0 300 14" width="100%" preserveAspectRatio="none" role="img" aria-label="Services by status">
            <rect x="0" y="0" width="300" height="14" class="fill-empty" />
            {segments}
        </svg>
        <ul class="legend">
            {counts.by_status.into_iter().map(|(status, n)| view! {
                <li>
                    <span class=format!("swatch fill-{}", status.slug()) aria-hidden="true"></span>
                    {status.label()}
                    <strong data-testid=format!("services-{}-count", status.slug())>{n}</strong>
                </li>
            }).collect_view()}
        </ul>
    }
}
