//! `LocalCluster`: starting the master actor and the cloneable handle the HTTP
//! layer (and the server) talk to it through.

use std::path::PathBuf;
use std::sync::Arc;

use dromos_mesos::v1::{Call, FrameworkInfo};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::checkpoint::Checkpoints;
use crate::config::LocalConfig;
use crate::error::LocalError;
use crate::executor::cgroups::CgroupLimits;
use crate::files::TaskSandbox;
use crate::machine::MachineResources;
use crate::master::{now_seconds, Agent, CallError, Command, Master, Subscription, View};

/// A running embedded master with its agents. Cheap to clone; every clone
/// talks to the same actor.
#[derive(Debug, Clone)]
pub struct LocalCluster {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    commands: mpsc::UnboundedSender<Command>,
    master_id: String,
    agents: usize,
    stopped: CancellationToken,
    /// Root of every sandbox (`<data dir>/sandboxes`).
    sandboxes: PathBuf,
    /// Process groups re-adopted at start.
    adopted: Vec<u32>,
}

impl LocalCluster {
    /// Detects the machine, creates the data directory, recovers the tasks
    /// an earlier run recorded (re-adopting the processes still running, see
    /// [`LocalCluster::adopted_process_groups`]) and spawns the master on the
    /// current tokio runtime. Cancelling `shutdown` kills every task's
    /// process group and stops the master; [`LocalCluster::stopped`] then
    /// resolves.
    pub fn start(config: LocalConfig, shutdown: CancellationToken) -> Result<LocalCluster, LocalError> {
        config.validate()?;
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|source| LocalError::DataDir { path: config.data_dir.clone(), source })?;
        let machine = match config.machine {
            Some(machine) => machine,
            None => MachineResources::detect(&config.data_dir)?,
        };
        let master_id = uuid::Uuid::new_v4().to_string();
        let checkpoints = Checkpoints::new(&config.data_dir);
        let agent_prefix = checkpoints
            .agent_prefix(&master_id)
            .map_err(|source| LocalError::DataDir { path: config.data_dir.join("meta"), source })?;
        let agents = Agent::build_all(&agent_prefix, &config, &machine, now_seconds());
        tracing::info!(
            master_id = %master_id, agents = agents.len(), cpus = machine.cpus, mem_mb = machine.mem_mb,
            disk_mb = machine.disk_mb, data_dir = %config.data_dir.display(), "starting local Mesos master"
        );
        crate::executor::cgroups::log_status();
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (reports, report_rx) = mpsc::unbounded_channel();
        let stopped = CancellationToken::new();
        let agent_count = agents.len();
        let sandboxes = config.data_dir.join("sandboxes");
        let recovered = if config.recover_tasks { checkpoints.load() } else { checkpoints.forget_tasks() };
        let mut master =
            Master::new(Arc::new(config), agents, master_id.clone(), reports, shutdown, checkpoints.clone());
        let adopted = master.recover(recovered, &checkpoints);
        let done = stopped.clone().drop_guard();
        tokio::spawn(async move {
            let _done = done;
            master.run(command_rx, report_rx).await;
        });
        let inner = Inner { commands, master_id, agents: agent_count, stopped, sandboxes, adopted };
        Ok(LocalCluster { inner: Arc::new(inner) })
    }

    /// The process groups of the tasks re-adopted at start: they belong to
    /// this cluster now and must not be reaped as orphans.
    pub fn adopted_process_groups(&self) -> &[u32] {
        &self.inner.adopted
    }

    /// Where task `task_id`'s sandbox is, and whether the task has ended.
    /// A task this master does not know (it ended before a restart, or long
    /// ago) is found by its sandbox directory alone and counts as ended.
    /// None when there is no such task (ids with `/` or `..` never match).
    pub async fn task_sandbox(&self, task_id: &str) -> Option<TaskSandbox> {
        if task_id.is_empty() || task_id.contains('/') || task_id == "." || task_id == ".." {
            return None;
        }
        let (reply, answer) = oneshot::channel();
        let known = match self.inner.commands.send(Command::Sandbox { task_id: task_id.to_owned(), reply }) {
            Ok(()) => answer.await.ok().flatten(),
            Err(_) => None,
        };
        match known {
            Some(sandbox) => Some(sandbox),
            None => find_sandbox(self.inner.sandboxes.clone(), task_id.to_owned()).await,
        }
    }

    /// Whether this machine holds command tasks to their `cpus` and `mem`.
    pub fn cgroup_limits(&self) -> CgroupLimits {
        crate::executor::cgroups::agent().limits()
    }

    /// The master's id (prefix of framework, agent and offer ids).
    pub fn master_id(&self) -> &str {
        &self.inner.master_id
    }

    /// How many logical agents the machine was split into.
    pub fn agent_count(&self) -> usize {
        self.inner.agents
    }

    /// Resolves once the master has stopped and its tasks were killed.
    pub async fn stopped(&self) {
        self.inner.stopped.cancelled().await;
    }

    /// `/master/state` as JSON; None once the master has stopped.
    pub async fn state(&self) -> Option<serde_json::Value> {
        self.view(View::State).await
    }

    /// `/metrics/snapshot` as JSON; None once the master has stopped.
    pub async fn metrics(&self) -> Option<serde_json::Value> {
        self.view(View::Metrics).await
    }

    pub(crate) async fn view(&self, view: View) -> Option<serde_json::Value> {
        let (reply, answer) = oneshot::channel();
        self.inner.commands.send(Command::View { view, reply }).ok()?;
        answer.await.ok()
    }

    pub(crate) async fn subscribe(
        &self,
        framework_info: FrameworkInfo,
        suppressed_roles: Vec<String>,
    ) -> Result<Subscription, CallError> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Subscribe { framework_info, suppressed_roles, reply })?;
        answer.await.map_err(|_| stopped())?
    }

    pub(crate) async fn call(&self, call: Call, stream_id: Option<String>) -> Result<(), CallError> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Call { call, stream_id, reply })?;
        answer.await.map_err(|_| stopped())?
    }

    /// Tells the master a subscription's HTTP stream is gone (never blocks).
    pub(crate) fn stream_closed(&self, framework_id: dromos_mesos::v1::FrameworkId, stream_id: String) {
        let _ = self.inner.commands.send(Command::StreamClosed { framework_id, stream_id });
    }

    fn send(&self, command: Command) -> Result<(), CallError> {
        self.inner.commands.send(command).map_err(|_| stopped())
    }
}

/// `<sandboxes>/<agent>/<framework>/<task_id>`, if such a directory exists.
async fn find_sandbox(sandboxes: PathBuf, task_id: String) -> Option<TaskSandbox> {
    let found = tokio::task::spawn_blocking(move || {
        let agents = std::fs::read_dir(&sandboxes).ok()?;
        agents.filter_map(Result::ok).find_map(|agent| {
            let frameworks = std::fs::read_dir(agent.path()).ok()?;
            frameworks.filter_map(Result::ok).map(|f| f.path().join(&task_id)).find(|dir| dir.is_dir())
        })
    })
    .await
    .ok()
    .flatten()?;
    Some(TaskSandbox { dir: found, terminal: true })
}

fn stopped() -> CallError {
    CallError::Unavailable("The local master is shutting down".to_owned())
}
