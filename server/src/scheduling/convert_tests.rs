#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use dromos_driver::readiness::{ReadinessResponse, ReadinessResult};
use dromos_driver::{InstanceIntent, InstanceReport, TaskFailure};
use dromos_model::{parse_app, PathId};
use dromos_scheduler::plan::Action;
use dromos_scheduler::{Condition, Timestamp};

use super::{
    decode_intent, encode_intent, failure_record, gone_record, stopped_with_embedded_master,
    target_deployment, task_record, task_state,
};
use crate::service::deployment::{Deployment, StepAction};
use crate::service::instances::TaskState;

fn report(state: &str, condition: Condition, killing: bool) -> InstanceReport {
    InstanceReport {
        task_id: "web.instance-1._app.1".into(),
        instance_id: "web.instance-1".into(),
        app_id: "/web".into(),
        version: "2024-01-01T00:00:00.000Z".into(),
        agent_id: "A-1".into(),
        host: "box".into(),
        ports: vec![31000],
        condition,
        state: state.into(),
        message: String::new(),
        healthy: Some(true),
        staged_at: Timestamp(1_700_000_000_000),
        started_at: Some(Timestamp(1_700_000_001_500)),
        killing,
        readiness: None,
    }
}

#[test]
fn mesos_state_names_map_to_service_states_with_condition_fallback() {
    let cases = [
        ("TASK_RUNNING", Condition::Running, TaskState::TaskRunning),
        ("TASK_STAGING", Condition::Staging, TaskState::TaskStaging),
        ("TASK_FAILED", Condition::Failed, TaskState::TaskFailed),
        ("TASK_LOST", Condition::Unreachable, TaskState::TaskUnreachable),
        ("TASK_LOST", Condition::Unknown, TaskState::TaskUnknown),
        ("TASK_LOST", Condition::Gone, TaskState::TaskGone),
        ("TASK_GONE_BY_OPERATOR", Condition::Gone, TaskState::TaskGone),
        ("TASK_SOMETHING_NEW", Condition::Starting, TaskState::TaskStarting),
    ];
    for (name, condition, want) in cases {
        assert_eq!(task_state(name, condition), want, "{name}");
    }
}

#[test]
fn instance_report_becomes_a_task_record_with_iso_times() {
    let record = task_record(&report("TASK_RUNNING", Condition::Running, false)).unwrap();
    assert_eq!(record.id, "web.instance-1._app.1");
    assert_eq!(record.app_id, PathId::parse("/web").unwrap());
    assert_eq!((record.host.as_str(), record.agent_id.as_str()), ("box", "A-1"));
    assert_eq!(record.ports, vec![31000]);
    assert_eq!(record.state, TaskState::TaskRunning);
    assert_eq!(record.healthy, Some(true));
    assert_eq!(record.staged_at.as_deref(), Some("2023-11-14T22:13:20.000Z"));
    assert_eq!(record.started_at.as_deref(), Some("2023-11-14T22:13:21.500Z"));
}

#[test]
fn gone_record_is_always_terminal() {
    let cases = [
        ("TASK_FAILED", Condition::Failed, false, TaskState::TaskFailed),
        ("TASK_KILLED", Condition::Killed, true, TaskState::TaskKilled),
        ("TASK_RUNNING", Condition::Running, true, TaskState::TaskKilled),
        ("TASK_UNREACHABLE", Condition::UnreachableInactive, false, TaskState::TaskUnknown),
    ];
    for (name, condition, killing, want) in cases {
        let record = gone_record(&report(name, condition, killing)).unwrap();
        assert_eq!(record.state, want, "{name} killing={killing}");
        assert!(record.state.is_terminal());
    }
}

#[test]
fn stored_deployment_becomes_a_plan_with_the_apps_current_count() {
    let app = parse_app(br#"{"id":"/web","cmd":"sleep 1","instances":3}"#).unwrap();
    let apps = BTreeMap::from([(app.id.clone(), Arc::new(app))]);
    let step = |action: &str, app: &str| StepAction { action: action.into(), app: app.into() };
    let deployment = Deployment {
        id: "d1".into(),
        version: "v2".into(),
        original_version: "v1".into(),
        affected_apps: vec!["/web".into(), "/gone".into()],
        steps: vec![
            vec![step("StartApplication", "/web"), step("StopApplication", "/gone")],
            vec![step("ScaleApplication", "/web"), step("Mystery", "/web")],
            vec![step("RestartApplication", "/web"), step("ScaleApplication", "/gone")],
        ],
        steps_done: 1,
    };
    let target = target_deployment(&deployment, &apps);
    assert_eq!(target.id, "d1");
    assert_eq!(target.steps_done, 1);
    let actions: Vec<Vec<Action>> = target.plan.steps.into_iter().map(|s| s.actions).collect();
    assert_eq!(
        actions,
        vec![
            vec![
                Action::StartApplication { run_spec_id: "/web".into() },
                Action::StopApplication { run_spec_id: "/gone".into() }
            ],
            vec![Action::ScaleApplication { run_spec_id: "/web".into(), instances: 3 }],
            vec![
                Action::RestartApplication { run_spec_id: "/web".into() },
                Action::ScaleApplication { run_spec_id: "/gone".into(), instances: 0 }
            ],
        ]
    );
}

#[test]
fn intents_survive_the_store_encoding() {
    let intent = InstanceIntent {
        instance_id: "web.instance-1".into(),
        task_id: "web.instance-1._app.1".into(),
        app_id: "/web".into(),
        version: "v1".into(),
        agent_id: "A-1".into(),
        host: "box".into(),
        host_ports: vec![Some(31000), None],
        staged_at: Timestamp(42),
    };
    let bytes = encode_intent(&intent).unwrap();
    assert_eq!(decode_intent(&bytes).unwrap(), intent);
    assert!(decode_intent(b"{\"instanceId\":1}").is_err());
}

fn failure(state: &str, reason: Option<&str>) -> TaskFailure {
    TaskFailure {
        app_id: "/web".into(),
        task_id: "web.instance-1._app.1".into(),
        state: state.into(),
        message: "Command exited with status 3".into(),
        reason: reason.map(str::to_owned),
        host: "box".into(),
        agent_id: "A-1".into(),
        version: "2024-01-01T00:00:00.000Z".into(),
        timestamp: Timestamp(1_700_000_002_000),
        unhealthy_kill: false,
    }
}

#[test]
fn a_task_failure_becomes_marathons_last_task_failure() {
    let record = failure_record(&failure("TASK_FAILED", Some("REASON_COMMAND_EXECUTOR_FAILED"))).unwrap();
    assert_eq!(
        serde_json::to_value(&record).unwrap(),
        serde_json::json!({
            "appId": "/web", "taskId": "web.instance-1._app.1", "state": "TASK_FAILED",
            "message": "Command exited with status 3", "host": "box", "slaveId": "A-1",
            "version": "2024-01-01T00:00:00.000Z", "timestamp": "2023-11-14T22:13:22.000Z",
        })
    );
    let mut no_agent = failure("TASK_ERROR", None);
    no_agent.agent_id.clear();
    let json = serde_json::to_value(failure_record(&no_agent).unwrap()).unwrap();
    assert!(json.get("slaveId").is_none(), "slaveId is optional: {json}");
}

#[test]
fn only_the_embedded_masters_reconciliation_of_stopped_tasks_is_ignored() {
    let reconciled = failure("TASK_UNKNOWN", Some("REASON_RECONCILIATION"));
    assert!(stopped_with_embedded_master(&reconciled, true));
    assert!(!stopped_with_embedded_master(&reconciled, false), "a real master lost the task");
    assert!(!stopped_with_embedded_master(&failure("TASK_UNKNOWN", None), true));
    assert!(!stopped_with_embedded_master(&failure("TASK_FAILED", Some("REASON_RECONCILIATION")), true));
}

#[test]
fn a_readiness_verdict_travels_with_the_task_record() {
    let mut gated = report("TASK_RUNNING", Condition::Running, false);
    gated.readiness = Some(ReadinessResult {
        name: "ready".into(),
        instance_id: "web.instance-1".into(),
        task_id: "web.instance-1._app.1".into(),
        ready: false,
        last_response: Some(ReadinessResponse { status: 503, content_type: None, body: "no".into() }),
        cause: None,
    });
    let record = task_record(&gated).unwrap();
    assert_eq!(
        serde_json::to_value(record.readiness.unwrap()).unwrap(),
        serde_json::json!({"name": "ready", "taskId": "web.instance-1._app.1", "ready": false,
            "lastResponse": {"status": 503, "contentType": "", "body": "no"}})
    );
}
