#![allow(clippy::unwrap_used)]

use serde_json::json;

use super::{
    Accept, Acknowledge, AgentId, Bytes, Call, CallBody, CallType, CommandInfo, ContainerInfo, Event,
    Filters, FrameworkId, FrameworkInfo, OfferId, Operation, Resource, Revive, TaskId, TaskInfo, TaskState,
    TaskStatusReason,
};

#[test]
fn first_subscribe_has_no_framework_id_and_resubscribe_sets_both() {
    let mut info = FrameworkInfo::new("root", "dromos");
    let first = serde_json::to_value(Call::subscribe(info.clone(), vec![])).unwrap();
    assert_eq!(
        first,
        json!({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"root","name":"dromos"}}})
    );
    info.id = Some(FrameworkId::new("F-0001"));
    let again = serde_json::to_value(Call::subscribe(info, vec![])).unwrap();
    assert_eq!(again["framework_id"], json!({"value":"F-0001"}));
    assert_eq!(again["subscribe"]["framework_info"]["id"], json!({"value":"F-0001"}));
}

#[test]
fn accept_with_launch_serialises_to_the_proto_union_layout() {
    let task = TaskInfo {
        resources: vec![Resource::scalar("cpus", 0.5)],
        container: Some(ContainerInfo::docker("nginx:1.25")),
        ..TaskInfo::command("web", TaskId::new("web.1"), AgentId::new("S1"), CommandInfo::shell("run"))
    };
    let call = Call::new(
        FrameworkId::new("F"),
        CallBody::Accept(Accept {
            offer_ids: vec![OfferId::new("O1")],
            operations: vec![Operation::launch(vec![task])],
            filters: Some(Filters::refuse_seconds(5.0)),
        }),
    );
    assert_eq!(
        serde_json::to_value(&call).unwrap(),
        json!({"framework_id":{"value":"F"},"type":"ACCEPT","accept":{
            "offer_ids":[{"value":"O1"}],
            "operations":[{"type":"LAUNCH","launch":{"task_infos":[{
                "name":"web","task_id":{"value":"web.1"},"agent_id":{"value":"S1"},
                "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.5}}],
                "command":{"value":"run"},
                "container":{"type":"DOCKER","docker":{"image":"nginx:1.25"}}}]}}],
            "filters":{"refuse_seconds":5.0}}})
    );
}

#[test]
fn calls_round_trip_through_json() {
    let calls = vec![
        Call::new(FrameworkId::new("F"), CallBody::Teardown),
        Call::new(FrameworkId::new("F"), CallBody::Revive(Revive { roles: vec!["web".into()] })),
        Call::new(
            FrameworkId::new("F"),
            CallBody::Acknowledge(Acknowledge {
                agent_id: AgentId::new("S1"),
                task_id: TaskId::new("T"),
                uuid: Bytes(vec![0, 1, 2, 250]),
            }),
        ),
    ];
    for call in calls {
        let text = serde_json::to_string(&call).unwrap();
        let back: Call = serde_json::from_str(&text).unwrap();
        assert_eq!(back, call, "{text}");
    }
}

#[test]
fn call_decoding_rejects_unsupported_types_and_missing_bodies() {
    let cases = [
        (json!({"type":"UPDATE_FRAMEWORK"}), "call type UPDATE_FRAMEWORK is not supported"),
        (json!({"type":"SOMETHING_NEW"}), "call type UNRECOGNIZED is not supported"),
        (json!({"type":"ACCEPT"}), "call of type ACCEPT has no `accept` body"),
    ];
    for (input, message) in cases {
        let err = serde_json::from_value::<Call>(input).unwrap_err().to_string();
        assert!(err.contains(message), "{err}");
    }
    let revive: Call = serde_json::from_value(json!({"type":"REVIVE"})).unwrap();
    assert_eq!(revive.call_type(), CallType::Revive);
}

#[test]
fn events_tolerate_unknown_fields_types_and_enum_names() {
    let update = json!({"type":"UPDATE","future_field":1,"update":{"status":{
        "task_id":{"value":"T"},"state":"TASK_RUNNING","reason":"REASON_FROM_THE_FUTURE",
        "uuid":"AAEC","new_thing":{"x":1}}}});
    match serde_json::from_value::<Event>(update).unwrap() {
        Event::Update(status) => {
            assert_eq!(status.state, TaskState::Running);
            assert_eq!(status.reason, Some(TaskStatusReason::Unrecognized));
            assert_eq!(status.uuid, Some(Bytes(vec![0, 1, 2])));
            assert!(status.needs_acknowledgement());
        }
        other => panic!("unexpected {other:?}"),
    }
    let future: Event = serde_json::from_value(json!({"type":"BRAND_NEW","brand_new":{}})).unwrap();
    assert_eq!(future, Event::Unrecognized);
}

#[test]
fn error_event_reads_the_proto_shape_not_the_doc_shape() {
    let event: Event =
        serde_json::from_value(json!({"type":"ERROR","error":{"message":"Framework failed over"}})).unwrap();
    assert_eq!(event, Event::Error { message: "Framework failed over".into() });
    // The doc's top-level "message" form is not what masters send; it is an error.
    assert!(serde_json::from_value::<Event>(json!({"type":"ERROR","message":"x"})).is_err());
}

#[test]
fn unrecognized_enum_values_refuse_to_encode() {
    let status = super::TaskStatus::new(TaskId::new("T"), TaskState::Unrecognized);
    assert!(serde_json::to_string(&status).is_err());
}

#[test]
fn terminal_states_are_exactly_the_final_ones() {
    let cases = [
        (TaskState::Staging, false),
        (TaskState::Running, false),
        (TaskState::Killing, false),
        (TaskState::Unreachable, false),
        (TaskState::Unknown, false),
        (TaskState::Finished, true),
        (TaskState::Failed, true),
        (TaskState::Killed, true),
        (TaskState::Error, true),
        (TaskState::Lost, true),
        (TaskState::Dropped, true),
        (TaskState::Gone, true),
        (TaskState::GoneByOperator, true),
    ];
    for (state, terminal) in cases {
        assert_eq!(state.is_terminal(), terminal, "{state}");
    }
}
