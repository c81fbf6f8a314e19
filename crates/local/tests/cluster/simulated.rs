//! Simulated tasks (`LocalConfig::simulate`): running at once without a
//! process or a sandbox, killed on request, COMMAND health checks passing.

use dromos_mesos::v1::{
    CommandInfo, FrameworkCapability, FrameworkCapabilityType, FrameworkInfo, HealthCheck, HealthCheckType,
    Operation, TaskId, TaskState,
};

use crate::support::{small_task, Harness};

async fn simulated() -> Harness {
    Harness::start_with(|config| config.simulate = true).await
}

#[tokio::test]
async fn simulated_tasks_run_without_a_process_and_are_killed_on_request() {
    let harness = simulated().await;
    let mut info = FrameworkInfo::new("root", "simulated");
    info.checkpoint = Some(true);
    let mut fw = harness.framework_with(info).await;
    let offer = fw.offers().await.remove(0);
    // A real process would leave this file behind.
    let marker = harness.data_dir.path().join("ran");
    let command = CommandInfo::shell(format!("touch {}; sleep 30", marker.display()));
    fw.launch(&offer, "ghost", command).await;

    fw.update("ghost", TaskState::Starting).await;
    let running = fw.update("ghost", TaskState::Running).await;
    assert!(running.uuid.is_some(), "simulated updates are reliable like real ones");
    assert_eq!(running.container_status.and_then(|c| c.executor_pid), None, "no process, no pid");
    assert_eq!(running.healthy, None, "no health check, no verdict");
    let state = harness.get_json("/master/state").await;
    assert_eq!(state["frameworks"][0]["tasks"][0]["state"], "TASK_RUNNING");

    fw.scheduler().kill(TaskId::new("ghost"), Some(offer.agent_id.clone())).await.unwrap();
    let killed = fw.update("ghost", TaskState::Killed).await;
    assert_eq!(killed.message.as_deref(), Some("Simulated task killed"));
    let sandbox = harness.data_dir.path().join("sandboxes").join(offer.agent_id.as_str());
    assert!(!sandbox.exists(), "no sandbox was created at {}", sandbox.display());
    assert!(!marker.exists(), "the command never ran");
    let records = walk(&harness.data_dir.path().join("meta").join("tasks"));
    assert!(records.is_empty(), "nothing to re-adopt after a crash is recorded: {records:?}");
}

#[tokio::test]
async fn simulated_command_checks_pass_and_kills_go_through_killing() {
    let harness = simulated().await;
    let mut info = FrameworkInfo::new("root", "checked");
    info.capabilities = vec![FrameworkCapability { kind: FrameworkCapabilityType::TaskKillingState }];
    let mut fw = harness.framework_with(info).await;
    let offer = fw.offers().await.remove(0);
    let mut task = small_task("checked", offer.agent_id.clone(), CommandInfo::shell("sleep 30"));
    task.health_check = Some(HealthCheck {
        kind: HealthCheckType::Command,
        http: None,
        tcp: None,
        command: Some(CommandInfo::shell("false")),
        delay_seconds: None,
        interval_seconds: None,
        timeout_seconds: None,
        consecutive_failures: None,
        grace_period_seconds: None,
    });
    fw.scheduler().accept(vec![offer.id.clone()], vec![Operation::launch(vec![task])], None).await.unwrap();

    let running = fw.update("checked", TaskState::Running).await;
    assert_eq!(running.healthy, Some(true), "a simulated COMMAND check passes");
    fw.scheduler().kill(TaskId::new("checked"), None).await.unwrap();
    fw.update("checked", TaskState::Killing).await;
    fw.update("checked", TaskState::Killed).await;
}

/// Every file under `dir` (none when it does not exist).
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] })
        .collect()
}

#[tokio::test]
async fn one_accept_of_thousands_of_tasks_is_taken_whole() {
    let harness = Harness::start_with(|config| {
        config.simulate = true;
        config.machine = Some(dromos_local::MachineResources {
            cpus: 1000.0,
            mem_mb: 1_000_000.0,
            disk_mb: 1000.0,
            ports: (31000, 32000),
        });
    })
    .await;
    let mut fw = harness.framework("crowd").await;
    let offer = fw.offers().await.remove(0);
    // About 3,000 × 1 KB: more than axum's default 2 MB body limit.
    let padding = "x".repeat(1000);
    let tasks: Vec<_> = (0..3000)
        .map(|i| {
            let command = CommandInfo::shell(format!("sleep 30 # {padding}"));
            small_task(&format!("t{i}"), offer.agent_id.clone(), command)
        })
        .collect();
    let body_size = serde_json::to_vec(&tasks).unwrap().len();
    assert!(body_size > 2 * 1024 * 1024, "{body_size} bytes");
    fw.scheduler().accept(vec![offer.id.clone()], vec![Operation::launch(tasks)], None).await.unwrap();
    fw.update("t0", TaskState::Running).await;
    fw.update("t2999", TaskState::Running).await;
}
