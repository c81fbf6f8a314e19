use std::sync::Arc;

use super::{restart_step, scale_step, stop_step, upgrade_bounds, UpgradeBounds};
use crate::instance::{Condition, Goal, Health, Instance};
use crate::offer::AgentInfo;
use crate::run_spec::{RunSpec, UpgradeStrategy};
use crate::time::Timestamp;

fn inst(id: &str, version: &str, condition: Condition, health: Health, since: u64) -> Instance {
    let mut i = Instance::provisioned(id, "/a", version, Arc::new(AgentInfo::new(id, id)), Timestamp(since));
    i.condition = condition;
    i.health = health;
    i.running_since = Some(Timestamp(since));
    i
}

fn old_healthy(n: usize) -> Vec<Instance> {
    (0..n).map(|k| inst(&format!("old{k}"), "v1", Condition::Running, Health::Healthy, k as u64)).collect()
}

fn spec(instances: u32, mhc: f64, moc: f64) -> RunSpec {
    let mut s = RunSpec::new("/a", "v2");
    s.instances = instances;
    s.upgrade = UpgradeStrategy { minimum_health_capacity: mhc, maximum_over_capacity: moc };
    s
}

#[test]
fn bounds_follow_marathon_formulas() {
    // (instances, mhc, moc, resident, healthy, expected)
    let cases = [
        (10, 1.0, 1.0, false, 10, UpgradeBounds { min_healthy: 10, max_capacity: 20, extra_kill: 0 }),
        (10, 0.5, 0.2, false, 10, UpgradeBounds { min_healthy: 5, max_capacity: 12, extra_kill: 0 }),
        (3, 0.5, 0.0, false, 3, UpgradeBounds { min_healthy: 2, max_capacity: 3, extra_kill: 0 }),
        (3, 1.0, 0.0, false, 3, UpgradeBounds { min_healthy: 3, max_capacity: 4, extra_kill: 0 }),
        (3, 1.0, 0.0, true, 3, UpgradeBounds { min_healthy: 3, max_capacity: 3, extra_kill: 1 }),
        (7, 0.3, 0.0, false, 7, UpgradeBounds { min_healthy: 3, max_capacity: 7, extra_kill: 0 }),
    ];
    for (n, mhc, moc, resident, healthy, want) in cases {
        let s = UpgradeStrategy { minimum_health_capacity: mhc, maximum_over_capacity: moc };
        assert_eq!(upgrade_bounds(n, &s, resident, healthy), want, "n={n} mhc={mhc} moc={moc}");
    }
}

#[test]
fn restart_start_decisions_match_marathon_docs() {
    // (mhc, moc, kills, launches) for 4 healthy old instances of 4.
    let cases = [
        (1.0, 1.0, 0, 4), // full side by side
        (0.0, 0.0, 4, 0), // kill all first, launch once they are gone
        (0.5, 0.0, 2, 0), // scale old down to 2, launch when they are gone
        (0.5, 0.5, 2, 2),
        (1.0, 0.0, 0, 1), // one temporary extra instance
    ];
    for (mhc, moc, kills, launches) in cases {
        let old = old_healthy(4);
        let refs: Vec<&Instance> = old.iter().collect();
        let d = restart_step(&spec(4, mhc, moc), &refs, 0);
        assert_eq!((d.kill.len(), d.launch, d.complete), (kills, launches, false), "mhc={mhc} moc={moc}");
    }
}

#[test]
fn restart_kills_youngest_healthy_old_and_unhealthy_old_first() {
    let mut old = old_healthy(3);
    old[0].health = Health::Unhealthy;
    let refs: Vec<&Instance> = old.iter().collect();
    let d = restart_step(&spec(3, 0.34, 0.0), &refs, 0);
    // healthy = 2, min_healthy = 2: only the unhealthy one may go.
    assert_eq!(d.kill, vec!["old0".to_owned()]);
}

#[test]
fn restart_completes_when_new_are_healthy_and_old_are_gone() {
    let mut all = old_healthy(2);
    all.push(inst("new0", "v2", Condition::Running, Health::Healthy, 9));
    all.push(inst("new1", "v2", Condition::Running, Health::Healthy, 9));
    let refs: Vec<&Instance> = all.iter().collect();
    let d = restart_step(&spec(2, 1.0, 1.0), &refs, 0);
    assert_eq!((d.kill.len(), d.launch, d.complete), (2, 0, false));
    for i in &mut all[..2] {
        i.goal = Goal::Decommissioned;
        i.condition = Condition::Killed;
    }
    let refs: Vec<&Instance> = all.iter().collect();
    assert!(restart_step(&spec(2, 1.0, 1.0), &refs, 0).complete);
}

#[test]
fn scale_step_launches_or_kills_to_reach_target() {
    let three = old_healthy(3);
    let refs: Vec<&Instance> = three.iter().collect();
    // (target, queued, kills, launches, complete)
    let cases = [(5, 0, 0, 2, false), (5, 2, 0, 0, false), (1, 0, 2, 0, false), (3, 0, 0, 0, true)];
    for (target, queued, kills, launches, complete) in cases {
        let mut s = spec(target, 1.0, 1.0);
        s.version = "v1".into();
        let d = scale_step(&s, &refs, queued, &[]);
        assert_eq!((d.kill.len(), d.launch, d.complete), (kills, launches, complete), "target={target}");
    }
}

#[test]
fn stop_step_kills_all_and_waits_for_them() {
    let mut all = old_healthy(2);
    let refs: Vec<&Instance> = all.iter().collect();
    assert_eq!(stop_step(&refs).kill.len(), 2);
    for i in &mut all {
        i.condition = Condition::Killed;
    }
    let refs: Vec<&Instance> = all.iter().collect();
    assert!(stop_step(&refs).complete);
}
