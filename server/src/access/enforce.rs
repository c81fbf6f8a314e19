//! The access rules applied inside the service layer: the check of every
//! state change and the filtering of every read, for the caller of the
//! current request scope (see the module docs of [`crate::access`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use dromos_access::{Action, Caller, Directory, Usage};
use dromos_model::{ModelError, PathId, Violation};

use super::{current, refusal};
use crate::service::groups::GroupStatus;
use crate::service::state::State;
use crate::service::ServiceError;

/// Checks a change from `before` to `after` made in the current scope:
/// every app, group and cancelled deployment it touches must be writable
/// by the caller, and no team owning a changed app may go over its quota.
/// Outside a request scope (dromos' own work) everything is allowed.
pub fn check_change(before: &State, after: &State) -> Result<(), ServiceError> {
    let Some(scope) = current() else { return Ok(()) };
    let caller = &scope.caller;
    let changed = changed_apps(before, after);
    for id in &changed {
        caller.check(Action::Write, id).map_err(refusal)?;
    }
    for id in changed_groups(before, after) {
        caller.check(Action::Write, &id).map_err(refusal)?;
    }
    for (id, deployment) in &before.deployments {
        if !after.deployments.contains_key(id) && after.apps == before.apps {
            // Removed without the apps changing: a cancel (`force`), not a
            // completion (completions are dromos' own, outside any scope).
            for app in &deployment.affected_apps {
                if let Ok(app) = PathId::parse(app) {
                    caller.check(Action::Write, &app).map_err(refusal)?;
                }
            }
        }
    }
    check_quotas(&scope.directory, &changed, before, after)
}

/// Apps added, removed or changed.
fn changed_apps(before: &State, after: &State) -> BTreeSet<PathId> {
    let mut ids = BTreeSet::new();
    for (id, app) in &after.apps {
        if before.apps.get(id).is_none_or(|old| !Arc::ptr_eq(old, app) && old != app) {
            ids.insert(id.clone());
        }
    }
    ids.extend(before.apps.keys().filter(|id| !after.apps.contains_key(*id)).cloned());
    ids
}

/// Groups added, removed, or with other dependencies or `enforceRole`
/// (their version changes with anything below them: that is not a change
/// of the group itself).
fn changed_groups(before: &State, after: &State) -> BTreeSet<PathId> {
    let mut ids = BTreeSet::new();
    for (id, meta) in &after.groups {
        let same = before.groups.get(id).is_some_and(|old| {
            old.dependencies == meta.dependencies && old.enforce_role == meta.enforce_role
        });
        if !same {
            ids.insert(id.clone());
        }
    }
    ids.extend(before.groups.keys().filter(|id| !after.groups.contains_key(*id)).cloned());
    ids
}

/// What the apps at or under `paths` ask for (a team's quota usage).
pub(crate) fn usage_under(state: &State, paths: &[PathId]) -> Usage {
    let mut usage = Usage::default();
    for (id, app) in &state.apps {
        if paths.iter().any(|p| p == id || p.is_ancestor_of(id)) {
            let instances = u64::try_from(app.instances).unwrap_or(0);
            usage.add_app(instances, app.cpus, app.mem, app.disk);
        }
    }
    usage
}

fn check_quotas(
    directory: &Directory,
    changed: &BTreeSet<PathId>,
    before: &State,
    after: &State,
) -> Result<(), ServiceError> {
    let mut teams = BTreeMap::new();
    for id in changed {
        for team in directory.teams_owning(id) {
            teams.insert(team.name.clone(), team);
        }
    }
    for team in teams.values() {
        let was = usage_under(before, &team.paths);
        let will = usage_under(after, &team.paths);
        if let Err(exceeded) = team.quota.check(&team.name, &was, &will) {
            tracing::info!(team = %team.name, resource = exceeded.resource, limit = exceeded.limit,
                requested = exceeded.requested, "change refused: over quota");
            return Err(ServiceError::Model(ModelError::Invalid(vec![Violation::new(
                format!("/{}", exceeded.resource),
                exceeded.to_string(),
            )])));
        }
    }
    Ok(())
}

/// The current caller ([`Caller::System`] outside requests).
fn caller() -> Caller {
    super::current_caller()
}

/// Whether the current caller may read the app or group at `id`.
pub fn may_read(id: &PathId) -> bool {
    caller().may(Action::Read, id)
}

/// `Ok` if the current caller may read `id`, else 401/403.
pub fn check_read(id: &PathId) -> Result<(), ServiceError> {
    caller().check(Action::Read, id).map_err(refusal)
}

/// `Ok` if the current caller may change `id`, else 401/403.
pub fn check_write(id: &PathId) -> Result<(), ServiceError> {
    caller().check(Action::Write, id).map_err(refusal)
}

/// `Ok` for admins (and open mode), else 401/403 saying `what`.
pub fn check_admin(what: &str) -> Result<(), ServiceError> {
    caller().check_admin(what).map_err(refusal)
}

/// A group tree cut down to what the current caller may see: groups on
/// the way to a readable path, and readable apps. `None` if nothing is.
pub fn visible_group(group: GroupStatus) -> Result<GroupStatus, ServiceError> {
    let caller = caller();
    see_group(&caller, &group.id)?;
    Ok(cut(&caller, group))
}

/// `Ok` if the current caller may see group `id` (readable, or on the way
/// to something readable, as [`visible_group`] shows it), else 401/403.
pub fn check_see_group(id: &PathId) -> Result<(), ServiceError> {
    see_group(&caller(), id)
}

fn see_group(caller: &Caller, id: &PathId) -> Result<(), ServiceError> {
    if caller.may_traverse(id) {
        return Ok(());
    }
    Err(caller
        .check(Action::Read, id)
        .map_err(refusal)
        .err()
        .unwrap_or_else(|| ServiceError::Forbidden(format!("{} may not read {id}", caller.name()))))
}

fn cut(caller: &Caller, mut group: GroupStatus) -> GroupStatus {
    group.apps.retain(|a| caller.may(Action::Read, &a.app.id));
    group.groups =
        group.groups.into_iter().filter(|g| caller.may_traverse(&g.id)).map(|g| cut(caller, g)).collect();
    group
}

/// Whether `caller` may see an event: admins see all; others see events
/// about an app or group they may read (any `appId`, `app`, `groupId` or
/// `appDefinition.id` inside it, e.g. the actions of a deployment plan).
/// Events about nothing in particular (leadership, subscribers) are for
/// admins only.
pub fn may_see_event(caller: &Caller, data: &serde_json::Value) -> bool {
    if caller.is_admin() {
        return true;
    }
    let mut ids = Vec::new();
    collect_ids(data, &mut ids);
    ids.iter().any(|raw| PathId::parse(raw).is_ok_and(|id| caller.may(Action::Read, &id)))
}

fn collect_ids<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("appId" | "app" | "groupId", serde_json::Value::String(s)) => out.push(s),
                    ("appDefinition", serde_json::Value::Object(app)) => {
                        if let Some(id) = app.get("id").and_then(|i| i.as_str()) {
                            out.push(id);
                        }
                    }
                    _ => collect_ids(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_ids(v, out)),
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use dromos_access::Principal;
    use serde_json::json;

    use super::*;

    #[test]
    fn members_see_only_events_about_what_they_may_read() {
        let alice = Caller::User(Principal {
            name: "alice".into(),
            admin: false,
            teams: vec!["a".into()],
            write: vec![PathId::parse("/team-a").unwrap()],
            read: vec![],
        });
        let own = json!({"eventType": "status_update_event", "appId": "/team-a/web"});
        let other = json!({"eventType": "status_update_event", "appId": "/team-b/web"});
        let plan =
            json!({"plan": {"steps": [{"actions": [{"action": "StartApplication", "app": "/team-a/x"}]}]}});
        let post = json!({"eventType": "api_post_event", "appDefinition": {"id": "/team-b/web"}});
        let leader = json!({"eventType": "leader_elected"});
        assert!(may_see_event(&alice, &own));
        assert!(may_see_event(&alice, &plan));
        assert!(!may_see_event(&alice, &other));
        assert!(!may_see_event(&alice, &post));
        assert!(!may_see_event(&alice, &leader));
        assert!(may_see_event(&Caller::Open, &leader));
    }
}
