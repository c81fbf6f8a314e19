//! `/`: the cluster at a glance.

use leptos::prelude::*;

use crate::api::cluster::{get_cluster_history, get_dashboard};
use crate::api::info::{get_system_info, SystemInfo};
use crate::components::cluster_cards::ClusterCards;
use crate::components::error_view::ErrorList;
use crate::components::page_header::PageHeader;
use crate::live::clock::{use_ticking_clock, TICK};
use crate::live::{use_live, Topic};

/// The dashboard. The system card is a server-function round trip that the
/// Refresh button repeats; the cluster cards refetch when the event stream
/// reports a change, and their time series slide with the browser's clock
/// in between.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let (refreshes, set_refreshes) = signal(0u32);
    let info = crate::api::resource::resource(move || refreshes.get(), |_| get_system_info());
    let live = use_live();
    let dashboard = crate::api::resource::resource(
        move || (live.version(Topic::Apps), live.version(Topic::Cluster)),
        |_| get_dashboard(),
    );
    let history =
        crate::api::resource::resource(move || live.version(Topic::Cluster), |_| get_cluster_history());
    let clock = Signal::from(use_ticking_clock(TICK));
    view! {
        <PageHeader title="Dashboard" subtitle="The cluster at a glance" />
        <Transition fallback=|| view! { <section class="card"><p class="muted">"Loading cluster…"</p></section> }>
            <ErrorBoundary fallback=|errors| view! { <section class="card"><ErrorList errors /></section> }>
                {move || Suspend::new(async move {
                    let data = dashboard.await?;
                    let history = history.await?;
                    Ok::<_, crate::error::ApiError>(view! { <ClusterCards data history clock /> })
                })}
            </ErrorBoundary>
        </Transition>
        <section class="card" aria-labelledby="system-title">
            <div class="card-head">
                <h2 id="system-title">"System"</h2>
                <button
                    class="button"
                    data-testid="refresh-info"
                    on:click=move |_| set_refreshes.update(|n| *n += 1)
                >
                    "Refresh"
                </button>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || info.get().map(|result| result.map(|info| view! { <SystemCard info /> }))}
                </ErrorBoundary>
            </Transition>
            <p class="muted small">
                "Refreshed " <span data-testid="refresh-count">{refreshes}</span> " times"
            </p>
        </section>
    }
}

#[component]
fn SystemCard(info: SystemInfo) -> impl IntoView {
    let leader = info.leader.unwrap_or_else(|| "none".into());
    view! {
        <dl class="facts" data-testid="system-info">
            <dt>"Version"</dt>
            <dd data-testid="info-version">{format!("{} {}", info.name, info.version)}</dd>
            <dt>"Leader"</dt>
            <dd>{leader} {info.elected.then_some(" (this instance)")}</dd>
            <dt>"Master"</dt>
            <dd>{info.master}</dd>
            <dt>"Uptime"</dt>
            <dd data-testid="info-uptime" data-uptime-ms=info.uptime_ms>{format_uptime(info.uptime_ms)}</dd>
        </dl>
    }
}

/// `1h 02m 03s`, `2m 03s`, `3.4s`: short and readable.
pub fn format_uptime(ms: u64) -> String {
    let secs = ms / 1000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{}.{}s", s, (ms % 1000) / 100),
        (0, _) => format!("{m}m {s:02}s"),
        _ => format!("{h}h {m:02}m {s:02}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::format_uptime;

    #[test]
    fn uptime_is_formatted_by_magnitude() {
        let cases = [
            (0, "0.0s"),
            (3_450, "3.4s"),
            (59_999, "59.9s"),
            (60_000, "1m 00s"),
            (123_000, "2m 03s"),
            (3_723_000, "1h 02m 03s"),
            (90_061_000, "25h 01m 01s"),
        ];
        for (ms, want) in cases {
            assert_eq!(format_uptime(ms), want, "{ms} ms");
        }
    }
}
