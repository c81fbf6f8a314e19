//! The dashboard's cluster cards: allocation "x of y" with its history,
//! tasks by state, the task failure rate and services by status, drawn
//! with plain HTML and inline SVG.

use leptos::prelude::*;
use leptos_router::components::A;

use super::line_chart::{LineChart, Series};
use super::units;
use crate::api::cluster::{ClusterHistory, ClusterSample, Dashboard, HistoryAt, HISTORY_WINDOW_MS};
use crate::api::status::StatusCounts;
use crate::live::clock::browser_now;
use crate::sync_hydrate::IntoAnySync;

/// Allocation (with its history), tasks, failure rate and services.
///
/// `clock` is the browser's time ([`crate::live::clock`]): as it ticks
/// the history slides along it ([`ClusterHistory::slid_to`]), measured
/// from the server's time of the read; while it reads `None` (on the
/// server, before the first tick) the history shows as read.
#[component]
pub fn ClusterCards(data: Dashboard, history: HistoryAt, clock: Signal<Option<f64>>) -> impl IntoView {
    let c = data.cluster;
    let agents = format!("{} agent{}", c.agents, if c.agents == 1 { "" } else { "s" });
    let received = browser_now();
    let read_at = history.now_ms;
    let end =
        Memo::new(move |_| clock.get().map_or(read_at, |now| read_at + (now - received).round() as i64));
    let slid = Memo::new(move |_| history.history.slid_to(end.get(), HISTORY_WINDOW_MS));
    let points = move |value: fn(&ClusterSample) -> Option<f64>| {
        move || slid.with(|h| h.samples.iter().map(|s| (s.at_ms, value(s))).collect::<Vec<_>>())
    };
    let line = move |label: &'static str, class: &'static str, value: fn(&ClusterSample) -> Option<f64>| {
        let points = points(value);
        Signal::derive(move || vec![Series { label, class, points: points() }])
    };
    let cpu = line("CPU allocation", "series-accent", |s| Some(units::percent(s.used.cpus, s.total.cpus)));
    let mem = line("Memory allocation", "series-accent", |s| Some(units::percent(s.used.mem, s.total.mem)));
    let disk = line("Disk allocation", "series-accent", |s| Some(units::percent(s.used.disk, s.total.disk)));
    let (running, staging) = (points(|s| Some(f64::from(s.running))), points(|s| Some(f64::from(s.staging))));
    let tasks = Signal::derive(move || {
        vec![
            Series { label: "Running", class: "series-running", points: running() },
            Series { label: "Staging", class: "series-staging", points: staging() },
        ]
    });
    let task_max = Signal::derive(move || {
        slid.with(|h| h.samples.iter().map(|s| f64::from(s.running.max(s.staging))).fold(1.0, f64::max))
    });
    let failures = Signal::derive(move || {
        let points = slid.with(|h| {
            h.samples
                .iter()
                .zip(h.failure_series())
                .map(|(s, rate)| (s.at_ms, rate.map(|r| r * 100.0)))
                .collect()
        });
        vec![Series { label: "Failure rate", class: "series-bad", points }]
    });
    let end = Signal::from(end);
    let rate = move || slid.with(ClusterHistory::failure_rate);
    let counts = move || {
        let (failed, succeeded) = slid.with(ClusterHistory::outcomes);
        format!("{failed} failed · {succeeded} started or finished")
    };
    view! {
        <div class="cards-3" data-testid="allocation">
            <AllocationCard title="CPU allocation" test_id="alloc-cpu" used=c.used.cpus total=c.total.cpus
                format=units::cpus unit=" cores" series=cpu end />
            <AllocationCard title="Memory allocation" test_id="alloc-mem" used=c.used.mem total=c.total.mem
                format=units::mib unit="" series=mem end />
            <AllocationCard title="Disk allocation" test_id="alloc-disk" used=c.used.disk total=c.total.disk
                format=units::mib unit="" series=disk end />
        </div>
        <div class="cards-3">
            <section class="card" aria-labelledby="tasks-title" data-testid="tasks-by-state">
                <div class="card-head">
                    <h2 id="tasks-title">"Tasks"</h2>
                    <span class="muted">
                        <span data-testid="tasks-total">{c.tasks_by_state.iter().map(|(_, n)| n).sum::<u32>()}</span>
                        " on " <span data-testid="agents-count">{agents}</span>
                    </span>
                </div>
                <TaskBars states=c.tasks_by_state />
                <LineChart
                    series=tasks
                    end
                    span_ms=HISTORY_WINDOW_MS as f64
                    y_max=task_max
                    format=|v| format!("{v:.0}")
                    label="Running and staging tasks, last 15 minutes".to_string()
                    test_id="tasks-chart"
                />
            </section>
            <section class="card" aria-labelledby="failure-title" data-testid="failure-rate">
                <div class="card-head">
                    <h2 id="failure-title">"Task failure rate"</h2>
                    <span class="muted small-head">{move || slid.with(window_label)}</span>
                </div>
                <p class="headline" data-testid="failure-rate-value">
                    {move || rate().map_or_else(|| "—".to_string(), |r| format!("{:.0}%", r * 100.0))}
                </p>
                <p class="muted headline-sub" data-testid="failure-counts">{counts}</p>
                <LineChart
                    series=failures
                    end
                    span_ms=HISTORY_WINDOW_MS as f64
                    y_max=Signal::from(100.0)
                    format=|v| format!("{v:.0}%")
                    label="Task failure rate per sample, last 15 minutes".to_string()
                    test_id="failure-chart"
                />
            </section>
            <section class="card" aria-labelledby="health-title" data-testid="services-health">
                <div class="card-head">
                    <h2 id="health-title">"Services"</h2>
                    <A href="/services">{format!("View all {}", data.services.total)}</A>
                </div>
                <StatusStack counts=data.services.clone() />
                {(data.services.total == 0).then(|| view! {
                    <p class="muted small" data-testid="no-services">
                        "Nothing runs yet. " <A href="/services/new">"Deploy your first app"</A>
                    </p>
                })}
                {(data.unhealthy_instances > 0).then(|| view! {
                    <p class="notice notice-bad small" data-testid="unhealthy-instances">
                        {format!("{} unhealthy instance(s)", data.unhealthy_instances)}
                    </p>
                })}
            </section>
        </div>
    }
}

/// "last 15 min" for the window the history covers.
fn window_label(history: &ClusterHistory) -> String {
    let span = match (history.samples.first(), history.samples.last()) {
        (Some(first), Some(last)) => last.at_ms - first.at_ms + i64::try_from(history.period_ms).unwrap_or(0),
        _ => 0,
    };
    let minutes = (span as f64 / 60_000.0).ceil().clamp(1.0, (HISTORY_WINDOW_MS / 60_000) as f64);
    format!("last {minutes} min")
}

/// One resource: "x of y" with a percentage, and its history.
#[component]
fn AllocationCard(
    title: &'static str,
    test_id: &'static str,
    used: f64,
    total: f64,
    format: fn(f64) -> String,
    /// Appended to the amounts ("cores" for CPU).
    unit: &'static str,
    series: Signal<Vec<Series>>,
    end: Signal<i64>,
) -> impl IntoView {
    let pct = units::percent(used, total);
    view! {
        <section class="card alloc-card" aria-label=title data-testid=test_id>
            <div class="card-head">
                <h2>{title}</h2>
                <span class="headline-pct" data-testid=format!("{test_id}-pct")>{format!("{pct:.0}%")}</span>
            </div>
            <p class="headline-sub" data-testid=format!("{test_id}-text")>
                <strong>{format!("{}{unit}", format(used))}</strong>
                {format!(" of {}{unit}", format(total))}
            </p>
            <LineChart
                series
                end
                span_ms=HISTORY_WINDOW_MS as f64
                y_max=Signal::from(100.0)
                format=|v| format!("{v:.0}%")
                label=format!("{title}, percent over the last 15 minutes")
                test_id="alloc-chart"
            />
        </section>
    }
}

/// One horizontal SVG bar per task state.
#[component]
fn TaskBars(states: Vec<(String, u32)>) -> impl IntoView {
    if states.is_empty() {
        return view! { <p class="muted">"No tasks."</p> }.into_any_sync();
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
    .into_any_sync()
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
