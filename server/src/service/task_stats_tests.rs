#![allow(clippy::unwrap_used)]

use dromos_model::{AppDefinition, PathId, Timestamp, VersionInfo};
use serde_json::json;

use super::{life_time, of};
use crate::service::clock::millis_of;
use crate::service::instances::{TaskRecord, TaskState};

const OLD: &str = "2024-01-01T00:00:00.000Z";
const CONFIGURED: &str = "2024-01-02T00:00:00.000Z";
const SCALED: &str = "2024-01-03T00:00:00.000Z";
const NOW: &str = "2024-01-04T00:00:00.000Z";

fn app(version_info: bool) -> AppDefinition {
    let mut app = AppDefinition::new(PathId::parse("/web").unwrap());
    app.version = Timestamp::parse(SCALED);
    app.version_info = version_info.then(|| VersionInfo {
        last_scaling_at: Timestamp::parse(SCALED).unwrap(),
        last_config_change_at: Timestamp::parse(CONFIGURED).unwrap(),
    });
    app
}

/// A task of `version`, running for `ran` seconds before [`NOW`] (`None`:
/// still staging), with health `healthy`.
fn task(id: &str, version: &str, ran: Option<u64>, healthy: Option<bool>) -> TaskRecord {
    let started = ran.map(|s| crate::service::clock::from_millis(millis_of(NOW) - s * 1000).to_string());
    TaskRecord {
        id: format!("web.instance-{id}._app.1"),
        app_id: PathId::parse("/web").unwrap(),
        host: "h".into(),
        agent_id: "a".into(),
        ports: vec![],
        state: if ran.is_some() { TaskState::TaskRunning } else { TaskState::TaskStaging },
        healthy,
        version: version.into(),
        staged_at: Some(OLD.into()),
        started_at: started,
        readiness: None,
    }
}

fn tasks() -> Vec<TaskRecord> {
    vec![
        task("a", OLD, Some(10), Some(true)),
        task("b", CONFIGURED, Some(20), Some(false)),
        task("c", SCALED, Some(30), None),
        task("d", SCALED, None, None),
    ]
}

#[test]
fn tasks_are_split_by_the_version_they_were_launched_with() {
    let stats = of(&app(true), &tasks(), millis_of(NOW));
    assert_eq!(
        stats.to_json(),
        json!({
            "startedAfterLastScaling": {"stats": {
                "counts": {"staged": 1, "running": 1, "healthy": 0, "unhealthy": 0},
                "lifeTime": {"averageSeconds": 30.0, "medianSeconds": 30.0}}},
            "withLatestConfig": {"stats": {
                "counts": {"staged": 1, "running": 2, "healthy": 0, "unhealthy": 1},
                "lifeTime": {"averageSeconds": 25.0, "medianSeconds": 25.0}}},
            "withOutdatedConfig": {"stats": {
                "counts": {"staged": 0, "running": 1, "healthy": 1, "unhealthy": 0},
                "lifeTime": {"averageSeconds": 10.0, "medianSeconds": 10.0}}},
            "totalSummary": {"stats": {
                "counts": {"staged": 1, "running": 3, "healthy": 1, "unhealthy": 1},
                "lifeTime": {"averageSeconds": 20.0, "medianSeconds": 20.0}}},
        })
    );
}

#[test]
fn empty_groups_and_missing_life_times_are_left_out() {
    assert_eq!(of(&app(true), &[], millis_of(NOW)).to_json(), json!({}), "no tasks, no groups");
    let staging = [task("d", SCALED, None, None)];
    let stats = of(&app(true), &staging, millis_of(NOW)).to_json();
    assert!(stats.get("withOutdatedConfig").is_none(), "{stats}");
    assert_eq!(
        stats["totalSummary"],
        json!({"stats": {"counts": {"staged": 1, "running": 0, "healthy": 0, "unhealthy": 0}}}),
        "no task runs yet: no lifeTime"
    );
}

#[test]
fn without_version_info_only_the_total_is_given() {
    let stats = of(&app(false), &tasks(), millis_of(NOW)).to_json();
    let keys: Vec<&String> = stats.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["totalSummary"]);
}

#[test]
fn life_time_average_and_median() {
    assert_eq!(life_time(vec![]), None);
    let odd = life_time(vec![9.0, 1.0, 2.0]).unwrap();
    assert_eq!((odd.average_seconds, odd.median_seconds), (4.0, 2.0));
    let even = life_time(vec![4.0, 1.0, 10.0, 3.0]).unwrap();
    assert_eq!((even.average_seconds, even.median_seconds), (4.5, 3.5));
}

#[test]
fn a_task_started_after_now_counts_zero_seconds() {
    let stats = of(&app(true), &[task("a", SCALED, Some(5), None)], millis_of(NOW) - 60_000);
    assert_eq!(stats.total_summary.unwrap().life_time.unwrap().average_seconds, 0.0);
}
