//! Steady-state reconciliation: compare the wanted state (run specs) with the
//! tracked instances and decide replacements, scale corrections, kills of
//! orphans, and expunges. Pure and idempotent: run it on every scale tick
//! (`--scale_apps_interval`) or after a batch of status updates.
//!
//! Run specs under a deployment are left to the deployment's step logic
//! ([`crate::upgrade`]); only their orphans and expunges are handled here.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::instance::{Condition, Goal, Instance};
use crate::kill_order::select_kills;
use crate::run_spec::{RunSpec, UnreachableStrategy};
use crate::time::Timestamp;
use crate::tracker::Tracker;

/// Why an instance is to be killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KillReason {
    /// Its run spec no longer exists.
    Orphaned,
    /// More instances run than wanted.
    OverCapacity,
}

/// One kill decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KillOrder {
    /// The instance.
    pub instance_id: String,
    /// Why.
    pub reason: KillReason,
}

/// Inputs besides the tracker.
#[derive(Debug, Clone, Copy)]
pub struct ReconcileInput<'a> {
    /// Current run specs by id.
    pub specs: &'a BTreeMap<String, RunSpec>,
    /// Run specs whose instances a deployment currently manages.
    pub under_deployment: &'a BTreeSet<String>,
    /// Instances per run spec still waiting in the launch queue.
    pub queued: &'a BTreeMap<String, u32>,
    /// The caller's clock.
    pub now: Timestamp,
}

/// What to do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReconcileDecision {
    /// New launch-queue counts for run specs whose count must change.
    pub queue_counts: BTreeMap<String, u32>,
    /// Instances to kill (set their goal to `Decommissioned`).
    pub kills: Vec<KillOrder>,
    /// Unreachable instances to mark `UnreachableInactive` (replaced).
    pub mark_inactive: Vec<String>,
    /// Instances to forget.
    pub expunge: Vec<String>,
}

/// Decides replacements, scale corrections, orphan kills and expunges.
pub fn reconcile(tracker: &Tracker, input: &ReconcileInput<'_>) -> ReconcileDecision {
    let mut decision = ReconcileDecision::default();
    for instance in tracker.iter() {
        lifecycle(instance, input, &mut decision);
    }
    for spec in input.specs.values().filter(|s| !input.under_deployment.contains(&s.id)) {
        scale(spec, tracker, input, &mut decision);
    }
    decision
}

fn lifecycle(instance: &Instance, input: &ReconcileInput<'_>, decision: &mut ReconcileDecision) {
    let terminal = instance.condition.is_terminal();
    let Some(spec) = input.specs.get(&instance.run_spec_id) else {
        // A removed run spec under deployment is stopped by its
        // `StopApplication` step, in dependency order; only orphans no
        // deployment owns are killed here.
        let owned = input.under_deployment.contains(&instance.run_spec_id);
        if terminal {
            decision.expunge.push(instance.id.clone());
        } else if instance.goal != Goal::Decommissioned && !owned {
            decision.kills.push(KillOrder { instance_id: instance.id.clone(), reason: KillReason::Orphaned });
        }
        return;
    };
    if terminal && instance.goal != Goal::Stopped {
        decision.expunge.push(instance.id.clone());
        return;
    }
    match unreachable_step(instance, spec, input.now) {
        Some(UnreachableStep::MarkInactive) => decision.mark_inactive.push(instance.id.clone()),
        Some(UnreachableStep::Expunge) => decision.expunge.push(instance.id.clone()),
        Some(UnreachableStep::Wait { .. }) | None => {}
    }
}

/// Unreachable instances whose `unreachableStrategy` timer has run out, and
/// when the next timer runs out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnreachableDecision {
    /// Unreachable past `inactiveAfterSeconds`: mark `UnreachableInactive`,
    /// which launches a replacement.
    pub mark_inactive: Vec<String>,
    /// Replaced and unreachable past `expungeAfterSeconds`: forget them (a
    /// task that comes back later is unknown and killed).
    pub expunge: Vec<String>,
    /// The earliest timer still running once these are applied (instances
    /// marked inactive now count with their expunge time): the caller
    /// wakes up then instead of at its next periodic tick.
    pub next_deadline: Option<Timestamp>,
}

/// The `unreachableStrategy` timers of every unreachable instance with a
/// run spec (instances without one are [`reconcile`]'s orphans). Marathon
/// checks them on its reconciliation cycle, up to ten minutes late; run on
/// every tick and woken at `next_deadline`, dromos replaces an unreachable
/// instance when `inactiveAfterSeconds` have passed.
pub fn unreachable_timers(
    tracker: &Tracker,
    specs: &BTreeMap<String, RunSpec>,
    now: Timestamp,
) -> UnreachableDecision {
    let mut decision = UnreachableDecision::default();
    let mut wake = |at: Timestamp| {
        decision.next_deadline = Some(decision.next_deadline.map_or(at, |t: Timestamp| t.min(at)));
    };
    let mut mark_inactive = Vec::new();
    let mut expunge = Vec::new();
    for instance in tracker.iter().filter(|i| i.condition.is_lost() && !i.condition.is_terminal()) {
        let Some(spec) = specs.get(&instance.run_spec_id) else { continue };
        match unreachable_step(instance, spec, now) {
            Some(UnreachableStep::MarkInactive) => {
                mark_inactive.push(instance.id.clone());
                let after_inactive =
                    Instance { condition: Condition::UnreachableInactive, ..instance.clone() };
                match unreachable_step(&after_inactive, spec, now) {
                    Some(UnreachableStep::Wait { until }) => wake(until),
                    // Expunged on the next turn, at once.
                    Some(UnreachableStep::Expunge) => wake(now),
                    _ => {}
                }
            }
            Some(UnreachableStep::Expunge) => expunge.push(instance.id.clone()),
            Some(UnreachableStep::Wait { until }) => wake(until),
            None => {}
        }
    }
    decision.mark_inactive = mark_inactive;
    decision.expunge = expunge;
    decision
}

/// Where an unreachable instance stands with its run spec's strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnreachableStep {
    MarkInactive,
    Expunge,
    /// Nothing to do before `until`.
    Wait {
        until: Timestamp,
    },
}

/// `None`: not unreachable, or the strategy is disabled.
fn unreachable_step(instance: &Instance, spec: &RunSpec, now: Timestamp) -> Option<UnreachableStep> {
    let UnreachableStrategy::Enabled { inactive_after_secs, expunge_after_secs } = spec.unreachable else {
        return None;
    };
    let since = instance.unreachable_since?;
    let (after_secs, step) = match instance.condition {
        Condition::Unreachable => (inactive_after_secs, UnreachableStep::MarkInactive),
        Condition::UnreachableInactive => (expunge_after_secs, UnreachableStep::Expunge),
        _ => return None,
    };
    let until = since.plus_millis(after_secs.saturating_mul(1000));
    Some(if now >= until { step } else { UnreachableStep::Wait { until } })
}

fn scale(spec: &RunSpec, tracker: &Tracker, input: &ReconcileInput<'_>, decision: &mut ReconcileDecision) {
    let active: Vec<&Instance> = tracker
        .of_run_spec(&spec.id)
        .filter(|i| i.is_active_running_goal() && !decision.mark_inactive.contains(&i.id))
        .collect();
    let active_count = u32::try_from(active.len()).unwrap_or(u32::MAX);
    let queued = input.queued.get(&spec.id).copied().unwrap_or(0);
    let wanted_queue = spec.instances.saturating_sub(active_count);
    if wanted_queue != queued {
        decision.queue_counts.insert(spec.id.clone(), wanted_queue);
    }
    let excess = active_count.saturating_sub(spec.instances) as usize;
    if excess > 0 {
        for victim in select_kills(&active, excess, spec.kill_selection, &spec.constraints, &[]) {
            decision
                .kills
                .push(KillOrder { instance_id: victim.id.clone(), reason: KillReason::OverCapacity });
        }
    }
}

#[cfg(test)]
#[path = "reconcile_tests.rs"]
mod tests;
