//! Task batches against a real SQLite store wrapped to count (and on
//! demand refuse) store batches: one batch per burst, events in order and
//! only after the write, nothing installed when the write fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use dromos_model::{parse_app, PathId};
use dromos_store::{Limits, Op, SqliteOptions, SqliteStore, Store, StoreError};

use crate::service::failures::TaskFailureRecord;
use crate::service::instances::{TaskRecord, TaskState};
use crate::service::{Origin, Service, ServiceConfig};

/// SQLite that counts the batches it applies and refuses them while `down`.
pub(crate) struct CountingStore {
    inner: SqliteStore,
    pub(crate) batches: AtomicUsize,
    pub(crate) down: AtomicBool,
}

impl Store for CountingStore {
    fn get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.get(ns, key)
    }
    fn list(&self, ns: &str, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.inner.list(ns, prefix)
    }
    fn keys(&self, ns: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.inner.keys(ns, prefix)
    }
    fn apply(&self, ops: &[Op]) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::Locked { detail: "store down (test)".into() });
        }
        self.batches.fetch_add(1, Ordering::SeqCst);
        self.inner.apply(ops)
    }
    fn limits(&self) -> Limits {
        self.inner.limits()
    }
}

/// A service over a [`CountingStore`] in `dir`, with apps `/a` and `/b`.
pub(crate) async fn open_counting(dir: &std::path::Path) -> (Arc<Service>, Arc<CountingStore>) {
    let inner = SqliteStore::open(dir, SqliteOptions::default()).expect("store opens");
    let store = Arc::new(CountingStore { inner, batches: AtomicUsize::new(0), down: AtomicBool::new(false) });
    let config = ServiceConfig { advertised: "127.0.0.1:0".into(), master: "local".into(), max_versions: 3 };
    let service = Arc::new(Service::open(config, store.clone()).expect("service opens"));
    for id in ["/a", "/b"] {
        let app = parse_app(format!(r#"{{"id":"{id}","cmd":"sleep 1"}}"#).as_bytes()).unwrap();
        service.create_app(app, true, &Origin::default()).await.unwrap();
    }
    (service, store)
}

pub(crate) fn task(app: &str, n: u32, state: TaskState) -> TaskRecord {
    TaskRecord {
        id: format!("{}.instance-{n}._app.1", app.trim_start_matches('/')),
        app_id: PathId::parse(app).unwrap(),
        host: "agent-1".into(),
        agent_id: "agent-1-id".into(),
        ports: vec![],
        state,
        healthy: None,
        version: "v".into(),
        staged_at: Some("2020-01-01T00:00:00.000Z".into()),
        started_at: None,
        readiness: None,
    }
}

fn failure(task: &TaskRecord) -> TaskFailureRecord {
    TaskFailureRecord {
        app_id: task.app_id.clone(),
        task_id: task.id.clone(),
        state: "TASK_FAILED".into(),
        message: "exit 3".into(),
        host: "agent-1".into(),
        slave_id: None,
        version: "v".into(),
        timestamp: "2020-01-01T00:00:05.000Z".into(),
    }
}

/// `(eventType, taskId)` of the events received so far.
fn drain(events: &mut tokio::sync::broadcast::Receiver<Arc<crate::events::Event>>) -> Vec<(String, String)> {
    std::iter::from_fn(|| events.try_recv().ok())
        .map(|e| (e.event_type.clone(), e.data["taskId"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

#[tokio::test]
async fn a_burst_is_one_store_batch_with_its_events_in_order_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (service, store) = open_counting(dir.path()).await;
    let mut events = service.events().subscribe();
    let before = store.batches.load(Ordering::SeqCst);
    let (a1, b1, a2) = (
        task("/a", 1, TaskState::TaskRunning),
        task("/b", 1, TaskState::TaskStaging),
        task("/a", 2, TaskState::TaskStaging),
    );
    let failed = TaskRecord { state: TaskState::TaskFailed, ..a2.clone() };
    service
        .record_task_batch(|batch| {
            batch.set_task(a1.clone(), None);
            batch.set_task(b1.clone(), None);
            batch.set_task(a2.clone(), None);
            assert!(batch.record_failure(failure(&a2), true));
            batch.set_task(failed.clone(), Some("exit 3".into()));
        })
        .await
        .unwrap();
    assert_eq!(store.batches.load(Ordering::SeqCst) - before, 1, "one store batch");
    let statuses: Vec<(String, String)> =
        drain(&mut events).into_iter().filter(|(t, _)| t != "instance_changed_event").collect();
    let expected = [
        ("status_update_event", &a1.id),
        ("status_update_event", &b1.id),
        ("status_update_event", &a2.id),
        ("unhealthy_instance_kill_event", &a2.id),
        ("status_update_event", &a2.id),
    ];
    let expected: Vec<(String, String)> =
        expected.iter().map(|(t, id)| ((*t).to_owned(), (*id).clone())).collect();
    assert_eq!(statuses, expected, "in the order recorded, the failure before the final state");
    let held: Vec<String> = service.tasks().into_iter().map(|t| t.id).collect();
    assert_eq!(held, [a1.id.clone(), b1.id.clone()], "the failed task is forgotten");
    assert_eq!(service.app("/a").unwrap().last_failure.map(|f| f.task_id), Some(a2.id.clone()));
}

#[tokio::test]
async fn a_failed_write_installs_nothing_and_publishes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (service, store) = open_counting(dir.path()).await;
    service.report_task(task("/a", 1, TaskState::TaskRunning), None).await.unwrap();
    let mut events = service.events().subscribe();
    store.down.store(true, Ordering::SeqCst);
    let result = service
        .record_task_batch(|batch| {
            batch.set_task(task("/a", 1, TaskState::TaskKilled), None);
            batch.set_task(task("/b", 1, TaskState::TaskRunning), None);
            batch.record_failure(failure(&task("/a", 1, TaskState::TaskKilled)), false);
        })
        .await;
    assert!(result.is_err());
    assert!(drain(&mut events).is_empty(), "no event for an unwritten change");
    let held: Vec<(String, TaskState)> = service.tasks().into_iter().map(|t| (t.id, t.state)).collect();
    assert_eq!(held, [(task("/a", 1, TaskState::TaskRunning).id, TaskState::TaskRunning)]);
    assert_eq!(service.app("/a").unwrap().last_failure, None);
    store.down.store(false, Ordering::SeqCst);
    service.report_task(task("/b", 1, TaskState::TaskRunning), None).await.unwrap();
    assert_eq!(service.tasks().len(), 2, "later writes go through");
}

#[tokio::test]
async fn a_task_only_batch_shares_the_histories_of_the_state_before() {
    let dir = tempfile::tempdir().unwrap();
    let (service, _store) = open_counting(dir.path()).await;
    let before = service.read();
    service.report_task(task("/a", 1, TaskState::TaskRunning), None).await.unwrap();
    let after = service.read();
    assert!(Arc::ptr_eq(&before.app_history, &after.app_history));
    assert!(Arc::ptr_eq(&before.root_history, &after.root_history));
    assert_eq!(crate::service::persist::diff(&before, &after).unwrap().len(), 1, "one instance written");
}

#[tokio::test]
async fn a_new_health_verdict_is_a_health_event_not_a_status_update() {
    let dir = tempfile::tempdir().unwrap();
    let (service, _store) = open_counting(dir.path()).await;
    let running = task("/a", 1, TaskState::TaskRunning);
    service.record_task_batch(|batch| batch.set_task(running.clone(), None)).await.unwrap();
    let mut events = service.events().subscribe();
    let healthy = TaskRecord { healthy: Some(true), ..running.clone() };
    let sick = TaskRecord { healthy: Some(false), ..running.clone() };
    service
        .record_task_batch(|batch| {
            batch.set_task(healthy.clone(), None);
            batch.set_task(sick.clone(), None);
        })
        .await
        .unwrap();
    let seen: Vec<(String, serde_json::Value)> = std::iter::from_fn(|| events.try_recv().ok())
        .map(|e| (e.event_type.clone(), e.data.clone()))
        .collect();
    let types: Vec<&str> = seen.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "health_status_changed_event",
            "instance_health_changed_event",
            "health_status_changed_event",
            "instance_health_changed_event"
        ],
        "one pair per new verdict, no status update: {seen:?}"
    );
    let instance = "a.instance-1";
    assert_eq!(seen[0].1["appId"], "/a");
    assert_eq!(seen[0].1["instanceId"], instance);
    assert_eq!(seen[0].1["alive"], true);
    assert_eq!(seen[1].1["runSpecId"], "/a");
    assert_eq!(seen[1].1["runSpecVersion"], "v");
    assert_eq!(seen[1].1["healthy"], true);
    assert_eq!(seen[2].1["alive"], false);
    assert_eq!(seen[3].1["healthy"], false);
    let held = service.tasks().into_iter().find(|t| t.id == running.id).expect("still held");
    assert_eq!(held.healthy, Some(false), "the verdict is recorded");

    let mut events = service.events().subscribe();
    let killed = TaskRecord { state: TaskState::TaskKilled, healthy: Some(true), ..running };
    service.record_task_batch(|batch| batch.set_task(killed, None)).await.unwrap();
    let types: Vec<String> =
        std::iter::from_fn(|| events.try_recv().ok()).map(|e| e.event_type.clone()).collect();
    assert_eq!(types, ["status_update_event", "instance_changed_event"], "a new state is a status update");
}

#[tokio::test]
async fn instance_changed_events_carry_marathon_condition_names_and_status_updates_mesos_states() {
    let dir = tempfile::tempdir().unwrap();
    let (service, _store) = open_counting(dir.path()).await;
    let mut events = service.events().subscribe();
    let running = task("/a", 1, TaskState::TaskRunning);
    let killed = TaskRecord { state: TaskState::TaskKilled, ..running.clone() };
    service
        .record_task_batch(|batch| {
            batch.set_task(running.clone(), None);
            batch.set_task(killed.clone(), Some("killed".into()));
        })
        .await
        .unwrap();
    let seen: Vec<(String, serde_json::Value)> = std::iter::from_fn(|| events.try_recv().ok())
        .map(|e| {
            let mut data = e.data.clone();
            assert!(data.as_object_mut().unwrap().remove("timestamp").is_some(), "{data}");
            (e.event_type.clone(), data)
        })
        .collect();
    let changed = |condition: &str| {
        serde_json::json!({
            "eventType": "instance_changed_event", "instanceId": "a.instance-1", "condition": condition, "runSpecId": "/a",
            "agentId": "agent-1-id", "host": "agent-1", "runSpecVersion": "v",
        })
    };
    let instance_changes: Vec<&serde_json::Value> =
        seen.iter().filter(|(t, _)| t == "instance_changed_event").map(|(_, d)| d).collect();
    assert_eq!(instance_changes, [&changed("Running"), &changed("Killed")]);
    let statuses: Vec<&serde_json::Value> =
        seen.iter().filter(|(t, _)| t == "status_update_event").map(|(_, d)| &d["taskStatus"]).collect();
    assert_eq!(statuses, ["TASK_RUNNING", "TASK_KILLED"]);
}
