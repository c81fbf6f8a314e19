//! Scenarios on the simulated cluster ([`super::sim`]): the driver's real
//! decisions (deployment steps, matcher, backoff, health kills) checked
//! against invariants after every step of virtual time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::Duration;

use dromos_scheduler::{Condition, Goal, Timestamp};

use super::sim::{app, Sim, SimAgent};
use crate::config::DriverConfig;

const V1: &str = "2024-01-01T00:00:00.000Z";
const V2: &str = "2024-01-02T00:00:00.000Z";
/// Virtual time per step.
const DT: u64 = 250;

fn config() -> DriverConfig {
    let master: reqwest::Url = "http://127.0.0.1:1".parse().unwrap();
    let mut config = DriverConfig::new(master, "nobody");
    // Offers come every step; the revive rate limit is not under test here.
    config.min_revive_interval = Duration::ZERO;
    config
}

fn sim(agents: Vec<SimAgent>) -> Sim {
    Sim::new(agents, config())
}

/// An HTTP-checked app; `extra` is spliced into the JSON object.
fn web(id: &str, instances: u32, extra: &str, version: &str) -> dromos_model::AppDefinition {
    app(
        &format!(
            r#"{{"id":"{id}","cmd":"serve","instances":{instances},"cpus":0.5,"mem":64,
                "portDefinitions":[{{"port":0}}],
                "healthChecks":[{{"protocol":"HTTP","portIndex":0,"intervalSeconds":2,
                    "gracePeriodSeconds":10,"maxConsecutiveFailures":3}}]{extra}}}"#
        ),
        version,
    )
}

fn healthy_count(sim: &Sim, app_id: &str) -> usize {
    sim.instances(app_id).iter().filter(|i| i.is_considered_healthy()).count()
}

fn occupying(sim: &Sim, app_id: &str) -> usize {
    sim.instances(app_id).iter().filter(|i| i.occupies_agent()).count()
}

/// Deploys and runs until no deployment is left.
fn settle(sim: &mut Sim, max_ms: u64) {
    let done = sim.run_until(DT, max_ms, |_| {}, |s| s.deployments_left() == 0);
    assert!(done, "deployment did not finish: {:?}", sim.target.state().deployments);
}

/// Runs a rolling restart of `app_id` to `next` and checks Marathon's
/// bounds after every step: never fewer healthy than `min_healthy`, never
/// more occupying agents than `max_capacity`, never more than `per_host`
/// live tasks on one host.
fn rolling_restart(
    sim: &mut Sim,
    app_id: &str,
    next: dromos_model::AppDefinition,
    (min_healthy, max_capacity, per_host): (usize, usize, usize),
) {
    sim.deploy(vec![next]).expect("a restart is planned");
    let mut lowest_healthy = usize::MAX;
    let mut highest_occupying = 0;
    let done = sim.run_until(
        DT,
        30 * 60_000,
        |s| {
            let healthy = healthy_count(s, app_id);
            let occupied = occupying(s, app_id);
            lowest_healthy = lowest_healthy.min(healthy);
            highest_occupying = highest_occupying.max(occupied);
            assert!(healthy >= min_healthy, "{healthy} healthy < {min_healthy} at {:?}", s.now);
            assert!(occupied <= max_capacity, "{occupied} occupying > {max_capacity} at {:?}", s.now);
            for (host, tasks) in s.running_by_host(app_id) {
                assert!(tasks.len() <= per_host, "{host} runs {tasks:?}");
            }
        },
        |s| s.deployments_left() == 0,
    );
    assert!(done, "the restart did not finish");
    let instances = sim.instances(app_id);
    assert!(instances.iter().all(|i| i.run_spec_version == V2 && i.is_considered_healthy()), "{instances:?}");
    // The bounds were reached, not just respected from afar.
    assert_eq!(lowest_healthy, min_healthy, "the restart used its kill budget");
    assert_eq!(highest_occupying, max_capacity, "the restart used its extra capacity");
}

#[test]
fn rolling_restart_of_20_instances_on_5_agents_keeps_health_and_capacity_bounds() {
    // 5 agents × 5 slots; MAX_PER 5 per host (UNIQUE cannot hold 20 on 5 hosts).
    let mut sim = sim(Sim::uniform_agents(5, 2.5, 4096.0));
    let strategy = r#","constraints":[["hostname","MAX_PER","5"]],
        "upgradeStrategy":{"minimumHealthCapacity":0.85,"maximumOverCapacity":0.1}"#;
    sim.deploy(vec![web("/web", 20, strategy, V1)]);
    settle(&mut sim, 5 * 60_000);
    assert_eq!(healthy_count(&sim, "/web"), 20);
    // min_healthy = ceil(20 × 0.85) = 17; max_capacity = floor(20 × 1.1) = 22.
    let mut next = web("/web", 20, strategy, V2);
    next.cmd = Some("serve --v2".into());
    rolling_restart(&mut sim, "/web", next, (17, 22, 5));
}

#[test]
fn rolling_restart_with_unique_hostname_never_doubles_up_a_host() {
    // 5 instances on 5 hosts: no spare host, so old instances must go first.
    let mut sim = sim(Sim::uniform_agents(5, 4.0, 4096.0));
    let strategy = r#","constraints":[["hostname","UNIQUE"]],
        "upgradeStrategy":{"minimumHealthCapacity":0.6,"maximumOverCapacity":0.0}"#;
    sim.deploy(vec![web("/u", 5, strategy, V1)]);
    settle(&mut sim, 5 * 60_000);
    assert_eq!(sim.running_by_host("/u").len(), 5);
    let mut next = web("/u", 5, strategy, V2);
    next.cmd = Some("serve --v2".into());
    // min_healthy = ceil(5 × 0.6) = 3; max_capacity = 5; one task per host.
    rolling_restart(&mut sim, "/u", next, (3, 5, 1));
}

#[test]
fn a_scenario_replays_identically() {
    let run = || {
        let mut sim = sim(Sim::uniform_agents(5, 2.5, 4096.0));
        let strategy = r#","constraints":[["hostname","MAX_PER","5"]],
            "upgradeStrategy":{"minimumHealthCapacity":0.5,"maximumOverCapacity":0.2}"#;
        sim.deploy(vec![web("/web", 20, strategy, V1)]);
        settle(&mut sim, 5 * 60_000);
        let mut next = web("/web", 20, strategy, V2);
        next.cmd = Some("serve --v2".into());
        sim.deploy(vec![next]);
        settle(&mut sim, 30 * 60_000);
        let placement = sim.running_by_host("/web");
        (sim.now, sim.kills, sim.launches, placement)
    };
    let first = run();
    assert_eq!(first.1.len(), 20, "every old instance was replaced");
    assert_eq!(first, run());
}

#[test]
fn rolling_restart_with_full_health_capacity_uses_the_one_extra_instance() {
    // mHC 1, mOC 0: min_healthy == max_capacity == 4, so Marathon's rule
    // allows one temporary extra instance.
    let mut sim = sim(Sim::uniform_agents(5, 4.0, 4096.0));
    let strategy = r#","upgradeStrategy":{"minimumHealthCapacity":1.0,"maximumOverCapacity":0.0}"#;
    sim.deploy(vec![web("/full", 4, strategy, V1)]);
    settle(&mut sim, 5 * 60_000);
    let mut next = web("/full", 4, strategy, V2);
    next.cmd = Some("serve --v2".into());
    rolling_restart(&mut sim, "/full", next, (4, 5, 5));
}

fn first_launch(sim: &Sim, app_id: &str) -> Timestamp {
    sim.launches.iter().find(|(_, id, _)| id == app_id).map(|(t, _, _)| *t).expect("launched")
}

#[test]
fn dependency_chain_starts_in_order_and_stops_in_reverse() {
    let mut sim = sim(Sim::uniform_agents(3, 4.0, 4096.0));
    let db = web("/db", 2, "", V1);
    let api = web("/api", 2, r#","dependencies":["/db"]"#, V1);
    let front = web("/front", 2, r#","dependencies":["/api"]"#, V1);
    sim.deploy(vec![front, api, db]);
    let mut healthy_at = std::collections::BTreeMap::new();
    let done = sim.run_until(
        DT,
        5 * 60_000,
        |s| {
            for id in ["/db", "/api", "/front"] {
                if healthy_count(s, id) == 2 {
                    healthy_at.entry(id).or_insert(s.now);
                }
            }
        },
        |s| s.deployments_left() == 0,
    );
    assert!(done);
    // Each app launches only once what it depends on is fully healthy.
    assert!(first_launch(&sim, "/api") >= healthy_at["/db"]);
    assert!(first_launch(&sim, "/front") >= healthy_at["/api"]);
    assert!(healthy_at["/db"] < healthy_at["/api"] && healthy_at["/api"] < healthy_at["/front"]);

    sim.deploy(Vec::new()).expect("removing everything is a deployment");
    let mut gone_at = std::collections::BTreeMap::new();
    let done = sim.run_until(
        DT,
        5 * 60_000,
        |s| {
            for id in ["/db", "/api", "/front"] {
                if s.running_by_host(id).is_empty() {
                    gone_at.entry(id).or_insert(s.now);
                }
            }
        },
        |s| s.deployments_left() == 0,
    );
    assert!(done);
    let first_kill = |prefix: &str| {
        sim.kills.iter().find(|(_, task)| task.starts_with(prefix)).map(|(t, _)| *t).expect("killed")
    };
    // Dependents are stopped (and gone) before what they depend on is touched.
    assert!(first_kill("front.") < first_kill("api.") && first_kill("api.") < first_kill("db."));
    assert!(first_kill("api.") >= gone_at["/front"]);
    assert!(first_kill("db.") >= gone_at["/api"]);
}

#[test]
fn crash_looping_app_backs_off_by_factor_up_to_the_maximum_and_resets_on_a_new_version() {
    let mut sim = sim(Sim::uniform_agents(1, 4.0, 4096.0));
    let backoff = r#"{"id":"/crash","cmd":"run","instances":1,"cpus":0.1,"mem":16,
        "backoffSeconds":1,"backoffFactor":2,"maxLaunchDelaySeconds":10}"#;
    sim.deploy(vec![app(backoff, V1)]);
    settle(&mut sim, 60_000);
    // From now on every task of the app fails half a second after it runs;
    // the steady-state reconciliation relaunches it, held back by backoff.
    sim.crash_after("/crash", 500);
    sim.run_until(DT, 120_000, |_| {}, |s| s.target.state().failures.len() >= 7);
    let failures: Vec<Timestamp> = sim.target.state().failures.iter().map(|f| f.timestamp).collect();
    let launches: Vec<Timestamp> = sim.launches.iter().map(|(t, _, _)| *t).collect();
    // Launch k+1 (k+2 counting the first) follows failure k by the delay:
    // 1, 2, 4, 8 s, then capped at maxLaunchDelaySeconds = 10 s.
    let expected = [1_000, 2_000, 4_000, 8_000, 10_000, 10_000];
    for (k, want) in expected.iter().enumerate() {
        let gap = launches[k + 1].millis_since(failures[k]);
        assert!((*want..want + DT).contains(&gap), "delay {k}: {gap} ms, want {want} ms");
    }

    // A new version starts at once, without the old version's delay.
    sim.stop_crashing("/crash");
    sim.run_until(DT, 60_000, |_| {}, |s| s.target.state().queue.first().is_some_and(|q| !q.overdue));
    let mut fixed = app(backoff, V2);
    fixed.cmd = Some("run --fixed".into());
    let deployed_at = sim.now;
    sim.deploy(vec![fixed]);
    let relaunched =
        sim.run_until(DT, 60_000, |_| {}, |s| s.launches.last().is_some_and(|(_, _, v)| v == V2));
    assert!(relaunched);
    let (at, _, _) = sim.launches.last().unwrap();
    assert!(
        at.millis_since(deployed_at) <= DT,
        "launched {} ms after the new version",
        at.millis_since(deployed_at)
    );
    settle(&mut sim, 60_000);
}

/// Health kills in the sliding window ending at each kill.
fn max_kills_per_window(kills: &[(Timestamp, String)], window_ms: u64) -> usize {
    kills
        .iter()
        .map(|(t, _)| kills.iter().filter(|(u, _)| u <= t && t.millis_since(*u) < window_ms).count())
        .max()
        .unwrap_or(0)
}

#[test]
fn flapping_health_check_does_not_cause_a_kill_storm() {
    let mut sim = sim(Sim::uniform_agents(5, 4.0, 4096.0));
    sim.deploy(vec![web("/flap", 20, "", V1)]);
    settle(&mut sim, 5 * 60_000);
    let start = sim.now;
    let kills_before = sim.kills.len();
    // Every instance fails its checks in the second half of each of the
    // next two minutes, then the check is fine again.
    sim.script_health(
        "/flap",
        Box::new(move |_, now| {
            let t = now.millis_since(start);
            t >= 2 * 60_000 || (t / 30_000) % 2 == 0
        }),
    );
    sim.run_until(DT, 4 * 60_000, |_| {}, |_| false);
    let kills = &sim.kills[kills_before..];
    // Budget: max(1, floor(20 × 0.25)) = 5 health kills per 60 s.
    assert!(!kills.is_empty(), "the unhealthy instances were killed at all");
    assert!(max_kills_per_window(kills, 60_000) <= 5, "kills: {kills:?}");
    assert!(kills.len() <= 10, "two unhealthy phases, two budgets: {} kills", kills.len());
    assert_eq!(healthy_count(&sim, "/flap"), 20, "the app recovers");
}

#[test]
fn unhealthy_instances_beyond_the_budget_are_killed_in_later_intervals() {
    let mut sim = sim(Sim::uniform_agents(5, 4.0, 4096.0));
    sim.deploy(vec![web("/sick", 20, "", V1)]);
    settle(&mut sim, 5 * 60_000);
    let sick: Rc<RefCell<BTreeSet<String>>> = Rc::default();
    sick.borrow_mut().extend(sim.instances("/sick").iter().take(8).map(|i| i.id.clone()));
    let script = Rc::clone(&sick);
    sim.script_health("/sick", Box::new(move |id, _| !script.borrow().contains(id)));
    let start = sim.now;
    let kills_before = sim.kills.len();
    let done = sim.run_until(
        DT,
        5 * 60_000,
        |_| {},
        |s| s.instances("/sick").iter().all(|i| !sick.borrow().contains(&i.id)),
    );
    assert!(done, "every sick instance was eventually killed");
    let kills: Vec<u64> = sim.kills[kills_before..].iter().map(|(t, _)| t.millis_since(start)).collect();
    assert_eq!(kills.len(), 8, "{kills:?}");
    // Five in the first window, the other three only after it.
    assert!(kills[4] < kills[0] + 60_000 && kills[5] >= kills[0] + 60_000, "{kills:?}");
    let settled = sim.run_until(DT, 60_000, |_| {}, |s| healthy_count(s, "/sick") == 20);
    assert!(settled, "replacements run healthy");
    assert!(sim
        .instances("/sick")
        .iter()
        .all(|i| i.goal == Goal::Running && i.condition == Condition::Running));
}

#[test]
fn readiness_checks_gate_the_kill_of_old_instances_during_a_restart() {
    let mut sim = sim(Sim::uniform_agents(4, 4.0, 4096.0));
    let ready = |version: &str, cmd: &str| {
        app(
            &format!(
                r#"{{"id":"/ready","cmd":"{cmd}","instances":4,"cpus":0.5,"mem":64,
                    "portDefinitions":[{{"port":0,"name":"http-api"}}],
                    "readinessChecks":[{{"path":"/ready","portName":"http-api","intervalSeconds":5,"timeoutSeconds":1}}],
                    "upgradeStrategy":{{"minimumHealthCapacity":1.0,"maximumOverCapacity":0.5}}}}"#
            ),
            version,
        )
    };
    sim.deploy(vec![ready(V1, "serve")]);
    settle(&mut sim, 5 * 60_000);
    let old: BTreeSet<String> = sim.instances("/ready").iter().map(|i| i.id.clone()).collect();
    // New instances warm up for a minute after they start answering.
    sim.ready_after("/ready", 60_000);
    sim.deploy(vec![ready(V2, "serve --v2")]);
    let restart_at = sim.now;
    let done = sim.run_until(
        DT,
        30 * 60_000,
        |s| {
            // Serving capacity: old instances not being killed plus ready new ones.
            let serving = s
                .instances("/ready")
                .iter()
                .filter(|i| i.goal == Goal::Running && i.condition == Condition::Running)
                .filter(|i| old.contains(&i.id) || s.ready_at.contains_key(&i.id))
                .count();
            assert!(serving >= 4, "only {serving} serving at {:?}", s.now);
            assert!(s.core.readiness.keys().all(|id| !old.contains(id)), "old instances are never gated");
        },
        |s| s.deployments_left() == 0,
    );
    assert!(done, "the restart finished once new instances were ready");
    let first_ready = sim
        .ready_at
        .iter()
        .filter(|(id, _)| !old.contains(*id))
        .map(|(_, t)| *t)
        .min()
        .expect("new instances became ready");
    assert!(first_ready.millis_since(restart_at) >= 60_000);
    let first_old_kill = sim
        .kills
        .iter()
        .find(|(_, task)| old.iter().any(|id| task.starts_with(id.as_str())))
        .map(|(t, _)| *t)
        .expect("old instances were replaced");
    assert!(first_old_kill >= first_ready, "an old instance was killed before any new one was ready");
    assert!(sim.instances("/ready").iter().all(|i| !old.contains(&i.id)));
    assert!(sim.core.readiness.is_empty(), "gates are dropped with the deployment");
    let reports = sim.core.instance_reports().expect("reports");
    assert!(reports.iter().all(|r| r.readiness.is_none()), "no gate, no readiness in the reports");
}

#[test]
fn a_deployment_past_its_timeout_is_rolled_back() {
    let mut sim = sim(Sim::uniform_agents(3, 4.0, 4096.0));
    let labels = r#","labels":{"DROMOS_DEPLOYMENT_TIMEOUT_SECONDS":"60"}"#;
    sim.deploy(vec![web("/slow", 3, labels, V1)]);
    settle(&mut sim, 5 * 60_000);
    let old: BTreeSet<String> = sim.instances("/slow").iter().map(|i| i.id.clone()).collect();
    // The new version never passes its health checks.
    let healthy_ids = old.clone();
    sim.script_health("/slow", Box::new(move |id, _| healthy_ids.contains(id)));
    let mut next = web("/slow", 3, labels, V2);
    next.cmd = Some("serve --broken".into());
    let started = sim.now;
    sim.deploy(vec![next]).expect("a restart");
    let rolled_back = sim.run_until(
        DT,
        10 * 60_000,
        |s| {
            let live_old = s
                .instances("/slow")
                .iter()
                .filter(|i| old.contains(&i.id) && i.goal == Goal::Running)
                .count();
            assert_eq!(live_old, 3, "the old version keeps serving");
        },
        |s| !s.target.state().timeouts.is_empty() && s.deployments_left() == 0,
    );
    assert!(rolled_back, "timed out and rolled back: {:?}", sim.target.state().deployments);
    let timeouts = sim.target.state().timeouts;
    assert_eq!(timeouts.len(), 1);
    assert_eq!((timeouts[0].timeout_seconds, timeouts[0].app_id.as_str()), (60, "/slow"));
    assert!(timeouts[0].reason.contains("timed out after 60 s"), "{}", timeouts[0].reason);
    let apps = sim.target.state().apps;
    assert_eq!(apps["/slow"].version.as_ref().map(ToString::to_string).as_deref(), Some(V1));
    let instances = sim.instances("/slow");
    assert!(instances.iter().all(|i| old.contains(&i.id)), "only the old instances remain: {instances:?}");
    // Timed out between 60 s and one step later.
    let failed_at = sim.now.millis_since(started);
    assert!(failed_at >= 60_000, "{failed_at}");
}

#[test]
fn command_check_results_in_status_updates_drive_instance_health() {
    let mut sim = sim(Sim::uniform_agents(2, 4.0, 4096.0));
    let cmd = app(
        r#"{"id":"/cmd","cmd":"serve","instances":2,"cpus":0.5,"mem":64,
            "healthChecks":[{"protocol":"COMMAND","command":{"value":"check"},"intervalSeconds":2,
                "maxConsecutiveFailures":3}]}"#,
        V1,
    );
    sim.deploy(vec![cmd]);
    // Until the executor's first healthy=true update, the deployment waits.
    let mut waited_for_health = false;
    let done = sim.run_until(
        DT,
        60_000,
        |s| {
            let running = s.instances("/cmd").iter().filter(|i| i.condition == Condition::Running).count();
            let healthy = healthy_count(s, "/cmd");
            if running == 2 && healthy < 2 {
                waited_for_health = true;
                assert_eq!(s.deployments_left(), 1, "not finished before the checks pass");
            }
        },
        |s| s.deployments_left() == 0,
    );
    assert!(done && waited_for_health);
    assert!(sim.checked.is_empty(), "COMMAND checks are not run by the driver");
    assert_eq!(healthy_count(&sim, "/cmd"), 2);

    let sick = sim.instances("/cmd")[0].id.clone();
    let target = sick.clone();
    let kills_before = sim.kills.len();
    sim.script_health("/cmd", Box::new(move |id, _| id != target));
    let replaced = sim.run_until(
        DT,
        60_000,
        |_| {},
        |s| {
            let instances = s.instances("/cmd");
            instances.iter().all(|i| i.id != sick) && healthy_count(s, "/cmd") == 2
        },
    );
    assert!(replaced, "the instance reported unhealthy was killed and replaced");
    let kills = &sim.kills[kills_before..];
    assert_eq!(kills.len(), 1, "only the unhealthy one: {kills:?}");
    assert!(kills[0].1.starts_with(&sick), "{kills:?}");
}

#[test]
fn a_deployment_stored_with_every_step_done_is_finished_not_dropped() {
    // A leader that stopped between recording the last step and the end
    // leaves such a deployment; its successor must end it, or it is listed
    // (and blocks the app's changes) for good.
    let mut sim = sim(Sim::uniform_agents(1, 4.0, 4096.0));
    sim.deploy(vec![web("/done", 1, "", V1)]);
    settle(&mut sim, 5 * 60_000);
    let plan = dromos_scheduler::plan::DeploymentPlan {
        steps: vec![dromos_scheduler::plan::Step {
            actions: vec![dromos_scheduler::plan::Action::ScaleApplication {
                run_spec_id: "/done".into(),
                instances: 1,
            }],
        }],
    };
    sim.target.insert_deployment(crate::TargetDeployment { id: "stale".into(), plan, steps_done: 1 });
    assert_eq!(sim.deployments_left(), 1);
    sim.step(DT);
    assert_eq!(sim.deployments_left(), 0, "the complete deployment is finished");
    let reported: Vec<_> =
        sim.target.state().progress.into_iter().filter(|p| p.deployment_id == "stale").collect();
    assert_eq!(reported.len(), 1, "its end is reported once: {reported:?}");
    assert!(reported[0].finished && reported[0].steps_done == 1, "{reported:?}");
    sim.step(DT);
    let again = sim.target.state().progress.iter().filter(|p| p.deployment_id == "stale").count();
    assert_eq!(again, 1, "and not again");
    assert_eq!(healthy_count(&sim, "/done"), 1, "the app is untouched");
}
