//! DOCKER tasks through a real Docker engine. There is no registry here, so
//! the test imports a tiny image made of this machine's `/bin/sh`,
//! `/usr/bin/sleep` and their libraries (`docker import`). Without a reachable
//! engine the test says so and skips.

use std::process::Command;
use std::time::Duration;

use dromos_mesos::v1::{
    CommandInfo, ContainerInfo, DockerNetwork, Offer, Operation, PortMapping, Range, Resource, TaskId,
    TaskState,
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
