//! The last task failure against a real service over SQLite: recorded for
//! existing apps only, shown by the app's status and the console, kept
//! across a reopen of the store, forgotten with the app.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use app::backend::Backend;
use dromos_model::{parse_app, PathId};
use dromos_store::{SqliteOptions, SqliteStore};

use super::{bounded_message, TaskFailureRecord, MAX_MESSAGE_BYTES};
use crate::service::{Origin, Service, ServiceConfig};

fn open(dir: &std::path::Path) -> Service {
    let store = SqliteStore::open(dir, SqliteOptions::default()).expect("store opens");
    let config = ServiceConfig { advertised: "127.0.0.1:0".into(), master: "local".into(), max_versions: 3 };
    Service::open(config, Arc::new(store)).expect("service opens")
}

fn failure(app: &str, task: &str, state: &str) -> TaskFailureRecord {
    TaskFailureRecord {
        app_id: PathId::parse(app).unwrap(),
        task_id: format!("{}.instance-{task}._app.1", app.trim_start_matches('/')),
        state: state.into(),
        message: "Command exited with status 3".into(),
        host: "box-1".into(),
        slave_id: Some("agent-1".into()),
        version: "2024-01-01T00:00:00.000Z".into(),
        timestamp: "2024-01-01T00:00:05.000Z".into(),
    }
}

async fn create(service: &Service, id: &str) {
    let app = parse_app(format!(r#"{{"id":"{id}","cmd":"exit 3"}}"#).as_bytes()).unwrap();
    service.create_app(app, true, &Origin::default()).await.unwrap();
}

#[tokio::test]
async fn the_newest_failure_is_kept_across_a_restart_and_forgotten_with_its_app() {
    let dir = tempfile::tempdir().unwrap();
    {
        let service = open(dir.path());
        create(&service, "/crashy").await;
        create(&service, "/calm").await;
        assert!(service.record_task_failure(failure("/crashy", "1", "TASK_FAILED"), false).await.unwrap());
        assert!(service.record_task_failure(failure("/crashy", "2", "TASK_LOST"), false).await.unwrap());
        assert_eq!(service.metrics().counter("dromos.service.task-failure.counter"), 2);
        let status = service.app("/crashy").unwrap();
        assert_eq!(status.last_failure, Some(failure("/crashy", "2", "TASK_LOST")), "the newest wins");
        assert_eq!(service.app("/calm").unwrap().last_failure, None);
    }
    let service = open(dir.path());
    assert_eq!(
        service.app("/crashy").unwrap().last_failure,
        Some(failure("/crashy", "2", "TASK_LOST")),
        "kept in the store"
    );
    service.delete_app("/crashy", true).await.unwrap();
    create(&service, "/crashy").await;
    assert_eq!(service.app("/crashy").unwrap().last_failure, None, "a new app of the same id starts clean");
    drop(service);
    assert_eq!(open(dir.path()).app("/crashy").unwrap().last_failure, None, "and the store forgot it too");
}

#[tokio::test]
async fn a_failure_of_an_app_that_is_gone_is_not_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    assert!(!service.record_task_failure(failure("/ghost", "1", "TASK_FAILED"), false).await.unwrap());
    assert_eq!(service.metrics().counter("dromos.service.task-failure.counter"), 0);
    create(&service, "/ghost").await;
    assert_eq!(service.app("/ghost").unwrap().last_failure, None);
}

#[tokio::test]
async fn a_health_kill_is_announced_as_marathons_unhealthy_instance_kill_event() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    create(&service, "/web").await;
    let mut events = service.events().subscribe();
    let mut killed = failure("/web", "7", "TASK_KILLED");
    killed.message =
        "Task was killed since health check failed. Reason: 3 consecutive health check failures".into();
    service.record_task_failure(killed.clone(), true).await.unwrap();
    let event = loop {
        let event = events.recv().await.unwrap();
        if event.event_type == "unhealthy_instance_kill_event" {
            break event;
        }
    };
    assert_eq!(event.data["appId"], "/web");
    assert_eq!(event.data["taskId"], killed.task_id.as_str());
    assert_eq!(event.data["instanceId"], "web.instance-7");
    assert_eq!(event.data["reason"], killed.message.as_str());
    assert_eq!(
        (event.data["host"].as_str(), event.data["slaveId"].as_str()),
        (Some("box-1"), Some("agent-1"))
    );
}

#[tokio::test]
async fn the_console_shows_the_failure_with_its_age() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    create(&service, "/crashy").await;
    service.record_task_failure(failure("/crashy", "1", "TASK_FAILED"), false).await.unwrap();
    let backend: &dyn Backend = &service;
    let detail = backend.get_app(&PathId::parse("/crashy").unwrap()).unwrap();
    let shown = detail.summary.last_failure.expect("the Debug tab has a failure to show");
    assert_eq!((shown.state.as_str(), shown.host.as_str()), ("TASK_FAILED", "box-1"));
    assert_eq!(shown.message, "Command exited with status 3");
    assert_eq!(shown.version, "2024-01-01T00:00:00.000Z");
    assert!(shown.task_id.starts_with("crashy.instance-1"));
    let at = chrono::DateTime::parse_from_rfc3339(&shown.timestamp).unwrap().with_timezone(&chrono::Utc);
    let since = chrono::Utc::now() - at;
    assert!(shown.age_seconds.abs_diff(since.num_seconds().unsigned_abs()) <= 1, "{}", shown.age_seconds);
    let rows = backend.list_apps(&PathId::root()).unwrap();
    assert!(rows.iter().any(|r| r.id == "/crashy" && r.last_failure.is_some()), "the services row too");
}

#[test]
fn long_messages_are_cut_on_a_character_boundary() {
    assert_eq!(bounded_message("Command exited with status 3"), "Command exited with status 3");
    let long = "é".repeat(MAX_MESSAGE_BYTES);
    let cut = bounded_message(&long);
    assert!(cut.len() <= MAX_MESSAGE_BYTES + "…".len(), "{}", cut.len());
    assert!(cut.ends_with('…') && cut.starts_with("éé"));
}
