//! Group operations: read the tree with status, versions, create, update
//! (definition, rollback to a version, scaleBy, dry run), patch a
//! top-level group's settings without a deployment, delete.
//!
//! The root group always exists, as in Marathon: a store no change was
//! ever written to holds no root yet, and reads answer with the empty root
//! at the epoch version Marathon gives its fresh root.

use std::sync::Arc;

use dromos_model::error::Violations;
use dromos_model::validation::validate_enforce_role_kept;
use dromos_model::{
    Group, GroupPartialUpdate, GroupUpdate, GroupUpdateKind, ModelError, PathId, Timestamp, Violation,
};
use serde_json::json;
use tracing::instrument;

use super::apps::{result_of, status_of, AppStatus};
use super::deploy::{self, ChangeOutcome};
use super::deployment::{plan_steps, StepAction};
use super::error::ServiceError;
use super::state::{GroupMeta, State};
use super::{DeploymentResult, Service};

/// A group with its apps' status, recursively (`GroupInfo`).
#[derive(Debug, Clone)]
pub struct GroupStatus {
    /// Group id.
    pub id: PathId,
    /// Apps directly in the group.
    pub apps: Vec<AppStatus>,
    /// Sub-groups.
    pub groups: Vec<GroupStatus>,
    /// Dependencies.
    pub dependencies: Vec<PathId>,
    /// Version.
    pub version: Option<Timestamp>,
    /// `enforceRole`.
    pub enforce_role: Option<bool>,
}

/// What `PUT /v2/groups/{id}` did.
#[derive(Debug, Clone)]
pub enum GroupChange {
    /// `dryRun=true`: the steps a deployment would have.
    DryRun(Vec<Vec<StepAction>>),
    /// Deployed.
    Deployed(DeploymentResult),
}

/// The version of the root of a store no change was ever written to:
/// Marathon's fresh root carries the epoch (its `Timestamp(0)`).
const FRESH_ROOT_VERSION: &str = "1970-01-01T00:00:00.000Z";

/// Whether group `id` exists. The root always does, as in Marathon, even
/// before the first change stores it.
fn group_exists(state: &State, id: &PathId) -> bool {
    id.is_root() || state.has_group(id)
}

/// Group `id` as a tree; before the first change the root is the empty
/// root at [`FRESH_ROOT_VERSION`].
fn tree_of(state: &State, id: &PathId) -> Option<Group> {
    state.group_tree(id).or_else(|| {
        (id.is_root() && !state.has_group(id))
            .then(|| Group { version: Timestamp::parse(FRESH_ROOT_VERSION), ..Group::new(PathId::root()) })
    })
}

/// The root as it was at `version`; before the first change the fresh root
/// is the one version there is.
fn root_at(state: &State, version: &str) -> Option<State> {
    state
        .root_at(version)
        .or_else(|| (state.root_history.is_empty() && version == FRESH_ROOT_VERSION).then(State::default))
}

fn group_id(raw: &str) -> Result<PathId, ServiceError> {
    PathId::parse(raw).map_err(|_| ServiceError::group_not_found(format!("/{}", raw.trim_matches('/'))))
}

fn status_tree(state: &State, group: &Group) -> GroupStatus {
    GroupStatus {
        id: group.id.clone(),
        apps: group
            .apps
            .iter()
            .map(|a| state.apps.get(&a.id).map_or_else(|| bare(a), |cur| status_of(state, cur)))
            .collect(),
        groups: group.groups.iter().map(|g| status_tree(state, g)).collect(),
        dependencies: group.dependencies.clone(),
        version: group.version.clone(),
        enforce_role: group.enforce_role,
    }
}

fn bare(app: &dromos_model::AppDefinition) -> AppStatus {
    AppStatus {
        app: Arc::new(app.clone()),
        counts: Default::default(),
        deployments: Vec::new(),
        tasks: Vec::new(),
        last_failure: None,
    }
}

impl Service {
    /// The group `id` (the root for `/`), its apps with status, recursively.
    pub fn group(&self, raw_id: &str) -> Result<GroupStatus, ServiceError> {
        let id = group_id(raw_id)?;
        let state = self.read();
        let tree = tree_of(&state, &id).ok_or_else(|| ServiceError::group_not_found(&id))?;
        crate::access::enforce::visible_group(status_tree(&state, &tree))
    }

    /// Root versions in which group `id` existed, newest first (the
    /// fresh root's before the first change).
    pub fn group_versions(&self, raw_id: &str) -> Result<Vec<String>, ServiceError> {
        let id = group_id(raw_id)?;
        crate::access::enforce::check_read(&id)?;
        let state = self.read();
        if !group_exists(&state, &id) {
            return Err(ServiceError::group_not_found(&id));
        }
        if state.root_history.is_empty() {
            return Ok(vec![FRESH_ROOT_VERSION.to_owned()]);
        }
        Ok(state
            .root_history
            .values()
            .rev()
            .filter(|r| r.groups.contains_key(&id))
            .map(|r| r.version.to_string())
            .collect())
    }

    /// The group `id` as it was at root version `version`; 404 naming the
    /// group only, as Marathon words it, when it did not exist then.
    pub fn group_version(&self, raw_id: &str, version: &str) -> Result<GroupStatus, ServiceError> {
        let id = group_id(raw_id)?;
        let state = self.read();
        let not_found = || ServiceError::group_not_found(&id);
        let old = root_at(&state, version).ok_or_else(not_found)?;
        let tree = tree_of(&old, &id).ok_or_else(not_found)?;
        crate::access::enforce::visible_group(status_tree(&State::default(), &tree))
    }

    /// `POST /v2/groups[/{base}]`: a new group tree; 409 if it exists.
    #[instrument(skip_all, fields(group_id = %group.id))]
    pub async fn create_group(&self, group: Group, force: bool) -> Result<DeploymentResult, ServiceError> {
        let id = group.id.clone();
        crate::access::enforce::check_write(&id)?;
        let outcome = self
            .mutate(|current, target, version| {
                refuse_taken(current, &id)?;
                replace_subtree(target, &id, Some(&group), &version);
                deploy::finish_change(current, target, &self.change_options(version, force))
            })
            .await?;
        self.announce("create-group", &id, &outcome);
        Ok(result_of(&outcome))
    }

    /// `POST /v2/groups/{id}` whose body is only a rollback `version` or a
    /// `scaleBy`, as in Marathon: 409 if the group exists, else the group
    /// as it was at that version (422 if it was not there then) or, for a
    /// scale, a new empty group.
    #[instrument(skip_all, fields(group_id = %id))]
    pub async fn create_group_from(
        &self,
        id: PathId,
        update: GroupUpdate,
        force: bool,
    ) -> Result<DeploymentResult, ServiceError> {
        crate::access::enforce::check_write(&id)?;
        let outcome = self
            .mutate(|current, target, version| {
                refuse_taken(current, &id)?;
                self.change_group(current, target, &id, update, version, force)
            })
            .await?;
        self.announce("create-group", &id, &outcome);
        Ok(result_of(&outcome))
    }

    /// `PUT /v2/groups/{id}`: definition merge, rollback or scaleBy; creates
    /// a missing group (a scale too); with `dry_run` only computes the steps. The group
    /// changed is the body's `id` resolved against the URL's, as in Marathon
    /// (see [`target_of`]). A body that carries services may not also change
    /// an existing group's `enforceRole` (422, see
    /// [`validate_enforce_role_kept`]).
    #[instrument(skip_all, fields(group_id = %raw_id))]
    pub async fn update_group(
        &self,
        raw_id: &str,
        mut update: GroupUpdate,
        force: bool,
        dry_run: bool,
    ) -> Result<GroupChange, ServiceError> {
        let path = super::apps::write_id(raw_id).or_else(|e| {
            if raw_id.trim_matches('/').is_empty() {
                Ok(PathId::root())
            } else {
                Err(e)
            }
        })?;
        let id = target_of(path, update.id.take().as_deref())?;
        crate::access::enforce::check_write(&id)?;
        if dry_run {
            let current = self.read();
            let mut target = State::clone(&current);
            let version = super::clock::next_version(chrono::Utc::now(), current.latest_version());
            let outcome = self.change_group(&current, &mut target, &id, update, version, true)?;
            return Ok(GroupChange::DryRun(plan_steps(&outcome.plan)));
        }
        let outcome = self
            .mutate(|current, target, version| {
                self.change_group(current, target, &id, update, version, force)
            })
            .await?;
        self.announce("update-group", &id, &outcome);
        Ok(GroupChange::Deployed(result_of(&outcome)))
    }

    fn change_group(
        &self,
        current: &State,
        target: &mut State,
        id: &PathId,
        update: GroupUpdate,
        version: Timestamp,
        force: bool,
    ) -> Result<ChangeOutcome, ServiceError> {
        let existing = tree_of(current, id);
        let kept = validate_enforce_role_kept(&update, id, existing.as_ref());
        match update.kind() {
            GroupUpdateKind::Rollback(to) => {
                kept.into_result()?;
                // As in Marathon: a version the group never had is a bad
                // request (422), not a missing resource.
                let unavailable = || {
                    let message = format!("Group {id} not available in version {}", to.as_str());
                    ServiceError::from(ModelError::Invalid(vec![Violation::new("/version", message)]))
                };
                let old_root = root_at(current, to.as_str()).ok_or_else(unavailable)?;
                let old = tree_of(&old_root, id).ok_or_else(unavailable)?;
                replace_subtree(target, id, Some(&old), &version);
            }
            GroupUpdateKind::ScaleBy(factor) => {
                kept.into_result()?;
                if current.apps.contains_key(id) {
                    return Err(ServiceError::AppExists(id.clone()));
                }
                // As in Marathon, scaling a missing group creates it, empty.
                target.ensure_group(id, &version);
                for app_id in current.apps_under(id) {
                    if let Some(app) = target.apps.get(&app_id) {
                        let scaled = (f64::from(app.instances) * factor).ceil();
                        let instances = if scaled.is_finite() {
                            scaled.clamp(0.0, f64::from(i32::MAX)) as i32
                        } else {
                            0
                        };
                        let next = dromos_model::AppDefinition {
                            instances,
                            ..dromos_model::AppDefinition::clone(app)
                        };
                        target.apps.insert(app_id, Arc::new(next));
                    }
                }
            }
            GroupUpdateKind::Definition => {
                if current.apps.contains_key(id) {
                    return Err(ServiceError::AppExists(id.clone()));
                }
                let base = existing.unwrap_or_else(|| Group::new(id.clone()));
                let merged = with_refusals(update.apply_to(&base), kept.into_vec())?;
                replace_subtree(target, id, Some(&merged), &version);
            }
        }
        deploy::finish_change(current, target, &self.change_options(version, force))
    }

    /// `PATCH /v2/groups/{id}`: sets `enforceRole` of the top-level group
    /// `id` (Marathon's `patchRoot`). No deployment and no app changes,
    /// but a new root version, like every group change; returns the group
    /// as changed. 422 below the top level, 404 for a missing group.
    #[instrument(skip_all, fields(group_id = %raw_id))]
    pub async fn patch_group(
        &self,
        raw_id: &str,
        patch: GroupPartialUpdate,
    ) -> Result<GroupStatus, ServiceError> {
        let id = group_id(raw_id)?;
        if id.is_root() || !id.parent().is_root() {
            return Err(ModelError::Invalid(vec![Violation::new("/", "Path needs to be top-level")]).into());
        }
        crate::access::enforce::check_write(&id)?;
        let enforce_role = patch.effective_enforce_role();
        let (version, status) = self
            .mutate(|current, target, version| {
                let Some(meta) = target.groups.get_mut(&id) else {
                    return Err(ServiceError::group_not_found(&id));
                };
                meta.enforce_role = Some(enforce_role);
                target.touch_group_path(&id, &version);
                let outcome = deploy::finish_change(current, target, &self.change_options(version, false))?;
                if !outcome.plan.is_empty() {
                    return Err(ServiceError::Internal(format!("patching {id} planned a deployment")));
                }
                let tree = target.group_tree(&id).ok_or_else(|| ServiceError::group_not_found(&id))?;
                Ok((outcome.version, status_tree(target, &tree)))
            })
            .await?;
        tracing::info!(
            operation = "patch-group",
            group = %id,
            version = %version,
            enforce_role,
            "root group changed"
        );
        self.metrics.increment("dromos.service.patch-group.counter");
        self.events.publish("group_change_success", json!({"groupId": id, "version": version}));
        crate::access::enforce::visible_group(status)
    }

    /// `DELETE /v2/groups/{id}`: the group and everything in it (the root
    /// itself stays, emptied; emptying an empty root is a change too, with
    /// a new version and a deployment without steps, as in Marathon).
    #[instrument(skip_all, fields(group_id = %raw_id))]
    pub async fn delete_group(&self, raw_id: &str, force: bool) -> Result<DeploymentResult, ServiceError> {
        let id = group_id(raw_id)?;
        crate::access::enforce::check_write(&id)?;
        let outcome = self
            .mutate(|current, target, version| {
                if !group_exists(current, &id) {
                    return Err(ServiceError::group_not_found(&id));
                }
                replace_subtree(target, &id, None, &version);
                deploy::finish_change(current, target, &self.change_options(version, force))
            })
            .await?;
        self.announce("delete-group", &id, &outcome);
        Ok(result_of(&outcome))
    }
}

/// The group a `PUT /v2/groups/{path}` body changes: its `id` resolved
/// against `path`, as in Marathon (`{"id": "db"}` sent to `/prod` changes
/// `/prod/db`; an absolute id names its group wherever it is), else `path`.
/// An id that is no id is a 422 at `/id`.
fn target_of(path: PathId, body_id: Option<&str>) -> Result<PathId, ServiceError> {
    let Some(raw) = body_id else { return Ok(path) };
    PathId::resolve(raw, &path)
        .map_err(|e| ModelError::Invalid(vec![Violation::new("/id", e.to_string())]).into())
}

/// The merged group, or every rule the body breaks: its own and the
/// `enforceRole` changes it may not make (Marathon reports them together).
fn with_refusals(applied: Result<Group, ModelError>, kept: Vec<Violation>) -> Result<Group, ModelError> {
    match applied {
        Ok(group) if kept.is_empty() => Ok(group),
        Ok(_) => Err(ModelError::Invalid(kept)),
        Err(ModelError::Invalid(found)) => {
            let mut all = Violations::new();
            all.extend_at("", found);
            all.extend_at("", kept);
            Err(ModelError::Invalid(all.into_vec()))
        }
        Err(other) => Err(other),
    }
}

/// Removes everything at and below `id` and puts `group` there instead.
/// Apps equal to the current ones keep their version (see `deploy`).
fn replace_subtree(state: &mut State, id: &PathId, group: Option<&Group>, version: &Timestamp) {
    state.apps.retain(|app_id, _| !id.is_ancestor_of(app_id));
    state.groups.retain(|g, _| g.is_root() || !(g == id || id.is_ancestor_of(g)));
    state.ensure_group(&PathId::root(), version);
    if let Some(group) = group {
        insert_tree(state, group, version);
    }
}

fn insert_tree(state: &mut State, group: &Group, version: &Timestamp) {
    state.ensure_group(&group.id.parent(), version);
    state.groups.insert(
        group.id.clone(),
        GroupMeta {
            dependencies: group.dependencies.clone(),
            version: version.clone(),
            enforce_role: group.enforce_role,
        },
    );
    for app in &group.apps {
        state.apps.insert(app.id.clone(), Arc::new(app.clone()));
    }
    for sub in &group.groups {
        insert_tree(state, sub, version);
    }
}

/// A new group's id must name neither a group nor an app (409).
fn refuse_taken(current: &State, id: &PathId) -> Result<(), ServiceError> {
    if group_exists(current, id) {
        return Err(ServiceError::GroupExists(id.clone()));
    }
    if current.apps.contains_key(id) {
        return Err(ServiceError::AppExists(id.clone()));
    }
    Ok(())
}
