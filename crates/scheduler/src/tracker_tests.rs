use std::sync::Arc;

use super::{HealthEffect, StatusUpdate, TaskState, Tracker, TrackerError};
use crate::instance::{Condition, Goal, Health, Instance};
use crate::offer::AgentInfo;
use crate::time::Timestamp;

fn tracker_with(id: &str) -> Tracker {
    let mut t = Tracker::new();
    t.insert(Instance::provisioned(id, "/a", "v1", Arc::new(AgentInfo::new("a1", "h1")), Timestamp(0)));
    t
}

fn update(id: &str, state: TaskState, at: u64) -> StatusUpdate {
    StatusUpdate { instance_id: id.to_owned(), state, at: Timestamp(at) }
}

#[test]
fn status_updates_move_conditions_and_flag_failures() {
    // (state, condition, counts_as_failure, became_terminal)
    let cases = [
        (TaskState::Staging, Condition::Staging, false, false),
        (TaskState::Running, Condition::Running, false, false),
        (TaskState::Failed, Condition::Failed, true, true),
        (TaskState::Finished, Condition::Finished, true, true),
        (TaskState::Error, Condition::Error, true, true),
        (TaskState::Killed, Condition::Killed, false, true),
        (TaskState::Unreachable, Condition::Unreachable, false, false),
        (TaskState::Unknown, Condition::Unknown, false, true),
        (TaskState::GoneByOperator, Condition::Gone, false, true),
        (TaskState::Dropped, Condition::Dropped, false, true),
    ];
    for (state, condition, failure, terminal) in cases {
        let mut t = tracker_with("i");
        let effect = t.apply_status(&update("i", state, 5)).expect("known instance");
        assert_eq!(
            (effect.condition, effect.counts_as_failure, effect.became_terminal),
            (condition, failure, terminal),
            "{state:?}"
        );
    }
}

#[test]
fn failure_of_an_instance_being_killed_does_not_count_for_backoff() {
    let mut t = tracker_with("i");
    t.set_goal("i", Goal::Decommissioned).expect("known");
    let effect = t.apply_status(&update("i", TaskState::Failed, 1)).expect("known");
    assert!(!effect.counts_as_failure);
}

#[test]
fn unknown_instance_update_is_an_error_so_the_task_gets_killed() {
    let mut t = Tracker::new();
    assert_eq!(
        t.apply_status(&update("ghost", TaskState::Running, 1)),
        Err(TrackerError::UnknownInstance("ghost".into()))
    );
}

#[test]
fn unreachable_then_running_clears_unreachable_since() {
    let mut t = tracker_with("i");
    t.apply_status(&update("i", TaskState::Running, 1)).expect("known");
    t.apply_status(&update("i", TaskState::Unreachable, 7)).expect("known");
    assert_eq!(t.get("i").and_then(|i| i.unreachable_since), Some(Timestamp(7)));
    t.mark_inactive("i").expect("known");
    t.apply_status(&update("i", TaskState::Unreachable, 9)).expect("known");
    assert_eq!(t.get("i").map(|i| i.condition), Some(Condition::UnreachableInactive));
    t.apply_status(&update("i", TaskState::Running, 10)).expect("known");
    let i = t.get("i").expect("known");
    assert_eq!(
        (i.condition, i.unreachable_since, i.running_since),
        (Condition::Running, None, Some(Timestamp(1)))
    );
}

#[test]
fn consecutive_health_failures_kill_at_the_limit() {
    let mut t = tracker_with("i");
    // (healthy, max, expected effect)
    let cases = [
        (true, 3, HealthEffect::Changed(Health::Healthy)),
        (false, 3, HealthEffect::Changed(Health::Unhealthy)),
        (false, 3, HealthEffect::Unchanged),
        (false, 3, HealthEffect::Kill),
    ];
    for (n, (healthy, max, want)) in cases.into_iter().enumerate() {
        assert_eq!(t.apply_health("i", healthy, max).expect("known"), want, "step {n}");
    }
}

#[test]
fn zero_max_consecutive_failures_never_kills() {
    let mut t = tracker_with("i");
    for _ in 0..10 {
        assert_ne!(t.apply_health("i", false, 0).expect("known"), HealthEffect::Kill);
    }
}
