//! The in-memory state: the current root group (kept flat: apps and groups
//! by id), the version history of apps and of the root, running
//! deployments and the instances the run loop reported.
//!
//! Invariants (kept by every mutation in `service::deploy`):
//! - every app's parent group is in `groups` (the root is always there);
//! - every entry of `root_history` refers only to app versions present in
//!   `app_history`, and the newest root snapshot equals `apps`/`groups`;
//! - an app in `apps` is also the newest entry of its `app_history`;
//! - `failures` names only apps in `apps` (an app's failure goes with it).

use std::collections::BTreeMap;
use std::sync::Arc;

use dromos_model::{AppDefinition, Group, PathId, Timestamp};
use serde::{Deserialize, Serialize};

use super::deployment::Deployment;
use super::failures::TaskFailureRecord;
use super::task_table::Tasks;

/// What a group holds besides its children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupMeta {
    /// Absolute ids everything in the group depends on.
    pub dependencies: Vec<PathId>,
    /// Last change of the group or of anything below it.
    pub version: Timestamp,
    /// `enforceRole`, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_role: Option<bool>,
}

/// One stored version of the root group: groups in full, apps by reference
/// (`id → version`) into the app history, as Marathon stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootSnapshot {
    /// The root version.
    pub version: Timestamp,
    /// Every group (the root included) by id.
    pub groups: BTreeMap<PathId, GroupMeta>,
    /// Every app by id, with its version.
    pub apps: BTreeMap<PathId, Timestamp>,
}

/// Every kept version of every app, oldest first (each app's versions
/// shared between states until one of them changes).
pub type AppHistory = BTreeMap<PathId, Arc<BTreeMap<Timestamp, Arc<AppDefinition>>>>;
/// Every kept root version, oldest first (immutable once written).
pub type RootHistory = BTreeMap<Timestamp, Arc<RootSnapshot>>;

/// The whole service state; cloned per mutation. The clone is shallow
/// where the state is big: apps are `Arc`s, the histories are shared until
/// a mutation changes them (`Arc::make_mut`), and tasks are shared per app
/// (see [`Tasks`]); so a mutation costs about the number of apps, not of
/// versions or tasks, and [`super::persist::diff`] skips what is shared.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// Current apps.
    pub apps: BTreeMap<PathId, Arc<AppDefinition>>,
    /// Current groups, the root included.
    pub groups: BTreeMap<PathId, GroupMeta>,
    /// Every kept version of every app, oldest first.
    pub app_history: Arc<AppHistory>,
    /// Every kept root version, oldest first.
    pub root_history: Arc<RootHistory>,
    /// Running deployments by id.
    pub deployments: BTreeMap<String, Deployment>,
    /// Instances reported by the run loop.
    pub tasks: Tasks,
    /// Each app's last task failure.
    pub failures: BTreeMap<PathId, TaskFailureRecord>,
}

impl State {
    /// The newest version stamp in use (the root's).
    pub fn latest_version(&self) -> Option<&Timestamp> {
        self.root_history.keys().next_back()
    }

    /// Drops the failures of apps that are gone (keeps the invariant
    /// after any change that removed apps).
    pub fn forget_failures_of_removed_apps(&mut self) {
        let apps = &self.apps;
        self.failures.retain(|id, _| apps.contains_key(id));
    }

    /// The current root as a snapshot.
    pub fn snapshot(&self, version: Timestamp) -> RootSnapshot {
        let apps = self
            .apps
            .iter()
            .map(|(id, app)| (id.clone(), app.version.clone().unwrap_or_else(|| version.clone())))
            .collect();
        RootSnapshot { version, groups: self.groups.clone(), apps }
    }

    /// Whether `id` names a current group.
    pub fn has_group(&self, id: &PathId) -> bool {
        self.groups.contains_key(id)
    }

    /// Adds `id` and its missing ancestors as empty groups stamped `version`.
    pub fn ensure_group(&mut self, id: &PathId, version: &Timestamp) {
        let mut cursor = id.clone();
        loop {
            self.groups.entry(cursor.clone()).or_insert_with(|| GroupMeta {
                dependencies: Vec::new(),
                version: version.clone(),
                enforce_role: None,
            });
            if cursor.is_root() {
                break;
            }
            cursor = cursor.parent();
        }
    }

    /// Stamps the existing groups among `id` and its ancestors with
    /// `version` (a removed group stays removed).
    pub fn touch_group_path(&mut self, id: &PathId, version: &Timestamp) {
        let mut cursor = id.clone();
        loop {
            if let Some(meta) = self.groups.get_mut(&cursor) {
                meta.version = version.clone();
            }
            if cursor.is_root() {
                break;
            }
            cursor = cursor.parent();
        }
    }

    /// The group `id` as a tree with every app and sub-group below it.
    pub fn group_tree(&self, id: &PathId) -> Option<Group> {
        let meta = self.groups.get(id)?;
        let mut group = Group::new(id.clone());
        group.dependencies.clone_from(&meta.dependencies);
        group.version = Some(meta.version.clone());
        group.enforce_role = meta.enforce_role;
        group.apps = self
            .apps
            .range(id.clone()..)
            .take_while(|(app_id, _)| id.is_ancestor_of(app_id))
            .filter(|(app_id, _)| id.is_parent_of(app_id))
            .map(|(_, app)| AppDefinition::clone(app))
            .collect();
        group.groups =
            self.groups.keys().filter(|g| id.is_parent_of(g)).filter_map(|g| self.group_tree(g)).collect();
        Some(group)
    }

    /// Ids of all apps at or below `id`.
    pub fn apps_under(&self, id: &PathId) -> Vec<PathId> {
        self.apps.keys().filter(|a| id.is_ancestor_of(a)).cloned().collect()
    }

    /// Ids of running deployments that change `app`.
    pub fn deployments_of(&self, app: &PathId) -> Vec<String> {
        let app = app.to_string();
        self.deployments.values().filter(|d| d.affected_apps.contains(&app)).map(|d| d.id.clone()).collect()
    }

    /// The app `id` as it was at `version`.
    pub fn app_at(&self, id: &PathId, version: &str) -> Option<Arc<AppDefinition>> {
        let history = self.app_history.get(id)?;
        history.iter().find(|(v, _)| v.as_str() == version).map(|(_, app)| app.clone())
    }

    /// The root as it was at `version`, with apps resolved.
    pub fn root_at(&self, version: &str) -> Option<State> {
        let snapshot = self.root_history.iter().find(|(v, _)| v.as_str() == version)?.1;
        let mut apps = BTreeMap::new();
        for (id, app_version) in &snapshot.apps {
            apps.insert(id.clone(), self.app_at(id, app_version.as_str())?);
        }
        Some(State { apps, groups: snapshot.groups.clone(), ..State::default() })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn id(s: &str) -> PathId {
        PathId::parse(s).unwrap()
    }

    fn state_with(apps: &[&str]) -> State {
        let v = Timestamp::parse("2020-01-01T00:00:00.000Z").unwrap();
        let mut state = State::default();
        state.ensure_group(&PathId::root(), &v);
        for a in apps {
            let mut app = AppDefinition::new(id(a));
            app.cmd = Some("sleep 1".into());
            state.ensure_group(&app.id.parent(), &v);
            state.apps.insert(app.id.clone(), Arc::new(app));
        }
        state
    }

    #[test]
    fn group_tree_nests_apps_under_their_parents_only() {
        let state = state_with(&["/a", "/g/b", "/g/h/c", "/gx/d"]);
        let root = state.group_tree(&PathId::root()).unwrap();
        let top: Vec<String> = root.apps.iter().map(|a| a.id.to_string()).collect();
        assert_eq!(top, ["/a"]);
        let g = state.group_tree(&id("/g")).unwrap();
        assert_eq!(g.apps.len(), 1);
        assert_eq!(g.groups[0].apps[0].id, id("/g/h/c"));
        assert_eq!(state.apps_under(&id("/g")), vec![id("/g/b"), id("/g/h/c")], "/gx is not under /g");
    }

    #[test]
    fn ensure_group_creates_missing_ancestors() {
        let state = state_with(&["/x/y/z"]);
        for g in ["/", "/x", "/x/y"] {
            assert!(state.has_group(&id(g)), "{g}");
        }
        assert!(!state.has_group(&id("/x/y/z")), "apps are not groups");
    }
}
