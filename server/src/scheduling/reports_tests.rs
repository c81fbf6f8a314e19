//! The reporter against a real service whose store counts (and on demand
//! refuses) batches: a queued burst is one batch, and after a failed write
//! the next instance list still brings the service up to date.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::Ordering;
use std::sync::Arc;

use dromos_driver::InstanceReport;
use dromos_scheduler::{Condition, Timestamp};
use tokio::sync::mpsc;

use super::{Report, Reporter};
use crate::service::instances::TaskState;
use crate::service::task_batch::tests::open_counting;
use crate::service::Service;

fn report(app: &str, n: u32, state: &str) -> InstanceReport {
    let instance = format!("{}.instance-{n}", app.trim_start_matches('/'));
    InstanceReport {
        task_id: format!("{instance}._app.1"),
        instance_id: instance,
        app_id: app.into(),
        version: "v1".into(),
        agent_id: "A".into(),
        host: "box".into(),
        ports: vec![],
        condition: if state == "TASK_RUNNING" { Condition::Running } else { Condition::Staging },
        state: state.into(),
        message: String::new(),
        healthy: None,
        staged_at: Timestamp(1),
        started_at: None,
        killing: false,
        readiness: None,
    }
}

fn states(service: &Service) -> Vec<(String, TaskState)> {
    service.tasks().into_iter().map(|t| (t.id, t.state)).collect()
}

#[tokio::test]
async fn a_queued_burst_is_recorded_as_one_batch_with_one_event_per_change() {
    let dir = tempfile::tempdir().unwrap();
    let (service, store) = open_counting(dir.path()).await;
    let mut events = service.events().subscribe();
    let (tx, rx) = mpsc::unbounded_channel();
    let staging: Vec<InstanceReport> = (0..600).map(|n| report("/a", n, "TASK_STAGING")).collect();
    let mut running = staging.clone();
    running[7] = report("/a", 7, "TASK_RUNNING");
    let before = store.batches.load(Ordering::SeqCst);
    tx.send(Report::Instances(staging)).unwrap();
    tx.send(Report::Instances(running)).unwrap();
    drop(tx);
    super::run(Arc::clone(&service), rx).await;
    assert_eq!(store.batches.load(Ordering::SeqCst) - before, 2, "601 changes: two batches of at most 512");
    let mut updates = Vec::new();
    loop {
        match events.try_recv() {
            Ok(e) if e.event_type == "status_update_event" => updates.push(format!(
                "{} {}",
                e.data["taskId"].as_str().unwrap(),
                e.data["taskStatus"].as_str().unwrap()
            )),
            Ok(_) | Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => {}
            Err(_) => break,
        }
    }
    let counter =
        |state: &str| service.metrics().counter(&format!("marathon.mesos.task-updates.{state}.counter"));
    assert_eq!((counter("task_staging"), counter("task_running")), (600, 1), "one update per change");
    assert_eq!(updates.last().map(String::as_str), Some("a.instance-7._app.1 TASK_RUNNING"), "in order");
    assert_eq!(service.tasks().len(), 600);
}

#[tokio::test]
async fn after_a_failed_write_the_next_list_repairs_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let (service, store) = open_counting(dir.path()).await;
    let mut reporter = Reporter::new(Arc::clone(&service));
    reporter.apply(vec![Report::Instances(vec![report("/a", 1, "TASK_STAGING")])]).await;
    store.down.store(true, Ordering::SeqCst);
    reporter.apply(vec![Report::Instances(vec![report("/a", 1, "TASK_RUNNING")])]).await;
    assert_eq!(
        states(&service),
        [("a.instance-1._app.1".into(), TaskState::TaskStaging)],
        "nothing installed"
    );
    store.down.store(false, Ordering::SeqCst);
    let list = vec![report("/a", 1, "TASK_RUNNING"), report("/b", 1, "TASK_STAGING")];
    reporter.apply(vec![Report::Instances(list)]).await;
    assert_eq!(
        states(&service),
        [
            ("a.instance-1._app.1".into(), TaskState::TaskRunning),
            ("b.instance-1._app.1".into(), TaskState::TaskStaging)
        ],
        "the lost change and the later one are both recorded"
    );
}

/// Every event of `kind` published so far, in order.
fn drain(
    events: &mut tokio::sync::broadcast::Receiver<Arc<crate::events::Event>>,
    kind: &str,
) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    loop {
        match events.try_recv() {
            Ok(e) if e.event_type == kind => out.push(e.data.clone()),
            Ok(_) | Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => {}
            Err(_) => break,
        }
    }
    out
}

#[tokio::test]
async fn status_update_events_carry_the_mesos_message_of_every_state() {
    let dir = tempfile::tempdir().unwrap();
    let (service, _store) = open_counting(dir.path()).await;
    let mut events = service.events().subscribe();
    let mut reporter = Reporter::new(Arc::clone(&service));
    let staging = report("/a", 1, "TASK_STAGING");
    let mut running = report("/a", 1, "TASK_RUNNING");
    running.message = "Container started".into();
    let mut killed = report("/a", 1, "TASK_KILLED");
    (killed.condition, killed.message) =
        (Condition::Killed, "Command terminated with signal Terminated".into());
    reporter.apply(vec![Report::Instances(vec![staging])]).await;
    reporter.apply(vec![Report::Instances(vec![running])]).await;
    reporter.apply(vec![Report::Gone(killed), Report::Instances(vec![])]).await;
    let got: Vec<(String, String)> = drain(&mut events, "status_update_event")
        .iter()
        .map(|e| (e["taskStatus"].as_str().unwrap().to_owned(), e["message"].as_str().unwrap().to_owned()))
        .collect();
    let want = [
        ("TASK_STAGING", ""),
        ("TASK_RUNNING", "Container started"),
        ("TASK_KILLED", "Command terminated with signal Terminated"),
    ];
    assert_eq!(got, want.map(|(s, m)| (s.to_owned(), m.to_owned())));
}

#[tokio::test]
async fn a_replaced_unreachable_task_is_an_instance_changed_event_and_a_counter() {
    let dir = tempfile::tempdir().unwrap();
    let (service, _store) = open_counting(dir.path()).await;
    let mut events = service.events().subscribe();
    let mut reporter = Reporter::new(Arc::clone(&service));
    let mut unreachable = report("/a", 1, "TASK_LOST");
    unreachable.condition = Condition::Unreachable;
    let mut inactive = unreachable.clone();
    inactive.condition = Condition::UnreachableInactive;
    reporter.apply(vec![Report::Instances(vec![unreachable])]).await;
    reporter.apply(vec![Report::Instances(vec![inactive.clone()])]).await;
    reporter.apply(vec![Report::Instances(vec![inactive])]).await;
    let conditions: Vec<String> = drain(&mut events, "instance_changed_event")
        .iter()
        .map(|e| e["condition"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(conditions, ["Unreachable", "UnreachableInactive"], "once each");
    assert_eq!(service.metrics().counter("dromos.service.unreachable-inactive.counter"), 1);
    assert_eq!(states(&service), [("a.instance-1._app.1".into(), TaskState::TaskUnreachable)], "kept");
}

#[tokio::test]
async fn a_task_lost_that_the_master_does_not_know_ends_as_task_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let (service, _store) = open_counting(dir.path()).await;
    let mut events = service.events().subscribe();
    let mut reporter = Reporter::new(Arc::clone(&service));
    reporter.apply(vec![Report::Instances(vec![report("/a", 1, "TASK_RUNNING")])]).await;
    let mut lost = report("/a", 1, "TASK_LOST");
    (lost.condition, lost.message) = (Condition::Unknown, "Reconciliation: Task is unknown".into());
    reporter.apply(vec![Report::Gone(lost), Report::Instances(vec![])]).await;
    let last = drain(&mut events, "status_update_event").pop().expect("an update");
    assert_eq!(
        (last["taskStatus"].as_str(), last["message"].as_str()),
        (Some("TASK_UNKNOWN"), Some("Reconciliation: Task is unknown"))
    );
    assert!(service.tasks().is_empty(), "forgotten");
    assert_eq!(service.metrics().counter("marathon.mesos.task-updates.task_unknown.counter"), 1);
}
