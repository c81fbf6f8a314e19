//! Tests of the services-row reducer: events in order, out of order,
//! twice, for unknown tasks and for apps not on the page.

use std::collections::BTreeMap;

use super::{epoch_ms, LiveRow, TaskBrief, TaskChange, TaskEvent};
use crate::api::apps::{AppSummary, TaskCounts};
use crate::api::status::AppStatus;

/// Snapshot clock: events stamped before it are in the snapshot.
const AS_OF: u64 = 1_000_000;

fn summary(instances: u32, status: AppStatus) -> AppSummary {
    AppSummary {
        id: "/web".into(),
        status,
        instances,
        tasks: TaskCounts::default(),
        cpus: 0.5,
        mem: 64.0,
        disk: 0.0,
        image: None,
        labels: BTreeMap::new(),
        version: "2024-01-01T00:00:00.000Z".into(),
        has_health_checks: true,
        last_failure: None,
    }
}

fn task(id: &str, state: &str, healthy: Option<bool>) -> TaskBrief {
    TaskBrief { id: id.into(), state: state.into(), healthy }
}

/// `/web` wanting 2 instances, both running, one healthy, one not yet checked.
fn row() -> LiveRow {
    let tasks = [
        task("web.instance-a._app.1", "TASK_RUNNING", Some(true)),
        task("web.instance-b._app.1", "TASK_RUNNING", None),
    ];
    LiveRow::new(summary(2, AppStatus::Running), Some(&tasks), AS_OF)
}

fn status(task: &str, state: &str, at: u64) -> TaskEvent {
    TaskEvent {
        app_id: "/web".into(),
        task_id: task.into(),
        change: TaskChange::State(state.into()),
        at_ms: at,
    }
}

fn health(task: &str, healthy: bool, at: u64) -> TaskEvent {
    TaskEvent { app_id: "/web".into(), task_id: task.into(), change: TaskChange::Health(healthy), at_ms: at }
}

fn counts(row: &LiveRow) -> (u32, u32, u32, u32) {
    let t = row.summary.tasks;
    (t.running, t.staged, t.healthy, t.unhealthy)
}

#[test]
fn the_snapshot_counts_come_from_its_tasks() {
    assert_eq!(counts(&row()), (2, 0, 1, 0));
}

#[test]
fn a_kill_and_its_replacement_move_the_counts() {
    let mut row = row();
    assert!(row.apply(&status("web.instance-b._app.1", "TASK_KILLING", AS_OF + 1)));
    assert_eq!(counts(&row), (1, 0, 1, 0));
    assert!(
        !row.apply(&status("web.instance-b._app.1", "TASK_KILLED", AS_OF + 2)),
        "KILLING was not counted"
    );
    assert!(row.apply(&status("web.instance-c._app.1", "TASK_STAGING", AS_OF + 3)));
    assert_eq!(counts(&row), (1, 1, 1, 0));
    assert!(!row.apply(&status("web.instance-c._app.1", "TASK_STARTING", AS_OF + 4)));
    assert!(row.apply(&status("web.instance-c._app.1", "TASK_RUNNING", AS_OF + 5)));
    assert_eq!(counts(&row), (2, 0, 1, 0));
}

#[test]
fn losing_a_healthy_task_drops_the_healthy_count() {
    let mut row = row();
    assert!(row.apply(&status("web.instance-a._app.1", "TASK_FAILED", AS_OF + 1)));
    assert_eq!(counts(&row), (1, 0, 0, 0));
}

#[test]
fn a_duplicate_event_changes_nothing() {
    let mut row = row();
    let kill = status("web.instance-a._app.1", "TASK_KILLING", AS_OF + 1);
    assert!(row.apply(&kill));
    let once = row.clone();
    assert!(!row.apply(&kill));
    assert_eq!(row, once);
}

#[test]
fn an_older_event_arriving_late_is_ignored() {
    let mut row = row();
    assert!(row.apply(&status("web.instance-c._app.1", "TASK_RUNNING", AS_OF + 20)));
    assert!(!row.apply(&status("web.instance-c._app.1", "TASK_STAGING", AS_OF + 10)));
    assert_eq!(counts(&row), (3, 0, 1, 0));
}

#[test]
fn an_ended_task_is_not_brought_back_by_a_late_event() {
    let mut row = row();
    assert!(!row.apply(&status("web.instance-c._app.1", "TASK_KILLED", AS_OF + 30)), "an unknown task ended");
    assert!(!row.apply(&status("web.instance-c._app.1", "TASK_RUNNING", AS_OF + 10)));
    assert!(
        !row.apply(&status("web.instance-c._app.1", "TASK_RUNNING", AS_OF + 30)),
        "same stamp, earlier state"
    );
    assert_eq!(counts(&row), (2, 0, 1, 0));
}

#[test]
fn in_the_same_millisecond_the_later_state_wins() {
    let mut row = row();
    assert!(row.apply(&status("web.instance-c._app.1", "TASK_RUNNING", AS_OF + 5)));
    assert!(!row.apply(&status("web.instance-c._app.1", "TASK_STAGING", AS_OF + 5)));
    assert_eq!(counts(&row), (3, 0, 1, 0));
}

#[test]
fn events_already_in_the_snapshot_are_ignored() {
    let mut row = row();
    assert!(!row.apply(&status("web.instance-a._app.1", "TASK_STAGING", AS_OF - 1)));
    assert!(!row.apply(&status("web.instance-z._app.1", "TASK_RUNNING", AS_OF - 1)));
    assert_eq!(counts(&row), (2, 0, 1, 0));
}

#[test]
fn a_task_of_another_app_is_ignored() {
    let mut row = row();
    let mut other = status("api.instance-a._app.1", "TASK_STAGING", AS_OF + 1);
    other.app_id = "/api".into();
    assert!(!row.apply(&other));
    assert_eq!(counts(&row), (2, 0, 1, 0));
}

#[test]
fn a_row_without_tasks_in_its_snapshot_stays_as_it_is() {
    let mut summary = summary(2, AppStatus::Running);
    summary.tasks = TaskCounts { running: 2, ..TaskCounts::default() };
    let mut row = LiveRow::new(summary, None, AS_OF);
    assert!(!row.apply(&status("web.instance-a._app.1", "TASK_KILLING", AS_OF + 1)));
    assert_eq!(counts(&row), (2, 0, 0, 0));
}

#[test]
fn health_events_by_task_or_instance_id_change_health_only() {
    let mut row = row();
    assert!(row.apply(&health("web.instance-b._app.1", false, AS_OF + 1)));
    assert_eq!(counts(&row), (2, 0, 1, 1));
    assert!(row.apply(&health("web.instance-a", false, AS_OF + 2)), "instance id of newer Marathon");
    assert_eq!(counts(&row), (2, 0, 0, 2));
    assert!(!row.apply(&health("web.instance-a", true, AS_OF + 1)), "older result");
    assert!(!row.apply(&health("web.instance-x._app.1", true, AS_OF + 3)), "unknown task");
    assert_eq!(counts(&row), (2, 0, 0, 2));
}

#[test]
fn a_health_event_by_instance_id_goes_to_its_task_not_over() {
    let mut row = row();
    assert!(row.apply(&status("web.instance-b._app.1", "TASK_FAILED", AS_OF + 1)));
    assert!(row.apply(&status("web.instance-b._app.2", "TASK_RUNNING", AS_OF + 2)));
    assert!(row.apply(&health("web.instance-b", true, AS_OF + 3)));
    assert_eq!(counts(&row), (2, 0, 2, 0));
}

#[test]
fn the_status_word_follows_the_counts_only_when_nothing_else_decides_it() {
    let tasks = [task("web.instance-a._app.1", "TASK_RUNNING", None)];
    let mut suspending = LiveRow::new(summary(0, AppStatus::Running), Some(&tasks), AS_OF);
    assert!(suspending.apply(&status("web.instance-a._app.1", "TASK_KILLED", AS_OF + 1)));
    assert_eq!(suspending.summary.status, AppStatus::Suspended);

    let mut deploying = LiveRow::new(summary(0, AppStatus::Deploying), Some(&tasks), AS_OF);
    assert!(deploying.apply(&status("web.instance-a._app.1", "TASK_KILLED", AS_OF + 1)));
    assert_eq!(deploying.summary.status, AppStatus::Deploying, "the next refetch says when it is done");
}

#[test]
fn events_parse_from_the_bus_json() {
    let data = r#"{"eventType":"status_update_event","timestamp":"2024-01-31T12:00:00.123Z",
        "appId":"/web","taskId":"web.instance-a._app.1","taskStatus":"TASK_RUNNING",
        "host":"agent-1","ports":[31000],"version":"2024-01-01T00:00:00.000Z","slaveId":"s1"}"#;
    let event = TaskEvent::parse("status_update_event", data).expect("a status event");
    assert_eq!(
        event,
        TaskEvent {
            app_id: "/web".into(),
            task_id: "web.instance-a._app.1".into(),
            change: TaskChange::State("TASK_RUNNING".into()),
            at_ms: 1_706_702_400_123,
        }
    );
    let marathon = r#"{"eventType":"instance_health_changed_event","timestamp":"2024-01-31T12:00:00.000Z",
        "instanceId":"web.instance-a","runSpecId":"/web","healthy":false}"#;
    let event = TaskEvent::parse("instance_health_changed_event", marathon).expect("a health event");
    assert_eq!((event.task_id.as_str(), event.change), ("web.instance-a", TaskChange::Health(false)));
    assert_eq!(TaskEvent::parse("deployment_success", data), None);
    assert_eq!(TaskEvent::parse("status_update_event", "{\"appId\":\"/web\"}"), None);
    assert_eq!(TaskEvent::parse("status_update_event", "not json"), None);
}

#[test]
fn stamps_read_as_epoch_milliseconds() {
    assert_eq!(epoch_ms("1970-01-01T00:00:00.000Z"), Some(0));
    assert_eq!(epoch_ms("2000-03-01T00:00:01.5Z"), None, "three digits of millis");
    assert_eq!(epoch_ms("2000-03-01T00:00:01Z"), Some(951_868_801_000));
    assert_eq!(epoch_ms("2024-02-29T23:59:59.999Z"), Some(1_709_251_199_999));
    assert_eq!(epoch_ms("2024-13-01T00:00:00.000Z"), None);
    assert_eq!(epoch_ms("yesterday"), None);
}
