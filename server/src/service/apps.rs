//! App operations: list/read with status, versions, create, update
//! (replace, merge, rollback), bulk update, delete, restart.

use std::sync::Arc;

use dromos_model::{AppDefinition, AppUpdate, ModelError, PathId, Violation};
use serde_json::json;
use tracing::instrument;

use super::error::ServiceError;
use super::failures::TaskFailureRecord;
use super::instances::{TaskCounts, TaskRecord};
use super::selector::LabelSelector;
use super::state::State;
use super::{deploy, DeploymentResult, Origin, Service};
use crate::access::enforce;

/// Which apps `GET /v2/apps` lists.
#[derive(Debug, Clone, Default)]
pub struct AppFilter {
    /// Case-insensitive substring of `cmd`.
    pub cmd: Option<String>,
    /// Case-insensitive substring of the id.
    pub id: Option<String>,
    /// Label selector.
    pub label: Option<LabelSelector>,
}

/// An app with what the API adds to it (`AppInfo`).
#[derive(Debug, Clone)]
pub struct AppStatus {
    /// The current definition.
    pub app: Arc<AppDefinition>,
    /// Task counts.
    pub counts: TaskCounts,
    /// Ids of running deployments changing the app.
    pub deployments: Vec<String>,
    /// The app's tasks.
    pub tasks: Vec<TaskRecord>,
    /// The app's last task failure (Marathon's `lastTaskFailure`).
    pub last_failure: Option<TaskFailureRecord>,
}

/// How `PUT /v2/apps/{id}` treats its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateMode {
    /// `partialUpdate=false`: the body is the whole app.
    Replace,
    /// `partialUpdate=true` / `PATCH`: present fields replace.
    Merge,
}

/// Parses an id taken from a URL for a read: an invalid id cannot exist.
pub fn read_id(raw: &str) -> Result<PathId, ServiceError> {
    PathId::parse(raw).map_err(|_| ServiceError::app_not_found(format!("/{}", raw.trim_matches('/'))))
}

/// Parses an id taken from a URL for a write: an invalid id is a 422 at `/id`.
pub fn write_id(raw: &str) -> Result<PathId, ServiceError> {
    let id =
        PathId::parse(raw).map_err(|e| ModelError::Invalid(vec![Violation::new("/id", e.to_string())]))?;
    if id.is_root() {
        return Err(ModelError::Invalid(vec![Violation::new("/id", "Path must not be empty")]).into());
    }
    Ok(id)
}

pub(crate) fn status_of(state: &State, app: &Arc<AppDefinition>) -> AppStatus {
    let tasks: Vec<TaskRecord> = state.tasks.of_app(&app.id).cloned().collect();
    AppStatus {
        app: app.clone(),
        counts: TaskCounts::of(&tasks),
        deployments: state.deployments_of(&app.id),
        tasks,
        last_failure: state.failures.get(&app.id).cloned(),
    }
}

fn matches(app: &AppDefinition, filter: &AppFilter) -> bool {
    let contains = |hay: &str, needle: &str| hay.to_lowercase().contains(&needle.to_lowercase());
    filter.cmd.as_ref().is_none_or(|c| app.cmd.as_deref().is_some_and(|cmd| contains(cmd, c)))
        && filter.id.as_ref().is_none_or(|i| contains(&app.id.to_string(), i))
        && filter.label.as_ref().is_none_or(|l| l.matches(&app.labels))
}

/// The apps under `group` the caller may read, with their status, by id.
fn readable_apps_under(state: &State, group: &PathId) -> Vec<AppStatus> {
    state
        .apps_under(group)
        .iter()
        .filter(|a| enforce::may_read(a))
        .filter_map(|a| state.apps.get(a))
        .map(|a| status_of(state, a))
        .collect()
}

impl Service {
    /// Every app passing `filter`, by id.
    pub fn apps(&self, filter: &AppFilter) -> Vec<AppStatus> {
        let state = self.read();
        state
            .apps
            .values()
            .filter(|a| enforce::may_read(&a.id) && matches(a, filter))
            .map(|a| status_of(&state, a))
            .collect()
    }

    /// Apps directly or transitively in group `group` (`/v2/apps/{group}/*`).
    /// The root always exists, as in Marathon, even before the first change
    /// stores it; any other unknown group is not found. As in Marathon the
    /// caller must be allowed to see the group itself (the rule of
    /// `GET /v2/groups/{id}`: 401/403 otherwise), and sees only the apps it
    /// may read.
    pub fn apps_in_group(&self, group: &str) -> Result<Vec<AppStatus>, ServiceError> {
        let id = PathId::parse(group)
            .map_err(|_| ServiceError::group_not_found(format!("/{}", group.trim_matches('/'))))?;
        let state = self.read();
        if !id.is_root() && !state.has_group(&id) {
            return Err(ServiceError::group_not_found(id));
        }
        enforce::check_see_group(&id)?;
        Ok(readable_apps_under(&state, &id))
    }

    /// Apps directly or transitively in group `group`
    /// (`GET /v2/groups/{group}/apps`), those the caller may read. Unlike
    /// the wildcard of `/v2/apps`, as in Marathon, neither an unknown group
    /// nor one that is no valid id is an error there (none can hold apps:
    /// `[]`), and the group itself is not checked, only its apps.
    pub fn group_apps(&self, group: &str) -> Vec<AppStatus> {
        match PathId::parse(group) {
            Ok(id) => readable_apps_under(&self.read(), &id),
            Err(_) => Vec::new(),
        }
    }

    /// One app with its status.
    pub fn app(&self, raw_id: &str) -> Result<AppStatus, ServiceError> {
        let id = read_id(raw_id)?;
        enforce::check_read(&id)?;
        let state = self.read();
        let app = state.apps.get(&id).ok_or_else(|| ServiceError::app_not_found(&id))?;
        Ok(status_of(&state, app))
    }

    /// Kept versions of an app, newest first.
    pub fn app_versions(&self, raw_id: &str) -> Result<Vec<String>, ServiceError> {
        let id = read_id(raw_id)?;
        enforce::check_read(&id)?;
        let state = self.read();
        if !state.apps.contains_key(&id) {
            return Err(ServiceError::app_not_found(&id));
        }
        let history = state.app_history.get(&id);
        Ok(history.into_iter().flat_map(|h| h.keys().rev().map(ToString::to_string)).collect())
    }

    /// An app as it was at `version`.
    pub fn app_version(&self, raw_id: &str, version: &str) -> Result<Arc<AppDefinition>, ServiceError> {
        let id = read_id(raw_id)?;
        enforce::check_read(&id)?;
        let state = self.read();
        if !state.apps.contains_key(&id) {
            return Err(ServiceError::app_not_found(&id));
        }
        state.app_at(&id, version).ok_or_else(|| ServiceError::AppNotFound {
            id: id.to_string(),
            version: Some(version.to_owned()),
        })
    }

    /// `POST /v2/apps`: a new app; 409 if the id is taken.
    #[instrument(skip_all, fields(app_id = %app.id))]
    pub async fn create_app(
        &self,
        app: AppDefinition,
        force: bool,
        origin: &Origin,
    ) -> Result<(AppStatus, DeploymentResult), ServiceError> {
        let id = app.id.clone();
        enforce::check_write(&id)?;
        let (outcome, status) = self
            .mutate(|current, target, version| {
                if current.apps.contains_key(&id) {
                    return Err(ServiceError::AppExists(id.clone()));
                }
                check_no_group_clash(current, &id)?;
                target.ensure_group(&id.parent(), &version);
                target.apps.insert(id.clone(), Arc::new(app));
                let outcome = deploy::finish_change(current, target, &self.change_options(version, force))?;
                let status = target.apps.get(&id).map(|a| status_of(target, a));
                Ok((outcome, status))
            })
            .await?;
        let status = status.ok_or_else(|| ServiceError::Internal("created app vanished".into()))?;
        self.announce_app_post(origin, &status.app);
        self.announce("create-app", &id.parent(), &outcome);
        Ok((status, result_of(&outcome)))
    }

    /// `PUT`/`PATCH /v2/apps/{id}`: replace, merge or roll back; creates the
    /// app when `allow_create` (PUT). Returns whether it was created.
    #[instrument(skip_all, fields(app_id = %raw_id))]
    pub async fn update_app(
        &self,
        raw_id: &str,
        update: AppUpdate,
        mode: UpdateMode,
        allow_create: bool,
        force: bool,
        origin: &Origin,
    ) -> Result<(DeploymentResult, bool), ServiceError> {
        let id = write_id(raw_id)?;
        enforce::check_write(&id)?;
        let (outcome, created, app) = self
            .mutate(|current, target, version| {
                let existing = current.apps.get(&id);
                if existing.is_none() && !allow_create {
                    return Err(ServiceError::app_not_found(&id));
                }
                let app = updated_app(current, &id, existing, update, mode)?;
                if existing.is_none() {
                    check_no_group_clash(current, &id)?;
                }
                let app = Arc::new(app);
                target.ensure_group(&id.parent(), &version);
                target.apps.insert(id.clone(), app.clone());
                let outcome = deploy::finish_change(current, target, &self.change_options(version, force))?;
                Ok((outcome, existing.is_none(), app))
            })
            .await?;
        self.announce_app_post(origin, &app);
        self.announce("update-app", &id.parent(), &outcome);
        Ok((result_of(&outcome), created))
    }

    /// Bulk `PUT`/`PATCH /v2/apps`: one deployment for all; every update
    /// names its app by `id`.
    #[instrument(skip_all, fields(apps = updates.len()))]
    pub async fn update_apps(
        &self,
        updates: Vec<AppUpdate>,
        mode: UpdateMode,
        allow_create: bool,
        force: bool,
        origin: &Origin,
    ) -> Result<DeploymentResult, ServiceError> {
        for update in &updates {
            if let Some(id) = update.id.as_deref().and_then(|raw| write_id(raw).ok()) {
                enforce::check_write(&id)?;
            }
        }
        let (outcome, posted) = self
            .mutate(|current, target, version| {
                let mut posted = Vec::new();
                for (i, update) in updates.into_iter().enumerate() {
                    let at = |e: ModelError| prefix_errors(e, i);
                    let raw = update.id.clone().ok_or_else(|| {
                        ModelError::InvalidJson(vec![Violation::new(
                            format!("/{i}/id"),
                            "error.path.missing",
                        )])
                    })?;
                    let id = write_id(&raw).map_err(|e| match e {
                        ServiceError::Model(m) => ServiceError::Model(at(m)),
                        other => other,
                    })?;
                    let existing = target.apps.get(&id).cloned();
                    if existing.is_none() && !allow_create {
                        return Err(ServiceError::app_not_found(&id));
                    }
                    let app =
                        updated_app(current, &id, existing.as_ref(), update, mode).map_err(|e| match e {
                            ServiceError::Model(m) => ServiceError::Model(at(m)),
                            other => other,
                        })?;
                    let app = Arc::new(app);
                    target.ensure_group(&id.parent(), &version);
                    target.apps.insert(id, app.clone());
                    posted.push(app);
                }
                let outcome = deploy::finish_change(current, target, &self.change_options(version, force))?;
                Ok((outcome, posted))
            })
            .await?;
        for app in &posted {
            self.announce_app_post(origin, app);
        }
        self.announce("update-apps", &PathId::root(), &outcome);
        Ok(result_of(&outcome))
    }

    /// `DELETE /v2/apps/{id}`.
    #[instrument(skip_all, fields(app_id = %raw_id))]
    pub async fn delete_app(&self, raw_id: &str, force: bool) -> Result<DeploymentResult, ServiceError> {
        let id = read_id(raw_id)?;
        enforce::check_write(&id)?;
        let outcome = self
            .mutate(|current, target, version| {
                if target.apps.remove(&id).is_none() {
                    return Err(ServiceError::app_not_found(&id));
                }
                deploy::finish_change(current, target, &self.change_options(version, force))
            })
            .await?;
        self.announce("delete-app", &id.parent(), &outcome);
        Ok(result_of(&outcome))
    }

    /// `POST /v2/apps/{id}/restart`: a new version with the same config.
    #[instrument(skip_all, fields(app_id = %raw_id))]
    pub async fn restart_app(&self, raw_id: &str, force: bool) -> Result<DeploymentResult, ServiceError> {
        let id = read_id(raw_id)?;
        enforce::check_write(&id)?;
        let outcome = self
            .mutate(|current, target, version| {
                if !current.apps.contains_key(&id) {
                    return Err(ServiceError::app_not_found(&id));
                }
                let mut opts = self.change_options(version, force);
                opts.restart.insert(id.clone());
                deploy::finish_change(current, target, &opts)
            })
            .await?;
        self.announce("restart-app", &id.parent(), &outcome);
        Ok(result_of(&outcome))
    }

    fn announce_app_post(&self, origin: &Origin, app: &AppDefinition) {
        self.events.publish(
            "api_post_event",
            json!({"clientIp": origin.client_ip, "uri": origin.uri, "appDefinition": app}),
        );
    }
}

/// The new definition of `id` from `update`.
fn updated_app(
    current: &State,
    id: &PathId,
    existing: Option<&Arc<AppDefinition>>,
    update: AppUpdate,
    mode: UpdateMode,
) -> Result<AppDefinition, ServiceError> {
    if update.is_version_rollback() {
        let version = update.version.as_ref().map(ToString::to_string).unwrap_or_default();
        let old = current
            .app_at(id, &version)
            .ok_or_else(|| ServiceError::AppNotFound { id: id.to_string(), version: Some(version) })?;
        return Ok(AppDefinition::clone(&old));
    }
    let mut update = update;
    update.id = Some(id.to_string());
    update.version = None;
    update.version_info = None;
    let app = match (existing, mode) {
        (Some(existing), UpdateMode::Merge) => update.apply_to(existing)?,
        _ => update.into_app(&PathId::root())?,
    };
    Ok(app)
}

/// An app may not take the id of a group (or sit below an app).
fn check_no_group_clash(state: &State, id: &PathId) -> Result<(), ServiceError> {
    if state.has_group(id) {
        return Err(ServiceError::Conflict(format!("A group with id {id} already exists.")));
    }
    let mut cursor = id.parent();
    while !cursor.is_root() {
        if state.apps.contains_key(&cursor) {
            return Err(ServiceError::Conflict(format!("An app with id [{cursor}] already exists.")));
        }
        cursor = cursor.parent();
    }
    Ok(())
}

fn prefix_errors(e: ModelError, index: usize) -> ModelError {
    let fix = |v: Vec<Violation>| {
        v.into_iter()
            .map(|x| {
                let path = if x.path == "/" { String::new() } else { x.path };
                Violation { path: format!("/{index}{path}"), errors: x.errors }
            })
            .collect()
    };
    match e {
        ModelError::InvalidJson(v) => ModelError::InvalidJson(fix(v)),
        ModelError::Invalid(v) => ModelError::Invalid(fix(v)),
    }
}

pub(crate) fn result_of(outcome: &deploy::ChangeOutcome) -> DeploymentResult {
    DeploymentResult { deployment_id: outcome.deployment.id.clone(), version: outcome.version.clone() }
}
