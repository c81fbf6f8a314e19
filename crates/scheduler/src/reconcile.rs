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
    let UnreachableStrategy::Enabled { inactive_after_secs, expunge_after_secs } = spec.unreachable else {
        return;
    };
    let Some(since) = instance.unreachable_since else {
        return;
    };
    let unreachable_ms = input.now.millis_since(since);
    match instance.condition {
        Condition::Unreachable if unreachable_ms >= inactive_after_secs.saturating_mul(1000) => {
            decision.mark_inactive.push(instance.id.clone());
        }
        Condition::UnreachableInactive if unreachable_ms >= expunge_after_secs.saturating_mul(1000) => {
            decision.expunge.push(instance.id.clone());
        }
        _ => {}
    }
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
