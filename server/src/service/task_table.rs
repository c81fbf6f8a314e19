//! [`Tasks`]: the reported tasks of the state, grouped by app.
//!
//! Every mutation copies the state, and a burst of status updates is one
//! mutation; so a copy must not cost the number of tasks. Each app's tasks
//! sit behind an `Arc`, shared between the state before and after a
//! mutation until a task of that app changes (`Arc::make_mut`): a copy
//! costs the number of apps, a change the tasks of its app, and
//! [`Tasks::changed_apps`] lets the store diff skip every shared app. The
//! grouping also finds an app's tasks without a scan (`/v2/apps` with
//! counts asks that of every app).

use std::collections::BTreeMap;
use std::sync::Arc;

use dromos_model::PathId;

use super::instances::TaskRecord;

/// One app's tasks by task id.
pub type AppTasks = BTreeMap<String, TaskRecord>;

/// Reported tasks by app, then by task id. Invariant: no app has an empty
/// entry, and `len` is the number of tasks.
#[derive(Debug, Clone, Default)]
pub struct Tasks {
    by_app: BTreeMap<PathId, Arc<AppTasks>>,
    len: usize,
}

impl Tasks {
    /// Number of tasks.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No task at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every task, by app then task id.
    pub fn values(&self) -> impl Iterator<Item = &TaskRecord> {
        self.by_app.values().flat_map(|tasks| tasks.values())
    }

    /// The tasks of `app`, by task id.
    pub fn of_app(&self, app: &PathId) -> impl Iterator<Item = &TaskRecord> {
        self.by_app.get(app).into_iter().flat_map(|tasks| tasks.values())
    }

    /// Task `id` of `app`.
    pub fn get_of(&self, app: &PathId, id: &str) -> Option<&TaskRecord> {
        self.by_app.get(app)?.get(id)
    }

    /// Task `id` of any app (looks at every app: for API requests that
    /// name tasks only by id).
    pub fn get(&self, id: &str) -> Option<&TaskRecord> {
        self.by_app.values().find_map(|tasks| tasks.get(id))
    }

    /// Adds or replaces `task`; returns the record it replaced.
    pub fn insert(&mut self, task: TaskRecord) -> Option<TaskRecord> {
        let tasks = Arc::make_mut(self.by_app.entry(task.app_id.clone()).or_default());
        let replaced = tasks.insert(task.id.clone(), task);
        if replaced.is_none() {
            self.len += 1;
        }
        replaced
    }

    /// Removes task `id` of `app`; returns it.
    pub fn remove(&mut self, app: &PathId, id: &str) -> Option<TaskRecord> {
        let shared = self.by_app.get_mut(app)?;
        if !shared.contains_key(id) {
            return None;
        }
        let tasks = Arc::make_mut(shared);
        let removed = tasks.remove(id);
        if tasks.is_empty() {
            self.by_app.remove(app);
        }
        self.len -= 1;
        removed
    }

    /// The apps whose tasks may differ between `before` and `after`, with
    /// their tasks on each side (empty when the app has none there).
    /// Apps whose tasks are shared are skipped without looking at them.
    pub fn changed_apps<'a>(before: &'a Tasks, after: &'a Tasks) -> Vec<(&'a AppTasks, &'a AppTasks)> {
        static EMPTY: AppTasks = BTreeMap::new();
        let mut changed = Vec::new();
        for (app, tasks) in &after.by_app {
            match before.by_app.get(app) {
                Some(old) if Arc::ptr_eq(old, tasks) => {}
                old => changed.push((old.map_or(&EMPTY, |o| o.as_ref()), tasks.as_ref())),
            }
        }
        for (app, old) in &before.by_app {
            if !after.by_app.contains_key(app) {
                changed.push((old.as_ref(), &EMPTY));
            }
        }
        changed
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::service::instances::TaskState;

    fn task(app: &str, id: &str) -> TaskRecord {
        TaskRecord {
            id: id.into(),
            app_id: PathId::parse(app).unwrap(),
            host: "h".into(),
            agent_id: "a".into(),
            ports: vec![],
            state: TaskState::TaskRunning,
            healthy: None,
            version: "v".into(),
            staged_at: None,
            started_at: None,
            readiness: None,
        }
    }

    #[test]
    fn a_copy_shares_every_app_until_one_of_its_tasks_changes() {
        let mut before = Tasks::default();
        for (app, id) in [("/a", "a.1"), ("/a", "a.2"), ("/b", "b.1"), ("/c", "c.1")] {
            before.insert(task(app, id));
        }
        let mut after = before.clone();
        assert!(Tasks::changed_apps(&before, &after).is_empty());
        let mut staged = task("/a", "a.2");
        staged.state = TaskState::TaskStaging;
        after.insert(staged);
        after.remove(&PathId::parse("/c").unwrap(), "c.1");
        let changed = Tasks::changed_apps(&before, &after);
        let sizes: Vec<(usize, usize)> = changed.iter().map(|(b, a)| (b.len(), a.len())).collect();
        assert_eq!(sizes, [(2, 2), (1, 0)], "/a changed, /c emptied, /b shared");
        assert_eq!((before.len(), after.len()), (4, 3));
        assert_eq!(after.get("b.1").map(|t| t.id.as_str()), Some("b.1"));
        assert_eq!(after.of_app(&PathId::parse("/c").unwrap()).count(), 0);
    }

    #[test]
    fn removing_an_unknown_task_changes_nothing() {
        let mut tasks = Tasks::default();
        tasks.insert(task("/a", "a.1"));
        let copy = tasks.clone();
        assert!(tasks.remove(&PathId::parse("/a").unwrap(), "a.9").is_none());
        assert!(tasks.remove(&PathId::parse("/b").unwrap(), "a.1").is_none());
        assert!(Tasks::changed_apps(&copy, &tasks).is_empty(), "no copy was made");
        assert_eq!(tasks.len(), 1);
    }
}
