//! Durable records of running command and Docker tasks, so that a dromos
//! that crashed (`kill -9`) re-adopts the processes and containers it left
//! running instead of replacing them.
//!
//! Like a Mesos agent with `checkpoint` set by the framework, the local
//! agent writes, for each command task of a checkpointing framework, one
//! JSON record under `<data dir>/meta/tasks/<framework>/<task>.json` right
//! after the process was spawned, and removes it once the process is gone.
//! Subscribing frameworks are recorded under `meta/frameworks/`, and the
//! agent id prefix under `meta/agents-id`, so agent ids stay the same
//! across restarts. Each write goes to a temporary file that is renamed
//! into place, so a record is whole or absent.
//!
//! A record names its process by pid *and* start time (`/proc/<pid>/stat`
//! field 22, in clock ticks since boot) and the kernel's boot id, so a
//! recycled pid or a reboot never passes for the task. Linux only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dromos_mesos::v1::{AgentId, FrameworkId, FrameworkInfo, TaskInfo};
use serde::{Deserialize, Serialize};

/// A launched command task, as recorded for recovery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TaskRecord {
    pub framework_id: FrameworkId,
    pub agent_id: AgentId,
    /// The task as launched.
    pub task: TaskInfo,
    /// The role its resources were allocated to.
    pub role: String,
    pub sandbox: PathBuf,
    /// The process group leader.
    pub pid: u32,
    /// Its start time in clock ticks since boot.
    pub start_ticks: u64,
    /// `/proc/sys/kernel/random/boot_id` when it was started.
    pub boot_id: String,
    /// Epoch seconds.
    pub launched_at: f64,
    /// The container of a DOCKER task (`pid`, `start_ticks` are 0 then):
    /// it is re-adopted if the engine still runs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
}

impl TaskRecord {
    /// The record of `spec`'s task, launched now: a process (`pid`,
    /// `start_ticks`, `boot_id`) or a container (`container`, zeros else).
    pub(crate) fn launched(
        spec: &crate::executor::LaunchSpec,
        (pid, start_ticks, boot_id): (u32, u64, String),
        container: Option<String>,
    ) -> Self {
        TaskRecord {
            framework_id: spec.framework_id.clone(),
            agent_id: spec.agent_id.clone(),
            task: spec.task.clone(),
            role: spec.role.clone(),
            sandbox: spec.sandbox.clone(),
            pid,
            start_ticks,
            boot_id,
            launched_at: crate::master::now_seconds(),
            container,
        }
    }
}

/// The `meta` directory of one data directory.
#[derive(Debug, Clone)]
pub(crate) struct Checkpoints {
    root: PathBuf,
}

/// What a previous run left: task records and the frameworks they belong to.
#[derive(Debug, Default)]
pub(crate) struct Recovered {
    pub tasks: Vec<TaskRecord>,
    pub frameworks: BTreeMap<FrameworkId, FrameworkInfo>,
}

impl Checkpoints {
    /// Records under `<data_dir>/meta`.
    pub(crate) fn new(data_dir: &Path) -> Self {
        Self { root: data_dir.join("meta") }
    }

    fn task_path(&self, framework_id: &FrameworkId, task_id: &str) -> PathBuf {
        self.root.join("tasks").join(framework_id.as_str()).join(format!("{task_id}.json"))
    }

    fn framework_path(&self, framework_id: &FrameworkId) -> PathBuf {
        self.root.join("frameworks").join(format!("{}.json", framework_id.as_str()))
    }

    /// The stable prefix of agent ids: read, or created from `fresh`.
    pub(crate) fn agent_prefix(&self, fresh: &str) -> std::io::Result<String> {
        let path = self.root.join("agents-id");
        match std::fs::read_to_string(&path) {
            Ok(text) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
            Ok(_) => write_atomically_blocking(&path, fresh.as_bytes()).map(|()| fresh.to_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                write_atomically_blocking(&path, fresh.as_bytes()).map(|()| fresh.to_owned())
            }
            Err(e) => Err(e),
        }
    }

    /// Records a running task (after its process was spawned).
    pub(crate) async fn save_task(&self, record: &TaskRecord) -> std::io::Result<()> {
        let json = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        write_atomically(&self.task_path(&record.framework_id, record.task.task_id.as_str()), &json).await
    }

    /// Forgets a task whose process is gone.
    pub(crate) async fn remove_task(&self, framework_id: &FrameworkId, task_id: &str) {
        let path = self.task_path(framework_id, task_id);
        if let Err(error) = tokio::fs::remove_file(&path).await {
            if error.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %path.display(), %error, "cannot remove task record");
            }
        }
    }

    /// Forgets a task at start-up (its process is gone or cannot be adopted).
    pub(crate) fn remove_task_blocking(&self, framework_id: &FrameworkId, task_id: &str) {
        let path = self.task_path(framework_id, task_id);
        if let Err(error) = std::fs::remove_file(&path) {
            if error.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %path.display(), %error, "cannot remove task record");
            }
        }
    }

    /// Records a framework in the background (called by the master actor on
    /// SUBSCRIBE, which must not block).
    pub(crate) fn save_framework(&self, info: &FrameworkInfo) {
        let Some(id) = info.id.clone() else { return };
        let path = self.framework_path(&id);
        let json = match serde_json::to_vec(info) {
            Ok(json) => json,
            Err(error) => return tracing::warn!(framework_id = %id, %error, "cannot encode framework record"),
        };
        tokio::spawn(async move {
            if let Err(error) = write_atomically(&path, &json).await {
                tracing::warn!(framework_id = %id, %error, "cannot write framework record");
            }
        });
    }

    /// Drops every task record (recovery is off); nothing is recovered.
    pub(crate) fn forget_tasks(&self) -> Recovered {
        let tasks = self.root.join("tasks");
        if let Err(error) = std::fs::remove_dir_all(&tasks) {
            if error.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %tasks.display(), %error, "cannot remove task records");
            }
        }
        Recovered::default()
    }

    /// Every readable record; unreadable ones are logged and removed.
    pub(crate) fn load(&self) -> Recovered {
        let mut recovered = Recovered::default();
        for path in json_files(&self.root.join("frameworks")) {
            match read_json::<FrameworkInfo>(&path) {
                Some(info) => match info.id.clone() {
                    Some(id) => {
                        recovered.frameworks.insert(id, info);
                    }
                    None => discard(&path),
                },
                None => discard(&path),
            }
        }
        let Ok(dirs) = std::fs::read_dir(self.root.join("tasks")) else { return recovered };
        for dir in dirs.filter_map(Result::ok) {
            for path in json_files(&dir.path()) {
                match read_json::<TaskRecord>(&path) {
                    Some(record) => recovered.tasks.push(record),
                    None => discard(&path),
                }
            }
        }
        recovered
    }
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect()
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn discard(path: &Path) {
    tracing::warn!(path = %path.display(), "unreadable recovery record; removed");
    let _ = std::fs::remove_file(path);
}

async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("record path has no parent"))?;
    tokio::fs::create_dir_all(dir).await?;
    let temporary = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4()));
    tokio::fs::write(&temporary, bytes).await?;
    tokio::fs::rename(&temporary, path).await
}

fn write_atomically_blocking(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("record path has no parent"))?;
    std::fs::create_dir_all(dir)?;
    let temporary = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4()));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path)
}

/// The process groups of the recorded tasks under `data_dir` that still
/// run: what a cluster started on `data_dir` would re-adopt, and so what an
/// orphan reaper must leave alone.
pub fn adoptable_process_groups(data_dir: &Path) -> Vec<u32> {
    let recovered = Checkpoints::new(data_dir).load();
    recovered.tasks.iter().filter(|t| is_alive(&t.boot_id, t.pid, t.start_ticks)).map(|t| t.pid).collect()
}

/// This boot's id (empty when it cannot be read, which never matches a
/// record written where it could).
pub(crate) fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// The start time (clock ticks since boot) of `pid` while it is alive and
/// not a zombie.
pub(crate) fn start_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    start_ticks_of_stat(&stat)
}

/// Field 22 of `/proc/<pid>/stat`, counted after the parenthesised command
/// name (which may hold spaces and parentheses); None for a zombie.
fn start_ticks_of_stat(stat: &str) -> Option<u64> {
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    if fields.first().is_some_and(|state| *state == "Z" || *state == "X") {
        return None;
    }
    fields.get(19)?.parse().ok()
}

/// True while the process recorded as (`pid`, `ticks`) of this boot lives.
pub(crate) fn is_alive(record_boot: &str, pid: u32, ticks: u64) -> bool {
    !record_boot.is_empty() && record_boot == boot_id() && start_ticks(pid) == Some(ticks)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{start_ticks, start_ticks_of_stat};

    #[test]
    fn start_time_is_field_22_and_zombies_have_none() {
        let alive = "77 (my (odd) cmd) S 1 77 77 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 1000 200";
        assert_eq!(start_ticks_of_stat(alive), Some(123_456));
        let zombie = alive.replace(") S ", ") Z ");
        assert_eq!(start_ticks_of_stat(&zombie), None);
        assert_eq!(start_ticks_of_stat("garbage"), None);
    }

    #[test]
    fn this_process_has_a_start_time() {
        assert!(start_ticks(std::process::id()).is_some_and(|t| t > 0));
    }
}
