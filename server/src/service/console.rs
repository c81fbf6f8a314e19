//! The console's [`Backend`] over the service: thin adapters that call the
//! same operations the REST API calls (`http::marathon`), with the same
//! defaults, and shape the answers into the console's types ([`views`],
//! [`cluster`]); [`history`] samples the cluster for the dashboard's
//! charts. Failures go through the REST API's one status table
//! (`From<ServiceError> for app::error::ApiError` in
//! `http::marathon::error`), so both front doors answer alike.
//!
//! Writes name the REST equivalent of the call as their [`Origin`] URI
//! (the console has no client address to report in `api_post_event`).

pub mod cluster;
pub mod history;
mod views;

use std::collections::BTreeMap;

use app::api::app_changes::DeploymentRef;
use app::api::apps::{AppDetail, AppSummary};
use app::api::cluster::{ClusterHistory, ClusterOverview, NodeView};
use app::api::deployments::DeploymentView;
use app::api::info::SystemInfo;
use app::api::row_updates::TaskBrief;
use app::backend::{Backend, BackendFuture};
use app::error::ApiError;
use dromos_model::{
    parse_app, parse_app_update, AppDefinition, AppUpdate, ModelError, PathId, Timestamp, Violation,
};

use super::apps::{AppFilter, UpdateMode};
use super::tasks::KillSelector;
use super::{Origin, Service, ServiceError};

/// The `Origin` of a console write, named by its REST equivalent.
fn origin(uri: String) -> Origin {
    Origin { client_ip: None, uri }
}

/// `PUT /v2/apps/{id}` with a body naming another app is refused at `/id`
/// (the path wins when the body has no id).
fn check_body_id(path_id: &PathId, body_id: Option<&str>) -> Result<(), ServiceError> {
    let Some(raw) = body_id else { return Ok(()) };
    match PathId::parse(raw) {
        Ok(id) if id == *path_id => Ok(()),
        _ => Err(ModelError::Invalid(vec![Violation::new(
            "/id",
            format!("The id '{raw}' in the definition differs from the app being updated ('{path_id}')"),
        )])
        .into()),
    }
}

impl Service {
    /// The current version stamp of app `id`, if it exists: a write left
    /// it unchanged exactly when it changed nothing.
    fn current_stamp(&self, id: &PathId) -> Option<Timestamp> {
        self.read().apps.get(id).and_then(|a| a.version.clone())
    }

    /// An update of one app as `PUT /v2/apps/{id}` makes it; the returned
    /// deployment id is empty when the app did not change.
    async fn console_update(
        &self,
        id: &PathId,
        update: AppUpdate,
        mode: UpdateMode,
        allow_create: bool,
        force: bool,
    ) -> Result<DeploymentRef, ApiError> {
        let before = self.current_stamp(id);
        let uri = format!("/v2/apps{id}");
        let (result, _created) =
            self.update_app(&id.to_string(), update, mode, allow_create, force, &origin(uri)).await?;
        let changed = before.is_none() || self.current_stamp(id) != before;
        Ok(views::deployment_ref(result, changed))
    }
}

impl Backend for Service {
    fn system_info(&self) -> SystemInfo {
        SystemInfo {
            name: "dromos".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            leader: self.standing().leader(&self.config.advertised).map(str::to_owned),
            elected: self.standing().is_leader(),
            master: self.config.master.clone(),
            uptime_ms: self.uptime_ms(),
        }
    }

    fn list_apps(&self, group: &PathId) -> Result<Vec<AppSummary>, ApiError> {
        let apps = if group.is_root() {
            self.apps(&AppFilter::default())
        } else {
            // As `GET /v2/groups/{id}/apps`: the apps the caller may read;
            // an unknown group has none, which is no error.
            self.group_apps(&group.to_string())
        };
        let queue = views::queue_by_app(self.queue());
        Ok(apps.iter().map(|a| views::summary(a, queue.get(&a.app.id))).collect())
    }

    fn task_briefs(&self, apps: &[PathId]) -> BTreeMap<String, Vec<TaskBrief>> {
        let brief = |t: &super::instances::TaskRecord| TaskBrief {
            id: t.id.clone(),
            state: t.state.name(),
            healthy: t.healthy,
        };
        apps.iter()
            .filter_map(|id| {
                let raw = id.to_string();
                let tasks = self.app_tasks(&raw).ok()?;
                Some((raw, tasks.iter().filter(|t| !t.state.is_terminal()).map(brief).collect()))
            })
            .collect()
    }

    fn get_app(&self, id: &PathId) -> Result<AppDetail, ApiError> {
        let raw = id.to_string();
        let status = self.app(&raw)?;
        let versions = self.app_versions(&raw)?;
        let queue = views::queue_by_app(self.queue()).remove(id);
        Ok(views::detail(&status, versions, queue.as_ref()))
    }

    fn app_version(&self, id: &PathId, version: &str) -> Result<AppDefinition, ApiError> {
        let app = Service::app_version(self, &id.to_string(), version)?;
        Ok(AppDefinition::clone(&app))
    }

    fn create_app<'a>(&'a self, json: &'a str, force: bool) -> BackendFuture<'a, DeploymentRef> {
        Box::pin(async move {
            let app = parse_app(json.as_bytes()).map_err(ServiceError::from)?;
            let (_, result) = Service::create_app(self, app, force, &origin("/v2/apps".into())).await?;
            Ok(views::deployment_ref(result, true))
        })
    }

    fn update_app<'a>(
        &'a self,
        id: &'a PathId,
        json: &'a str,
        force: bool,
    ) -> BackendFuture<'a, DeploymentRef> {
        Box::pin(async move {
            let update = parse_app_update(json.as_bytes()).map_err(ServiceError::from)?;
            check_body_id(id, update.id.as_deref())?;
            self.console_update(id, update, UpdateMode::Replace, true, force).await
        })
    }

    fn scale_app<'a>(
        &'a self,
        id: &'a PathId,
        instances: u32,
        force: bool,
    ) -> BackendFuture<'a, DeploymentRef> {
        Box::pin(async move {
            // Above i32 is above the maximum too: validation answers 422 at /instances.
            let instances = i32::try_from(instances).unwrap_or(i32::MAX);
            let mut update = AppUpdate::default();
            update.instances = Some(instances);
            self.console_update(id, update, UpdateMode::Merge, false, force).await
        })
    }

    fn restart_app<'a>(&'a self, id: &'a PathId, force: bool) -> BackendFuture<'a, DeploymentRef> {
        Box::pin(async move {
            let result = Service::restart_app(self, &id.to_string(), force).await?;
            Ok(views::deployment_ref(result, true))
        })
    }

    fn delete_app<'a>(&'a self, id: &'a PathId, force: bool) -> BackendFuture<'a, DeploymentRef> {
        Box::pin(async move {
            let result = Service::delete_app(self, &id.to_string(), force).await?;
            Ok(views::deployment_ref(result, true))
        })
    }

    fn kill_task<'a>(&'a self, app: &'a PathId, task_id: &'a str, scale: bool) -> BackendFuture<'a, ()> {
        Box::pin(async move {
            let selector = KillSelector::AppTask { app: app.to_string(), task: task_id.to_owned() };
            // `force` defaults to false, as on `DELETE /v2/apps/{id}/tasks/{taskId}`.
            self.kill_tasks(selector, scale, false).await?;
            Ok(())
        })
    }

    fn reset_delay(&self, id: &PathId) -> Result<(), ApiError> {
        Ok(Service::reset_delay(self, &id.to_string())?)
    }

    fn list_deployments(&self) -> Result<Vec<DeploymentView>, ApiError> {
        Ok(self.deployments().iter().map(views::deployment).collect())
    }

    fn cancel_deployment<'a>(&'a self, id: &'a str, force: bool) -> BackendFuture<'a, Option<DeploymentRef>> {
        Box::pin(async move {
            let result = Service::cancel_deployment(self, id, force).await?;
            Ok(result.map(|r| views::deployment_ref(r, true)))
        })
    }

    fn cluster_overview(&self) -> BackendFuture<'_, ClusterOverview> {
        Box::pin(async move {
            let state = self.cluster_state().await;
            Ok(cluster::overview(state.as_ref(), &self.tasks()))
        })
    }

    fn cluster_history(&self) -> ClusterHistory {
        self.console_history.snapshot()
    }

    fn list_nodes(&self) -> BackendFuture<'_, Vec<NodeView>> {
        Box::pin(async move {
            let state = self.cluster_state().await;
            Ok(cluster::nodes(state.as_ref(), &self.tasks()))
        })
    }
}

#[cfg(test)]
#[path = "console_tests.rs"]
mod tests;
