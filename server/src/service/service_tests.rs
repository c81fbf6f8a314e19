//! Service operations against a real SQLite store in a temp dir, with the
//! run loop seam driven by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use dromos_model::parse_app;
use dromos_store::{SqliteOptions, SqliteStore};
use serde_json::json;

use super::instances::{TaskRecord, TaskState};
use super::{Origin, Service, ServiceConfig, ServiceError};

fn open(dir: &std::path::Path) -> Service {
    let store = SqliteStore::open(dir, SqliteOptions::default()).expect("store opens");
    let config = ServiceConfig { advertised: "127.0.0.1:0".into(), master: "local".into(), max_versions: 3 };
    Service::open(config, Arc::new(store)).expect("service opens")
}

fn app(json: &str) -> dromos_model::AppDefinition {
    parse_app(json.as_bytes()).expect("valid app")
}

fn task(id: &str, app: &str, state: TaskState, healthy: Option<bool>) -> TaskRecord {
    TaskRecord {
        id: id.into(),
        app_id: dromos_model::PathId::parse(app).unwrap(),
        host: "agent-1".into(),
        agent_id: "agent-1-id".into(),
        ports: vec![31000],
        state,
        healthy,
        version: "v".into(),
        staged_at: Some("2020-01-01T00:00:00.000Z".into()),
        started_at: None,
        readiness: None,
    }
}

#[tokio::test]
async fn target_and_watch_follow_every_change() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    let mut watch = service.watch_target();
    assert!(service.target().apps.is_empty());
    service
        .create_app(app(r#"{"id":"/a","cmd":"sleep 1","instances":2}"#), false, &Origin::default())
        .await
        .unwrap();
    assert!(watch.has_changed().unwrap(), "watchers are woken");
    watch.borrow_and_update();
    let target = service.target();
    assert_eq!(target.apps.len(), 1);
    assert_eq!(target.apps.values().next().unwrap().instances, 2);
    assert_eq!(target.deployments.len(), 1, "the plan waits for the run loop");
    assert_eq!(target.deployments[0].affected_apps, ["/a"]);
}

#[tokio::test]
async fn reported_tasks_drive_counts_and_terminal_tasks_are_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    service
        .create_app(app(r#"{"id":"/a","cmd":"sleep 1","instances":3}"#), false, &Origin::default())
        .await
        .unwrap();
    let mut events = service.events().subscribe();
    let cases = [
        ("a.instance-1._app.1", TaskState::TaskRunning, Some(true)),
        ("a.instance-2._app.1", TaskState::TaskStaging, None),
        ("a.instance-3._app.1", TaskState::TaskRunning, Some(false)),
    ];
    for (id, state, healthy) in cases {
        service.report_task(task(id, "/a", state, healthy), None).await.unwrap();
    }
    let status = service.app("/a").unwrap();
    assert_eq!((status.counts.running, status.counts.staged), (2, 1));
    assert_eq!((status.counts.healthy, status.counts.unhealthy), (1, 1));
    assert_eq!(events.recv().await.unwrap().event_type, "status_update_event");
    assert_eq!(events.recv().await.unwrap().event_type, "instance_changed_event");
    service.report_task(task("a.instance-1._app.1", "/a", TaskState::TaskKilled, None), None).await.unwrap();
    assert_eq!(service.tasks().len(), 2);
    drop(service);
    let reopened = open(dir.path());
    assert_eq!(reopened.tasks().len(), 2, "instances are durable");
}

#[tokio::test]
async fn step_reports_advance_and_finish_deployments() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    service.create_app(app(r#"{"id":"/a","cmd":"sleep 1"}"#), false, &Origin::default()).await.unwrap();
    let deployment = service.deployments().pop().unwrap();
    assert_eq!(deployment.steps.len(), 2, "start, then scale");
    let mut events = service.events().subscribe();
    service.report_step_done(&deployment.id, 0).await.unwrap();
    assert_eq!(service.deployments()[0].current_step(), 2);
    assert_eq!(events.recv().await.unwrap().event_type, "deployment_step_success");
    service.report_step_done(&deployment.id, 1).await.unwrap();
    assert!(service.deployments().is_empty(), "last step finishes it");
    let types: Vec<String> = [events.recv().await.unwrap(), events.recv().await.unwrap()]
        .iter()
        .map(|e| e.event_type.clone())
        .collect();
    assert_eq!(types, ["deployment_step_success", "deployment_success"]);
    let err = service.report_step_done(&deployment.id, 0).await.unwrap_err();
    assert!(matches!(err, ServiceError::DeploymentNotFound(_)));
}

#[tokio::test]
async fn failed_deployments_are_reported_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    let (_, result) =
        service.create_app(app(r#"{"id":"/a","cmd":"sleep 1"}"#), false, &Origin::default()).await.unwrap();
    let mut events = service.events().subscribe();
    service.report_deployment_failed(&result.deployment_id, "no offers").await.unwrap();
    let event = events.recv().await.unwrap();
    assert_eq!(event.event_type, "deployment_failed");
    assert_eq!(event.data["reason"], json!("no offers"));
    assert!(service.deployments().is_empty());
}

#[tokio::test]
async fn versions_are_pruned_to_the_configured_maximum() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    let origin = Origin::default();
    service.create_app(app(r#"{"id":"/a","cmd":"sleep 0"}"#), false, &origin).await.unwrap();
    for i in 1..6 {
        let update = dromos_model::parse_app_update(format!(r#"{{"cmd":"sleep {i}"}}"#).as_bytes()).unwrap();
        service.update_app("/a", update, super::apps::UpdateMode::Merge, false, true, &origin).await.unwrap();
    }
    let versions = service.app_versions("/a").unwrap();
    assert_eq!(versions.len(), 3, "max_versions = 3");
    assert_eq!(service.app_version("/a", &versions[0]).unwrap().cmd.as_deref(), Some("sleep 5"));
    drop(service);
    assert_eq!(open(dir.path()).app_versions("/a").unwrap(), versions, "pruning is durable");
}

#[tokio::test]
async fn kill_requests_reach_the_run_loop_command_channel() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    service.create_app(app(r#"{"id":"/a","cmd":"sleep 1"}"#), false, &Origin::default()).await.unwrap();
    service.report_task(task("a.instance-1._app.1", "/a", TaskState::TaskRunning, None), None).await.unwrap();
    let mut previous = service.take_commands().expect("first taker gets the channel");
    let mut commands = service.take_commands().expect("a restarted run loop gets a fresh channel");
    assert!(previous.recv().await.is_none(), "the previous run loop's channel is closed");
    let selector = super::tasks::KillSelector::App { app: "/a".into(), host: None };
    service.kill_tasks(selector, false, false).await.unwrap();
    assert_eq!(
        commands.recv().await.unwrap(),
        super::run_loop::RunLoopCommand::KillTasks(vec!["a.instance-1._app.1".into()])
    );
}

#[tokio::test]
async fn a_follower_refuses_writes_and_a_leader_fences_them() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    assert_eq!(service.standing(), super::Standing::Single);
    service.stand_down(Some("10.0.0.1:8080".into()));
    let refused = service.create_app(app(r#"{"id":"/a","cmd":"sleep 1"}"#), false, &Origin::default()).await;
    assert!(matches!(refused, Err(ServiceError::Internal(_))), "{refused:?}");
    service.take_office(7).await.unwrap();
    assert_eq!(service.standing(), super::Standing::Leader { epoch: 7 });
    service.create_app(app(r#"{"id":"/a","cmd":"sleep 1"}"#), false, &Origin::default()).await.unwrap();
    assert!(service.take_office(3).await.is_err(), "an older epoch cannot take office");
}

#[tokio::test]
async fn reload_sees_what_another_writer_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn dromos_store::Store> =
        Arc::new(dromos_store::SqliteStore::open(dir.path(), Default::default()).unwrap());
    let config = ServiceConfig { advertised: "a:1".into(), master: "local".into(), max_versions: 50 };
    let reader = Service::open(config.clone(), store.clone()).unwrap();
    let writer = Service::open(config, store).unwrap();
    writer.create_app(app(r#"{"id":"/a","cmd":"sleep 1"}"#), false, &Origin::default()).await.unwrap();
    assert!(reader.app("/a").is_err(), "not seen before reloading");
    reader.reload().await.unwrap();
    assert!(reader.app("/a").is_ok(), "seen after reloading");
}
