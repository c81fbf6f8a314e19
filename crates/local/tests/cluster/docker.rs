//! DOCKER tasks through a real Docker engine. There is no registry here, so
//! the test imports a tiny image made of this machine's `/bin/sh`,
//! `/usr/bin/sleep` and their libraries (`docker import`). Without a reachable
//! engine the test says so and skips.

use std::process::Command;
use std::time::Duration;

use dromos_mesos::v1::{
    CommandInfo, ContainerInfo, DockerNetwork, Offer, Operation, PortMapping, Range, ReconcileTask, Resource,
    TaskId, TaskState, TaskStatusReason,
};

use crate::support::{eventually, small_task, Harness, WAIT};

const IMAGE: &str = "dromos-local-test-sh:latest";
const IMAGE_FILES: [&str; 4] =
    ["/bin/sh", "/usr/bin/sleep", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"];

/// Imports the test image; None (with the reason printed) when Docker or the
/// files are not available.
fn test_image() -> Option<&'static str> {
    let engine = Command::new("docker").args(["info", "--format", "{{.ServerVersion}}"]).output();
    if !engine.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED docker test: no reachable Docker engine ({engine:?})");
        return None;
    }
    let present = Command::new("docker").args(["image", "inspect", IMAGE]).output();
    if present.is_ok_and(|o| o.status.success()) {
        return Some(IMAGE);
    }
    let dir = tempfile::tempdir().ok()?;
    let tar = dir.path().join("image.tar");
    let packed = Command::new("tar").arg("-chf").arg(&tar).args(IMAGE_FILES).output();
    let imported = packed
        .ok()
        .filter(|o| o.status.success())
        .and_then(|_| Command::new("docker").arg("import").arg(&tar).arg(IMAGE).output().ok());
    if !imported.as_ref().is_some_and(|o| o.status.success()) {
        eprintln!("SKIPPED docker test: cannot build the test image ({imported:?})");
        return None;
    }
    Some(IMAGE)
}

fn docker_task(
    offer: &Offer,
    id: &str,
    image: &str,
    command: &str,
    port: Option<u64>,
) -> dromos_mesos::v1::TaskInfo {
    let mut task = small_task(id, offer.agent_id.clone(), CommandInfo::shell(command));
    let mut container = ContainerInfo::docker(image);
    if let (Some(docker), Some(port)) = (container.docker.as_mut(), port) {
        docker.network = Some(DockerNetwork::Bridge);
        let host_port = u32::try_from(port).expect("a port");
        docker.port_mappings = vec![PortMapping { host_port, container_port: 80, protocol: None }];
        task.resources.push(Resource::ranges("ports", vec![Range { begin: port, end: port }]));
    }
    task.container = Some(container);
    task
}

#[tokio::test]
async fn docker_tasks_run_report_exit_codes_and_stop_on_kill() {
    let Some(image) = test_image() else { return };
    let harness = Harness::start().await;
    let mut fw = harness.framework("docker").await;

    let offer = fw.offers().await.remove(0);
    let port = offer
        .resources
        .iter()
        .find(|r| r.name == "ports")
        .and_then(|r| r.ranges.as_ref())
        .expect("ports")
        .range[0]
        .begin;
    let command = "echo hello-from-docker; echo \"sandbox=$MESOS_SANDBOX port=$PORT0\"";
    let task = docker_task(&offer, "echo", image, command, Some(port));
    fw.scheduler().accept(vec![offer.id.clone()], vec![Operation::launch(vec![task])], None).await.unwrap();
    fw.update("echo", TaskState::Running).await;
    let finished = fw.update("echo", TaskState::Finished).await;
    assert_eq!(finished.message.as_deref(), Some("Container exited with status 0"));
    let stdout = harness
        .data_dir
        .path()
        .join("sandboxes")
        .join(offer.agent_id.as_str())
        .join(fw.id.as_str())
        .join("echo")
        .join("stdout");
    let expected = format!("hello-from-docker\nsandbox=/mnt/mesos/sandbox port={port}\n");
    let copied = eventually(WAIT, || std::fs::read_to_string(&stdout).is_ok_and(|s| s == expected)).await;
    assert!(copied, "container output lands in {}", stdout.display());

    let offer = fw.offers().await.remove(0);
    let task = docker_task(&offer, "exit-5", image, "exit 5", None);
    fw.scheduler().accept(vec![offer.id.clone()], vec![Operation::launch(vec![task])], None).await.unwrap();
    let failed = fw.update("exit-5", TaskState::Failed).await;
    assert_eq!(failed.message.as_deref(), Some("Container exited with status 5"));

    let offer = fw.offers().await.remove(0);
    let task = docker_task(&offer, "sleeper", image, "sleep 30", None);
    fw.scheduler().accept(vec![offer.id.clone()], vec![Operation::launch(vec![task])], None).await.unwrap();
    fw.update("sleeper", TaskState::Running).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    fw.scheduler().kill(TaskId::new("sleeper"), None).await.unwrap();
    fw.update("sleeper", TaskState::Killed).await;

    let offer = fw.offers().await.remove(0);
    let task = docker_task(&offer, "no-image", "dromos-no-such-image:never", "true", None);
    fw.scheduler().accept(vec![offer.id.clone()], vec![Operation::launch(vec![task])], None).await.unwrap();
    let failed = fw.update("no-image", TaskState::Failed).await;
    let message = failed.message.unwrap_or_default();
    assert!(message.contains("Failed to pull image dromos-no-such-image:never"), "{message}");
}

fn checkpointing(id: Option<dromos_mesos::v1::FrameworkId>) -> dromos_mesos::v1::FrameworkInfo {
    let mut info = dromos_mesos::v1::FrameworkInfo::new("root", "recovering-docker");
    info.checkpoint = Some(true);
    info.failover_timeout = Some(3600.0);
    info.id = id;
    info
}

/// The container a task record names, from the crashed cluster's data dir.
fn recorded_container(data_dir: &std::path::Path, framework: &str, task: &str) -> String {
    let path = data_dir.join("meta/tasks").join(framework).join(format!("{task}.json"));
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("a task record")).expect("json");
    record["container"].as_str().expect("the record names its container").to_owned()
}

fn container_running(name: &str) -> Option<bool> {
    let out =
        Command::new("docker").args(["inspect", "--format", "{{.State.Running}}", name]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim() == "true")
}

#[tokio::test]
async fn after_a_crash_a_running_container_is_readopted_and_a_removed_one_reported_failed() {
    let Some(image) = test_image() else { return };
    // The first cluster runs on its own runtime, dropped without shutdown: a crash.
    let (data_dir, framework_id, agent_id) = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let harness = Harness::start().await;
            let mut fw = harness.framework_with(checkpointing(None)).await;
            for task in ["kept", "removed"] {
                let offer = fw.offers().await.remove(0);
                let info = docker_task(&offer, task, image, &format!("echo {task}; sleep 60"), None);
                fw.scheduler()
                    .accept(vec![offer.id.clone()], vec![Operation::launch(vec![info])], None)
                    .await
                    .unwrap();
                fw.update(task, TaskState::Running).await;
            }
            let ids = (fw.id.clone(), fw.offers().await.remove(0).agent_id.clone());
            drop(fw);
            (harness.crash(), ids.0, ids.1)
        })
    })
    .join()
    .expect("the first cluster ran");
    let kept = recorded_container(data_dir.path(), framework_id.as_str(), "kept");
    let removed = recorded_container(data_dir.path(), framework_id.as_str(), "removed");
    assert_eq!(container_running(&kept), Some(true), "a crash leaves containers running");
    // One container goes away while no dromos runs.
    let rm = Command::new("docker").args(["rm", "-f", &removed]).output().expect("docker rm");
    assert!(rm.status.success(), "{rm:?}");

    let harness = Harness::start_in(data_dir, |_| {}).await;
    assert!(harness.cluster.adopted_process_groups().is_empty(), "containers are not process groups");
    let mut fw = harness.framework_with(checkpointing(Some(framework_id.clone()))).await;
    let failed = fw.update("removed", TaskState::Failed).await;
    assert_eq!(failed.reason, Some(TaskStatusReason::ExecutorTerminated));
    assert!(
        failed
            .message
            .as_deref()
            .is_some_and(|m| m.contains("while dromos was not running") && m.contains(&removed)),
        "{failed:?}"
    );

    let wanted = ReconcileTask { task_id: TaskId::new("kept"), agent_id: Some(agent_id.clone()) };
    fw.scheduler().reconcile(vec![wanted]).await.unwrap();
    fw.update("kept", TaskState::Running).await;
    assert_eq!(container_running(&kept), Some(true), "the same container still runs: not replaced");
    let sandbox = harness.cluster.task_sandbox("kept").await.expect("a known task");
    let stdout = std::fs::read_to_string(sandbox.dir.join("stdout")).expect("stdout");
    assert_eq!(stdout, "kept\n", "output from before the crash is kept, not copied twice");

    fw.scheduler().kill(TaskId::new("kept"), None).await.unwrap();
    fw.update("kept", TaskState::Killed).await;
    assert!(eventually(WAIT, || container_running(&kept).is_none()).await, "the killed container is removed");
    let records = harness.data_dir.path().join("meta/tasks").join(framework_id.as_str());
    let left = eventually(WAIT, || std::fs::read_dir(&records).is_ok_and(|d| d.count() == 0));
    assert!(left.await, "no task record is left once the tasks are gone");
}
