//! Apps as the console reads them: the row of the services table
//! ([`AppSummary`]), the detail page ([`AppDetail`]) and the server functions
//! that fetch them.

use std::collections::BTreeMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::services_query::{ServiceQuery, ServicesPage};
use super::status::AppStatus;
use crate::error::ApiError;
use crate::model::AppDefinition;

/// Instance counts of one app (Marathon's `tasksRunning`, `tasksStaged`,
/// `tasksHealthy`, `tasksUnhealthy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCounts {
    /// `TASK_RUNNING`.
    pub running: u32,
    /// `TASK_STAGING` or `TASK_STARTING`.
    pub staged: u32,
    /// Running and the last health check passed.
    pub healthy: u32,
    /// Running and the last health check failed.
    pub unhealthy: u32,
}

impl TaskCounts {
    /// Running instances without a health result yet (or without checks).
    pub fn unknown(&self) -> u32 {
        self.running.saturating_sub(self.healthy + self.unhealthy)
    }
}

/// The last task of an app that ended badly (Marathon's `lastTaskFailure`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFailure {
    /// Mesos task id.
    pub task_id: String,
    /// Terminal Mesos state, e.g. `TASK_FAILED`.
    pub state: String,
    /// The agent's or executor's message (may be empty).
    pub message: String,
    /// Agent host name.
    pub host: String,
    /// When it failed, ISO-8601.
    pub timestamp: String,
    /// Seconds from the failure to the moment the server read it, so the
    /// page says how long ago it was the same way on the server and in the
    /// browser.
    pub age_seconds: u64,
    /// App version the task ran.
    pub version: String,
}

/// One row of the services table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppSummary {
    /// Absolute id, `/group/app`.
    pub id: String,
    /// Derived with [`AppStatus::derive`].
    pub status: AppStatus,
    /// Wanted instances (`instances`).
    pub instances: u32,
    /// What runs now.
    pub tasks: TaskCounts,
    /// Per instance.
    pub cpus: f64,
    /// Per instance, MiB.
    pub mem: f64,
    /// Per instance, MiB.
    pub disk: f64,
    /// Docker image, if the app runs in a container.
    pub image: Option<String>,
    /// The app's labels.
    pub labels: BTreeMap<String, String>,
    /// Current version stamp (ISO-8601).
    pub version: String,
    /// Whether the app has health checks (so "unknown" health means "not yet").
    pub has_health_checks: bool,
    /// The last failed task, if any.
    pub last_failure: Option<TaskFailure>,
}

impl AppSummary {
    /// The last segment of the id.
    pub fn name(&self) -> &str {
        self.id.rsplit('/').next().unwrap_or(&self.id)
    }
}

/// One instance on the Instances tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    /// Mesos task id.
    pub id: String,
    /// Agent host name.
    pub host: String,
    /// Host ports, in `PORT0…` order.
    pub ports: Vec<u16>,
    /// Mesos state name, e.g. `TASK_RUNNING`.
    pub state: String,
    /// `None` without health checks or before the first result.
    pub healthy: Option<bool>,
    /// App version it was launched with.
    pub version: String,
    /// When it became running, ISO-8601.
    pub started_at: Option<String>,
    /// When the launch was sent, ISO-8601.
    pub staged_at: Option<String>,
}

/// One stage of the offer funnel: why the app's offers were declined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferFunnelStep {
    /// Marathon's reason name: `UnfulfilledRole`, `UnfulfilledConstraint`,
    /// `AgentMaintenance`, `InsufficientCpus`, `InsufficientMemory`,
    /// `InsufficientDisk`, `InsufficientGpus`, `InsufficientPorts`,
    /// `DeclinedScarceResources`, `MaxInstancesPerOffer`.
    pub reason: String,
    /// Offers that reached this stage.
    pub processed: u32,
    /// Offers declined at this stage.
    pub declined: u32,
}

/// The app's entry in the launch queue (Marathon's `/v2/queue` item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueInfo {
    /// Instances still to launch.
    pub count: u32,
    /// Seconds of backoff left; 0 when not delayed.
    pub delay_seconds_left: u64,
    /// `true` = delay over, waiting for offers; `false` = backing off.
    pub overdue: bool,
    /// When it was queued, ISO-8601.
    pub since: String,
    /// Offers examined while queued.
    pub processed_offers: u64,
    /// Of those, offers not used.
    pub unused_offers: u64,
    /// Last time an offer was declined, ISO-8601.
    pub last_unused_offer_at: Option<String>,
    /// Last time an offer was used, ISO-8601.
    pub last_used_offer_at: Option<String>,
    /// The last matching round's funnel, in funnel order (empty before the
    /// first round).
    pub funnel: Vec<OfferFunnelStep>,
}

/// Everything the app detail page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppDetail {
    /// The same row the services table shows.
    pub summary: AppSummary,
    /// The current definition, as `GET /v2/apps/{id}` returns its config.
    pub definition: AppDefinition,
    /// Non-terminal instances, oldest first.
    pub tasks: Vec<TaskView>,
    /// Stored version stamps, newest first (the current one included).
    pub versions: Vec<String>,
    /// The launch-queue entry, if instances wait to be launched.
    pub queue: Option<QueueInfo>,
    /// Ids of running deployments that change this app.
    pub deployments: Vec<String>,
}

/// Apps of one group, filtered, sorted and paged for the services table,
/// with the tasks of the apps shown so the rows can follow task events.
#[server(endpoint = "apps/list", input = server_fn::codec::Postcard, output = server_fn::codec::Postcard)]
pub async fn list_services(query: ServiceQuery) -> Result<ServicesPage, ApiError> {
    // Before the reads: an event stamped earlier is in the answer.
    let as_of_ms = crate::backend::clock_ms();
    let backend = crate::backend::use_backend()?;
    let group = crate::backend::parse_group_id(&query.group)?;
    let mut page = ServicesPage::build(backend.list_apps(&group)?, &query);
    let shown: Vec<crate::model::PathId> =
        page.apps.iter().filter_map(|a| crate::model::PathId::parse(&a.id).ok()).collect();
    page.tasks = backend.task_briefs(&shown);
    page.as_of_ms = as_of_ms;
    Ok(page)
}

/// One app with its instances, versions and launch-queue entry.
#[server(endpoint = "apps/get")]
pub async fn get_app(id: String) -> Result<AppDetail, ApiError> {
    let backend = crate::backend::use_backend()?;
    backend.get_app(&crate::backend::parse_app_id(&id)?)
}

/// One stored version of an app's definition.
#[server(endpoint = "apps/version")]
pub async fn get_app_version(id: String, version: String) -> Result<AppDefinition, ApiError> {
    let backend = crate::backend::use_backend()?;
    backend.app_version(&crate::backend::parse_app_id(&id)?, &version)
}
