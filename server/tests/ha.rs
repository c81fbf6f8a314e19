//! High availability end to end: three `dromos --zk` processes against a
//! real ZooKeeper (started here on a free port; the test is skipped with a
//! message when Java or Debian's ZooKeeper jar is missing).
//!
//! Checks: exactly one leader; a write sent to a follower is proxied and
//! visible everywhere; `/v2/events` on a follower redirects to the leader;
//! `DELETE /v2/leader` hands over; after `kill -9` of the leader a new one
//! serves every app and version. Failover times are printed, not asserted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/zookeeper.rs"]
mod zookeeper;

use std::path::Path;
use std::time::{Duration, Instant};

use end2end::dromos::DromosProcess;
use reqwest::StatusCode;
use serde_json::{json, Value};

use zookeeper::ZooKeeperServer;

/// Short sessions so failover takes seconds (ZooKeeper's tick is 500 ms).
const SESSION_TIMEOUT_MS: &str = "2000";
/// Failover repetitions measured.
const FAILOVERS: usize = 5;
/// Bound on waiting for any cluster-wide condition.
const PATIENCE: Duration = Duration::from_secs(30);

fn start(zk_url: &str) -> DromosProcess {
    DromosProcess::start(
        Path::new(env!("CARGO_BIN_EXE_dromos")),
        &["--zk", zk_url, "--zk-session-timeout", SESSION_TIMEOUT_MS],
    )
    .expect("dromos starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// `/v2/info` of `process`, if it answers.
async fn info(http: &reqwest::Client, process: &DromosProcess) -> Option<Value> {
    let response = http.get(format!("{}/v2/info", process.url)).send().await.ok()?;
    response.json().await.ok()
}

/// Index of the one process reporting `elected`, once exactly one does
/// and every process names it as leader.
async fn wait_for_single_leader(http: &reqwest::Client, processes: &[DromosProcess]) -> usize {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let mut elected = Vec::new();
        let mut leaders = Vec::new();
        for (i, process) in processes.iter().enumerate() {
            let info = info(http, process).await.unwrap_or(Value::Null);
            if info["elected"] == json!(true) {
                elected.push(i);
            }
            leaders.push(info["leader"].as_str().map(|l| format!("http://{l}")));
        }
        if let [leader] = elected[..] {
            if leaders.iter().all(|l| l.as_deref() == Some(processes[leader].url.as_str())) {
                return leader;
            }
        }
        assert!(elected.len() <= 1, "two leaders at once: {elected:?}");
        assert!(Instant::now() < deadline, "no single leader within {PATIENCE:?}: {elected:?} {leaders:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn app(id: &str) -> Value {
    json!({"id": id, "cmd": "sleep 1000", "cpus": 0.01, "mem": 16, "instances": 0})
}

async fn app_ids(http: &reqwest::Client, process: &DromosProcess) -> Option<Vec<String>> {
    let response = http.get(format!("{}/v2/apps", process.url)).send().await.ok()?;
    if response.status() != StatusCode::OK {
        return None;
    }
    let body: Value = response.json().await.ok()?;
    let apps = body["apps"].as_array()?;
    Some(apps.iter().filter_map(|a| a["id"].as_str().map(str::to_owned)).collect())
}

async fn versions(http: &reqwest::Client, process: &DromosProcess, id: &str) -> Vec<String> {
    let response = http.get(format!("{}/v2/apps{id}/versions", process.url)).send().await.expect("versions");
    assert_eq!(response.status(), StatusCode::OK, "versions of {id}");
    let body: Value = response.json().await.expect("json");
    body["versions"].as_array().expect("versions array").iter().map(|v| v.to_string()).collect()
}

/// Every app with its versions, as `process` (through the proxy) sees it.
async fn snapshot(http: &reqwest::Client, process: &DromosProcess) -> Vec<(String, Vec<String>)> {
    let mut all = Vec::new();
    for id in app_ids(http, process).await.expect("apps listed") {
        let versions = versions(http, process, &id).await;
        all.push((id, versions));
    }
    all.sort();
    all
}

async fn create_app_via(http: &reqwest::Client, process: &DromosProcess, id: &str, leader_url: &str) {
    let response = http.post(format!("{}/v2/apps", process.url)).json(&app(id)).send().await.expect("POST");
    assert_eq!(response.status(), StatusCode::CREATED, "create {id}: {:?}", response.text().await);
    let header = response.headers().get("x-marathon-leader").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(header.as_deref(), Some(leader_url), "the answer names the leader");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_elect_one_leader_proxy_and_fail_over_without_loss() {
    let Some(zk) = ZooKeeperServer::start() else { return };
    let url = zk.url("/dromos");
    let http = client();
    let mut processes: Vec<DromosProcess> = (0..3).map(|_| start(&url)).collect();

    let leader = wait_for_single_leader(&http, &processes).await;
    let follower = (leader + 1) % processes.len();
    let leader_url = processes[leader].url.clone();
    create_app_via(&http, &processes[follower], "/ha/first", &leader_url).await;
    for process in &processes {
        let ids = app_ids(&http, process).await.expect("apps answer");
        assert!(ids.contains(&"/ha/first".to_owned()), "{} sees the app: {ids:?}", process.url);
    }

    let events = http.get(format!("{}/v2/events", processes[follower].url)).send().await.expect("events");
    assert_eq!(events.status(), StatusCode::TEMPORARY_REDIRECT);
    let location = events.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(location, format!("{leader_url}/v2/events"));

    let abdicated = http.delete(format!("{leader_url}/v2/leader")).send().await.expect("DELETE /v2/leader");
    assert_eq!(abdicated.status(), StatusCode::OK);
    assert_eq!(abdicated.json::<Value>().await.expect("json"), json!({"message": "Leadership abdicated"}));
    let mut leader = wait_for_single_leader(&http, &processes).await;
    assert_ne!(processes[leader].url, leader_url, "another instance leads after abdication");
    create_app_via(&http, &processes[(leader + 1) % 3], "/ha/after-abdication", &processes[leader].url).await;

    let mut timings = Vec::new();
    for round in 0..FAILOVERS {
        let id = format!("/ha/round-{round}");
        create_app_via(&http, &processes[(leader + 1) % 3], &id, &processes[leader].url.clone()).await;
        let before = snapshot(&http, &processes[leader]).await;
        processes.remove(leader).kill().expect("kill -9 the leader");
        let killed = Instant::now();
        let (new_leader, took) = wait_for_leader_serving(&http, &processes, &id, killed).await;
        timings.push(took);
        println!("failover {round}: {} ms", took.as_millis());
        assert_eq!(snapshot(&http, &processes[new_leader]).await, before, "no app or version lost");
        processes.push(start(&url));
        leader = wait_for_single_leader(&http, &processes).await;
    }
    report(&mut timings);
}

/// Waits until a survivor is elected and serves `/v2/apps` with `id`.
async fn wait_for_leader_serving(
    http: &reqwest::Client,
    processes: &[DromosProcess],
    id: &str,
    since: Instant,
) -> (usize, Duration) {
    loop {
        for (i, process) in processes.iter().enumerate() {
            let elected = info(http, process).await.is_some_and(|info| info["elected"] == json!(true));
            if elected && app_ids(http, process).await.is_some_and(|ids| ids.iter().any(|a| a == id)) {
                return (i, since.elapsed());
            }
        }
        assert!(since.elapsed() < PATIENCE, "no new leader serving {id} within {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn report(timings: &mut [Duration]) {
    timings.sort();
    let median = timings[timings.len() / 2];
    let max = timings[timings.len() - 1];
    println!(
        "failover over {} kill -9 rounds (session timeout {SESSION_TIMEOUT_MS} ms): median {} ms, max {} ms",
        timings.len(),
        median.as_millis(),
        max.as_millis()
    );
}
