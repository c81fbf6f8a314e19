//! A crash of the process running the cluster leaves command tasks
//! running; the next cluster on the same data directory re-adopts the live
//! ones and reports the dead ones, and a graceful stop still kills
//! everything. The crash is real: the first cluster runs on its own
//! runtime, which is dropped without the master's shutdown running.

use std::time::Duration;

use dromos_mesos::v1::{
    CommandInfo, FrameworkId, FrameworkInfo, ReconcileTask, TaskId, TaskState, TaskStatusReason,
};

use crate::support::{eventually, executor_pid, group_alive, Harness, WAIT};

fn checkpointing(id: Option<FrameworkId>) -> FrameworkInfo {
    let mut info = FrameworkInfo::new("root", "recovering");
    info.checkpoint = Some(true);
    info.failover_timeout = Some(3600.0);
    info.id = id;
    info
}

/// What the first (crashed) cluster left behind.
struct Before {
    data_dir: tempfile::TempDir,
    framework_id: FrameworkId,
    agent_id: dromos_mesos::v1::AgentId,
    survivor: u32,
    doomed: u32,
}

/// Runs a cluster on its own runtime, launches `survivor` and `doomed`,
/// then drops the runtime (a crash).
fn run_and_crash() -> Before {
    std::thread::spawn(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let harness = Harness::start().await;
            let mut fw = harness.framework_with(checkpointing(None)).await;
            let offer = fw.offers().await.remove(0);
            fw.launch(&offer, "survivor", CommandInfo::shell("echo before; sleep 60")).await;
            let survivor = executor_pid(&fw.update("survivor", TaskState::Running).await);
            let offer = fw.offers().await.remove(0);
            fw.launch(&offer, "doomed", CommandInfo::shell("sleep 60")).await;
            let doomed = executor_pid(&fw.update("doomed", TaskState::Running).await);
            let (framework_id, agent_id) = (fw.id.clone(), offer.agent_id.clone());
            drop(fw);
            Before { data_dir: harness.crash(), framework_id, agent_id, survivor, doomed }
        })
    })
    .join()
    .expect("the first cluster ran")
}

#[tokio::test]
async fn after_a_crash_live_tasks_are_readopted_and_dead_ones_reported_failed() {
    let before = run_and_crash();
    assert!(group_alive(before.survivor) && group_alive(before.doomed), "a crash leaves tasks running");
    // One task dies while no cluster runs.
    nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(i32::try_from(before.doomed).unwrap()),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    assert!(eventually(WAIT, || !group_alive(before.doomed)).await);

    let harness = Harness::start_in(before.data_dir, |_| {}).await;
    assert_eq!(harness.cluster.adopted_process_groups(), &[before.survivor]);
    let mut fw = harness.framework_with(checkpointing(Some(before.framework_id.clone()))).await;
    assert_eq!(fw.id, before.framework_id);

    let failed = fw.update("doomed", TaskState::Failed).await;
    assert_eq!(failed.reason, Some(TaskStatusReason::ExecutorTerminated));
    assert!(
        failed.message.as_deref().is_some_and(|m| m.contains("while dromos was not running")),
        "{failed:?}"
    );
    assert!(failed.uuid.is_some(), "delivered reliably");

    let wanted = ReconcileTask { task_id: TaskId::new("survivor"), agent_id: Some(before.agent_id.clone()) };
    fw.scheduler().reconcile(vec![wanted]).await.unwrap();
    let reconciled = fw.update("survivor", TaskState::Running).await;
    assert_eq!(executor_pid(&reconciled), before.survivor);
    assert_eq!(reconciled.agent_id.as_ref(), Some(&before.agent_id), "agent ids survive restarts");
    assert!(group_alive(before.survivor), "the survivor was not restarted");

    let sandbox = harness.cluster.task_sandbox("survivor").await.expect("a known task");
    assert!(!sandbox.terminal);
    assert_eq!(std::fs::read_to_string(sandbox.dir.join("stdout")).unwrap(), "before\n");

    fw.scheduler().kill(TaskId::new("survivor"), None).await.unwrap();
    let killed = fw.update("survivor", TaskState::Killed).await;
    assert!(killed.message.is_some());
    assert!(eventually(WAIT, || !group_alive(before.survivor)).await, "an adopted task can be killed");
    let records = harness.data_dir.path().join("meta/tasks").join(before.framework_id.as_str());
    let left =
        eventually(Duration::from_secs(5), || std::fs::read_dir(&records).is_ok_and(|d| d.count() == 0));
    assert!(left.await, "no task record is left once the tasks are gone");
}

#[tokio::test]
async fn a_graceful_stop_kills_tasks_and_leaves_nothing_to_adopt() {
    let harness = Harness::start().await;
    let mut fw = harness.framework_with(checkpointing(None)).await;
    let offer = fw.offers().await.remove(0);
    fw.launch(&offer, "short", CommandInfo::shell("sleep 60")).await;
    let pid = executor_pid(&fw.update("short", TaskState::Running).await);
    harness.shutdown.cancel();
    harness.cluster.stopped().await;
    assert!(eventually(WAIT, || !group_alive(pid)).await, "a graceful stop kills the task");
    let data_dir = harness.crash();
    let again = Harness::start_in(data_dir, |_| {}).await;
    assert!(again.cluster.adopted_process_groups().is_empty());
}

#[tokio::test]
async fn with_recovery_off_records_are_dropped_and_nothing_is_adopted() {
    let before = run_and_crash();
    let harness = Harness::start_in(before.data_dir, |config| config.recover_tasks = false).await;
    assert!(harness.cluster.adopted_process_groups().is_empty());
    assert!(!harness.data_dir.path().join("meta/tasks").exists(), "the records are gone");
    assert!(
        dromos_local::adoptable_process_groups(harness.data_dir.path()).is_empty(),
        "an orphan reaper would take both processes"
    );
    for pid in [before.survivor, before.doomed] {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(i32::try_from(pid).unwrap()),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}
