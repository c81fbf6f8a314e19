use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{reconcile, unreachable_timers, KillReason, ReconcileInput};
use crate::instance::{Condition, Instance};
use crate::offer::AgentInfo;
use crate::run_spec::{RunSpec, UnreachableStrategy};
use crate::time::Timestamp;
use crate::tracker::Tracker;

fn instance(id: &str, app: &str, condition: Condition, since: u64) -> Instance {
    let mut i = Instance::provisioned(id, app, "v1", Arc::new(AgentInfo::new(id, id)), Timestamp(since));
    i.condition = condition;
    i.running_since = Some(Timestamp(since));
    i
}

fn specs(list: &[(&str, u32)]) -> BTreeMap<String, RunSpec> {
    list.iter()
        .map(|(id, n)| {
            let mut s = RunSpec::new(*id, "v1");
            s.instances = *n;
            s.unreachable = UnreachableStrategy::Enabled { inactive_after_secs: 60, expunge_after_secs: 600 };
            ((*id).to_owned(), s)
        })
        .collect()
}

fn run(
    tracker: &Tracker,
    specs: &BTreeMap<String, RunSpec>,
    queued: &[(&str, u32)],
    now: u64,
) -> super::ReconcileDecision {
    let queued: BTreeMap<String, u32> = queued.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    let none = BTreeSet::new();
    reconcile(
        tracker,
        &ReconcileInput { specs, under_deployment: &none, queued: &queued, now: Timestamp(now) },
    )
}

#[test]
fn failed_instances_are_expunged_and_replaced() {
    let mut t = Tracker::new();
    t.insert(instance("ok", "/a", Condition::Running, 0));
    t.insert(instance("dead", "/a", Condition::Failed, 0));
    let d = run(&t, &specs(&[("/a", 2)]), &[], 0);
    assert_eq!(d.expunge, vec!["dead".to_owned()]);
    assert_eq!(d.queue_counts.get("/a"), Some(&1));
}

#[test]
fn scale_down_kills_youngest_first() {
    let mut t = Tracker::new();
    for (id, since) in [("i1", 1), ("i2", 2), ("i3", 3)] {
        t.insert(instance(id, "/a", Condition::Running, since));
    }
    let d = run(&t, &specs(&[("/a", 1)]), &[], 0);
    let killed: Vec<&str> = d.kills.iter().map(|k| k.instance_id.as_str()).collect();
    assert_eq!(killed, vec!["i3", "i2"]);
    assert!(d.kills.iter().all(|k| k.reason == KillReason::OverCapacity));
}

#[test]
fn queued_instances_are_not_launched_twice() {
    let t = Tracker::new();
    // (queued before, expected new queue count if changed)
    let cases = [(0, Some(3)), (3, None), (5, Some(3))];
    for (queued, want) in cases {
        let d = run(&t, &specs(&[("/a", 3)]), &[("/a", queued)], 0);
        assert_eq!(d.queue_counts.get("/a").copied(), want, "queued={queued}");
    }
}

#[test]
fn instances_of_deleted_apps_are_killed_or_expunged() {
    let mut t = Tracker::new();
    t.insert(instance("live", "/gone", Condition::Running, 0));
    t.insert(instance("dead", "/gone", Condition::Killed, 0));
    let d = run(&t, &specs(&[]), &[], 0);
    assert_eq!(d.kills.len(), 1);
    assert_eq!((d.kills[0].instance_id.as_str(), d.kills[0].reason), ("live", KillReason::Orphaned));
    assert_eq!(d.expunge, vec!["dead".to_owned()]);
}

#[test]
fn removed_apps_under_deployment_are_left_to_their_stop_step() {
    let mut t = Tracker::new();
    t.insert(instance("live", "/gone", Condition::Running, 0));
    t.insert(instance("dead", "/gone", Condition::Killed, 0));
    let stopping = BTreeSet::from(["/gone".to_owned()]);
    let input = ReconcileInput {
        specs: &specs(&[]),
        under_deployment: &stopping,
        queued: &BTreeMap::new(),
        now: Timestamp(0),
    };
    let d = reconcile(&t, &input);
    assert!(d.kills.is_empty(), "the deployment stops it in dependency order: {:?}", d.kills);
    assert_eq!(d.expunge, vec!["dead".to_owned()]);
}

#[test]
fn unreachable_instances_are_replaced_after_inactive_after_and_expunged_later() {
    let mut t = Tracker::new();
    let mut lost = instance("lost", "/a", Condition::Unreachable, 0);
    lost.unreachable_since = Some(Timestamp(0));
    t.insert(lost.clone());
    // (now ms, marked inactive, queue count)
    let cases = [(59_999, false, None), (60_000, true, Some(1))];
    for (now, inactive, queue) in cases {
        let d = run(&t, &specs(&[("/a", 1)]), &[], now);
        assert_eq!(d.mark_inactive.contains(&"lost".to_owned()), inactive, "now={now}");
        assert_eq!(d.queue_counts.get("/a").copied(), queue, "now={now}");
    }
    lost.condition = Condition::UnreachableInactive;
    t.insert(lost);
    assert!(run(&t, &specs(&[("/a", 1)]), &[("/a", 1)], 600_000).expunge.contains(&"lost".to_owned()));
}

#[test]
fn unreachable_timers_fire_at_their_deadlines_and_name_the_next_one() {
    let mut t = Tracker::new();
    let mut lost = instance("lost", "/a", Condition::Unreachable, 0);
    lost.unreachable_since = Some(Timestamp(1_000));
    t.insert(lost.clone());
    t.insert(instance("ok", "/a", Condition::Running, 0));
    let specs = specs(&[("/a", 2)]);
    // inactive after 60 s, expunged after 600 s, counted from 1 s.
    // (now ms, marked inactive, expunged, next deadline)
    let cases = [
        (1_000, false, false, Some(61_000)),
        (60_999, false, false, Some(61_000)),
        (61_000, true, false, Some(601_000)),
    ];
    for (now, inactive, expunged, next) in cases {
        let d = unreachable_timers(&t, &specs, Timestamp(now));
        assert_eq!(
            (
                d.mark_inactive.contains(&"lost".to_owned()),
                d.expunge.contains(&"lost".to_owned()),
                d.next_deadline
            ),
            (inactive, expunged, next.map(Timestamp)),
            "now={now}"
        );
    }
    lost.condition = Condition::UnreachableInactive;
    t.insert(lost);
    let d = unreachable_timers(&t, &specs, Timestamp(601_000));
    assert_eq!((d.expunge, d.next_deadline), (vec!["lost".to_owned()], None));
}

#[test]
fn unreachable_timers_leave_disabled_strategies_and_reachable_instances_alone() {
    let mut t = Tracker::new();
    let mut lost = instance("lost", "/a", Condition::Unreachable, 0);
    lost.unreachable_since = Some(Timestamp(0));
    t.insert(lost);
    t.insert(instance("ok", "/a", Condition::Running, 0));
    let mut specs = specs(&[("/a", 2)]);
    specs.get_mut("/a").expect("spec").unreachable = UnreachableStrategy::Disabled;
    let d = unreachable_timers(&t, &specs, Timestamp(u64::MAX / 2));
    assert_eq!(d, super::UnreachableDecision::default());
}

#[test]
fn an_instantly_inactive_instance_is_expunged_on_the_next_turn() {
    let mut t = Tracker::new();
    let mut lost = instance("lost", "/a", Condition::Unreachable, 0);
    lost.unreachable_since = Some(Timestamp(5));
    t.insert(lost);
    let mut specs = specs(&[("/a", 1)]);
    specs.get_mut("/a").expect("spec").unreachable = UnreachableStrategy::default();
    let d = unreachable_timers(&t, &specs, Timestamp(5));
    assert_eq!((d.mark_inactive, d.next_deadline), (vec!["lost".to_owned()], Some(Timestamp(5))));
}
