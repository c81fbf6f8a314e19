//! The store layout and the translation between [`State`] and store batches.
//!
//! | namespace | key | value |
//! |---|---|---|
//! | `apps` | `<app id>@<version>` | the app definition JSON at that version |
//! | `roots` | `<root version>` | [`RootSnapshot`] JSON (groups, app id → version) |
//! | `deployments` | deployment id | [`Deployment`] JSON (running ones only) |
//! | `instances` | task id | [`TaskRecord`] JSON (non-terminal tasks) |
//! | `failures` | app id | [`TaskFailureRecord`] JSON (each app's last task failure) |
//!
//! The newest root is the current state. A mutation's batch is computed
//! by diffing the state before and after ([`diff`]); versions are
//! immutable, so only additions and removals are written for them.

use std::collections::BTreeMap;
use std::sync::Arc;

use dromos_model::{AppDefinition, PathId, Timestamp};
use dromos_store::{Op, Store};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::deployment::Deployment;
use super::error::ServiceError;
use super::failures::TaskFailureRecord;
use super::instances::TaskRecord;
use super::state::{RootSnapshot, State};
use super::task_table::Tasks;

const APPS: &str = "apps";
const ROOTS: &str = "roots";
const DEPLOYMENTS: &str = "deployments";
const INSTANCES: &str = "instances";
const FAILURES: &str = "failures";

fn app_key(id: &PathId, version: &Timestamp) -> String {
    format!("{id}@{version}")
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, ServiceError> {
    serde_json::to_vec(value).map_err(|e| ServiceError::Internal(format!("encoding state: {e}")))
}

fn decode<T: DeserializeOwned>(ns: &str, key: &str, bytes: &[u8]) -> Result<T, ServiceError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ServiceError::Internal(format!("stored {ns}/{key} is unreadable: {e}")))
}

/// Reads the whole state (blocking: call from a blocking context).
pub fn load(store: &dyn Store) -> Result<State, ServiceError> {
    let mut state = State::default();
    for (key, bytes) in store.list(APPS, "")? {
        let app: AppDefinition = decode(APPS, &key, &bytes)?;
        let Some(version) = app.version.clone() else {
            return Err(ServiceError::Internal(format!("stored app {key} has no version")));
        };
        let history = Arc::make_mut(&mut state.app_history).entry(app.id.clone()).or_default();
        Arc::make_mut(history).insert(version, Arc::new(app));
    }
    for (key, bytes) in store.list(ROOTS, "")? {
        let root: RootSnapshot = decode(ROOTS, &key, &bytes)?;
        Arc::make_mut(&mut state.root_history).insert(root.version.clone(), Arc::new(root));
    }
    if let Some(latest) = state.root_history.values().next_back().cloned() {
        state.groups = latest.groups.clone();
        for (id, version) in latest.apps.iter().map(|(id, v)| (id.clone(), v)) {
            let app = state.app_at(&id, version.as_str()).ok_or_else(|| {
                ServiceError::Internal(format!(
                    "root {} refers to missing app {id}@{version}",
                    latest.version
                ))
            })?;
            state.apps.insert(id, app);
        }
    }
    for (key, bytes) in store.list(DEPLOYMENTS, "")? {
        let d: Deployment = decode(DEPLOYMENTS, &key, &bytes)?;
        state.deployments.insert(d.id.clone(), d);
    }
    for (key, bytes) in store.list(INSTANCES, "")? {
        let t: TaskRecord = decode(INSTANCES, &key, &bytes)?;
        state.tasks.insert(t);
    }
    for (key, bytes) in store.list(FAILURES, "")? {
        let f: TaskFailureRecord = decode(FAILURES, &key, &bytes)?;
        state.failures.insert(f.app_id.clone(), f);
    }
    Ok(state)
}

/// The batch that turns the stored `before` into `after`. Parts that
/// `after` shares with `before` (histories, each app's tasks) are skipped
/// without being looked at, so a mutation that changed only tasks costs
/// the apps whose tasks changed.
pub fn diff(before: &State, after: &State) -> Result<Vec<Op>, ServiceError> {
    let mut ops = Vec::new();
    if !Arc::ptr_eq(&before.app_history, &after.app_history) {
        diff_app_history(before, after, &mut ops)?;
    }
    if !Arc::ptr_eq(&before.root_history, &after.root_history) {
        diff_root_history(before, after, &mut ops)?;
    }
    diff_map(DEPLOYMENTS, &before.deployments, &after.deployments, &mut ops)?;
    for (old, new) in Tasks::changed_apps(&before.tasks, &after.tasks) {
        diff_map(INSTANCES, old, new, &mut ops)?;
    }
    diff_map(FAILURES, &before.failures, &after.failures, &mut ops)?;
    Ok(ops)
}

fn diff_app_history(before: &State, after: &State, ops: &mut Vec<Op>) -> Result<(), ServiceError> {
    for (id, history) in after.app_history.iter() {
        if before.app_history.get(id).is_some_and(|old| Arc::ptr_eq(old, history)) {
            continue;
        }
        for (version, app) in history.iter() {
            let known = before.app_history.get(id).is_some_and(|h| h.contains_key(version));
            if !known {
                ops.push(Op::put(APPS, app_key(id, version), encode(app.as_ref())?));
            }
        }
    }
    for (id, history) in before.app_history.iter() {
        if after.app_history.get(id).is_some_and(|new| Arc::ptr_eq(new, history)) {
            continue;
        }
        for version in history.keys() {
            if !after.app_history.get(id).is_some_and(|h| h.contains_key(version)) {
                ops.push(Op::delete(APPS, app_key(id, version)));
            }
        }
    }
    Ok(())
}

fn diff_root_history(before: &State, after: &State, ops: &mut Vec<Op>) -> Result<(), ServiceError> {
    for (version, root) in after.root_history.iter() {
        if before.root_history.get(version) != Some(root) {
            ops.push(Op::put(ROOTS, version.to_string(), encode(root.as_ref())?));
        }
    }
    for version in before.root_history.keys().filter(|v| !after.root_history.contains_key(*v)) {
        ops.push(Op::delete(ROOTS, version.to_string()));
    }
    Ok(())
}

fn diff_map<K: Ord + std::fmt::Display, T: Serialize + PartialEq>(
    ns: &str,
    before: &BTreeMap<K, T>,
    after: &BTreeMap<K, T>,
    ops: &mut Vec<Op>,
) -> Result<(), ServiceError> {
    for (key, value) in after {
        if before.get(key) != Some(value) {
            ops.push(Op::put(ns, key.to_string(), encode(value)?));
        }
    }
    for key in before.keys().filter(|k| !after.contains_key(*k)) {
        ops.push(Op::delete(ns, key.to_string()));
    }
    Ok(())
}
