//! Test harness: a real `LocalCluster` served on 127.0.0.1:0 by axum, and real
//! `dromos_mesos::client` frameworks connected to it.

use std::time::Duration;

use dromos_local::{router, AttributeSpec, LocalCluster, LocalConfig, MachineResources};
use dromos_mesos::client::{self, ClientConfig, ClientEvent, Scheduler, Url};
use dromos_mesos::v1::{
    AgentId, CommandInfo, Event, Filters, FrameworkId, FrameworkInfo, Offer, Operation, Resource, TaskId,
    TaskInfo, TaskState, TaskStatus,
};
use tokio_util::sync::CancellationToken;

/// How long any single expected event may take.
pub const WAIT: Duration = Duration::from_secs(15);

/// A fixed machine so offers are predictable.
pub const MACHINE: MachineResources =
    MachineResources { cpus: 4.0, mem_mb: 4096.0, disk_mb: 10000.0, ports: (31000, 32000) };

/// A cluster and the HTTP server in front of it.
pub struct Harness {
    pub cluster: LocalCluster,
    pub base: String,
    pub shutdown: CancellationToken,
    pub data_dir: tempfile::TempDir,
}

impl Harness {
    /// One agent on [`MACHINE`], fast allocation.
    pub async fn start() -> Harness {
        Self::start_with(|_| {}).await
    }

    /// Like `start`, after `adjust` changed the configuration.
    pub async fn start_with(adjust: impl FnOnce(&mut LocalConfig)) -> Harness {
        Self::start_in(tempfile::tempdir().expect("a temp dir"), adjust).await
    }

    /// Like `start_with`, on an existing data directory (restarts).
    pub async fn start_in(data_dir: tempfile::TempDir, adjust: impl FnOnce(&mut LocalConfig)) -> Harness {
        let mut config = LocalConfig::new(data_dir.path());
        config.machine = Some(MACHINE);
        config.allocation_interval = Duration::from_millis(50);
        config.heartbeat_interval = Duration::from_secs(1);
        config.status_update_retry = Duration::from_millis(500);
        adjust(&mut config);
        let shutdown = CancellationToken::new();
        let cluster = LocalCluster::start(config, shutdown.clone()).expect("the cluster starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("an address");
        let app = router(cluster.clone());
        let stop = shutdown.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned()).await;
        });
        Harness { cluster, base: format!("http://{address}"), shutdown, data_dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A framework named `name`, subscribed, with its SUBSCRIBED seen.
    pub async fn framework(&self, name: &str) -> Framework {
        self.framework_with(FrameworkInfo::new("root", name)).await
    }

    pub async fn framework_with(&self, info: FrameworkInfo) -> Framework {
        let master = Url::parse(&self.base).expect("a URL");
        let mut config = ClientConfig::new(master, info);
        config.backoff_initial = Duration::from_millis(20);
        config.backoff_max = Duration::from_millis(100);
        let cancel = CancellationToken::new();
        let client = client::start(config, cancel.clone()).expect("the client starts");
        let mut framework = Framework { client, cancel, id: FrameworkId::new(""), seen: Default::default() };
        framework.id = framework.connected().await;
        framework
    }

    /// GET `path` as JSON.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = reqwest::get(self.url(path)).await.expect("GET works");
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("JSON")
    }
}

impl Harness {
    /// Gives up the data directory without stopping the cluster: dropping
    /// the runtime it runs on afterwards is a crash (no task is killed).
    pub fn crash(mut self) -> tempfile::TempDir {
        self.shutdown = CancellationToken::new();
        std::mem::replace(&mut self.data_dir, tempfile::tempdir().expect("a temp dir"))
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A connected scheduler.
pub struct Framework {
    pub client: client::Client,
    pub cancel: CancellationToken,
    pub id: FrameworkId,
    /// Events received but not yet asked for.
    seen: std::collections::VecDeque<Event>,
}

impl Drop for Framework {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl Framework {
    pub fn scheduler(&self) -> &Scheduler {
        &self.client.scheduler
    }

    async fn connected(&mut self) -> FrameworkId {
        loop {
            match self.next_client_event(WAIT).await {
                Some(ClientEvent::Connected { framework_id, .. }) => return framework_id,
                Some(_) => {}
                None => panic!("no SUBSCRIBED within {WAIT:?}"),
            }
        }
    }

    async fn next_client_event(&mut self, wait: Duration) -> Option<ClientEvent> {
        tokio::time::timeout(wait, self.client.events.recv()).await.ok().flatten()
    }

    /// The next event within `wait`, acknowledging reliable updates on the way.
    pub async fn next_event(&mut self, wait: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_client_event(left).await? {
                ClientEvent::Event(Event::Update(status)) => {
                    self.scheduler().acknowledge_status(&status).await.expect("ACKNOWLEDGE accepted");
                    return Some(Event::Update(status));
                }
                ClientEvent::Event(event) => return Some(event),
                ClientEvent::Connected { .. } | ClientEvent::Disconnected { .. } => {}
            }
        }
    }

    /// The first event (buffered or new, within `wait`) for which `pick`
    /// returns something; events it passes over are kept for later waits.
    pub async fn wait_for<T>(
        &mut self,
        wait: Duration,
        mut pick: impl FnMut(&Event) -> Option<T>,
    ) -> Option<T> {
        if let Some((index, found)) = self.seen.iter().enumerate().find_map(|(i, e)| pick(e).map(|f| (i, f)))
        {
            self.seen.remove(index);
            return Some(found);
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let event = self.next_event(left).await?;
            match pick(&event) {
                Some(found) => return Some(found),
                None => self.seen.push_back(event),
            }
        }
    }

    /// The next OFFERS event's offers.
    pub async fn offers(&mut self) -> Vec<Offer> {
        self.try_offers(WAIT).await.expect("offers in time")
    }

    pub async fn try_offers(&mut self, wait: Duration) -> Option<Vec<Offer>> {
        self.wait_for(wait, |e| match e {
            Event::Offers(offers) => Some(offers.clone()),
            _ => None,
        })
        .await
    }

    /// Waits for an update of `task` in `state`.
    pub async fn update(&mut self, task: &str, state: TaskState) -> TaskStatus {
        self.wait_for(WAIT, |e| match e {
            Event::Update(s) if s.task_id.as_str() == task && s.state == state => Some(s.clone()),
            _ => None,
        })
        .await
        .unwrap_or_else(|| panic!("no {state} for {task} within {WAIT:?}"))
    }

    /// Launches a shell command task with small resources on `offer`; the rest
    /// is declined with `refuse_seconds` 0.
    pub async fn launch(&self, offer: &Offer, task_id: &str, command: CommandInfo) {
        let task = small_task(task_id, offer.agent_id.clone(), command);
        self.scheduler()
            .accept(
                vec![offer.id.clone()],
                vec![Operation::launch(vec![task])],
                Some(Filters::refuse_seconds(0.0)),
            )
            .await
            .expect("ACCEPT accepted");
    }
}

/// 0.1 cpus and 32 MB.
pub fn small_task(task_id: &str, agent_id: AgentId, command: CommandInfo) -> TaskInfo {
    let mut task = TaskInfo::command(task_id, TaskId::new(task_id), agent_id, command);
    task.resources = vec![Resource::scalar("cpus", 0.1), Resource::scalar("mem", 32.0)];
    task
}

pub fn scalar(offer: &Offer, name: &str) -> f64 {
    offer.resources.iter().filter(|r| r.name == name).map(Resource::scalar_value).sum()
}

/// Attributes for `--agent-attributes`.
pub fn attributes(text: &str) -> Vec<AttributeSpec> {
    AttributeSpec::parse_list(text).expect("valid attributes")
}

/// True while a live (non-zombie) process is in the process group `pid`.
/// Zombies are ignored: orphans re-parented to a PID 1 that does not reap stay
/// zombies in their group, but they are dead.
pub fn group_alive(pid: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else { return false };
    entries.filter_map(Result::ok).any(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { return false };
        // pid (comm) state ppid pgrp ...; comm may contain spaces, so split after ')'.
        let Some((_, rest)) = stat.rsplit_once(')') else { return false };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        fields.len() > 2 && fields[0] != "Z" && fields[2] == pid.to_string()
    })
}

/// The pid a TASK_RUNNING update reports.
pub fn executor_pid(status: &TaskStatus) -> u32 {
    status.container_status.as_ref().and_then(|c| c.executor_pid).expect("TASK_RUNNING carries the pid")
}

/// Polls `check` every 50 ms until it holds or `wait` passes.
pub async fn eventually(wait: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    while tokio::time::Instant::now() < deadline {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    check()
}
