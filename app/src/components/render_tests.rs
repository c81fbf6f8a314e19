//! (ssr tests) The data-driven views rendered to HTML with realistic data:
//! they render without panicking and carry the test ids and numbers the
//! browser tests and users rely on.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::components::Router;
use leptos_router::location::RequestUrl;

use super::app_debug::DebugTab;
use super::app_instances::{EndpointsTab, InstancesTab};
use super::app_table::{AppTable, SortState};
use super::cluster_cards::ClusterCards;
use super::service_rows::ServiceRows;
use crate::api::apps::{AppDetail, AppSummary, OfferFunnelStep, QueueInfo, TaskCounts, TaskView};
use crate::api::cluster::{ClusterHistory, ClusterOverview, ClusterSample, Dashboard, HistoryAt, Resources};
use crate::api::services_query::{ServiceQuery, ServicesPage, SortKey};
use crate::api::status::{AppStatus, StatusCounts};
use crate::model::{AppDefinition, PathId};

fn render(view: impl FnOnce() -> AnyView + Send + 'static) -> String {
    let owner = Owner::new();
    owner.with(|| {
        provide_context(RequestUrl::new("/services"));
        view! { <Router>{view()}</Router> }.to_html()
    })
}

fn summary(id: &str, status: AppStatus) -> AppSummary {
    AppSummary {
        id: id.into(),
        status,
        instances: 3,
        tasks: TaskCounts { running: 2, staged: 1, healthy: 1, unhealthy: 1 },
        cpus: 0.5,
        mem: 512.0,
        disk: 0.0,
        image: Some("nginx:1.27".into()),
        labels: BTreeMap::new(),
        version: "2026-01-01T00:00:00.000Z".into(),
        has_health_checks: true,
        last_failure: None,
    }
}

fn detail() -> AppDetail {
    let task = |n: u16| TaskView {
        id: format!("web.instance-{n}._app.1"),
        host: "agent-1".into(),
        ports: vec![31000 + n],
        state: "TASK_RUNNING".into(),
        healthy: Some(n == 1),
        version: "2026-01-01T00:00:00.000Z".into(),
        started_at: Some("2026-01-01T00:00:01.000Z".into()),
        staged_at: None,
    };
    AppDetail {
        summary: summary("/prod/web", AppStatus::Waiting),
        definition: AppDefinition::new(PathId::parse("/prod/web").expect("valid id")),
        tasks: vec![task(1), task(2)],
        versions: vec!["2026-01-01T00:00:00.000Z".into()],
        queue: Some(QueueInfo {
            count: 1,
            delay_seconds_left: 0,
            overdue: true,
            since: "2026-01-01T00:00:00.000Z".into(),
            processed_offers: 12,
            unused_offers: 12,
            last_unused_offer_at: None,
            last_used_offer_at: None,
            funnel: vec![
                OfferFunnelStep { reason: "UnfulfilledRole".into(), processed: 12, declined: 0 },
                OfferFunnelStep { reason: "InsufficientMemory".into(), processed: 12, declined: 12 },
            ],
        }),
        deployments: Vec::new(),
    }
}

#[test]
fn services_table_renders_folders_rows_and_actions() {
    let all = vec![summary("/prod/api", AppStatus::Running), summary("/web", AppStatus::Suspended)];
    let page = ServicesPage::build(all, &ServiceQuery::default());
    let html = render(move || {
        let sort = SortState { key: RwSignal::new(SortKey::Name), descending: RwSignal::new(false) };
        let rows = ServiceRows::new(crate::live::use_live());
        rows.show(page, false);
        view! { <AppTable rows sort command=RwSignal::new(None) /> }.into_any()
    });
    for want in [
        r#"data-group-id="/prod""#,
        r#"data-app-id="/web""#,
        r#"href="/services/app/web""#,
        r#"data-testid="action-resume""#,
        "2 of 3",
        "1.5",
        "1.5 GiB",
        r#"aria-label="1 healthy, 1 unhealthy, 1 staged""#,
    ] {
        assert!(html.contains(want), "missing {want} in {html}");
    }
}

#[test]
fn app_tabs_render_instances_endpoints_and_the_offer_funnel() {
    let d = detail();
    let (a, b, c) = (d.clone(), d.clone(), d);
    let html = render(move || {
        let noop = Callback::new(|()| {});
        view! {
            <InstancesTab detail=a on_change=noop />
            <EndpointsTab detail=b />
            <DebugTab detail=c on_change=noop />
        }
        .into_any()
    });
    for want in [
        r#"data-task-id="web.instance-1._app.1""#,
        "agent-1:31002",
        "Waiting for a matching offer",
        r#"data-reason="InsufficientMemory""#,
        "Memory",
        r#"data-testid="no-failure""#,
    ] {
        assert!(html.contains(want), "missing {want} in {html}");
    }
}

#[test]
fn dashboard_cards_show_allocation_tasks_and_statuses() {
    let data = Dashboard {
        cluster: ClusterOverview {
            agents: 2,
            used: Resources { cpus: 3.0, mem: 2048.0, disk: 0.0, gpus: 0.0 },
            total: Resources { cpus: 8.0, mem: 8192.0, disk: 1024.0, gpus: 0.0 },
            tasks_by_state: vec![("TASK_RUNNING".into(), 5), ("TASK_STAGING".into(), 1)],
        },
        services: StatusCounts::of([AppStatus::Running, AppStatus::Running, AppStatus::Delayed]),
        unhealthy_instances: 1,
    };
    let sample = |at_ms: i64, used_cpus: f64, failed: u32, succeeded: u32| ClusterSample {
        at_ms,
        used: Resources { cpus: used_cpus, mem: 2048.0, disk: 0.0, gpus: 0.0 },
        total: Resources { cpus: 8.0, mem: 8192.0, disk: 1024.0, gpus: 0.0 },
        running: 5,
        staging: 1,
        failed,
        succeeded,
    };
    let history = ClusterHistory {
        period_ms: 5000,
        samples: vec![sample(1_000, 2.0, 0, 4), sample(6_000, 3.0, 1, 2)],
        pending_failed: 1,
        pending_succeeded: 0,
    };
    // Read by the server 2 s after the newest sample.
    let history = HistoryAt { now_ms: 8_000, history };
    let html = render(move || view! { <ClusterCards data history clock=Signal::from(None) /> }.into_any());
    for want in [
        "3 cores",
        " of 8 cores",
        "38%",
        "2 GiB",
        " of 8 GiB",
        "2 agents",
        r#"data-state="TASK_STAGING""#,
        "View all 3",
        // 2 failed of 8 outcomes, the pending one included.
        ">25%<",
        "2 failed · 6 started or finished",
        r#"data-samples="2""#,
        // CPU 25% → 37.5% 7 s and 2 s before the end of a 15 min axis.
        r#"d="M297.7 48.0 L299.3 40.0""#,
        r#"data-end="8000""#,
        "<span>−15m</span><span>−10m</span><span>−5m</span><span>now</span>",
    ] {
        assert!(html.contains(want), "missing {want} in {html}");
    }
}

#[test]
fn the_logs_tab_without_instances_says_so() {
    use super::app_logs::LogsTab;
    let html = render(move || {
        let tasks = Memo::new(|_| Vec::<TaskView>::new());
        view! { <LogsTab tasks /> }.into_any()
    });
    assert!(html.contains(r#"data-testid="logs-empty""#), "{html}");
    assert!(html.contains(r#"data-testid="log-stream-stderr""#), "{html}");
}
