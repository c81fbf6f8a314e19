//! The scheduler client against an in-test master speaking RecordIO over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/fake_master.rs"]
mod fake_master;

use std::time::Duration;

use axum::http::StatusCode;
use dromos_mesos::client::{self, ClientConfig, ClientError, ClientEvent};
use dromos_mesos::v1::{
    AgentId, CommandInfo, Event, Filters, FrameworkId, FrameworkInfo, OfferId, Operation, Resource, TaskId,
    TaskInfo,
};
use fake_master::{stream, subscribed, FakeMaster, Reply, FRAMEWORK_ID};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(5);

fn config(master: &FakeMaster) -> ClientConfig {
    let mut config = ClientConfig::new(master.url(), FrameworkInfo::new("root", "dromos-test"));
    config.backoff_initial = Duration::from_millis(10);
    config.backoff_max = Duration::from_millis(50);
    config.heartbeat_misses = 2;
    config
}

async fn next(client: &mut client::Client) -> ClientEvent {
    tokio::time::timeout(WAIT, client.events.recv())
        .await
        .expect("an event in time")
        .expect("the event channel is open")
}

/// Skips events until `Connected`, returning its framework id.
async fn until_connected(client: &mut client::Client) -> FrameworkId {
    loop {
        if let ClientEvent::Connected { framework_id, .. } = next(client).await {
            return framework_id;
        }
    }
}

fn offers_event() -> Value {
    json!({"type":"OFFERS","offers":{"offers":[{"id":{"value":"O-1"},
        "framework_id":{"value":FRAMEWORK_ID},"agent_id":{"value":"S-1"},"hostname":"agent-1",
        "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":2.0},"role":"*"}]}]}})
}

#[tokio::test]
async fn subscribe_delivers_offers_and_accept_carries_the_stream_id() {
    let mut master = FakeMaster::start(vec![stream(
        "stream-1",
        vec![subscribed(15.0), json!({"type":"HEARTBEAT"}), offers_event()],
    )])
    .await;
    let mut client = client::start(config(&master), CancellationToken::new()).unwrap();

    let connected = next(&mut client).await;
    assert!(
        matches!(&connected, ClientEvent::Connected { framework_id, .. } if framework_id.as_str() == FRAMEWORK_ID)
    );
    assert!(matches!(next(&mut client).await, ClientEvent::Event(Event::Subscribed(_))));
    assert_eq!(next(&mut client).await, ClientEvent::Event(Event::Heartbeat));
    let ClientEvent::Event(Event::Offers(offers)) = next(&mut client).await else {
        panic!("expected offers");
    };
    assert_eq!(offers[0].id, OfferId::new("O-1"));

    let task = TaskInfo {
        resources: vec![Resource::scalar("cpus", 1.0)],
        ..TaskInfo::command("t", TaskId::new("t.1"), AgentId::new("S-1"), CommandInfo::shell("sleep 1"))
    };
    client
        .scheduler
        .accept(
            vec![offers[0].id.clone()],
            vec![Operation::launch(vec![task])],
            Some(Filters::refuse_seconds(1.0)),
        )
        .await
        .unwrap();

    let call = tokio::time::timeout(WAIT, master.calls.recv()).await.unwrap().unwrap();
    assert_eq!(call.stream_id.as_deref(), Some("stream-1"));
    assert_eq!(call.body["type"], "ACCEPT");
    assert_eq!(call.body["framework_id"]["value"], FRAMEWORK_ID);
    assert_eq!(call.body["accept"]["offer_ids"], json!([{"value":"O-1"}]));
    assert_eq!(
        call.body["accept"]["operations"][0]["launch"]["task_infos"][0]["task_id"],
        json!({"value":"t.1"})
    );

    let (header, first) = &master.subscribes()[0];
    assert_eq!(header, &None, "SUBSCRIBE must not carry a stream id");
    assert!(first.get("framework_id").is_none());
    assert_eq!(first["subscribe"]["framework_info"]["name"], "dromos-test");
}

#[tokio::test]
async fn silent_stream_is_dropped_and_resubscribed_with_the_framework_id() {
    let master = FakeMaster::start(vec![
        stream("stream-1", vec![subscribed(0.05)]),
        stream("stream-2", vec![subscribed(15.0)]),
    ])
    .await;
    let mut client = client::start(config(&master), CancellationToken::new()).unwrap();

    until_connected(&mut client).await;
    let reason = loop {
        if let ClientEvent::Disconnected { reason } = next(&mut client).await {
            break reason;
        }
    };
    assert!(reason.contains("no event from the master"), "{reason}");
    assert!(client.scheduler.session().is_none(), "calls must fail while disconnected");
    until_connected(&mut client).await;
    assert_eq!(client.scheduler.session().unwrap().stream_id, "stream-2");

    let subscribes = master.subscribes();
    assert_eq!(subscribes.len(), 2);
    let again = &subscribes[1].1;
    assert_eq!(again["framework_id"]["value"], FRAMEWORK_ID);
    assert_eq!(again["subscribe"]["framework_info"]["id"]["value"], FRAMEWORK_ID);
}

#[tokio::test]
async fn redirect_to_the_leader_is_followed_and_calls_go_there() {
    let mut leader = FakeMaster::start(vec![stream("leader-stream", vec![subscribed(15.0)])]).await;
    let location = format!("//{}/master/api/v1/scheduler", leader.addr);
    let follower = FakeMaster::start(vec![Reply::Redirect(location)]).await;
    let mut client = client::start(config(&follower), CancellationToken::new()).unwrap();

    let ClientEvent::Connected { endpoint, .. } = next(&mut client).await else {
        panic!("expected Connected");
    };
    assert_eq!(endpoint.as_str(), format!("http://{}/master/api/v1/scheduler", leader.addr));
    client.scheduler.revive(vec![]).await.unwrap();
    let call = tokio::time::timeout(WAIT, leader.calls.recv()).await.unwrap().unwrap();
    assert_eq!(call.body["type"], "REVIVE");
    assert_eq!(call.stream_id.as_deref(), Some("leader-stream"));
    assert_eq!(follower.subscribes().len(), 1);
}

#[tokio::test]
async fn unavailable_master_is_retried_until_it_subscribes() {
    let not_ready = Reply::Status(StatusCode::SERVICE_UNAVAILABLE, "Master has not finished recovery");
    let master = FakeMaster::start(vec![not_ready.clone(), not_ready]).await;
    let mut client = client::start(config(&master), CancellationToken::new()).unwrap();

    assert_eq!(until_connected(&mut client).await.as_str(), FRAMEWORK_ID);
    assert_eq!(master.subscribes().len(), 3);
}

#[tokio::test]
async fn client_error_on_subscribe_stops_the_loop_with_the_body() {
    let master = FakeMaster::start(vec![Reply::Status(
        StatusCode::BAD_REQUEST,
        "Failed to validate scheduler::Call: Expecting 'framework_info' to be present",
    )])
    .await;
    let mut client = client::start(config(&master), CancellationToken::new()).unwrap();

    let ClientEvent::Disconnected { reason } = next(&mut client).await else {
        panic!("expected Disconnected");
    };
    assert!(reason.contains("Expecting 'framework_info'"), "{reason}");
    match tokio::time::timeout(WAIT, client.task).await.unwrap().unwrap() {
        Err(ClientError::Rejected { status, body }) => {
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert!(body.starts_with("Failed to validate"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(master.subscribes().len(), 1, "a 4xx is not retried");
}

#[tokio::test]
async fn error_event_is_delivered_and_stops_the_loop() {
    let error = json!({"type":"ERROR","error":{"message":"Framework failed over"}});
    let master = FakeMaster::start(vec![stream("s", vec![subscribed(15.0), error])]).await;
    let mut client = client::start(config(&master), CancellationToken::new()).unwrap();

    until_connected(&mut client).await;
    assert!(matches!(next(&mut client).await, ClientEvent::Event(Event::Subscribed(_))));
    assert_eq!(
        next(&mut client).await,
        ClientEvent::Event(Event::Error { message: "Framework failed over".into() })
    );
    let result = tokio::time::timeout(WAIT, client.task).await.unwrap().unwrap();
    assert!(matches!(result, Err(ClientError::MasterError(m)) if m == "Framework failed over"));
}

#[tokio::test]
async fn cancellation_ends_the_loop_and_closes_the_channel() {
    let master = FakeMaster::start(vec![]).await;
    let cancel = CancellationToken::new();
    let mut client = client::start(config(&master), cancel.clone()).unwrap();
    until_connected(&mut client).await;

    cancel.cancel();
    tokio::time::timeout(WAIT, &mut client.task).await.unwrap().unwrap().unwrap();
    while let Some(event) = tokio::time::timeout(WAIT, client.events.recv()).await.unwrap() {
        assert!(!matches!(event, ClientEvent::Connected { .. }), "no reconnect after cancel");
    }
}

#[tokio::test]
async fn calls_fail_fast_while_not_subscribed() {
    let down = Reply::Status(StatusCode::SERVICE_UNAVAILABLE, "No leader elected");
    let master = FakeMaster::start(vec![down; 1000]).await;
    let cancel = CancellationToken::new();
    let client = client::start(config(&master), cancel.clone()).unwrap();

    let result = client.scheduler.kill(TaskId::new("t"), None).await;
    assert!(matches!(result, Err(ClientError::NotConnected)), "{result:?}");
    cancel.cancel();
}
