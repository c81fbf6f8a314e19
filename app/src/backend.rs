//! (ssr only) The service the server implements for the console. Server
//! functions call it through the Leptos context; the REST API calls the same
//! implementation directly, so the two front doors cannot drift apart.
//!
//! Reads are synchronous and answer from in-memory state; writes and
//! questions to the cluster return a [`BackendFuture`] the server function
//! awaits, so no request thread blocks on the store. Errors are [`ApiError`]s carrying the
//! status and Marathon message the REST API answers for the same failure
//! (the server maps its own error type to it in one place).

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::*;

use crate::api::app_changes::DeploymentRef;
use crate::api::apps::{AppDetail, AppSummary};
use crate::api::cluster::{ClusterHistory, ClusterOverview, NodeView};
use crate::api::deployments::DeploymentView;
use crate::api::info::SystemInfo;
use crate::api::row_updates::TaskBrief;
use crate::error::ApiError;
use crate::model::{AppDefinition, PathId};

/// What a backend call that may wait (a durable write, a question to the
/// cluster) returns: a future the server function awaits, so no request
/// thread blocks on the store.
pub type BackendFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send + 'a>>;

/// Operations the console needs from the server.
///
/// Common contract of the writes: `force == false` refuses with 409 and
/// Marathon's message ("App is locked by one or more deployments. Override
/// with the option '?force=true'...") when a running deployment changes the
/// same app; `force == true` cancels those deployments and goes ahead. A
/// write that changes nothing returns a [`DeploymentRef`] with an empty
/// `deployment_id`. An unknown app id is 404 ("App '/x' does not exist").
/// Writes resolve once the change is durable.
pub trait Backend: Send + Sync + 'static {
    /// Build and uptime information.
    fn system_info(&self) -> SystemInfo;

    /// Every app whose id is `group` or below it (`/` = all apps), in any
    /// order; the console filters, sorts and pages. An unknown group gives
    /// an empty list, not an error. `status` must follow
    /// [`crate::api::status::AppStatus::derive`]; `tasks` counts
    /// non-terminal instances like `/v2/apps?embed=apps.counts`.
    fn list_apps(&self, group: &PathId) -> Result<Vec<AppSummary>, ApiError>;

    /// The tasks of each app of `apps` (the non-terminal ones, as
    /// [`Backend::list_apps`] counts them), by app id, so the services rows
    /// can follow task events; apps that do not exist are left out.
    fn task_briefs(&self, apps: &[PathId]) -> BTreeMap<String, Vec<TaskBrief>>;

    /// One app: its row, current definition (as `GET /v2/apps/{id}`),
    /// non-terminal tasks, stored versions newest first, its launch-queue
    /// entry if queued, and running deployments that touch it. 404 if unknown.
    fn get_app(&self, id: &PathId) -> Result<AppDetail, ApiError>;

    /// The definition of app `id` at `version` (`GET
    /// /v2/apps/{id}/versions/{version}`); 404 for an unknown app or version.
    fn app_version(&self, id: &PathId, version: &str) -> Result<AppDefinition, ApiError>;

    /// `POST /v2/apps` with body `json`: validated with
    /// [`crate::model::parse_app`] (400 / 422 with its violations), 409
    /// "An app with id [/x] already exists." if the id is taken, 409 if the
    /// id clashes with a group.
    fn create_app<'a>(&'a self, json: &'a str, force: bool) -> BackendFuture<'a, DeploymentRef>;

    /// Replaces app `id` with the complete definition `json` (`PUT
    /// /v2/apps/{id}?partialUpdate=false`). A different `id` inside `json`
    /// is 422 at `/id`; the path `id` wins if `json` has none. Creates the
    /// app if it does not exist, like Marathon's PUT.
    fn update_app<'a>(
        &'a self,
        id: &'a PathId,
        json: &'a str,
        force: bool,
    ) -> BackendFuture<'a, DeploymentRef>;

    /// Sets `instances` (0 suspends); keeps the rest of the definition.
    /// 422 at `/instances` above the documented maximum.
    fn scale_app<'a>(
        &'a self,
        id: &'a PathId,
        instances: u32,
        force: bool,
    ) -> BackendFuture<'a, DeploymentRef>;

    /// `POST /v2/apps/{id}/restart`: replaces every instance.
    fn restart_app<'a>(&'a self, id: &'a PathId, force: bool) -> BackendFuture<'a, DeploymentRef>;

    /// `DELETE /v2/apps/{id}`: stops every instance and removes the app.
    fn delete_app<'a>(&'a self, id: &'a PathId, force: bool) -> BackendFuture<'a, DeploymentRef>;

    /// `DELETE /v2/apps/{id}/tasks/{task_id}[?scale=true]`: kills one
    /// instance; 404 "Task 'x' does not exist" when it is not one of the
    /// app's. With `scale` the app's `instances` drops by one.
    fn kill_task<'a>(&'a self, app: &'a PathId, task_id: &'a str, scale: bool) -> BackendFuture<'a, ()>;

    /// `DELETE /v2/queue/{id}/delay`; 404 when the app is not queued.
    fn reset_delay(&self, id: &PathId) -> Result<(), ApiError>;

    /// Running deployments, oldest first (`GET /v2/deployments`).
    fn list_deployments(&self) -> Result<Vec<DeploymentView>, ApiError>;

    /// `DELETE /v2/deployments/{id}[?force=true]`: without `force` starts
    /// and returns the rollback deployment; with `force` stops the
    /// deployment where it is and returns `None`. 404 for an unknown id.
    fn cancel_deployment<'a>(&'a self, id: &'a str, force: bool) -> BackendFuture<'a, Option<DeploymentRef>>;

    /// Resources used and offered by active agents, active agent count and
    /// non-terminal task counts by Mesos state. Without agent data (no
    /// cluster view) the agent count and resources are zero.
    fn cluster_overview(&self) -> BackendFuture<'_, ClusterOverview>;

    /// The last minutes of [`Backend::cluster_overview`], sampled at a
    /// fixed period, plus task failures and successes between samples;
    /// empty before the first sample.
    fn cluster_history(&self) -> ClusterHistory;

    /// Every agent the scheduler knows, inactive ones included (empty
    /// without agent data).
    fn list_nodes(&self) -> BackendFuture<'_, Vec<NodeView>>;
}

/// The form in which the backend travels through the Leptos context.
pub type SharedBackend = Arc<dyn Backend>;

/// The backend of the current request; an error if the server forgot to
/// provide it (a wiring bug, reported as a server error, not a panic).
pub fn use_backend() -> Result<SharedBackend, ApiError> {
    use_context::<SharedBackend>().ok_or_else(|| ApiError::new(500, "dromos backend is not available"))
}

/// An app id from a request: unparseable ids cannot name an app, so 404.
pub fn parse_app_id(raw: &str) -> Result<PathId, ApiError> {
    PathId::parse(raw).ok().filter(|id| !id.is_root()).ok_or_else(|| ApiError::app_not_found(raw))
}

/// A group id from a request: unparseable ids are 400.
pub fn parse_group_id(raw: &str) -> Result<PathId, ApiError> {
    PathId::parse(raw).map_err(|e| ApiError::new(400, format!("invalid group id '{raw}': {e}")))
}

/// The server's clock in ms since the epoch (the clock the event bus
/// stamps events with), for [`crate::api::services_query::ServicesPage::as_of_ms`].
pub fn clock_ms() -> u64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}
