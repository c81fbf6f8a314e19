//! Command tasks held to their `cpus` and `mem` through a cgroup of their
//! own, where this machine lets dromos create one.

use std::path::{Path, PathBuf};

use dromos_local::CgroupLimits;
use dromos_mesos::v1::{CommandInfo, TaskId, TaskState};

use crate::support::{eventually, executor_pid, Harness, WAIT};

#[tokio::test]
async fn command_task_runs_in_a_cgroup_holding_its_cpus_and_mem() {
    let harness = Harness::start().await;
    let limits = harness.cluster.cgroup_limits();
    let mut fw = harness.framework("cgroups").await;
    let offer = fw.offers().await.remove(0);
    // `launch` gives the task 0.1 cpus and 32 MB.
    fw.launch(&offer, "limited", CommandInfo::shell("echo ran > marker; exec sleep 30")).await;
    let pid = executor_pid(&fw.update("limited", TaskState::Running).await);
    let marker = harness
        .data_dir
        .path()
        .join("sandboxes")
        .join(offer.agent_id.as_str())
        .join(fw.id.as_str())
        .join("limited/marker");
    assert!(eventually(WAIT, || marker.is_file()).await, "the task ran");

    let dirs = match &limits {
        CgroupLimits::NotEnforced { reason } => {
            println!("SKIPPED: {reason}");
            Vec::new()
        }
        CgroupLimits::V2 => {
            let dir = cgroup_dir(pid, |controllers| controllers.is_empty(), &v2_mount());
            assert_eq!(read(&dir, "memory.max"), "33554432");
            assert_eq!(read(&dir, "cpu.weight"), "4", "102 shares");
            vec![dir]
        }
        CgroupLimits::V1 => {
            let root = Path::new("/sys/fs/cgroup");
            let memory = cgroup_dir(pid, |c| c.split(',').any(|c| c == "memory"), &root.join("memory"));
            let cpu = cgroup_dir(pid, |c| c.split(',').any(|c| c == "cpu"), root);
            assert_eq!(read(&memory, "memory.limit_in_bytes"), "33554432");
            assert_eq!(read(&cpu, "cpu.shares"), "102");
            vec![memory, cpu]
        }
    };
    for dir in &dirs {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(name.starts_with("limited-"), "the task's own cgroup: {}", dir.display());
        let procs = read(dir, "cgroup.procs");
        assert!(procs.lines().any(|p| p == pid.to_string()), "pid {pid} in {}: {procs:?}", dir.display());
    }

    fw.scheduler().kill(TaskId::new("limited"), Some(offer.agent_id.clone())).await.unwrap();
    fw.update("limited", TaskState::Killed).await;
    let removed = eventually(WAIT, || dirs.iter().all(|dir| !dir.exists())).await;
    assert!(removed, "the task's cgroups are removed once it has ended: {dirs:?}");
}

/// The unified hierarchy: `/sys/fs/cgroup` itself, or `unified` under it.
fn v2_mount() -> PathBuf {
    let root = Path::new("/sys/fs/cgroup");
    if root.join("cgroup.controllers").is_file() {
        root.to_path_buf()
    } else {
        root.join("unified")
    }
}

/// The cgroup of process `pid` on the `/proc/<pid>/cgroup` line whose
/// controllers `matches`; v1 hierarchies are mounted under `base` by their
/// controller list (`cpu`, `cpu,cpuacct`), the memory one at `base` itself.
fn cgroup_dir(pid: u32, matches: impl Fn(&str) -> bool, base: &Path) -> PathBuf {
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    let (controllers, path) = text
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, ':');
            let (_, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
            matches(controllers).then_some((controllers, path.trim_start_matches('/')))
        })
        .next()
        .unwrap_or_else(|| panic!("no matching line in {text}"));
    let mount = if base.join("cgroup.procs").is_file() { base.to_path_buf() } else { base.join(controllers) };
    mount.join(path)
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
        .trim()
        .to_owned()
}
