//! Cgroup limits for command tasks: `cpus` as a proportional CPU share,
//! `mem` as a hard memory limit, like Mesos' cgroups isolator by default
//! (without `--cgroups_enable_cfs`): a task gets at least its share when the
//! machine is busy and may use idle CPU, so a health-checked app starting on
//! a quiet laptop is not throttled to a fraction of a core.
//!
//! [`agent`] finds, once per process, where task cgroups can go: a `dromos`
//! cgroup under dromos' own cgroup, in the unified (v2) hierarchy when it
//! offers the `cpu` and `memory` controllers, otherwise in the v1 `memory` and
//! `cpu` hierarchies. Each launch then gets its own child
//! ([`Hierarchy::create`]) with `memory.max`/`cpu.weight` (v2) or
//! `memory.limit_in_bytes`/`cpu.shares` (v1) written before the spawn;
//! the runner moves the process in right after the spawn ([`TaskCgroup::add`])
//! and removes the cgroup when the task has ended ([`TaskCgroup::remove`]).
//! A machine (or container) that does not let dromos do this still runs
//! every task, without limits: the reason is logged once per agent start
//! and at debug level per task.
//!
//! The cgroup files are kernel pseudo-files that never block, so they are
//! written with `std::fs`: no await between the spawn and the pid's move.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// `cpu.shares` of one CPU (v1; the kernel's default for a cgroup).
pub(crate) const SHARES_PER_CPU: f64 = 1024.0;
/// The range of `cpu.shares` the kernel accepts.
pub(crate) const MIN_SHARES: u64 = 2;
/// Largest `cpu.shares`.
pub(crate) const MAX_SHARES: u64 = 262_144;
/// How long a task's cgroup removal waits for its last processes to go.
const REMOVE_WAIT: Duration = Duration::from_secs(2);
/// Age past which an empty task cgroup is a leftover of an earlier launch.
const STALE_AFTER: Duration = Duration::from_secs(60);
/// Name of the cgroup, under dromos' own, that holds every task's cgroup.
const PARENT_NAME: &str = "dromos";

/// Whether this agent enforces the `cpus` and `mem` of command tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CgroupLimits {
    /// Through the unified hierarchy (`cpu.max`, `memory.max`).
    V2,
    /// Through the v1 `cpu` and `memory` hierarchies.
    V1,
    /// Tasks run without limits, for this reason.
    NotEnforced { reason: String },
}

impl CgroupLimits {
    /// True when tasks are held to their `cpus` and `mem`.
    pub fn is_enforced(&self) -> bool {
        !matches!(self, CgroupLimits::NotEnforced { .. })
    }
}

impl fmt::Display for CgroupLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CgroupLimits::V2 => f.write_str("cgroup v2 limits enforced"),
            CgroupLimits::V1 => f.write_str("cgroup v1 limits enforced"),
            CgroupLimits::NotEnforced { reason } => write!(f, "cgroup limits not enforced: {reason}"),
        }
    }
}

/// Where task cgroups are created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hierarchy {
    /// The `dromos` cgroup in the unified hierarchy, with `cpu` and `memory`
    /// enabled for its children.
    V2 { parent: PathBuf },
    /// The `dromos` cgroups in the v1 `memory` and `cpu` hierarchies.
    V1 { memory: PathBuf, cpu: PathBuf },
    /// No limits on this machine.
    Unavailable { reason: String },
}

/// The machine's hierarchy, detected on first use from `/sys/fs/cgroup` and
/// `/proc/self/cgroup`.
pub(crate) fn agent() -> &'static Hierarchy {
    static AGENT: OnceLock<Hierarchy> = OnceLock::new();
    AGENT.get_or_init(|| {
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        Hierarchy::detect(Path::new("/sys/fs/cgroup"), &own)
    })
}

/// Logs, once per agent start, whether task limits are enforced.
pub(crate) fn log_status() {
    let hierarchy = agent();
    let limits = hierarchy.limits();
    match hierarchy {
        Hierarchy::V2 { parent } => tracing::info!(parent = %parent.display(), "{limits}"),
        Hierarchy::V1 { memory, cpu } => {
            tracing::info!(memory = %memory.display(), cpu = %cpu.display(), "{limits}");
        }
        Hierarchy::Unavailable { reason } => {
            tracing::warn!(%reason, "{limits} (command tasks run without cpu and mem limits)");
        }
    }
}

impl Hierarchy {
    /// Finds (and prepares) the task cgroups' parent under `root` (normally
    /// `/sys/fs/cgroup`); `own` is the text of `/proc/self/cgroup`.
    pub(crate) fn detect(root: &Path, own: &str) -> Hierarchy {
        let v2 = match detect_v2(root, own) {
            Ok(hierarchy) => return hierarchy,
            Err(reason) => reason,
        };
        match detect_v1(root, own) {
            Ok(hierarchy) => hierarchy,
            Err(v1) => Hierarchy::Unavailable { reason: format!("{v2}; {v1}") },
        }
    }

    pub(crate) fn limits(&self) -> CgroupLimits {
        match self {
            Hierarchy::V2 { .. } => CgroupLimits::V2,
            Hierarchy::V1 { .. } => CgroupLimits::V1,
            Hierarchy::Unavailable { reason } => CgroupLimits::NotEnforced { reason: reason.clone() },
        }
    }

    /// Creates the cgroup of one launch, named after its task, and writes
    /// its limits. Err says why the task runs without them.
    pub(crate) fn create(&self, task_id: &str, limits: TaskLimits) -> Result<TaskCgroup, String> {
        let name = cgroup_name(task_id, &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let mut cgroup = TaskCgroup { dirs: Vec::new() };
        let written = match self {
            Hierarchy::Unavailable { reason } => return Err(reason.clone()),
            Hierarchy::V2 { parent } => cgroup.write_v2(parent, &name, limits),
            Hierarchy::V1 { memory, cpu } => cgroup.write_v1(memory, cpu, &name, limits),
        };
        match written {
            Ok(()) => Ok(cgroup),
            Err(reason) => {
                for dir in &cgroup.dirs {
                    let _ = std::fs::remove_dir(dir);
                }
                Err(reason)
            }
        }
    }
}

/// What one task is held to; None where the task asked for nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TaskLimits {
    pub cpu_shares: Option<u64>,
    pub memory_bytes: Option<u64>,
}

impl TaskLimits {
    /// From the task's `cpus` and `mem` (MiB); None when it has neither.
    pub(crate) fn new(cpus: f64, mem_mb: f64) -> Option<TaskLimits> {
        let limits = TaskLimits { cpu_shares: cpu_shares(cpus), memory_bytes: memory_bytes(mem_mb) };
        (limits.cpu_shares.is_some() || limits.memory_bytes.is_some()).then_some(limits)
    }
}

/// `cpus` × 1024 `cpu.shares`, within the kernel's range.
pub(crate) fn cpu_shares(cpus: f64) -> Option<u64> {
    (cpus.is_finite() && cpus > 0.0)
        .then(|| ((cpus * SHARES_PER_CPU).round() as u64).clamp(MIN_SHARES, MAX_SHARES))
}

/// The v2 `cpu.weight` (1–10000, 100 = one CPU's default) for v1 `shares`,
/// with the kernel's and systemd's conversion.
pub(crate) fn cpu_weight(shares: u64) -> u64 {
    1 + (shares.clamp(MIN_SHARES, MAX_SHARES) - MIN_SHARES) * 9999 / (MAX_SHARES - MIN_SHARES)
}

/// `mem` MiB in bytes.
pub(crate) fn memory_bytes(mem_mb: f64) -> Option<u64> {
    (mem_mb.is_finite() && mem_mb > 0.0).then(|| (mem_mb * 1024.0 * 1024.0).round() as u64)
}

/// `<task id>-<unique>` with everything but ASCII letters, digits, `-`, `_`
/// and `.` replaced by `_`, never hidden and short enough for any file system.
/// `unique` keeps two launches of one id (other frameworks, other dromos
/// processes on the machine) apart.
pub(crate) fn cgroup_name(task_id: &str, unique: &str) -> String {
    let mut name: String = task_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .take(200)
        .collect();
    if name.is_empty() || name.starts_with('.') {
        name.insert(0, '_');
    }
    format!("{name}-{unique}")
}

/// The cgroup directories of one launch (one per v1 hierarchy, one in v2).
#[derive(Debug)]
pub(crate) struct TaskCgroup {
    dirs: Vec<PathBuf>,
}

impl TaskCgroup {
    fn make(&mut self, parent: &Path, name: &str) -> Result<PathBuf, String> {
        let dir = parent.join(name);
        std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        self.dirs.push(dir.clone());
        Ok(dir)
    }

    fn write_v2(&mut self, parent: &Path, name: &str, limits: TaskLimits) -> Result<(), String> {
        let dir = self.make(parent, name)?;
        if let Some(bytes) = limits.memory_bytes {
            write(&dir.join("memory.max"), &bytes.to_string())?;
        }
        if let Some(shares) = limits.cpu_shares {
            write(&dir.join("cpu.weight"), &cpu_weight(shares).to_string())?;
        }
        Ok(())
    }

    fn write_v1(&mut self, memory: &Path, cpu: &Path, name: &str, limits: TaskLimits) -> Result<(), String> {
        if let Some(bytes) = limits.memory_bytes {
            let dir = self.make(memory, name)?;
            write(&dir.join("memory.limit_in_bytes"), &bytes.to_string())?;
        }
        if let Some(shares) = limits.cpu_shares {
            let dir = self.make(cpu, name)?;
            write(&dir.join("cpu.shares"), &shares.to_string())?;
        }
        Ok(())
    }

    /// The directories, for logs.
    pub(crate) fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// Moves process `pid` (with its threads) into every directory.
    pub(crate) fn add(&self, pid: u32) -> Result<(), String> {
        self.dirs.iter().try_for_each(|dir| write(&dir.join("cgroup.procs"), &pid.to_string()))
    }

    /// SIGKILLs whatever is still inside and removes the directories; a
    /// directory still busy after [`REMOVE_WAIT`] is left (debug log).
    pub(crate) async fn remove(self) {
        for dir in &self.dirs {
            let deadline = tokio::time::Instant::now() + REMOVE_WAIT;
            loop {
                kill_members(dir);
                match std::fs::remove_dir(dir) {
                    Ok(()) => break tracing::debug!(cgroup = %dir.display(), "task cgroup removed"),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                    Err(e) if e.raw_os_error() == Some(Errno::EBUSY as i32) => {
                        if tokio::time::Instant::now() >= deadline {
                            break tracing::debug!(cgroup = %dir.display(), "task cgroup still busy; left in place");
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err(error) => {
                        break tracing::debug!(cgroup = %dir.display(), %error, "cannot remove task cgroup");
                    }
                }
            }
        }
    }
}

/// SIGKILLs every process left in the cgroup `dir` (Mesos destroys the
/// whole container when its task ends).
fn kill_members(dir: &Path) {
    let Ok(procs) = std::fs::read_to_string(dir.join("cgroup.procs")) else { return };
    for pid in procs.lines().filter_map(|line| line.trim().parse::<i32>().ok()).filter(|pid| *pid > 1) {
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
}

fn write(path: &Path, value: &str) -> Result<(), String> {
    std::fs::write(path, value).map_err(|e| format!("cannot write {value:?} to {}: {e}", path.display()))
}

/// The unified hierarchy at `root` (pure v2) or `root/unified` (hybrid), with
/// `cpu` and `memory` enabled for the `dromos` cgroup's children.
fn detect_v2(root: &Path, own: &str) -> Result<Hierarchy, String> {
    let mount = [root.to_path_buf(), root.join("unified")]
        .into_iter()
        .find(|dir| dir.join("cgroup.controllers").is_file())
        .ok_or_else(|| format!("no cgroup v2 hierarchy at {}", root.display()))?;
    let base = own_cgroup(&mount, own, |controllers| controllers.is_empty());
    let available = read(&base.join("cgroup.controllers"))?;
    let missing: Vec<&str> =
        ["cpu", "memory"].into_iter().filter(|c| !available.split_whitespace().any(|a| a == *c)).collect();
    if !missing.is_empty() {
        return Err(format!("cgroup v2 at {} offers no {} controller", base.display(), missing.join(" or ")));
    }
    enable_controllers(&base)?;
    let parent = base.join(PARENT_NAME);
    create_parent(&parent)?;
    enable_controllers(&parent)?;
    Ok(Hierarchy::V2 { parent })
}

/// The v1 `memory` and `cpu` hierarchies under `root`, each with a `dromos`
/// cgroup under dromos' own.
fn detect_v1(root: &Path, own: &str) -> Result<Hierarchy, String> {
    let memory_mount = root.join("memory");
    if !memory_mount.join("memory.limit_in_bytes").is_file() {
        return Err(format!("no cgroup v1 memory hierarchy at {}", memory_mount.display()));
    }
    let cpu_mount = ["cpu", "cpu,cpuacct", "cpuacct,cpu"]
        .into_iter()
        .map(|name| root.join(name))
        .find(|dir| dir.join("cpu.shares").is_file())
        .ok_or_else(|| format!("no cgroup v1 cpu hierarchy with cpu.shares under {}", root.display()))?;
    let memory = own_cgroup(&memory_mount, own, |c| c.split(',').any(|c| c == "memory")).join(PARENT_NAME);
    let cpu = own_cgroup(&cpu_mount, own, |c| c.split(',').any(|c| c == "cpu")).join(PARENT_NAME);
    create_parent(&memory)?;
    create_parent(&cpu)?;
    Ok(Hierarchy::V1 { memory, cpu })
}

/// dromos' own cgroup in the hierarchy mounted at `mount`: the path of the
/// `/proc/self/cgroup` line whose controller list `matches`, when it exists
/// under the mount (it does not when the mount shows another part of the
/// tree), else the mount itself.
fn own_cgroup(mount: &Path, own: &str, matches: impl Fn(&str) -> bool) -> PathBuf {
    own.lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, ':');
            let (_, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
            matches(controllers).then(|| path.trim_start_matches('/'))
        })
        .map(|path| mount.join(path))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| mount.to_path_buf())
}

/// Lets `dir`'s children use `cpu` and `memory` (v2 `cgroup.subtree_control`).
fn enable_controllers(dir: &Path) -> Result<(), String> {
    let control = dir.join("cgroup.subtree_control");
    let enabled = std::fs::read_to_string(&control).unwrap_or_default();
    let enabled: Vec<&str> = enabled.split_whitespace().map(|c| c.trim_start_matches('+')).collect();
    if ["cpu", "memory"].iter().all(|c| enabled.contains(c)) {
        return Ok(());
    }
    std::fs::write(&control, "+cpu +memory").map_err(|e| {
        let busy = if e.raw_os_error() == Some(Errno::EBUSY as i32) {
            " (a cgroup with processes of its own cannot delegate controllers)"
        } else {
            ""
        };
        format!("cannot enable the cpu and memory controllers in {}: {e}{busy}", control.display())
    })
}

fn create_parent(dir: &Path) -> Result<(), String> {
    match std::fs::create_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            sweep(dir);
            Ok(())
        }
        Err(e) => Err(format!("cannot create {}: {e}", dir.display())),
    }
}

/// Removes the task cgroups under `parent` that earlier launches left
/// behind (dromos crashed, or stopped without waiting for its runners):
/// directories older than [`STALE_AFTER`]. The kernel refuses to remove a
/// cgroup that still has processes, so live tasks keep theirs.
fn sweep(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let stale = entry.file_type().is_ok_and(|t| t.is_dir())
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age >= STALE_AFTER));
        if stale && std::fs::remove_dir(entry.path()).is_ok() {
            tracing::debug!(cgroup = %entry.path().display(), "stale task cgroup removed");
        }
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::fs;
    use std::path::Path;

    use super::{
        cgroup_name, cpu_shares, cpu_weight, memory_bytes, sweep, CgroupLimits, Hierarchy, TaskLimits,
    };

    fn file(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    #[test]
    fn cpus_become_shares_and_weights_and_mem_bytes() {
        assert_eq!(cpu_shares(1.0), Some(1024));
        assert_eq!(cpu_shares(0.1), Some(102));
        assert_eq!(cpu_shares(2.5), Some(2560));
        assert_eq!(cpu_shares(0.001), Some(2), "the kernel's minimum");
        assert_eq!(cpu_shares(1e9), Some(262_144), "the kernel's maximum");
        assert_eq!(cpu_shares(0.0), None);
        assert_eq!(cpu_shares(f64::NAN), None);
        assert_eq!(cpu_weight(2), 1);
        assert_eq!(cpu_weight(1024), 39);
        assert_eq!(cpu_weight(262_144), 10_000);
        assert_eq!(memory_bytes(32.0), Some(33_554_432));
        assert_eq!(memory_bytes(0.5), Some(524_288));
        assert_eq!(memory_bytes(-1.0), None);
        assert_eq!(TaskLimits::new(0.0, 0.0), None);
        assert_eq!(
            TaskLimits::new(0.0, 16.0),
            Some(TaskLimits { cpu_shares: None, memory_bytes: Some(16 << 20) })
        );
    }

    #[test]
    fn cgroup_names_keep_safe_characters_only() {
        assert_eq!(cgroup_name("web.1f2e-3a_b", "0123abcd"), "web.1f2e-3a_b-0123abcd");
        assert_eq!(cgroup_name("/a/b c\né", "u"), "_a_b_c__-u");
        assert_eq!(cgroup_name("..", "u"), "_..-u");
        assert_eq!(cgroup_name("", "u"), "_-u");
        assert_eq!(cgroup_name(&"x".repeat(500), "u").len(), 202);
    }

    #[test]
    fn unified_hierarchy_with_controllers_is_used_under_the_own_cgroup() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        file(&root.join("cgroup.controllers"), "cpuset cpu io memory pids\n");
        file(&root.join("cgroup.subtree_control"), "");
        let own = root.join("system.slice/dromos.service");
        file(&own.join("cgroup.controllers"), "cpu memory pids\n");
        file(&own.join("cgroup.subtree_control"), "pids\n");

        let hierarchy = Hierarchy::detect(root, "0::/system.slice/dromos.service\n");
        let parent = own.join("dromos");
        assert_eq!(hierarchy, Hierarchy::V2 { parent: parent.clone() });
        assert_eq!(hierarchy.limits(), CgroupLimits::V2);
        assert_eq!(hierarchy.limits().to_string(), "cgroup v2 limits enforced");
        assert_eq!(fs::read_to_string(own.join("cgroup.subtree_control")).unwrap(), "+cpu +memory");
        assert_eq!(fs::read_to_string(parent.join("cgroup.subtree_control")).unwrap(), "+cpu +memory");

        let cgroup = hierarchy.create("web/1", TaskLimits::new(0.25, 64.0).unwrap()).unwrap();
        let [dir] = cgroup.dirs() else { panic!("one directory in v2: {:?}", cgroup.dirs()) };
        assert!(dir.starts_with(&parent));
        assert!(dir.file_name().unwrap().to_str().unwrap().starts_with("web_1-"));
        assert_eq!(fs::read_to_string(dir.join("memory.max")).unwrap(), "67108864");
        assert_eq!(fs::read_to_string(dir.join("cpu.weight")).unwrap(), "10", "256 shares");
        cgroup.add(4242).unwrap();
        assert_eq!(fs::read_to_string(dir.join("cgroup.procs")).unwrap(), "4242");
    }

    #[test]
    fn hybrid_machine_without_v2_controllers_uses_v1_hierarchies() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        file(&root.join("unified/cgroup.controllers"), "");
        file(&root.join("memory/memory.limit_in_bytes"), "9223372036854771712\n");
        fs::create_dir_all(root.join("memory/pa/abc")).unwrap();
        file(&root.join("cpu,cpuacct/cpu.shares"), "1024\n");
        let own = "5:memory:/pa/abc\n2:cpu,cpuacct:/\n0::/\n";

        let hierarchy = Hierarchy::detect(root, own);
        let (memory, cpu) = (root.join("memory/pa/abc/dromos"), root.join("cpu,cpuacct/dromos"));
        assert_eq!(hierarchy, Hierarchy::V1 { memory: memory.clone(), cpu: cpu.clone() });
        assert_eq!(hierarchy.limits().to_string(), "cgroup v1 limits enforced");

        let cgroup = hierarchy.create("db", TaskLimits::new(0.1, 32.0).unwrap()).unwrap();
        let [mem_dir, cpu_dir] = cgroup.dirs() else { panic!("two directories in v1: {:?}", cgroup.dirs()) };
        assert!(mem_dir.starts_with(&memory) && cpu_dir.starts_with(&cpu));
        assert_eq!(fs::read_to_string(mem_dir.join("memory.limit_in_bytes")).unwrap(), "33554432");
        assert_eq!(fs::read_to_string(cpu_dir.join("cpu.shares")).unwrap(), "102");
        cgroup.add(77).unwrap();
        assert_eq!(fs::read_to_string(mem_dir.join("cgroup.procs")).unwrap(), "77");
        assert_eq!(fs::read_to_string(cpu_dir.join("cgroup.procs")).unwrap(), "77");
    }

    #[test]
    fn machine_without_usable_controllers_says_why() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        file(&root.join("unified/cgroup.controllers"), "\n");

        let hierarchy = Hierarchy::detect(root, "0::/\n");
        let limits = hierarchy.limits();
        assert!(!limits.is_enforced());
        let text = limits.to_string();
        assert!(text.starts_with("cgroup limits not enforced: "), "{text}");
        assert!(text.contains("offers no cpu or memory controller"), "{text}");
        assert!(text.contains("no cgroup v1 memory hierarchy"), "{text}");
        assert!(hierarchy.create("web", TaskLimits::new(1.0, 1.0).unwrap()).is_err());
        assert!(!root.join("unified/dromos").exists(), "nothing created");
    }

    #[test]
    fn sweep_removes_old_empty_task_cgroups_only() {
        let parent = tempfile::tempdir().unwrap();
        let parent = parent.path();
        let (old, new) = (parent.join("web-11111111"), parent.join("web-22222222"));
        fs::create_dir(&old).unwrap();
        fs::create_dir(&new).unwrap();
        file(&parent.join("cgroup.procs"), "");
        let two_minutes_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
        fs::File::open(&old).unwrap().set_modified(two_minutes_ago).unwrap();
        fs::File::open(parent.join("cgroup.procs")).unwrap().set_modified(two_minutes_ago).unwrap();

        sweep(parent);
        assert!(!old.exists(), "a leftover cgroup is removed");
        assert!(new.exists(), "a cgroup just created for a launch is kept");
        assert!(parent.join("cgroup.procs").exists(), "interface files are kept");
    }
}
