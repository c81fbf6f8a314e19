//! The console's backend against a real service (SQLite in a temp dir, no
//! run loop: deployments stay running, tasks are reported by hand).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use app::api::status::AppStatus as UiStatus;
use app::backend::Backend;
use dromos_model::PathId;
use dromos_store::{SqliteOptions, SqliteStore};
use serde_json::json;

use super::cluster::ClusterView;
use crate::service::instances::{TaskRecord, TaskState};
use crate::service::{Service, ServiceConfig};

fn open(dir: &std::path::Path) -> Service {
    let store = SqliteStore::open(dir, SqliteOptions::default()).expect("store opens");
    let config = ServiceConfig { advertised: "127.0.0.1:0".into(), master: "local".into(), max_versions: 3 };
    Service::open(config, Arc::new(store)).expect("service opens")
}

/// The service as the console sees it (its inherent operations share names).
fn console(service: &Service) -> &dyn Backend {
    service
}

fn id(raw: &str) -> PathId {
    PathId::parse(raw).expect("valid id")
}

fn running(task_id: &str, app: &str, agent: &str) -> TaskRecord {
    TaskRecord {
        id: task_id.into(),
        app_id: id(app),
        host: "host-1".into(),
        agent_id: agent.into(),
        ports: vec![31000],
        state: TaskState::TaskRunning,
        healthy: None,
        version: "v".into(),
        staged_at: Some("2020-01-01T00:00:00.000Z".into()),
        started_at: Some("2020-01-01T00:00:01.000Z".into()),
        readiness: None,
    }
}

#[tokio::test]
async fn writes_answer_with_the_rest_apis_status_and_message() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    let created =
        console(&service).create_app(r#"{"id":"/a","cmd":"sleep 1","instances":1}"#, false).await.unwrap();
    assert!(!created.deployment_id.is_empty());

    let cases: Vec<(app::error::ApiError, u16, &str, Option<&str>)> = vec![
        (
            console(&service).create_app(r#"{"id":"/a","cmd":"sleep 1"}"#, false).await.unwrap_err(),
            409,
            "An app with id [/a] already exists.",
            None,
        ),
        (console(&service).create_app("{", false).await.unwrap_err(), 400, "Invalid JSON", Some("/")),
        (
            console(&service).create_app(r#"{"id":"/b","cmd":"x","cpus":-1}"#, false).await.unwrap_err(),
            422,
            "Object is not valid",
            Some("/cpus"),
        ),
        (
            console(&service)
                .update_app(&id("/a"), r#"{"id":"/other","cmd":"sleep 2"}"#, false)
                .await
                .unwrap_err(),
            422,
            "Object is not valid",
            Some("/id"),
        ),
        (
            console(&service).scale_app(&id("/a"), 20_000, true).await.unwrap_err(),
            422,
            "Object is not valid",
            Some("/instances"),
        ),
        (
            console(&service).scale_app(&id("/nope"), 1, false).await.unwrap_err(),
            404,
            "App '/nope' does not exist",
            None,
        ),
        (console(&service).get_app(&id("/nope")).unwrap_err(), 404, "App '/nope' does not exist", None),
        (
            console(&service).app_version(&id("/a"), "2000-01-01T00:00:00.000Z").unwrap_err(),
            404,
            "App '/a' does not exist in version 2000-01-01T00:00:00.000Z",
            None,
        ),
        (
            console(&service).kill_task(&id("/a"), "a.instance-x._app.1", false).await.unwrap_err(),
            404,
            "Task 'a.instance-x._app.1' does not exist",
            None,
        ),
        (
            console(&service).reset_delay(&id("/a")).unwrap_err(),
            404,
            "Application /a not found in tasks queue.",
            None,
        ),
        (
            console(&service).cancel_deployment("nope", false).await.unwrap_err(),
            404,
            "DeploymentPlan nope does not exist",
            None,
        ),
    ];
    for (error, status, message, path) in cases {
        assert_eq!((error.status, error.message.as_str()), (status, message), "{error:?}");
        if let Some(path) = path {
            assert!(error.details.iter().any(|v| v.path == path), "{path} in {:?}", error.details);
        }
    }
}

#[tokio::test]
async fn a_running_deployment_locks_the_app_until_forced() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    let first =
        console(&service).create_app(r#"{"id":"/a","cmd":"sleep 1","instances":1}"#, false).await.unwrap();

    let locked = console(&service).scale_app(&id("/a"), 3, false).await.unwrap_err();
    assert!(locked.is_locked(), "{locked:?}");
    let forced = console(&service).scale_app(&id("/a"), 3, true).await.unwrap();
    assert!(!forced.deployment_id.is_empty());

    let listed = console(&service).list_deployments().unwrap();
    assert_eq!(listed.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), [forced.deployment_id.as_str()]);
    assert_ne!(forced.deployment_id, first.deployment_id, "the first deployment was cancelled");
    assert_eq!(listed[0].affected_apps, ["/a"]);
    assert_eq!((listed[0].current_step, listed[0].total_steps), (1, 1));
    assert_eq!(listed[0].current_actions[0].app, "/a");

    let detail = console(&service).get_app(&id("/a")).unwrap();
    assert_eq!(detail.definition.instances, 3);
    assert_eq!(detail.summary.status, UiStatus::Deploying);
    assert_eq!(detail.deployments, std::slice::from_ref(&forced.deployment_id));
    assert_eq!(detail.versions.len(), 2, "newest first: {:?}", detail.versions);
    assert!(detail.versions[0] > detail.versions[1]);
    let old = console(&service).app_version(&id("/a"), &detail.versions[1]).unwrap();
    assert_eq!(old.instances, 1);

    assert_eq!(console(&service).cancel_deployment(&forced.deployment_id, true).await.unwrap(), None);
    assert!(console(&service).list_deployments().unwrap().is_empty());
}

#[tokio::test]
async fn a_write_that_changes_nothing_has_no_deployment() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    let body = r#"{"id":"/a","cmd":"sleep 1","instances":2}"#;
    console(&service).create_app(body, false).await.unwrap();
    let cases = [
        ("same instances", console(&service).scale_app(&id("/a"), 2, true).await.unwrap()),
        (
            "same definition, path id",
            console(&service)
                .update_app(&id("/a"), r#"{"cmd":"sleep 1","instances":2}"#, true)
                .await
                .unwrap(),
        ),
    ];
    for (name, answer) in cases {
        assert_eq!(answer.deployment_id, "", "{name}");
        assert!(!answer.version.is_empty(), "{name}");
    }
    let changed =
        console(&service).update_app(&id("/a"), r#"{"id":"a","cmd":"sleep 2"}"#, true).await.unwrap();
    assert!(!changed.deployment_id.is_empty(), "a relative body id naming the app is accepted");
    let detail = console(&service).get_app(&id("/a")).unwrap();
    assert_eq!(
        (detail.definition.cmd.as_deref(), detail.definition.instances),
        (Some("sleep 2"), 1),
        "replaced"
    );
}

#[tokio::test]
async fn apps_list_by_group_with_counts_and_status() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    for body in [
        r#"{"id":"/prod/web","cmd":"sleep 1","instances":1,"cpus":0.5,"labels":{"team":"blue"}}"#,
        r#"{"id":"/prod/db","cmd":"sleep 1","instances":0}"#,
        r#"{"id":"/dev","cmd":"sleep 1","instances":1,"container":{"type":"DOCKER","docker":{"image":"nginx:1"}}}"#,
    ] {
        console(&service).create_app(body, true).await.unwrap();
    }
    for d in console(&service).list_deployments().unwrap() {
        console(&service).cancel_deployment(&d.id, true).await.unwrap();
    }
    service.report_task(running("web.instance-1._app.1", "/prod/web", "agent-1"), None).await.unwrap();

    let mut prod = console(&service).list_apps(&id("/prod")).unwrap();
    prod.sort_by(|a, b| a.id.cmp(&b.id));
    let rows: Vec<_> = prod.iter().map(|a| (a.id.as_str(), a.status, a.tasks.running, a.instances)).collect();
    assert_eq!(rows, [("/prod/db", UiStatus::Suspended, 0, 0), ("/prod/web", UiStatus::Running, 1, 1)]);
    assert_eq!(prod[1].labels.get("team").map(String::as_str), Some("blue"));
    assert!((prod[1].cpus - 0.5).abs() < 1e-9);
    assert!(!prod[1].version.is_empty());

    let all = console(&service).list_apps(&PathId::root()).unwrap();
    assert_eq!(all.len(), 3);
    let dev = all.iter().find(|a| a.id == "/dev").unwrap();
    assert_eq!(dev.image.as_deref(), Some("nginx:1"));
    assert!(
        console(&service).list_apps(&id("/nowhere")).unwrap().is_empty(),
        "unknown group: empty, not an error"
    );

    let web = console(&service).get_app(&id("/prod/web")).unwrap();
    assert_eq!(web.tasks.len(), 1);
    assert_eq!((web.tasks[0].state.as_str(), web.tasks[0].ports.as_slice()), ("TASK_RUNNING", &[31000][..]));
    assert_eq!(web.queue, None);
}

#[tokio::test]
async fn cluster_data_comes_from_the_view_and_the_task_records() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    let empty = console(&service).cluster_overview().await.unwrap();
    assert_eq!((empty.agents, empty.total.cpus), (0, 0.0), "no view: no agents");
    assert!(console(&service).list_nodes().await.unwrap().is_empty());

    let view: ClusterView = Arc::new(|| {
        Box::pin(async {
            Some(json!({"slaves": [{
                "id": "agent-1", "hostname": "h1", "active": true, "attributes": {"rack": "r1"},
                "resources": {"cpus": 4.0, "mem": 1024.0, "disk": 100.0, "gpus": 0.0},
                "used_resources": {"cpus": 0.5, "mem": 64.0, "disk": 0.0, "gpus": 0.0}
            }]}))
        })
    });
    service.set_cluster_view(view);
    console(&service).create_app(r#"{"id":"/a","cmd":"sleep 1","instances":1}"#, false).await.unwrap();
    service.report_task(running("a.instance-1._app.1", "/a", "agent-1"), None).await.unwrap();

    let overview = console(&service).cluster_overview().await.unwrap();
    assert_eq!(overview.agents, 1);
    assert_eq!((overview.total.cpus, overview.used.mem), (4.0, 64.0));
    assert_eq!(overview.tasks_by_state, [("TASK_RUNNING".to_string(), 1)]);
    let nodes = console(&service).list_nodes().await.unwrap();
    assert_eq!(nodes.len(), 1);
    assert_eq!((nodes[0].hostname.as_str(), nodes[0].tasks), ("h1", 1));
    assert_eq!(nodes[0].attributes, [("rack".to_string(), "r1".to_string())]);
}

#[tokio::test]
async fn the_sampler_records_allocation_and_task_outcomes_from_the_bus() {
    let dir = tempfile::tempdir().unwrap();
    let service = Arc::new(open(dir.path()));
    assert!(console(&service).cluster_history().samples.is_empty(), "nothing before the sampler runs");
    let token = tokio_util::sync::CancellationToken::new();
    super::history::spawn(service.clone(), std::time::Duration::from_millis(40), token.clone());
    console(&service).create_app(r#"{"id":"/a","cmd":"sleep 1","instances":2}"#, false).await.unwrap();
    service.report_task(running("a.instance-1._app.1", "/a", "agent-1"), None).await.unwrap();
    let mut failed = running("a.instance-2._app.1", "/a", "agent-1");
    failed.state = TaskState::TaskFailed;
    service.report_task(failed, None).await.unwrap();

    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let history = loop {
        let history = console(&service).cluster_history();
        let outcomes = history.samples.iter().fold((0, 0), |(f, s), x| (f + x.failed, s + x.succeeded));
        if outcomes == (1, 1) && history.samples.last().is_some_and(|s| s.running == 1) {
            break history;
        }
        assert!(tokio::time::Instant::now() < deadline, "sampler never saw the outcomes: {history:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(history.period_ms, 40);
    assert_eq!(history.failure_rate(), Some(0.5));
    assert!(history.samples.windows(2).all(|w| w[0].at_ms <= w[1].at_ms), "oldest first");
    token.cancel();
}
