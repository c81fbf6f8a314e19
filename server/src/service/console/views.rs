//! The service's records in the console's shapes: app rows and details,
//! last task failures, tasks, launch-queue entries and deployments. Pure
//! conversions, except that a row reads the clock to age its failure; the
//! status word follows [`UiStatus::derive`], the one rule the console and
//! the browser share.

use std::collections::BTreeMap;

use app::api::app_changes::DeploymentRef;
use app::api::apps::{AppDetail, AppSummary, OfferFunnelStep, QueueInfo, TaskCounts, TaskFailure, TaskView};
use app::api::deployments::{DeploymentView, StepActionView};
use app::api::status::{AppStatus as UiStatus, QueueState};
use dromos_model::{AppDefinition, PathId};

use crate::service::apps::AppStatus;
use crate::service::clock;
use crate::service::deployment::Deployment;
use crate::service::failures::TaskFailureRecord;
use crate::service::instances::TaskRecord;
use crate::service::queue::QueueItem;
use crate::service::DeploymentResult;

/// Milliseconds since the epoch, now.
fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}

/// A count for the console (saturating: counts never reach `u32::MAX`).
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The launch queue by app, dropping the apps the queue carries along.
pub fn queue_by_app<A>(queue: Vec<(QueueItem, A)>) -> BTreeMap<PathId, QueueItem> {
    queue.into_iter().map(|(item, _)| (item.app_id.clone(), item)).collect()
}

/// Where an app stands in the queue: backing off while its delay is not
/// over (`overdue == false`), else waiting for offers.
pub fn queue_state(item: Option<&QueueItem>) -> QueueState {
    match item {
        None => QueueState::NotQueued,
        Some(q) if q.view.overdue => QueueState::WaitingForOffers,
        Some(_) => QueueState::BackingOff,
    }
}

fn docker_image(app: &AppDefinition) -> Option<String> {
    app.container.as_ref().and_then(|c| c.docker.as_ref()).map(|d| d.image.clone())
}

/// The last task failure as the console shows it, read at `now_ms`.
pub fn failure(record: &TaskFailureRecord, now_ms: u64) -> TaskFailure {
    TaskFailure {
        task_id: record.task_id.clone(),
        state: record.state.clone(),
        message: record.message.clone(),
        host: record.host.clone(),
        timestamp: record.timestamp.clone(),
        age_seconds: now_ms.saturating_sub(clock::millis_of(&record.timestamp)) / 1000,
        version: record.version.clone(),
    }
}

/// The services-table row of an app (counts as `embed=apps.counts`).
pub fn summary(status: &AppStatus, queue: Option<&QueueItem>) -> AppSummary {
    let app = &status.app;
    let tasks = TaskCounts {
        running: count(status.counts.running),
        staged: count(status.counts.staged),
        healthy: count(status.counts.healthy),
        unhealthy: count(status.counts.unhealthy),
    };
    let instances = u32::try_from(app.instances).unwrap_or(0);
    AppSummary {
        id: app.id.to_string(),
        status: UiStatus::derive(
            instances,
            tasks.running,
            !status.deployments.is_empty(),
            queue_state(queue),
        ),
        instances,
        tasks,
        cpus: app.cpus,
        mem: app.mem,
        disk: app.disk,
        image: docker_image(app),
        labels: app.labels.clone(),
        version: app.version.as_ref().map(ToString::to_string).unwrap_or_default(),
        has_health_checks: !app.health_checks.is_empty(),
        last_failure: status.last_failure.as_ref().map(|f| failure(f, now_ms())),
    }
}

/// One instance on the Instances tab.
pub fn task(task: &TaskRecord) -> TaskView {
    TaskView {
        id: task.id.clone(),
        host: task.host.clone(),
        ports: task.ports.clone(),
        state: task.state.name(),
        healthy: task.healthy,
        version: task.version.clone(),
        started_at: task.started_at.clone(),
        staged_at: task.staged_at.clone(),
    }
}

/// The app's launch-queue entry with its last offer funnel.
pub fn queue_info(item: &QueueItem) -> QueueInfo {
    let view = &item.view;
    let stats = &view.stats;
    let at = |t: Option<dromos_scheduler::Timestamp>| t.map(|t| clock::from_millis(t.0).to_string());
    let funnel = stats
        .last_round
        .as_ref()
        .map(|round| {
            round
                .funnel
                .iter()
                .map(|step| OfferFunnelStep {
                    reason: serde_json::to_value(step.reason)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    processed: step.processed,
                    declined: step.declined,
                })
                .collect()
        })
        .unwrap_or_default();
    QueueInfo {
        count: view.count,
        delay_seconds_left: view.time_left_seconds,
        overdue: view.overdue,
        since: clock::from_millis(view.since.0).to_string(),
        processed_offers: stats.processed_offers_count,
        unused_offers: stats.unused_offers_count,
        last_unused_offer_at: at(stats.last_unused_offer_at),
        last_used_offer_at: at(stats.last_used_offer_at),
        funnel,
    }
}

/// Everything the app page shows; tasks non-terminal, oldest first.
pub fn detail(status: &AppStatus, versions: Vec<String>, queue: Option<&QueueItem>) -> AppDetail {
    let mut tasks: Vec<&TaskRecord> = status.tasks.iter().filter(|t| !t.state.is_terminal()).collect();
    tasks.sort_by(|a, b| (&a.staged_at, &a.id).cmp(&(&b.staged_at, &b.id)));
    AppDetail {
        summary: summary(status, queue),
        definition: AppDefinition::clone(&status.app),
        tasks: tasks.into_iter().map(task).collect(),
        versions,
        queue: queue.map(queue_info),
        deployments: status.deployments.clone(),
    }
}

/// A running deployment as `GET /v2/deployments` lists it.
pub fn deployment(d: &Deployment) -> DeploymentView {
    let current = d.current_step();
    let actions = d.steps.get(current.saturating_sub(1)).map(Vec::as_slice).unwrap_or_default();
    DeploymentView {
        id: d.id.clone(),
        version: d.version.clone(),
        affected_apps: d.affected_apps.clone(),
        current_step: count(current),
        total_steps: count(d.steps.len()),
        current_actions: actions
            .iter()
            .map(|a| StepActionView { action: a.action.clone(), app: a.app.clone() })
            .collect(),
    }
}

/// The answer of a write; the deployment id is empty when it changed nothing.
pub fn deployment_ref(result: DeploymentResult, changed: bool) -> DeploymentRef {
    DeploymentRef {
        deployment_id: if changed { result.deployment_id } else { String::new() },
        version: result.version.to_string(),
    }
}
