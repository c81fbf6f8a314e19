//! The run loop against a fake Mesos master: launches, acknowledgements,
//! relaunch after backoff, scale-down kills, suppress, health- and
//! readiness-gated deployments.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use dromos_driver::testing::{InMemoryTarget, TargetState};
use dromos_driver::{Driver, DriverCommand, DriverConfig};
use dromos_model::{parse_app, AppDefinition, Timestamp};
use dromos_scheduler::Condition;
use serde_json::{json, Value};
use support::fake_master::{offers, update, FakeMaster, FRAMEWORK_ID};
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(10);

fn app(json: &str, version: &str) -> AppDefinition {
    let mut app = parse_app(json.as_bytes()).expect("valid app");
    app.version = Timestamp::parse(version);
    app
}

struct Harness {
    master: FakeMaster,
    target: Arc<InMemoryTarget>,
    shutdown: CancellationToken,
    driver: tokio::task::JoinHandle<Result<(), dromos_driver::DriverError>>,
}

impl Harness {
    async fn start(apps: Vec<AppDefinition>) -> Self {
        let master = FakeMaster::start().await;
        let target = Arc::new(InMemoryTarget::new());
        target.deploy(apps).expect("plan");
        let mut config = DriverConfig::new(master.url(), "root");
        config.min_revive_interval = Duration::from_millis(50);
        let shutdown = CancellationToken::new();
        let driver = tokio::spawn(Driver::run(target.clone(), config, shutdown.clone()));
        let mut h = Self { master, target, shutdown, driver };
        h.master.wait_call("RECONCILE").await;
        h
    }

    async fn wait(&self, what: &str, pred: impl Fn(&TargetState) -> bool) -> TargetState {
        let (state, ok) = self.target.wait_until(WAIT, pred).await;
        assert!(ok, "timed out waiting for {what}: {state:#?}");
        state
    }

    async fn stop(self) {
        self.shutdown.cancel();
        let result = tokio::time::timeout(WAIT, self.driver).await.expect("driver stops").expect("join");
        assert!(result.is_ok(), "{result:?}");
    }
}

/// The id of the first task an ACCEPT launches.
fn first_task_id(accept: &Value) -> String {
    launched_tasks(accept)[0]["task_id"]["value"].as_str().expect("task id").to_owned()
}

fn launched_tasks(accept: &Value) -> Vec<Value> {
    let ops = accept["accept"]["operations"].as_array().expect("operations");
    ops.iter()
        .map(|op| {
            assert_eq!(op["type"], "LAUNCH");
            let tasks = op["launch"]["task_infos"].as_array().expect("task infos");
            assert_eq!(tasks.len(), 1, "one task per LAUNCH operation");
            tasks[0].clone()
        })
        .collect()
}

fn env(task: &Value, name: &str) -> Option<String> {
    task["command"]["environment"]["variables"]
        .as_array()?
        .iter()
        .find(|v| v["name"] == name)
        .and_then(|v| v["value"].as_str().map(str::to_owned))
}

fn scalar(task: &Value, name: &str) -> f64 {
    task["resources"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap()["scalar"]["value"]
        .as_f64()
        .unwrap()
}

#[tokio::test]
async fn two_instances_launch_run_get_acknowledged_then_offers_are_suppressed() {
    let web = app(
        r#"{"id":"/web","cmd":"sleep 30","instances":2,"cpus":0.25,"mem":32}"#,
        "2024-01-01T00:00:00.000Z",
    );
    let mut h = Harness::start(vec![web]).await;
    assert_eq!(h.target.state().framework_id.as_deref(), Some(FRAMEWORK_ID), "framework id persisted");
    h.master.push(offers("O1", "agent-1.local", (31000, 31010)));
    let accept = h.master.wait_call("ACCEPT").await;
    assert_eq!(accept["accept"]["offer_ids"][0]["value"], "O1");
    let tasks = launched_tasks(&accept);
    assert_eq!(tasks.len(), 2);
    for task in &tasks {
        let task_id = task["task_id"]["value"].as_str().unwrap();
        assert!(task_id.starts_with("web.instance-") && task_id.ends_with("._app.1"), "{task_id}");
        assert_eq!((scalar(task, "cpus"), scalar(task, "mem")), (0.25, 32.0));
        assert_eq!(env(task, "MARATHON_APP_ID").as_deref(), Some("/web"));
        assert_eq!(env(task, "MESOS_TASK_ID").as_deref(), Some(task_id));
        assert_eq!(env(task, "HOST").as_deref(), Some("agent-1.local"));
        assert!(env(task, "PORT0").is_some());
    }
    let intents = h.target.state().intents;
    assert_eq!(intents.len(), 2, "intents persisted before ACCEPT");
    // Nothing left to launch: offers are suppressed.
    h.master.wait_call("SUPPRESS").await;

    for task in &tasks {
        h.master.push(update(task["task_id"]["value"].as_str().unwrap(), "TASK_RUNNING"));
    }
    for _ in 0..2 {
        let ack = h.master.wait_call("ACKNOWLEDGE").await;
        assert_eq!(ack["acknowledge"]["uuid"], "AAECAwQFBgcICQoLDA0ODw==");
    }
    let state = h
        .wait("both running and the deployment finished", |s| {
            s.instances.len() == 2
                && s.instances.iter().all(|i| i.condition == Condition::Running && i.state == "TASK_RUNNING")
                && s.deployments.is_empty()
        })
        .await;
    assert!(state.progress.last().is_some_and(|p| p.finished));
    h.stop().await;
}

#[tokio::test]
async fn a_refused_accept_reconciles_its_task_and_a_lost_one_is_replaced() {
    let web = app(
        r#"{"id":"/web","cmd":"sleep 30","instances":1,"cpus":0.25,"mem":32}"#,
        "2024-01-01T00:00:00.000Z",
    );
    let mut h = Harness::start(vec![web]).await;
    h.master.refuse("ACCEPT", true);
    h.master.push(offers("O1", "agent-1.local", (31000, 31010)));
    let accept = h.master.wait_call("ACCEPT").await;
    let task_id = first_task_id(&accept);
    // At once, not after the launch timeout or the periodic reconciliation.
    let reconcile = h.master.wait_call("RECONCILE").await;
    let asked: Vec<&str> = reconcile["reconcile"]["tasks"]
        .as_array()
        .expect("explicit reconciliation")
        .iter()
        .filter_map(|t| t["task_id"]["value"].as_str())
        .collect();
    assert_eq!(asked, [task_id.as_str()], "the refused ACCEPT's task, nothing else");

    // The master never got it: it answers TASK_UNKNOWN (dromos is partition
    // aware), the instance is forgotten and a new one launches.
    h.master.refuse("ACCEPT", false);
    h.master.push(json!({"type":"UPDATE","update":{"status":{
        "task_id":{"value":task_id},"state":"TASK_UNKNOWN","agent_id":{"value":"agent-1"},
        "source":"SOURCE_MASTER","reason":"REASON_RECONCILIATION","message":"Reconciliation: Task is unknown",
        "timestamp":1700000000.0}}}));
    h.wait("the lost instance is forgotten", |s| s.instances.iter().all(|i| i.task_id != task_id)).await;
    h.master.push(offers("O2", "agent-1.local", (31000, 31010)));
    let replacement = h.master.wait_call("ACCEPT").await;
    let new_id = first_task_id(&replacement);
    assert_ne!(new_id, task_id, "a new task replaces the lost one");
    h.stop().await;
}

/// A master update for `task_id` in `state` with `reason` and `message`
/// (no uuid: master-generated updates are not acknowledged).
fn master_update(task_id: &str, state: &str, reason: &str, message: &str) -> Value {
    json!({"type":"UPDATE","update":{"status":{
        "task_id":{"value":task_id},"state":state,"agent_id":{"value":"agent-1"},
        "source":"SOURCE_MASTER","reason":reason,"message":message,"timestamp":1700000000.0}}})
}

#[tokio::test]
async fn a_task_lost_that_the_master_does_not_know_is_replaced_at_once() {
    // A long unreachable window: only a task that may still run waits for it.
    let web = app(
        r#"{"id":"/web","cmd":"sleep 30","instances":1,"cpus":0.25,"mem":32,
            "unreachableStrategy":{"inactiveAfterSeconds":3600,"expungeAfterSeconds":7200}}"#,
        "2024-01-01T00:00:00.000Z",
    );
    let mut h = Harness::start(vec![web]).await;
    h.master.refuse("ACCEPT", true);
    h.master.push(offers("O1", "agent-1.local", (31000, 31010)));
    let task_id = first_task_id(&h.master.wait_call("ACCEPT").await);
    h.master.wait_call("RECONCILE").await;
    h.master.refuse("ACCEPT", false);
    // What a master that does not treat dromos as partition-aware answers
    // instead of TASK_UNKNOWN.
    h.master.push(master_update(
        &task_id,
        "TASK_LOST",
        "REASON_RECONCILIATION",
        "Reconciliation: Task is unknown",
    ));
    let state = h
        .wait("the lost instance forgotten and a replacement queued", |s| {
            s.instances.iter().all(|i| i.task_id != task_id)
                && s.queue.iter().any(|q| q.app_id == "/web" && q.count == 1)
        })
        .await;
    let last = state.gone.iter().find(|g| g.task_id == task_id).expect("final report");
    assert_eq!((last.condition, last.state.as_str()), (Condition::Unknown, "TASK_LOST"));
    assert!(!state.intents.values().any(|i| i.task_id == task_id), "its intent is expunged");
    h.master.push(offers("O2", "agent-1.local", (31000, 31010)));
    let new_id = first_task_id(&h.master.wait_call("ACCEPT").await);
    assert_ne!(new_id, task_id, "a new task replaces the lost one");
    h.stop().await;
}

#[tokio::test]
async fn an_unreachable_task_of_a_deploying_app_is_replaced_in_the_same_turn_by_default() {
    // Default unreachableStrategy (0 s / 0 s); the app's deployment is still
    // running when the answer comes.
    let web = app(
        r#"{"id":"/web","cmd":"sleep 30","instances":1,"cpus":0.25,"mem":32}"#,
        "2024-01-01T00:00:00.000Z",
    );
    let mut h = Harness::start(vec![web]).await;
    h.master.refuse("ACCEPT", true);
    h.master.push(offers("O1", "agent-1.local", (31000, 31010)));
    let task_id = first_task_id(&h.master.wait_call("ACCEPT").await);
    h.master.wait_call("RECONCILE").await;
    h.master.refuse("ACCEPT", false);
    h.master.push(master_update(
        &task_id,
        "TASK_LOST",
        "REASON_RECONCILIATION",
        "Reconciliation: Task is unreachable",
    ));
    // No other input follows: the replacement must not wait for the 30 s
    // housekeeping tick.
    let state =
        h.wait("a replacement queued", |s| s.queue.iter().any(|q| q.app_id == "/web" && q.count == 1)).await;
    assert_eq!(state.deployments.len(), 1, "the deployment is still running");
    h.master.push(offers("O2", "agent-1.local", (31000, 31010)));
    let new_id = first_task_id(&h.master.wait_call("ACCEPT").await);
    assert_ne!(new_id, task_id, "a new task replaces the unreachable one");
    h.stop().await;
}

#[tokio::test]
async fn a_task_lost_with_its_agent_is_replaced_after_inactive_after_and_forgotten_after_expunge_after() {
    let web = app(
        r#"{"id":"/web","cmd":"sleep 30","instances":1,"cpus":0.25,"mem":32,
            "unreachableStrategy":{"inactiveAfterSeconds":1,"expungeAfterSeconds":2}}"#,
        "2024-01-01T00:00:00.000Z",
    );
    let mut h = Harness::start(vec![web]).await;
    h.master.push(offers("O1", "agent-1.local", (31000, 31010)));
    let task_id = first_task_id(&h.master.wait_call("ACCEPT").await);
    h.master.push(update(&task_id, "TASK_RUNNING"));
    h.wait("running", |s| s.deployments.is_empty() && s.instances.len() == 1).await;

    let lost_at = std::time::Instant::now();
    h.master.push(master_update(
        &task_id,
        "TASK_LOST",
        "REASON_AGENT_REMOVED",
        "Agent agent-1 removed: unreachable",
    ));
    let state =
        h.wait("unreachable", |s| s.instances.iter().any(|i| i.condition == Condition::Unreachable)).await;
    // Within the window the instance still counts (if nothing slow ran,
    // the second has not passed yet and nothing is queued).
    if lost_at.elapsed() < Duration::from_millis(900) {
        assert!(state.queue.is_empty(), "replaced before inactiveAfterSeconds: {:?}", state.queue);
    }
    // No input arrives after the update: the loop wakes up at the timer,
    // not at its 30 s housekeeping.
    h.wait("a replacement queued after inactiveAfterSeconds", |s| {
        s.queue.iter().any(|q| q.app_id == "/web" && q.count == 1)
            && s.instances
                .iter()
                .any(|i| i.task_id == task_id && i.condition == Condition::UnreachableInactive)
    })
    .await;
    assert!(lost_at.elapsed() >= Duration::from_secs(1), "replaced after {:?}", lost_at.elapsed());
    let state =
        h.wait("forgotten after expungeAfterSeconds", |s| s.gone.iter().any(|g| g.task_id == task_id)).await;
    assert!(lost_at.elapsed() >= Duration::from_secs(2), "expunged after {:?}", lost_at.elapsed());
    assert!(!state.intents.values().any(|i| i.task_id == task_id), "its intent is expunged");
    h.stop().await;
}

#[tokio::test]
async fn failed_task_is_relaunched_after_backoff() {
    let web = app(
        r#"{"id":"/web","cmd":"false","instances":1,"cpus":0.1,"mem":16,"backoffSeconds":1,"portDefinitions":[]}"#,
        "2024-01-01T00:00:00.000Z",
    );
    let mut h = Harness::start(vec![web]).await;
    h.master.push(offers("O1", "agent-1", (31000, 31010)));
    let first = first_task_id(&h.master.wait_call("ACCEPT").await);
    h.master.push(update(&first, "TASK_FAILED"));
    h.wait("the failure reported", |s| {
        s.failures.iter().any(|f| f.task_id == first && f.state == "TASK_FAILED")
    })
    .await;
    let queued =
        h.wait("a delayed replacement", |s| s.queue.iter().any(|q| q.app_id == "/web" && q.count == 1)).await;
    assert!(!queued.queue[0].overdue || queued.queue[0].time_left_seconds == 0);
    // Offers arriving during the backoff are declined.
    h.master.push(offers("O2", "agent-1", (31000, 31010)));
    let decline = h.master.wait_call("DECLINE").await;
    assert_eq!(decline["decline"]["offer_ids"][0]["value"], "O2");
    h.master.wait_call("REVIVE").await;
    h.master.push(offers("O3", "agent-1", (31000, 31010)));
    let accept = h.master.wait_call("ACCEPT").await;
    assert_eq!(accept["accept"]["offer_ids"][0]["value"], "O3");
    let second = first_task_id(&accept);
    assert_ne!(first, second, "a new instance replaces the failed one");
    h.stop().await;
}

#[tokio::test]
async fn scaling_to_zero_kills_the_task() {
    let version = "2024-01-01T00:00:00.000Z";
    let web = app(r#"{"id":"/web","cmd":"sleep 30","instances":1,"cpus":0.1,"mem":16}"#, version);
    let mut h = Harness::start(vec![web.clone()]).await;
    h.master.push(offers("O1", "agent-1", (31000, 31010)));
    let task = first_task_id(&h.master.wait_call("ACCEPT").await);
    h.master.push(update(&task, "TASK_RUNNING"));
    h.wait("running", |s| s.deployments.is_empty() && s.instances.len() == 1).await;

    let mut scaled = web;
    scaled.instances = 0;
    scaled.version = Timestamp::parse("2024-01-02T00:00:00.000Z");
    h.target.deploy(vec![scaled]).expect("plan");
    let kill = h.master.wait_call("KILL").await;
    assert_eq!(kill["kill"]["task_id"]["value"], task.as_str());
    assert_eq!(kill["kill"]["agent_id"]["value"], "agent-1");
    let mut killed = update(&task, "TASK_KILLED");
    killed["update"]["status"]["message"] = json!("Command terminated with signal Terminated");
    h.master.push(killed);
    let state = h
        .wait("the instance gone and the scale finished", |s| {
            s.instances.is_empty() && s.deployments.is_empty()
        })
        .await;
    assert!(state.intents.is_empty(), "the intent is expunged");
    assert!(state.failures.is_empty(), "a kill is not a failure");
    assert!(
        state.gone.iter().any(|g| g.task_id == task
            && g.state == "TASK_KILLED"
            && g.message == "Command terminated with signal Terminated"),
        "the final state is reported with Mesos' message: {:?}",
        state.gone
    );
    h.stop().await;
}

#[tokio::test]
async fn kill_command_from_the_api_kills_the_task_and_launches_a_replacement() {
    let web = app(
        r#"{"id":"/web","cmd":"sleep 30","instances":1,"cpus":0.1,"mem":16}"#,
        "2024-01-01T00:00:00.000Z",
    );
    let mut h = Harness::start(vec![web]).await;
    h.master.push(offers("O1", "agent-1", (31000, 31010)));
    let task = first_task_id(&h.master.wait_call("ACCEPT").await);
    h.master.push(update(&task, "TASK_RUNNING"));
    h.wait("running", |s| s.deployments.is_empty() && s.instances.len() == 1).await;

    let unknown = "web.instance-00000000-0000-0000-0000-000000000000._app.1".to_owned();
    assert!(h.target.send_command(DriverCommand::KillTasks(vec![unknown, task.clone()])));
    let kill = h.master.wait_call("KILL").await;
    assert_eq!(kill["kill"]["task_id"]["value"], task.as_str(), "only the known task is killed");
    h.master.wait_call("REVIVE").await;
    h.master.push(offers("O2", "agent-1", (31000, 31010)));
    let second = first_task_id(&h.master.wait_call("ACCEPT").await);
    assert_ne!(second, task, "a replacement instance");
    h.master.push(update(&task, "TASK_KILLED"));
    let state = h.wait("the killed task gone", |s| s.gone.iter().any(|g| g.task_id == task)).await;
    assert!(state.failures.is_empty(), "a requested kill is not a failure");
    h.stop().await;
}

#[tokio::test]
async fn deployment_finishes_only_when_the_health_check_passes() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    let web = app(
        &format!(
            r#"{{"id":"/web","cmd":"sleep 30","instances":1,"cpus":0.1,"mem":16,"requirePorts":true,
                "portDefinitions":[{{"port":{port}}}],
                "healthChecks":[{{"protocol":"TCP","portIndex":0,"intervalSeconds":1,"gracePeriodSeconds":1}}]}}"#
        ),
        "2024-01-01T00:00:00.000Z",
    );
    let mut h = Harness::start(vec![web]).await;
    h.master.push(offers("O1", "127.0.0.1", (u64::from(port), u64::from(port))));
    let task = first_task_id(&h.master.wait_call("ACCEPT").await);
    h.master.push(update(&task, "TASK_RUNNING"));
    let state = h
        .wait("healthy and finished", |s| {
            s.deployments.is_empty() && s.instances.first().is_some_and(|i| i.healthy == Some(true))
        })
        .await;
    assert_eq!(state.instances[0].ports, [port]);
    drop(listener);
    h.stop().await;
}

/// Answers every HTTP request with the status currently in `status`.
async fn serve_status(listener: tokio::net::TcpListener, status: Arc<std::sync::atomic::AtomicU16>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    while let Ok((mut socket, _)) = listener.accept().await {
        let mut buf = [0u8; 1024];
        let _ = socket.read(&mut buf).await;
        let code = status.load(std::sync::atomic::Ordering::SeqCst);
        let reply = format!("HTTP/1.1 {code} X\r\ncontent-type: text/plain\r\ncontent-length: 4\r\nconnection: close\r\n\r\nwarm");
        let _ = socket.write_all(reply.as_bytes()).await;
    }
}

#[tokio::test]
async fn deployment_finishes_only_when_the_readiness_check_passes() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let status = Arc::new(std::sync::atomic::AtomicU16::new(503));
    tokio::spawn(serve_status(listener, status.clone()));
    let web = app(
        &format!(
            r#"{{"id":"/web","cmd":"sleep 30","instances":1,"cpus":0.1,"mem":16,"requirePorts":true,
                "portDefinitions":[{{"port":{port},"name":"http-api"}}],
                "readinessChecks":[{{"path":"/ready","portName":"http-api","intervalSeconds":2,
                    "timeoutSeconds":1,"preserveLastResponse":true}}]}}"#
        ),
        "2024-01-01T00:00:00.000Z",
    );
    let mut h = Harness::start(vec![web]).await;
    h.master.push(offers("O1", "127.0.0.1", (u64::from(port), u64::from(port))));
    let task = first_task_id(&h.master.wait_call("ACCEPT").await);
    h.master.push(update(&task, "TASK_RUNNING"));
    let state = h
        .wait("a not-ready result", |s| {
            s.instances.first().and_then(|i| i.readiness.as_ref()).is_some_and(|r| !r.ready)
        })
        .await;
    assert_eq!(state.deployments.len(), 1, "a running but unready instance does not finish the deployment");
    let result = state.instances[0].readiness.clone().unwrap();
    assert_eq!(result.name, "readinessCheck");
    let response = result.last_response.expect("preserved");
    assert_eq!((response.status, response.body.as_str()), (503, "warm"));

    status.store(200, std::sync::atomic::Ordering::SeqCst);
    h.wait("the deployment finished", |s| s.deployments.is_empty()).await;
    h.stop().await;
}
