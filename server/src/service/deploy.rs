//! Every mutation is "change the root group" (Marathon's
//! `GroupManager.updateRoot`): an operation edits a copy of the state
//! (`target`), then [`finish_change`] stamps versions, assigns service
//! ports, computes the deployment plan, checks locks and records the new
//! root and app versions. Pure: no I/O, time comes in as the version.

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;

use dromos_model::{AppDefinition, ModelError, PathId, Timestamp, VersionInfo, Violation};
use dromos_scheduler::plan::{compute_plan, DeploymentPlan};

use super::deployment::Deployment;
use super::error::ServiceError;
use super::ports;
use super::run_spec::run_specs;
use super::state::State;

/// How a change is made.
#[derive(Debug, Clone)]
pub struct ChangeOptions {
    /// Cancel conflicting deployments instead of answering 409.
    pub force: bool,
    /// Apps to roll out even when their definition is unchanged (`/restart`).
    pub restart: BTreeSet<PathId>,
    /// The new root version.
    pub version: Timestamp,
    /// Versions kept per app and for the root.
    pub max_versions: usize,
    /// Refuse a new deployment when this many are running.
    pub max_running_deployments: usize,
    /// The deployment id to use if the plan is not empty.
    pub deployment_id: String,
}

/// What a change did.
#[derive(Debug, Clone)]
pub struct ChangeOutcome {
    /// The deployment (also when its plan is empty; then it is not stored).
    pub deployment: Deployment,
    /// Deployments cancelled by `force`.
    pub cancelled: Vec<Deployment>,
    /// The plan.
    pub plan: DeploymentPlan,
    /// Apps that got a new version.
    pub changed_apps: Vec<PathId>,
    /// The new root version.
    pub version: Timestamp,
}

/// Completes `target` (an edited copy of `current`); see the module docs.
pub fn finish_change(
    current: &State,
    target: &mut State,
    opts: &ChangeOptions,
) -> Result<ChangeOutcome, ServiceError> {
    let changed_apps = stamp_apps(current, target, opts)?;
    let removed: Vec<PathId> =
        current.apps.keys().filter(|id| !target.apps.contains_key(*id)).cloned().collect();
    for id in changed_apps.iter().chain(&removed) {
        target.touch_group_path(&id.parent(), &opts.version);
    }
    target.ensure_group(&PathId::root(), &opts.version);
    target.touch_group_path(&PathId::root(), &opts.version);
    let plan = compute_plan(
        &run_specs(current.apps.values().map(|a| a.as_ref())),
        &run_specs(target.apps.values().map(|a| a.as_ref())),
    )
    .map_err(|_| {
        ModelError::Invalid(vec![Violation::new("/", "Dependency graph has cyclic dependencies.")])
    })?;
    let cancelled = resolve_locks(target, &plan, opts.force)?;
    if !plan.is_empty() && target.deployments.len() >= opts.max_running_deployments {
        return Err(ServiceError::TooManyDeployments(opts.max_running_deployments));
    }
    let original = current.latest_version().map(|v| v.to_string()).unwrap_or_default();
    let deployment = Deployment::new(opts.deployment_id.clone(), opts.version.to_string(), original, &plan);
    if !plan.is_empty() {
        target.deployments.insert(deployment.id.clone(), deployment.clone());
    }
    let snapshot = target.snapshot(opts.version.clone());
    Arc::make_mut(&mut target.root_history).insert(opts.version.clone(), Arc::new(snapshot));
    prune(target, opts.max_versions);
    Ok(ChangeOutcome { deployment, cancelled, plan, changed_apps, version: opts.version.clone() })
}

/// Assigns ports and versions to new and changed apps; returns their ids.
fn stamp_apps(
    current: &State,
    target: &mut State,
    opts: &ChangeOptions,
) -> Result<Vec<PathId>, ServiceError> {
    let mut owners =
        ports::port_owners(current.apps.values().chain(target.apps.values()).map(|a| a.as_ref()));
    let mut changed = Vec::new();
    let ids: Vec<PathId> = target.apps.keys().cloned().collect();
    for id in ids {
        let Some(app) = target.apps.get(&id) else { continue };
        let previous = current.apps.get(&id);
        if previous.is_some_and(|p| Arc::ptr_eq(p, app)) && !opts.restart.contains(&id) {
            continue;
        }
        let mut next = AppDefinition::clone(app);
        ports::assign(&mut next, previous.map(|p| p.as_ref()), &mut owners)?;
        let restart = opts.restart.contains(&id);
        let info = match previous {
            Some(prev) if !restart && same_config(prev, &next) => {
                if prev.instances == next.instances {
                    target.apps.insert(id, prev.clone());
                    continue;
                }
                scaled(prev, &opts.version)
            }
            _ => VersionInfo {
                last_scaling_at: opts.version.clone(),
                last_config_change_at: opts.version.clone(),
            },
        };
        next.version = Some(opts.version.clone());
        next.version_info = Some(info);
        let next = Arc::new(next);
        let history = Arc::make_mut(&mut target.app_history).entry(id.clone()).or_default();
        Arc::make_mut(history).insert(opts.version.clone(), next.clone());
        target.apps.insert(id.clone(), next);
        changed.push(id);
    }
    Ok(changed)
}

fn scaled(prev: &AppDefinition, version: &Timestamp) -> VersionInfo {
    let config = prev
        .version_info
        .as_ref()
        .map(|vi| vi.last_config_change_at.clone())
        .unwrap_or_else(|| version.clone());
    VersionInfo { last_scaling_at: version.clone(), last_config_change_at: config }
}

/// Equal apart from `instances` and the version stamps.
pub fn same_config(a: &AppDefinition, b: &AppDefinition) -> bool {
    let strip = |app: &AppDefinition| AppDefinition {
        instances: 0,
        version: None,
        version_info: None,
        ..app.clone()
    };
    strip(a) == strip(b)
}

/// Running deployments touching the plan's apps: 409, or cancelled with force.
fn resolve_locks(
    target: &mut State,
    plan: &DeploymentPlan,
    force: bool,
) -> Result<Vec<Deployment>, ServiceError> {
    let affected = plan.affected_ids();
    let conflicting: Vec<String> = target
        .deployments
        .values()
        .filter(|d| d.affected_apps.iter().any(|a| affected.contains(a.as_str())))
        .map(|d| d.id.clone())
        .collect();
    if conflicting.is_empty() {
        return Ok(Vec::new());
    }
    if !force {
        return Err(ServiceError::Locked { deployments: conflicting });
    }
    Ok(conflicting.iter().filter_map(|id| target.deployments.remove(id)).collect())
}

/// Keeps the newest `max` root versions and, per app, the newest `max`
/// versions plus any version a kept root refers to. Versions of deleted
/// apps live until no kept root refers to them.
fn prune(state: &mut State, max: usize) {
    let max = max.max(1);
    let mut roots: VecDeque<Timestamp> = state.root_history.keys().cloned().collect();
    while roots.len() > max {
        if let Some(oldest) = roots.pop_front() {
            Arc::make_mut(&mut state.root_history).remove(&oldest);
        }
    }
    let referenced: BTreeSet<(PathId, Timestamp)> = state
        .root_history
        .values()
        .flat_map(|r| r.apps.iter().map(|(id, v)| (id.clone(), v.clone())))
        .collect();
    let mut expired: Vec<(PathId, Timestamp)> = Vec::new();
    for (id, history) in state.app_history.iter() {
        let keep_newest = if state.apps.contains_key(id) { max } else { 0 };
        let cutoff = history.len().saturating_sub(keep_newest);
        let old = history.keys().take(cutoff).map(|v| (id.clone(), v.clone()));
        expired.extend(old.filter(|key| !referenced.contains(key)));
    }
    if expired.is_empty() {
        return;
    }
    let app_history = Arc::make_mut(&mut state.app_history);
    for (id, version) in expired {
        if let Some(history) = app_history.get_mut(&id) {
            Arc::make_mut(history).remove(&version);
        }
    }
    app_history.retain(|_, h| !h.is_empty());
}
