//! Command tasks: launch, sandbox output, exit states, kill, reconciliation,
//! failover, teardown and shutdown.

use std::time::Duration;

use dromos_mesos::v1::{
    CommandInfo, DurationInfo, Event, FrameworkInfo, KillPolicy, ReconcileTask, TaskId, TaskState,
    TaskStatusReason,
};

use crate::support::{eventually, executor_pid, group_alive, small_task, Harness, WAIT};

#[tokio::test]
async fn shell_task_runs_in_its_sandbox_and_is_killed_with_its_process_group() {
    let harness = Harness::start().await;
    let mut fw = harness.framework("tasks").await;
    let offer = fw.offers().await.remove(0);
    fw.launch(&offer, "hello", CommandInfo::shell("echo hello; echo oops >&2; sleep 30")).await;

    fw.update("hello", TaskState::Starting).await;
    let running = fw.update("hello", TaskState::Running).await;
    assert!(running.uuid.is_some(), "executor updates are reliable");
    assert_eq!(running.agent_id.as_ref(), Some(&offer.agent_id));
    let pid = executor_pid(&running);

    let sandbox = harness
        .data_dir
        .path()
        .join("sandboxes")
        .join(offer.agent_id.as_str())
        .join(fw.id.as_str())
        .join("hello");
    let stdout = sandbox.join("stdout");
    let wrote = eventually(WAIT, || std::fs::read_to_string(&stdout).is_ok_and(|s| s == "hello\n")).await;
    assert!(wrote, "stdout file {} holds the output", stdout.display());
    assert_eq!(std::fs::read_to_string(sandbox.join("stderr")).unwrap(), "oops\n");
    assert!(group_alive(pid));

    fw.scheduler().kill(TaskId::new("hello"), Some(offer.agent_id.clone())).await.unwrap();
    let killed = fw.update("hello", TaskState::Killed).await;
    assert!(killed.message.is_some());
    assert!(
        eventually(WAIT, || !group_alive(pid)).await,
        "the whole process group is gone after TASK_KILLED"
    );
    let failure = fw
        .wait_for(WAIT, |e| match e {
            Event::Failure(f) => Some(f.clone()),
            _ => None,
        })
        .await
        .expect("FAILURE for the exited command executor");
    assert_eq!(failure.executor_id.map(|e| e.value).as_deref(), Some("hello"));
}

#[tokio::test]
async fn tasks_end_in_mesos_states_with_the_executor_message() {
    let argv = |args: &[&str]| CommandInfo {
        shell: Some(false),
        value: Some("/bin/sh".to_owned()),
        arguments: args.iter().map(|s| (*s).to_owned()).collect(),
        ..CommandInfo::default()
    };
    let cases = [
        ("exit-3", CommandInfo::shell("exit 3"), TaskState::Failed, "Command exited with status 3"),
        ("true", CommandInfo::shell("true"), TaskState::Finished, "Command exited with status 0"),
        ("argv", argv(&["sh", "-c", "exit 4"]), TaskState::Failed, "Command exited with status 4"),
        ("missing", argv_missing(), TaskState::Failed, "Failed to launch command"),
    ];
    let harness = Harness::start().await;
    let mut fw = harness.framework("exits").await;
    for (task, command, state, message) in cases {
        let offer = fw.offers().await.remove(0);
        fw.launch(&offer, task, command).await;
        let status = fw.update(task, state).await;
        let text = status.message.unwrap_or_default();
        assert!(text.starts_with(message), "{task}: {text}");
    }
}

fn argv_missing() -> CommandInfo {
    CommandInfo {
        shell: Some(false),
        value: Some("/nonexistent/binary".to_owned()),
        ..CommandInfo::default()
    }
}

#[tokio::test]
async fn a_task_ignoring_sigterm_is_sigkilled_after_its_grace_period() {
    let harness = Harness::start().await;
    let mut fw = harness.framework("stubborn").await;
    let offer = fw.offers().await.remove(0);
    let mut task =
        small_task("stubborn", offer.agent_id.clone(), CommandInfo::shell("trap '' TERM; sleep 30"));
    task.kill_policy =
        Some(KillPolicy { grace_period: Some(DurationInfo::from_std(Duration::from_millis(300))) });
    let operation = dromos_mesos::v1::Operation::launch(vec![task]);
    fw.scheduler().accept(vec![offer.id.clone()], vec![operation], None).await.unwrap();
    let pid = executor_pid(&fw.update("stubborn", TaskState::Running).await);
    tokio::time::sleep(Duration::from_millis(200)).await;

    fw.scheduler().kill(TaskId::new("stubborn"), None).await.unwrap();
    let killed = fw.update("stubborn", TaskState::Killed).await;
    assert_eq!(killed.message.as_deref(), Some("Command terminated with signal SIGKILL"));
    assert!(eventually(WAIT, || !group_alive(pid)).await, "the SIGKILLed group is gone");
}

#[tokio::test]
async fn reconciliation_answers_known_and_unknown_tasks_without_uuid() {
    let harness = Harness::start().await;
    let mut fw = harness.framework("reconcile").await;
    let offer = fw.offers().await.remove(0);
    fw.launch(&offer, "sleeper", CommandInfo::shell("sleep 30")).await;
    fw.update("sleeper", TaskState::Running).await;

    let wanted = |id: &str| ReconcileTask { task_id: TaskId::new(id), agent_id: None };
    fw.scheduler().reconcile(vec![wanted("sleeper"), wanted("ghost")]).await.unwrap();
    let known = fw.update("sleeper", TaskState::Running).await;
    let unknown = fw.update("ghost", TaskState::Lost).await;
    for status in [&known, &unknown] {
        assert_eq!(status.reason, Some(TaskStatusReason::Reconciliation));
        assert!(status.uuid.is_none(), "reconciliation answers are not acknowledged");
    }

    fw.scheduler().reconcile(Vec::new()).await.unwrap();
    let implicit = fw.update("sleeper", TaskState::Running).await;
    assert_eq!(implicit.reason, Some(TaskStatusReason::Reconciliation));
}

#[tokio::test]
async fn resubscribing_with_the_stored_framework_id_keeps_the_tasks() {
    let harness = Harness::start().await;
    let mut info = FrameworkInfo::new("root", "failover");
    info.failover_timeout = Some(60.0);
    let mut first = harness.framework_with(info.clone()).await;
    let offer = first.offers().await.remove(0);
    first.launch(&offer, "survivor", CommandInfo::shell("sleep 30")).await;
    let pid = executor_pid(&first.update("survivor", TaskState::Running).await);
    let id = first.id.clone();
    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;

    info.id = Some(id.clone());
    let mut second = harness.framework_with(info).await;
    assert_eq!(second.id, id);
    second.scheduler().reconcile(Vec::new()).await.unwrap();
    second.update("survivor", TaskState::Running).await;
    assert!(group_alive(pid));
}

#[tokio::test]
async fn teardown_kills_every_task_of_the_framework() {
    let harness = Harness::start().await;
    let mut fw = harness.framework("teardown").await;
    let offer = fw.offers().await.remove(0);
    fw.launch(&offer, "doomed", CommandInfo::shell("sleep 30")).await;
    let pid = executor_pid(&fw.update("doomed", TaskState::Running).await);

    fw.scheduler().teardown().await.unwrap();
    fw.cancel.cancel();
    assert!(eventually(WAIT, || !group_alive(pid)).await, "teardown kills the task");
    let state = harness.get_json("/master/state").await;
    assert_eq!(state["frameworks"].as_array().map(Vec::len), Some(0));
    assert_eq!(state["completed_frameworks"][0]["id"], fw.id.as_str());
}

#[tokio::test]
async fn shutdown_kills_all_task_process_groups_before_stopped_resolves() {
    let harness = Harness::start().await;
    let mut fw = harness.framework("shutdown").await;
    let offer = fw.offers().await.remove(0);
    fw.launch(&offer, "bg", CommandInfo::shell("sleep 30 & sleep 30")).await;
    let pid = executor_pid(&fw.update("bg", TaskState::Running).await);

    harness.shutdown.cancel();
    tokio::time::timeout(WAIT, harness.cluster.stopped()).await.expect("the master stops");
    assert!(!group_alive(pid), "no process of the group survives shutdown");
    let after = fw.next_event(Duration::from_millis(100)).await;
    assert!(!matches!(after, Some(Event::Offers(_))));
}
