//! Which task endings the driver reports as failures (the app's
//! `lastTaskFailure`), on the simulated cluster: a crash is reported with
//! its host and version, a health kill once as `TASK_KILLED` with
//! Marathon's message, and kills dromos asked for (a new version) not at all.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use super::sim::{app, Sim};
use crate::config::DriverConfig;

const V1: &str = "2024-01-01T00:00:00.000Z";
const V2: &str = "2024-01-02T00:00:00.000Z";
/// Virtual time per step.
const DT: u64 = 250;

fn sim() -> Sim {
    let master: reqwest::Url = "http://127.0.0.1:1".parse().unwrap();
    let mut config = DriverConfig::new(master, "nobody");
    config.min_revive_interval = Duration::ZERO;
    Sim::new(Sim::uniform_agents(1, 4.0, 4096.0), config)
}

fn settle(sim: &mut Sim) {
    let done = sim.run_until(DT, 60_000, |_| {}, |s| s.deployments_left() == 0);
    assert!(done, "deployment did not finish: {:?}", sim.target.state().deployments);
}

#[test]
fn a_crash_is_reported_with_its_host_agent_and_version() {
    let mut sim = sim();
    sim.deploy(vec![app(r#"{"id":"/crash","cmd":"run","instances":1,"cpus":0.1,"mem":16}"#, V1)]);
    settle(&mut sim);
    sim.crash_after("/crash", 500);
    assert!(sim.run_until(DT, 30_000, |_| {}, |s| !s.target.state().failures.is_empty()));
    let failure = sim.target.state().failures[0].clone();
    assert_eq!((failure.app_id.as_str(), failure.state.as_str()), ("/crash", "TASK_FAILED"));
    assert_eq!(failure.version, V1);
    assert!(!failure.host.is_empty() && !failure.agent_id.is_empty(), "{failure:?}");
    assert!(failure.task_id.starts_with("crash.instance-"), "{failure:?}");
    assert!(!failure.unhealthy_kill);
}

#[test]
fn a_health_kill_is_reported_once_as_killed_with_marathons_message() {
    let web = r#"{"id":"/web","cmd":"serve","instances":1,"cpus":0.5,"mem":64,
        "portDefinitions":[{"port":0}],
        "healthChecks":[{"protocol":"HTTP","portIndex":0,"intervalSeconds":2,
            "gracePeriodSeconds":10,"maxConsecutiveFailures":3}]}"#;
    let mut sim = sim();
    sim.deploy(vec![app(web, V1)]);
    settle(&mut sim);
    assert!(sim.target.state().failures.is_empty(), "a healthy start fails nothing");
    sim.script_health("/web", Box::new(|_, _| false));
    assert!(sim.run_until(DT, 60_000, |_| {}, |s| !s.target.state().failures.is_empty()));
    let first = sim.target.state().failures[0].clone();
    assert!(first.unhealthy_kill, "{first:?}");
    assert_eq!(first.state, "TASK_KILLED");
    assert!(
        first.message.starts_with("Task was killed since health check failed. Reason: 3 consecutive")
            && first.message.contains("scripted failure"),
        "{}",
        first.message
    );
    // The TASK_KILLED that answers the kill is not a second failure.
    let task = first.task_id.clone();
    assert!(sim.run_until(DT, 30_000, |_| {}, |s| s.target.state().gone.iter().any(|g| g.task_id == task)));
    let of_task: Vec<_> = sim.target.state().failures.into_iter().filter(|f| f.task_id == task).collect();
    assert_eq!(of_task.len(), 1, "{of_task:?}");
}

#[test]
fn kills_dromos_asked_for_are_not_failures() {
    let mut sim = sim();
    let two = r#"{"id":"/sleepy","cmd":"run","instances":2,"cpus":0.1,"mem":16}"#;
    sim.deploy(vec![app(two, V1)]);
    settle(&mut sim);
    sim.deploy(vec![app(&two.replace("\"instances\":2", "\"instances\":1"), V2)]);
    settle(&mut sim);
    let done = sim.run_until(DT, 30_000, |_| {}, |s| !s.target.state().gone.is_empty());
    assert!(done, "nothing was stopped: {:?}", sim.instances("/sleepy"));
    let state = sim.target.state();
    assert!(state.gone.iter().all(|g| g.state == "TASK_KILLED"), "{:?}", state.gone);
    assert!(state.failures.is_empty(), "{:?}", state.failures);
}
