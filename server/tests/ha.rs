//! High availability end to end: three `dromos --zk` processes against a
//! real ZooKeeper (started here on a free port; the test is skipped with a
//! message when Java or Debian's ZooKeeper jar is missing).
//!
//! Checks: exactly one leader; a write sent to a follower is proxied and
//! visible everywhere; `/v2/events` on a follower redirects to the leader;
//! `DELETE /v2/leader` hands over; after `kill -9` of the leader in the
//! middle of a rolling restart a new one serves every app and version and
//! completes the deployment, with every instance exactly once; ZooKeeper
//! stopped and restarted under the running instances: they step down, one
//! is re-elected, nothing is lost. Failover times are printed, not asserted.
//!
//! With `--master local` every instance runs its own embedded cluster, so
//! killing the leader here stands for losing its machine: the test also
//! kills the leader's task processes (found by their sandbox under its data
//! directory), as the machine's loss would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use end2end::dromos::DromosProcess;
use reqwest::StatusCode;
use serde_json::{json, Value};

use dromos_store::testing::ZooKeeperServer;

/// Short sessions so failover takes seconds (ZooKeeper's tick is 500 ms).
const SESSION_TIMEOUT_MS: &str = "2000";
/// Failover repetitions measured, each in the middle of a rolling restart.
const FAILOVERS: usize = 10;
/// Instances of the rolled app.
const WEB_INSTANCES: usize = 3;
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
    let Some(mut zk) = ZooKeeperServer::start() else { return };
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

    let web = "/ha/web";
    create_web_via(&http, &processes[leader], web).await;
    wait_for_rollout(&http, &processes[leader], web, None, Instant::now()).await;

    let mut api_timings = Vec::new();
    let mut done_timings = Vec::new();
    for round in 0..FAILOVERS {
        let id = format!("/ha/round-{round}");
        create_app_via(&http, &processes[(leader + 1) % 3], &id, &processes[leader].url.clone()).await;
        let version = restart(&http, &processes[leader], web).await;
        let mid = wait_for_new_tasks(&http, &processes[leader], web, &version).await;
        let before = snapshot(&http, &processes[leader]).await;
        let data_dir = processes.remove(leader).kill().expect("kill -9 the leader");
        let killed = Instant::now();
        let orphans = kill_processes_under(data_dir.path());
        drop(data_dir);
        let (new_leader, took) = wait_for_leader_serving(&http, &processes, &id, killed).await;
        assert_eq!(snapshot(&http, &processes[new_leader]).await, before, "no app or version lost");
        let done = wait_for_rollout(&http, &processes[new_leader], web, Some(&version), killed).await;
        println!(
            "failover {round}: API after {} ms, rolling restart done after {} ms \
             (killed with {mid} of {WEB_INSTANCES} new instances up and {orphans} task processes)",
            took.as_millis(),
            done.as_millis()
        );
        api_timings.push(took);
        done_timings.push(done);
        processes.push(start(&url));
        leader = wait_for_single_leader(&http, &processes).await;
    }
    report("new leader serves the API", &mut api_timings);
    report("interrupted rolling restart completes", &mut done_timings);

    // ZooKeeper goes away under the running cluster: nobody may lead.
    let before = snapshot(&http, &processes[leader]).await;
    zk.stop();
    let stopped = Instant::now();
    wait_until_nobody_leads(&http, &processes).await;
    println!("ZooKeeper stopped: every instance stepped down after {} ms", stopped.elapsed().as_millis());
    for process in &processes {
        let refused = http.post(format!("{}/v2/apps", process.url)).json(&app("/ha/lost")).send().await;
        let status = refused.expect("an answer").status();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "no writes without a leader");
    }
    zk.restart();
    let restarted = Instant::now();
    let leader = wait_for_single_leader(&http, &processes).await;
    println!("ZooKeeper restarted: one leader again after {} ms", restarted.elapsed().as_millis());
    assert_eq!(snapshot(&http, &processes[leader]).await, before, "nothing lost across the outage");
    wait_for_rollout(&http, &processes[leader], web, None, restarted).await;
}

/// Waits until every process answers and none reports `elected`.
async fn wait_until_nobody_leads(http: &reqwest::Client, processes: &[DromosProcess]) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let mut leading = Vec::new();
        for process in processes {
            let info = info(http, process).await.unwrap_or(Value::Null);
            if info["elected"] != json!(false) {
                leading.push((process.url.clone(), info["elected"].clone()));
            }
        }
        if leading.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "still leading without ZooKeeper: {leading:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A health-checked web server whose rolling restart takes a few seconds:
/// one instance at a time, each waiting for its first passing check.
async fn create_web_via(http: &reqwest::Client, process: &DromosProcess, id: &str) {
    let app = json!({
        "id": id,
        "cmd": "exec python3 -m http.server $PORT0 --bind 127.0.0.1",
        "cpus": 0.01,
        "mem": 32,
        "instances": WEB_INSTANCES,
        "healthChecks": [{
            "protocol": "HTTP", "path": "/", "portIndex": 0,
            "gracePeriodSeconds": 10, "intervalSeconds": 1, "timeoutSeconds": 1,
            "maxConsecutiveFailures": 3
        }],
        "upgradeStrategy": {"minimumHealthCapacity": 0.6, "maximumOverCapacity": 0.0}
    });
    let response = http.post(format!("{}/v2/apps", process.url)).json(&app).send().await.expect("POST");
    assert_eq!(response.status(), StatusCode::CREATED, "create {id}: {:?}", response.text().await);
}

/// `POST /v2/apps/{id}/restart`; the new version.
async fn restart(http: &reqwest::Client, process: &DromosProcess, id: &str) -> String {
    let response =
        http.post(format!("{}/v2/apps{id}/restart", process.url)).send().await.expect("POST restart");
    assert_eq!(response.status(), StatusCode::OK, "restart {id}");
    let body: Value = response.json().await.expect("json");
    body["version"].as_str().expect("version").to_owned()
}

/// The tasks of `id` as `process` answers them.
async fn tasks(http: &reqwest::Client, process: &DromosProcess, id: &str) -> Option<Vec<Value>> {
    let response = http.get(format!("{}/v2/apps{id}/tasks", process.url)).send().await.ok()?;
    if response.status() != StatusCode::OK {
        return None;
    }
    let body: Value = response.json().await.ok()?;
    body["tasks"].as_array().cloned()
}

fn healthy(task: &Value) -> bool {
    task["state"] == "TASK_RUNNING" && task["healthCheckResults"][0]["alive"] == json!(true)
}

/// Waits until the rolling restart to `version` is under way: at least one
/// new instance is healthy. Returns how many are.
async fn wait_for_new_tasks(
    http: &reqwest::Client,
    process: &DromosProcess,
    id: &str,
    version: &str,
) -> usize {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let tasks = tasks(http, process, id).await.unwrap_or_default();
        let new = tasks.iter().filter(|t| t["version"] == version && healthy(t)).count();
        if new > 0 {
            return new;
        }
        assert!(Instant::now() < deadline, "the restart of {id} did not start: {tasks:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until no deployment is running and `id` has exactly its instances,
/// all healthy, at `version` (or any version), each instance once.
async fn wait_for_rollout(
    http: &reqwest::Client,
    process: &DromosProcess,
    id: &str,
    version: Option<&str>,
    since: Instant,
) -> Duration {
    let deadline = since + PATIENCE * 2;
    loop {
        let deployments = http.get(format!("{}/v2/deployments", process.url)).send().await.ok();
        let idle = match deployments {
            Some(r) if r.status() == StatusCode::OK => {
                r.json::<Value>().await.ok().and_then(|v| v.as_array().map(Vec::is_empty)).unwrap_or(false)
            }
            _ => false,
        };
        let tasks = tasks(http, process, id).await.unwrap_or_default();
        let current =
            tasks.iter().filter(|t| version.is_none_or(|v| t["version"] == v) && healthy(t)).count();
        if idle && current == WEB_INSTANCES && tasks.len() == WEB_INSTANCES {
            let mut instances: Vec<&str> = tasks
                .iter()
                .filter_map(|t| t["id"].as_str())
                .map(|task| task.rsplit_once('.').map_or(task, |(instance, _)| instance))
                .collect();
            instances.sort_unstable();
            instances.dedup();
            assert_eq!(instances.len(), WEB_INSTANCES, "every instance runs exactly once: {tasks:?}");
            return since.elapsed();
        }
        if Instant::now() >= deadline {
            let deployments = http.get(format!("{}/v2/deployments", process.url)).send().await;
            let deployments = match deployments {
                Ok(r) => r.text().await.unwrap_or_default(),
                Err(e) => e.to_string(),
            };
            panic!(
                "{id} did not roll out: idle={idle} deployments={deployments} tasks={tasks:?}\n\
                 the process's warnings and deployment log:\n{}",
                notable_log(process).join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The log lines of `process` worth reading after a failure: warnings,
/// errors and everything about deployments.
fn notable_log(process: &DromosProcess) -> Vec<String> {
    process
        .drain_log()
        .into_iter()
        .filter(|line| line.contains("\"WARN\"") || line.contains("\"ERROR\"") || line.contains("deployment"))
        .collect()
}

/// SIGKILLs every process whose working directory is under `dir` (task
/// sandboxes live under the data directory); how many there were.
fn kill_processes_under(dir: &Path) -> usize {
    let Ok(dir) = dir.canonicalize() else { return 0 };
    let mut killed = 0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|p| p.parse::<i32>().ok()) else { continue };
        let under = std::fs::read_link(entry.path().join("cwd")).is_ok_and(|cwd| cwd.starts_with(&dir));
        if under
            && nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL)
                .is_ok()
        {
            killed += 1;
        }
    }
    killed
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

fn report(what: &str, timings: &mut [Duration]) {
    timings.sort();
    let median = timings[timings.len() / 2];
    let max = timings[timings.len() - 1];
    println!(
        "failover, {what}: over {} kill -9 rounds (session timeout {SESSION_TIMEOUT_MS} ms): \
         median {} ms, max {} ms",
        timings.len(),
        median.as_millis(),
        max.as_millis()
    );
}
