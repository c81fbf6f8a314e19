//! The benchmark's dromos: a release binary with simulated tasks, filled
//! with the workload, and a recorder of its `status_update_event`s.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use end2end::dromos::DromosProcess;
use serde_json::{json, Value};

/// Apps created per `PUT /v2/apps`.
const BATCH: usize = 100;
/// Room for 10,000 instances of 0.1 cpus and 32 MB (and some to spare).
const RESOURCES: &str = "cpus:2000;mem:1000000;disk:1000000";
/// How long filling the cluster may take (`UI_BENCH_SETUP_SECS`).
fn setup_limit() -> Duration {
    let secs = std::env::var("UI_BENCH_SETUP_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    Duration::from_secs(secs)
}

/// A running dromos with the workload in place.
pub struct Cluster {
    process: DromosProcess,
    pub url: String,
    pub http: reqwest::Client,
    pub setup_secs: f64,
    pub events: Events,
}

/// `$DROMOS_BIN`, else the release build.
fn binary() -> PathBuf {
    let bin = std::env::var_os("DROMOS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| end2end::target_dir().join("release/dromos"));
    assert!(bin.exists(), "{} is missing: run scripts/bench-ui.sh (or set DROMOS_BIN)", bin.display());
    bin
}

/// App `index` of the workload: ids sort like the numbers, half of them
/// with a COMMAND health check (simulated checks pass), a few labels.
fn app(index: usize, instances: usize) -> Value {
    let mut app = json!({
        "id": format!("/bench-{index:04}"), "cmd": "sleep 3600", "cpus": 0.1, "mem": 32, "disk": 0,
        "instances": instances, "portDefinitions": [],
        "labels": {"team": format!("team-{}", index % 10), "tier": if index.is_multiple_of(3) { "web" } else { "worker" }},
    });
    if index.is_multiple_of(2) {
        app["healthChecks"] =
            json!([{"protocol": "COMMAND", "command": {"value": "true"}, "gracePeriodSeconds": 5}]);
    }
    app
}

impl Cluster {
    /// Starts dromos and waits until `apps` × `instances` tasks run.
    pub async fn start(apps: usize, instances: usize) -> Cluster {
        let started = Instant::now();
        let process = DromosProcess::start(&binary(), &["--local-simulate", "--local-resources", RESOURCES])
            .expect("dromos starts");
        let url = process.url.clone();
        let http = reqwest::Client::new();
        let events = Events::subscribe(&http, &url).await;
        let mut cluster = Cluster { process, url, http, setup_secs: 0.0, events };
        for first in (0..apps).step_by(BATCH) {
            let batch: Vec<Value> = (first..(first + BATCH).min(apps)).map(|i| app(i, instances)).collect();
            let response = cluster
                .http
                .put(format!("{}/v2/apps", cluster.url))
                .json(&batch)
                .send()
                .await
                .expect("PUT /v2/apps");
            let status = response.status();
            assert!(
                status.is_success(),
                "PUT /v2/apps: {status} {}",
                response.text().await.unwrap_or_default()
            );
        }
        cluster.wait_running(apps * instances).await;
        cluster.setup_secs = started.elapsed().as_secs_f64();
        cluster
    }

    /// GET `path` as JSON.
    pub async fn get(&self, path: &str) -> Value {
        let response = self.http.get(format!("{}{path}", self.url)).send().await.expect("GET");
        response.json().await.unwrap_or(Value::Null)
    }

    async fn wait_running(&self, tasks: usize) {
        let started = Instant::now();
        let mut last_print = Instant::now();
        loop {
            let apps = self.get("/v2/apps?embed=apps.counts").await;
            let count = |key: &str| -> u64 {
                apps["apps"]
                    .as_array()
                    .map_or(0, |a| a.iter().map(|app| app[key].as_u64().unwrap_or(0)).sum())
            };
            let (running, staged) = (count("tasksRunning"), count("tasksStaged"));
            let deployments = self.get("/v2/deployments").await.as_array().map_or(usize::MAX, Vec::len);
            if running as usize >= tasks && deployments == 0 {
                return;
            }
            if last_print.elapsed() > Duration::from_secs(10) {
                println!(
                    "setup: {running} of {tasks} tasks running, {staged} staged, {deployments} deployments"
                );
                last_print = Instant::now();
            }
            // Nobody reads dromos' log here; keep it from piling up.
            drop(self.process.drain_log());
            let limit = setup_limit();
            assert!(
                started.elapsed() < limit,
                "only {running} of {tasks} tasks running ({staged} staged) after {limit:?}; \
                 UI_BENCH_INSTANCES=1 runs the same apps with one task each; UI_BENCH_SETUP_SECS waits longer."
            );
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Reads every running task from the API into the event books (from
    /// then on the events keep them); returns every app id.
    pub async fn track_all_running(&self) -> Vec<String> {
        let tasks = self.get("/v2/tasks").await;
        let mut by_app: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for task in tasks["tasks"].as_array().into_iter().flatten() {
            if let (Some(app), Some(id), "TASK_RUNNING") =
                (task["appId"].as_str(), task["id"].as_str(), task["state"].as_str().unwrap_or_default())
            {
                by_app.entry(app.to_owned()).or_default().insert(id.to_owned());
            }
        }
        let apps: Vec<String> = by_app.keys().cloned().collect();
        for (app, ids) in by_app {
            self.events.add_running(&app, ids);
        }
        apps
    }

    /// Dromos' log lines since the last call.
    pub fn drain_log(&self) -> Vec<String> {
        self.process.drain_log()
    }
}

/// One `status_update_event` as the harness received it.
#[derive(Debug, Clone)]
pub struct StatusEvent {
    pub at: Instant,
    pub app: String,
    pub task: String,
    pub state: String,
}

/// Every `status_update_event` of one `/v2/events` subscription, and the
/// running tasks they imply, per app.
#[derive(Clone, Default)]
pub struct Events {
    inner: Arc<Mutex<Recorded>>,
}

#[derive(Default)]
struct Recorded {
    /// In arrival order (one task reads the subscription).
    seen: Vec<StatusEvent>,
    running: BTreeMap<String, BTreeSet<String>>,
}

impl Events {
    /// Subscribes to `/v2/events` for status events. Dromos closes the
    /// stream of a subscriber that falls more than its bus buffer behind
    /// (the setup's burst of 10,000 tasks can still do that; 1,000 do
    /// not), as Marathon does; like any client, the harness then
    /// subscribes again, and says so (also when dromos stops at the end).
    async fn subscribe(http: &reqwest::Client, url: &str) -> Events {
        let events = Events::default();
        let mut stream = Self::open(http, url).await.expect("subscribe to /v2/events");
        let (sink, http, url) = (events.clone(), http.clone(), url.to_owned());
        tokio::spawn(async move {
            loop {
                let mut buffer = String::new();
                while let Ok(Some(chunk)) = stream.chunk().await {
                    buffer.push_str(&String::from_utf8_lossy(&chunk));
                    while let Some(end) = buffer.find("\n\n") {
                        let message: String = buffer.drain(..end + 2).collect();
                        sink.push(&message);
                    }
                }
                println!("harness: dromos ended the /v2/events subscription; subscribing again");
                // None once dromos is gone, at the end of the run.
                match Self::open(&http, &url).await {
                    Some(again) => stream = again,
                    None => break,
                }
            }
        });
        events
    }

    async fn open(http: &reqwest::Client, url: &str) -> Option<reqwest::Response> {
        let stream = http
            .get(format!("{url}/v2/events?event_type=status_update_event"))
            .header("accept", "text/event-stream")
            .send()
            .await
            .ok()?;
        (stream.status() == 200).then_some(stream)
    }

    fn push(&self, message: &str) {
        let Some(data) = message.lines().find_map(|l| l.strip_prefix("data: ")) else { return };
        let Ok(data) = serde_json::from_str::<Value>(data) else { return };
        let text = |key: &str| data[key].as_str().unwrap_or_default().to_owned();
        let event = StatusEvent {
            at: Instant::now(),
            app: text("appId"),
            task: text("taskId"),
            state: text("taskStatus"),
        };
        let mut recorded = self.inner.lock().expect("events lock");
        let tasks = recorded.running.entry(event.app.clone()).or_default();
        if event.state == "TASK_RUNNING" {
            tasks.insert(event.task.clone());
        } else {
            tasks.remove(&event.task);
        }
        recorded.seen.push(event);
    }

    /// Events received from `since` on.
    pub fn since(&self, since: Instant) -> Vec<StatusEvent> {
        let recorded = self.inner.lock().expect("events lock");
        recorded.seen.iter().filter(|e| e.at >= since).cloned().collect()
    }

    /// How many events were received from `since` on (cheap: the events
    /// are kept in arrival order).
    pub fn count_since(&self, since: Instant) -> usize {
        let recorded = self.inner.lock().expect("events lock");
        recorded.seen.len() - recorded.seen.partition_point(|e| e.at < since)
    }

    /// How many events from `since` on ended a task (killed, failed,
    /// finished, lost, ...).
    pub fn count_ended_since(&self, since: Instant) -> usize {
        let recorded = self.inner.lock().expect("events lock");
        let from = recorded.seen.partition_point(|e| e.at < since);
        let active = ["TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING"];
        recorded.seen[from..].iter().filter(|e| !active.contains(&e.state.as_str())).count()
    }

    /// Takes one running task of `app` out of the books (it is about to
    /// be killed), if the events showed one.
    pub fn take_running(&self, app: &str) -> Option<String> {
        let mut recorded = self.inner.lock().expect("events lock");
        let tasks = recorded.running.get_mut(app)?;
        let task = tasks.iter().next().cloned()?;
        tasks.remove(&task);
        Some(task)
    }

    /// Records tasks known to run (read from the API before streaming).
    pub fn add_running(&self, app: &str, tasks: BTreeSet<String>) {
        let mut recorded = self.inner.lock().expect("events lock");
        recorded.running.entry(app.to_owned()).or_default().extend(tasks);
    }
}
