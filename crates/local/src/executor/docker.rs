//! The Docker executor: runs a DOCKER task through the Docker Engine API.
//!
//! As Mesos' docker containerizer: the image is pulled only when missing (or
//! with `force_pull_image`), the container is named `mesos-<uuid>`, the sandbox
//! is mounted at `/mnt/mesos/sandbox`, BRIDGE port mappings publish the task's
//! host ports, and the container's output is copied into the sandbox's
//! `stdout`/`stderr`. A kill is `docker stop` with the grace period; the
//! container is removed when the task ends. When the engine cannot be reached
//! the task fails with TASK_FAILED and says so. For checkpointing
//! frameworks the running container is recorded, so that a dromos that
//! crashed re-adopts it (see `docker_adopted`).
//!
//! `parameters` supported: `env`/`e`, `label`/`l`, `user`/`u`, `workdir`/`w`,
//! `hostname`; others are logged and ignored.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::{
    CreateContainerOptions, CreateImageOptions, LogsOptions, RemoveContainerOptions, StopContainerOptions,
    WaitContainerOptions,
};
use bollard::Docker;
use dromos_mesos::v1::{DockerInfo, DockerNetwork, TaskState, TaskStatusReason};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::environment::task_environment;
use super::{KillRequest, LaunchSpec, Reporter};
use crate::checkpoint::TaskRecord;

/// Where the sandbox appears inside the container (Mesos `--sandbox_directory`).
const SANDBOX_MOUNT: &str = "/mnt/mesos/sandbox";

/// Runs the container to its terminal state, reporting each step.
pub(super) async fn run(
    spec: LaunchSpec,
    reporter: Reporter,
    kills: mpsc::Receiver<KillRequest>,
    shutdown: CancellationToken,
) {
    reporter.report(TaskState::Starting, None, None, None);
    let name = format!("mesos-{}", uuid::Uuid::new_v4());
    let docker = match start(&spec, &name).await {
        Ok(docker) => docker,
        Err(message) => return reporter.launch_failed(message),
    };
    tracing::info!(task_id = %spec.task.task_id, framework_id = %spec.framework_id, agent_id = %spec.agent_id,
        container = %name, "task container started");
    checkpoint(&spec, &name).await;
    reporter.report(TaskState::Running, None, None, None);
    let (state, message) = supervise(&docker, &name, &spec.sandbox, None, kills, &reporter, shutdown).await;
    if let Some(checkpoints) = &spec.checkpoints {
        checkpoints.remove_task(&spec.framework_id, spec.task.task_id.as_str()).await;
    }
    report_end(&reporter, state, message);
}

/// Follows a running container until it exits, is killed or dromos stops,
/// copying its output into the sandbox (from `logs_since`, epoch seconds,
/// appended, for an adopted one), then removes it. The terminal state and
/// its message.
pub(super) async fn supervise(
    docker: &Docker,
    name: &str,
    sandbox: &Path,
    logs_since: Option<i32>,
    mut kills: mpsc::Receiver<KillRequest>,
    reporter: &Reporter,
    shutdown: CancellationToken,
) -> (TaskState, String) {
    let logs = tokio::spawn(copy_logs(docker.clone(), name.to_owned(), sandbox.to_owned(), logs_since));
    let mut wait = docker.wait_container(name, None::<WaitContainerOptions>);
    let (state, message) = tokio::select! {
        result = wait.next() => exit_state(result),
        Some(kill) = kills.recv() => {
            if kill.killing_state {
                reporter.report(TaskState::Killing, None, None, None);
            }
            (TaskState::Killed, stop(docker, name, kill.grace).await)
        }
        () = shutdown.cancelled() => (TaskState::Killed, stop(docker, name, Duration::ZERO).await),
    };
    drop(wait);
    let _ = tokio::time::timeout(Duration::from_secs(5), logs).await;
    remove(docker, name).await;
    (state, message)
}

/// Removes the container, whatever its state.
pub(super) async fn remove(docker: &Docker, name: &str) {
    let options = RemoveContainerOptions { force: true, ..RemoveContainerOptions::default() };
    match docker.remove_container(name, Some(options)).await {
        Ok(()) | Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => {}
        Err(error) => tracing::warn!(container = %name, %error, "cannot remove task container"),
    }
}

/// The task's final status: TASK_FAILED says the executor failed.
pub(super) fn report_end(reporter: &Reporter, state: TaskState, message: String) {
    let reason = (state == TaskState::Failed).then_some(TaskStatusReason::CommandExecutorFailed);
    reporter.report(state, Some(message), reason, None);
}

/// Records the running container for recovery after a crash (frameworks
/// with `checkpoint` only); unrecorded, it is not re-adopted.
async fn checkpoint(spec: &LaunchSpec, name: &str) {
    let Some(checkpoints) = &spec.checkpoints else { return };
    let record = TaskRecord::launched(spec, (0, 0, String::new()), Some(name.to_owned()));
    if let Err(error) = checkpoints.save_task(&record).await {
        tracing::warn!(task_id = %spec.task.task_id, container = %name, %error,
            "cannot record the task for recovery; it will not be re-adopted after a crash");
    }
}

/// Connects, pulls if needed, creates and starts the container.
async fn start(spec: &LaunchSpec, name: &str) -> Result<Docker, String> {
    let info = spec
        .task
        .container
        .as_ref()
        .and_then(|c| c.docker.clone())
        .ok_or_else(|| "DOCKER container without docker settings".to_owned())?;
    let docker =
        Docker::connect_with_local_defaults().map_err(|e| format!("Docker is not reachable: {e}"))?;
    docker.ping().await.map_err(|e| format!("Docker is not reachable: {e}"))?;
    tokio::fs::create_dir_all(&spec.sandbox)
        .await
        .map_err(|e| format!("Failed to create sandbox {}: {e}", spec.sandbox.display()))?;
    ensure_image(&docker, &info).await?;
    let body = container_body(spec, &info, name);
    let options = CreateContainerOptions { name: Some(name.to_owned()), ..CreateContainerOptions::default() };
    docker
        .create_container(Some(options), body)
        .await
        .map_err(|e| format!("Failed to create container: {e}"))?;
    if let Err(e) =
        docker.start_container(name, None::<bollard::query_parameters::StartContainerOptions>).await
    {
        let _ = docker
            .remove_container(name, Some(RemoveContainerOptions { force: true, ..Default::default() }))
            .await;
        return Err(format!("Failed to start container: {e}"));
    }
    Ok(docker)
}

async fn ensure_image(docker: &Docker, info: &DockerInfo) -> Result<(), String> {
    let present = docker.inspect_image(&info.image).await.is_ok();
    if present && !info.force_pull_image.unwrap_or(false) {
        return Ok(());
    }
    let options =
        CreateImageOptions { from_image: Some(info.image.clone()), ..CreateImageOptions::default() };
    let mut pull = docker.create_image(Some(options), None, None);
    while let Some(step) = pull.next().await {
        if let Err(e) = step {
            return Err(format!("Failed to pull image {}: {e}", info.image));
        }
    }
    Ok(())
}

/// The container definition: image, command, environment, ports, sandbox.
fn container_body(spec: &LaunchSpec, info: &DockerInfo, name: &str) -> ContainerCreateBody {
    let mut env = task_environment(spec, SANDBOX_MOUNT);
    env.insert("MESOS_CONTAINER_NAME".to_owned(), name.to_owned());
    let mut labels = HashMap::new();
    let mut body = ContainerCreateBody { image: Some(info.image.clone()), ..ContainerCreateBody::default() };
    for parameter in &info.parameters {
        match parameter.key.as_str() {
            "env" | "e" => {
                if let Some((k, v)) = parameter.value.split_once('=') {
                    env.insert(k.to_owned(), v.to_owned());
                }
            }
            "label" | "l" => {
                let (k, v) = parameter.value.split_once('=').unwrap_or((&parameter.value, ""));
                labels.insert(k.to_owned(), v.to_owned());
            }
            "user" | "u" => body.user = Some(parameter.value.clone()),
            "workdir" | "w" => body.working_dir = Some(parameter.value.clone()),
            "hostname" => body.hostname = Some(parameter.value.clone()),
            other => tracing::warn!(
                parameter = other,
                "docker parameter not supported by the local agent; ignored"
            ),
        }
    }
    if let Some(command) = &spec.task.command {
        match (command.shell.unwrap_or(true), &command.value) {
            (true, Some(value)) => {
                body.entrypoint = Some(vec!["/bin/sh".to_owned(), "-c".to_owned()]);
                body.cmd = Some(vec![value.clone()]);
            }
            (false, value) => {
                let argv: Vec<String> =
                    value.iter().cloned().chain(command.arguments.iter().cloned()).collect();
                body.cmd = (!argv.is_empty()).then_some(argv);
            }
            (true, None) => {}
        }
    }
    body.env = Some(env.into_iter().map(|(k, v)| format!("{k}={v}")).collect());
    body.labels = Some(labels);
    let (exposed, bindings) = port_bindings(info);
    body.exposed_ports = (!exposed.is_empty()).then_some(exposed);
    body.host_config = Some(HostConfig {
        binds: Some(vec![format!("{}:{SANDBOX_MOUNT}", spec.sandbox.display())]),
        network_mode: Some(network_mode(info.network).to_owned()),
        port_bindings: (!bindings.is_empty()).then_some(bindings),
        privileged: info.privileged,
        ..HostConfig::default()
    });
    body
}

fn network_mode(network: Option<DockerNetwork>) -> &'static str {
    match network {
        Some(DockerNetwork::Bridge) => "bridge",
        Some(DockerNetwork::None) => "none",
        _ => "host",
    }
}

type ExposedPorts = HashMap<String, HashMap<(), ()>>;
type PortMap = HashMap<String, Option<Vec<PortBinding>>>;

/// `container_port/proto` → host port, for BRIDGE networking.
fn port_bindings(info: &DockerInfo) -> (ExposedPorts, PortMap) {
    let mut exposed = HashMap::new();
    let mut bindings = HashMap::new();
    if info.network != Some(DockerNetwork::Bridge) {
        return (exposed, bindings);
    }
    for mapping in &info.port_mappings {
        let key = format!("{}/{}", mapping.container_port, mapping.protocol.as_deref().unwrap_or("tcp"));
        exposed.insert(key.clone(), HashMap::new());
        let binding = PortBinding { host_ip: None, host_port: Some(mapping.host_port.to_string()) };
        bindings.entry(key).or_insert_with(|| Some(Vec::new())).get_or_insert_with(Vec::new).push(binding);
    }
    (exposed, bindings)
}

/// `docker stop -t grace`; a zero grace kills at once.
async fn stop(docker: &Docker, name: &str, grace: Duration) -> String {
    let seconds = i32::try_from(grace.as_secs()).unwrap_or(i32::MAX);
    let options = StopContainerOptions { t: Some(seconds), signal: None };
    match docker.stop_container(name, Some(options)).await {
        Ok(()) => "Container stopped".to_owned(),
        Err(e) => format!("Failed to stop container: {e}"),
    }
}

/// Copies the container's output into the sandbox files until it exits:
/// all of it into new files, or from `since` (epoch seconds) appended to
/// the existing ones.
async fn copy_logs(docker: Docker, name: String, sandbox: std::path::PathBuf, since: Option<i32>) {
    let open = |file: &'static str| {
        let path = sandbox.join(file);
        async move {
            let mut options = tokio::fs::OpenOptions::new();
            if since.is_some() {
                options.append(true).create(true);
            } else {
                options.write(true).create(true).truncate(true);
            }
            options.open(path).await
        }
    };
    let (Ok(mut out), Ok(mut err)) = (open("stdout").await, open("stderr").await) else {
        tracing::warn!(container = %name, "cannot open sandbox log files");
        return;
    };
    let options = LogsOptions {
        follow: true,
        stdout: true,
        stderr: true,
        since: since.unwrap_or(0),
        ..LogsOptions::default()
    };
    let mut logs = docker.logs(&name, Some(options));
    while let Some(Ok(chunk)) = logs.next().await {
        let written = match chunk {
            bollard::container::LogOutput::StdErr { message } => err.write_all(&message).await,
            other => out.write_all(&other.into_bytes()).await,
        };
        if written.is_err() {
            break;
        }
    }
    let _ = (out.flush().await, err.flush().await);
}

/// Exit code 0 → TASK_FINISHED; anything else (or a lost wait) → TASK_FAILED.
fn exit_state(
    result: Option<Result<bollard::models::ContainerWaitResponse, bollard::errors::Error>>,
) -> (TaskState, String) {
    match result {
        Some(Ok(r)) if r.status_code == 0 => {
            (TaskState::Finished, "Container exited with status 0".to_owned())
        }
        Some(Ok(r)) => (TaskState::Failed, format!("Container exited with status {}", r.status_code)),
        Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => {
            (TaskState::Failed, format!("Container exited with status {code}"))
        }
        Some(Err(e)) => (TaskState::Failed, format!("Lost the container: {e}")),
        None => (TaskState::Failed, "Lost the container".to_owned()),
    }
}
