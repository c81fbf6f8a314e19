//! The harness of the scheduling tests: a real `dromos` binary with its
//! embedded cluster, a REST client, an `/v2/events` recorder, and polling
//! with deadlines (no fixed sleeps).

use std::collections::BTreeSet;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use end2end::dromos::DromosProcess;
use serde_json::Value;
use tokio::sync::Notify;

/// How long any one expected change may take on a loaded 2-core machine.
pub const DEADLINE: Duration = Duration::from_secs(90);

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dromos"))
}

/// A running dromos and a client for it. Dropped, it stops dromos with
/// SIGTERM (the embedded cluster then kills its tasks) after killing any
/// task process still in its sandboxes, so a failed test leaves nothing
/// running (a plain `DromosProcess` drop is a SIGKILL, which orphans them).
pub struct Dromos {
    process: Option<DromosProcess>,
    pub http: reqwest::Client,
}

impl Dromos {
    pub fn start() -> Self {
        Self::wrap(DromosProcess::start(&bin(), &[]).expect("dromos starts"))
    }

    pub fn wrap(process: DromosProcess) -> Self {
        Self { process: Some(process), http: reqwest::Client::new() }
    }

    pub fn process(&self) -> &DromosProcess {
        self.process.as_ref().expect("dromos runs until dropped or killed")
    }

    /// Stops dromos with SIGTERM (its embedded cluster stops the tasks);
    /// returns the data directory for a restart.
    pub fn stop(mut self) -> tempfile::TempDir {
        let process = self.process.take().expect("dromos runs");
        process.stop(Duration::from_secs(15)).expect("graceful stop")
    }

    /// `kill -9`; returns the data directory for a restart.
    pub fn kill(mut self) -> tempfile::TempDir {
        let process = self.process.take().expect("dromos runs");
        process.kill().expect("kill -9")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.process().url)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let resp = self.http.get(self.url(path)).send().await.expect("GET");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: &str) -> (u16, Value) {
        let resp = self
            .http
            .request(method, self.url(path))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// `/v2/tasks` entries of `app` (e.g. `/sleepy`).
    pub async fn tasks_of(&self, app: &str) -> Vec<Value> {
        let (_, body) = self.get("/v2/tasks").await;
        let tasks = body["tasks"].as_array().cloned().unwrap_or_default();
        tasks.into_iter().filter(|t| t["appId"] == app).collect()
    }

    /// The `app` object of `GET /v2/apps/{id}`.
    pub async fn app(&self, id: &str) -> Value {
        self.get(&format!("/v2/apps{id}")).await.1["app"].clone()
    }

    /// Process groups (one per task: the shell and its children) alive in
    /// this dromos' sandboxes.
    pub fn task_groups(&self) -> BTreeSet<i32> {
        task_groups(&self.process().data_dir().join("sandboxes"))
    }
}

impl Drop for Dromos {
    fn drop(&mut self) {
        if let Some(process) = self.process.take() {
            // Every task process, adoptable or not: nothing outlives a test.
            server::scheduling::orphans::reap_except(process.data_dir(), &[]);
            let _ = process.terminate(Duration::from_secs(15));
        }
    }
}

/// Process groups of the live processes under `sandboxes`.
pub fn task_groups(sandboxes: &Path) -> BTreeSet<i32> {
    live_processes(sandboxes).into_iter().map(|o| o.pgid).collect()
}

/// Processes under `sandboxes` that are not zombies.
pub fn live_processes(sandboxes: &Path) -> Vec<server::scheduling::orphans::Orphan> {
    server::scheduling::orphans::find(sandboxes)
        .into_iter()
        .filter(|o| {
            std::fs::read_to_string(format!("/proc/{}/stat", o.pid))
                .ok()
                .and_then(|s| s.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next()))
                .is_some_and(|state| state != 'Z')
        })
        .collect()
}

/// Polls `probe` every 100 ms until it yields `Some`, or panics with
/// `what` and the last value seen after [`DEADLINE`].
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < DEADLINE {
        match probe().await {
            Ok(value) => return value,
            Err(seen) => last = seen,
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out after {DEADLINE:?} waiting for {what}; last seen: {last}");
}

/// One `/v2/events` message.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: String,
    pub data: Value,
    pub at: Instant,
}

/// Records every event of one `/v2/events` subscription.
#[derive(Clone)]
pub struct Events {
    seen: Arc<Mutex<Vec<Event>>>,
    notify: Arc<Notify>,
}

impl Events {
    /// Subscribes (the subscription is open when this returns).
    pub async fn subscribe(dromos: &Dromos) -> Self {
        let mut stream = dromos
            .http
            .get(dromos.url("/v2/events"))
            .header("accept", "text/event-stream")
            .send()
            .await
            .expect("subscribe to /v2/events");
        assert_eq!(stream.status(), 200);
        let events = Events { seen: Arc::default(), notify: Arc::default() };
        let sink = events.clone();
        tokio::spawn(async move {
            let mut buffer = String::new();
            while let Ok(Some(chunk)) = stream.chunk().await {
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let message: String = buffer.drain(..end + 2).collect();
                    sink.push(&message);
                }
            }
        });
        events
    }

    fn push(&self, message: &str) {
        let kind = message.lines().find_map(|l| l.strip_prefix("event: ")).unwrap_or_default();
        let data = message.lines().find_map(|l| l.strip_prefix("data: ")).unwrap_or("null");
        let event = Event {
            kind: kind.to_owned(),
            data: serde_json::from_str(data).unwrap_or(Value::Null),
            at: Instant::now(),
        };
        self.seen.lock().expect("events lock").push(event);
        self.notify.notify_waiters();
    }

    /// Events so far matching `pred`.
    pub fn matching(&self, pred: impl Fn(&Event) -> bool) -> Vec<Event> {
        self.seen.lock().expect("events lock").iter().filter(|e| pred(e)).cloned().collect()
    }

    /// Waits for the first event matching `pred` (seen before or after the call).
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let notified = self.notify.notified();
            if let Some(event) = self.matching(&pred).into_iter().next() {
                return event;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let kinds: Vec<String> = self.matching(|_| true).into_iter().map(|e| e.kind).collect();
                panic!("no {what} within {DEADLINE:?}; events seen: {kinds:?}");
            }
        }
    }
}

/// A status update of `app` in state `state`.
pub fn status_update(app: &str, state: &str) -> impl Fn(&Event) -> bool {
    let (app, state) = (app.to_owned(), state.to_owned());
    move |e| {
        e.kind == "status_update_event"
            && e.data["appId"] == app.as_str()
            && e.data["taskStatus"] == state.as_str()
    }
}
