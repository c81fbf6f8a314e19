//! The adapter against a real service over SQLite in a temp dir: the
//! driver's calls made by hand, the service's answers checked.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use dromos_driver::{
    DeploymentProgress, DeploymentTimeout, DriverCommand, InstanceIntent, InstanceReport, Target,
};
use dromos_model::parse_app;
use dromos_scheduler::{Condition, Timestamp};
use dromos_store::{SqliteOptions, SqliteStore};

use super::ServiceTarget;
use crate::service::instances::TaskState;
use crate::service::{Origin, Service, ServiceConfig};

fn open(dir: &std::path::Path) -> Arc<Service> {
    let store = SqliteStore::open(dir, SqliteOptions::default()).unwrap();
    let config = ServiceConfig { advertised: "127.0.0.1:0".into(), master: "local".into(), max_versions: 3 };
    Arc::new(Service::open(config, Arc::new(store)).unwrap())
}

fn report(task: &str, state: &str, condition: Condition) -> InstanceReport {
    InstanceReport {
        task_id: format!("{task}._app.1"),
        instance_id: task.into(),
        app_id: "/a".into(),
        version: "v1".into(),
        agent_id: "A".into(),
        host: "box".into(),
        ports: vec![31001],
        condition,
        state: state.into(),
        message: String::new(),
        healthy: None,
        staged_at: Timestamp(1),
        started_at: None,
        killing: false,
        readiness: None,
    }
}

/// Polls until `pred` holds on the service (the reporter is a task).
async fn until(service: &Service, what: &str, pred: impl Fn(&Service) -> bool) {
    for _ in 0..200 {
        if pred(service) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{what} never happened");
}

#[tokio::test]
async fn framework_id_and_intents_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let intent = InstanceIntent {
        instance_id: "a.instance-1".into(),
        task_id: "a.instance-1._app.1".into(),
        app_id: "/a".into(),
        version: "v1".into(),
        agent_id: "A".into(),
        host: "box".into(),
        host_ports: vec![Some(31001)],
        staged_at: Timestamp(5),
    };
    {
        let service = open(dir.path());
        let target = ServiceTarget::open(service.clone()).await.unwrap();
        assert_eq!(target.framework_id(), None);
        target.persist_framework_id("F-1".into()).await.unwrap();
        let mut other = intent.clone();
        other.instance_id = "a.instance-2".into();
        target.record_instance_intents(vec![intent.clone(), other]).await.unwrap();
        assert_eq!(target.known_instances().len(), 2);
        target.expunge_instances(vec!["a.instance-2".into()]).await.unwrap();
        drop(target);
        // The reporter and the command forwarder let go of the service
        // (and its store lock) once the target is dropped.
        until(&service, "the service released", |_| Arc::strong_count(&service) == 1).await;
    }
    let target = ServiceTarget::open(open(dir.path())).await.unwrap();
    assert_eq!(target.framework_id().as_deref(), Some("F-1"));
    assert_eq!(target.known_instances(), vec![intent]);
}

#[tokio::test]
async fn reports_become_tasks_and_deployment_progress() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    let app = parse_app(br#"{"id":"/a","cmd":"sleep 1","instances":1}"#).unwrap();
    service.create_app(app, false, &Origin::default()).await.unwrap();
    let target = ServiceTarget::open(service.clone()).await.unwrap();
    let snapshot = target.snapshot();
    assert_eq!(snapshot.apps.len(), 1);
    let deployment = snapshot.deployments[0].clone();
    assert!(!deployment.plan.steps.is_empty());

    target.report_instances(vec![report("a.instance-1", "TASK_RUNNING", Condition::Running)]);
    until(&service, "a running task", |s| {
        s.tasks().iter().any(|t| t.id == "a.instance-1._app.1" && t.state == TaskState::TaskRunning)
    })
    .await;

    target.report_instance_gone(report("a.instance-1", "TASK_FAILED", Condition::Failed));
    target.report_instances(vec![report("a.instance-2", "TASK_STAGING", Condition::Staging)]);
    until(&service, "the failed task gone, its replacement staged", |s| {
        let tasks = s.tasks();
        tasks.len() == 1 && tasks[0].id == "a.instance-2._app.1" && tasks[0].state == TaskState::TaskStaging
    })
    .await;

    let steps = deployment.plan.steps.len();
    target.report_deployment_progress(DeploymentProgress {
        deployment_id: deployment.id.clone(),
        steps_done: steps,
        finished: true,
    });
    until(&service, "the deployment finished", |s| s.deployments().is_empty()).await;
    assert!(target.snapshot().deployments.is_empty());
}

#[tokio::test]
async fn api_kill_requests_reach_the_driver_and_the_channel_is_handed_back() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    let app = parse_app(br#"{"id":"/a","cmd":"sleep 1","instances":1}"#).unwrap();
    service.create_app(app, false, &Origin::default()).await.unwrap();
    let target = ServiceTarget::open(service.clone()).await.unwrap();
    target.report_instances(vec![report("a.instance-1", "TASK_RUNNING", Condition::Running)]);
    until(&service, "a task", |s| s.tasks().len() == 1).await;

    let mut commands = target.commands().unwrap();
    assert!(target.commands().is_none(), "taken once");
    let selector = crate::service::tasks::KillSelector::Ids(vec!["a.instance-1._app.1".into()]);
    service.kill_tasks(selector, false, false).await.unwrap();
    let command = tokio::time::timeout(Duration::from_secs(5), commands.recv()).await.unwrap();
    assert_eq!(command, Some(DriverCommand::KillTasks(vec!["a.instance-1._app.1".into()])));

    drop(commands);
    drop(target);
    for _ in 0..200 {
        if let Some(inbox) = service.take_commands() {
            service.return_commands(inbox);
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the command channel was not handed back");
}

#[tokio::test]
async fn a_timed_out_deployment_is_rolled_back_and_the_events_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let service = open(dir.path());
    let mut events = service.events().subscribe();
    let app = parse_app(
        br#"{"id":"/a","cmd":"sleep 1","instances":1,"labels":{"DROMOS_DEPLOYMENT_TIMEOUT_SECONDS":"30"}}"#,
    )
    .unwrap();
    service.create_app(app, false, &Origin::default()).await.unwrap();
    let target = ServiceTarget::open(service.clone()).await.unwrap();
    let deployment = target.snapshot().deployments[0].id.clone();

    target.report_deployment_timeout(DeploymentTimeout {
        deployment_id: deployment.clone(),
        timeout_seconds: 30,
        app_id: "/a".into(),
        reason: "deployment timed out after 30 s; rolling back".into(),
    });
    until(&service, "the rollback", |s| {
        let listed = s.deployments();
        listed.len() == 1 && listed[0].id != deployment
    })
    .await;
    assert!(service.target().apps.is_empty(), "creating /a was reverted");
    let rollback = &service.deployments()[0];
    assert_eq!(rollback.steps[0][0].action, "StopApplication");

    let mut failed = Vec::new();
    while let Ok(event) = events.try_recv() {
        if event.event_type == "deployment_failed" {
            failed.push((event.data["id"].clone(), event.data["reason"].clone()));
        }
    }
    assert_eq!(
        failed,
        [
            (deployment.clone().into(), "deployment timed out after 30 s; rolling back".into()),
            (deployment.into(), "rolled back".into()),
        ]
    );
}
