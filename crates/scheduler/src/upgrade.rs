//! Deployment step logic: what to launch and kill next for a restart
//! (rolling upgrade), scale or stop action, and when the action is done.
//!
//! Every function is stateless: it looks at the run spec's instances as they
//! are now and is re-run after every relevant change (status update, health
//! result, launch). Kills it returned earlier show up as instances with goal
//! `Decommissioned`; they still occupy capacity until they are terminal, so
//! the over-capacity bound holds for what really runs.
//!
//! Rolling upgrade (Marathon's `TaskReplaceActor`), with `N = instances`:
//! - `min_healthy = ceil(N · minimumHealthCapacity)`,
//!   `max_capacity = floor(N · (1 + maximumOverCapacity))`;
//! - if `min_healthy == max_capacity <= healthy`, nothing could move: a
//!   resident app may kill one more, others may run one extra instance;
//! - old instances that are not healthy may always be killed (they do not
//!   count towards health); healthy old ones only down to `min_healthy`;
//! - new instances launch up to `N`, within `max_capacity` counting every
//!   instance still occupying an agent;
//! - done when `N` new instances are healthy and no old one is left.
//!
//! Readiness checks are not modelled here: the caller passes instances as
//! healthy only when they are healthy *and* ready.

use serde::Serialize;

use crate::instance::Instance;
use crate::kill_order::{preference_order, select_kills};
use crate::run_spec::{RunSpec, UpgradeStrategy};

/// The next moves of a deployment action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StepDecision {
    /// Instances to kill now.
    pub kill: Vec<String>,
    /// New instances to put in the launch queue now (in addition to
    /// `queued`).
    pub launch: u32,
    /// The action is finished.
    pub complete: bool,
}

/// Bounds of a rolling upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UpgradeBounds {
    /// Healthy instances that must remain.
    pub min_healthy: u32,
    /// Instances that may occupy agents at once.
    pub max_capacity: u32,
    /// Extra old instances that may be killed below `min_healthy` (resident
    /// apps when nothing could move otherwise).
    pub extra_kill: u32,
}

/// Marathon's formulas, including the "nothing could move" adjustment.
pub fn upgrade_bounds(
    instances: u32,
    strategy: &UpgradeStrategy,
    resident: bool,
    healthy: u32,
) -> UpgradeBounds {
    const EPS: f64 = 1e-9;
    let n = f64::from(instances);
    let mhc = strategy.minimum_health_capacity.clamp(0.0, 1.0);
    let moc = strategy.maximum_over_capacity.clamp(0.0, 1.0);
    // Float-to-int casts saturate; the values are within [0, 2n].
    let min_healthy = (n * mhc - EPS).ceil().max(0.0) as u32;
    let mut max_capacity = (n * (1.0 + moc) + EPS).floor() as u32;
    let mut extra_kill = 0;
    if min_healthy == max_capacity && max_capacity <= healthy {
        if resident {
            extra_kill = 1;
        } else {
            max_capacity += 1;
        }
    }
    UpgradeBounds { min_healthy, max_capacity, extra_kill }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Next moves of a `RestartApplication` to `spec` (the new version).
/// `instances` are all instances of the run spec id; `queued_new` are
/// new-version instances waiting in the launch queue.
pub fn restart_step(spec: &RunSpec, instances: &[&Instance], queued_new: u32) -> StepDecision {
    let is_new = |i: &Instance| i.run_spec_version == spec.version;
    let old_killable: Vec<&Instance> =
        instances.iter().copied().filter(|i| !is_new(i) && i.is_active_running_goal()).collect();
    let new_active =
        count(instances.iter().filter(|i| is_new(i) && i.is_active_running_goal()).count()) + queued_new;
    let new_healthy = count(instances.iter().filter(|i| is_new(i) && i.is_considered_healthy()).count());
    let old_healthy: Vec<&Instance> =
        old_killable.iter().copied().filter(|i| i.is_considered_healthy()).collect();
    let healthy = new_healthy + count(old_healthy.len());
    let bounds = upgrade_bounds(spec.instances, &spec.upgrade, spec.resident, healthy);

    let mut kill: Vec<String> = preference_order(&old_killable, spec.kill_selection)
        .into_iter()
        .filter(|i| !i.is_considered_healthy())
        .map(|i| i.id.clone())
        .collect();
    let budget = (healthy.saturating_sub(bounds.min_healthy) + bounds.extra_kill) as usize;
    let healthy_victims = preference_order(&old_healthy, spec.kill_selection);
    kill.extend(healthy_victims.into_iter().take(budget).map(|i| i.id.clone()));

    let occupying_old = count(instances.iter().filter(|i| !is_new(i) && i.occupies_agent()).count());
    let occupying_new_decommissioned = count(
        instances.iter().filter(|i| is_new(i) && i.occupies_agent() && !i.is_active_running_goal()).count(),
    );
    let occupying = occupying_old + occupying_new_decommissioned + new_active;
    let launch = spec.instances.saturating_sub(new_active).min(bounds.max_capacity.saturating_sub(occupying));
    let complete = new_healthy >= spec.instances && occupying_old == 0;
    StepDecision { kill, launch, complete }
}

/// Next moves of a `ScaleApplication` to `spec.instances`; `sentenced` are
/// instances the user asked to kill first (`DELETE /tasks?scale=true`).
pub fn scale_step(
    spec: &RunSpec,
    instances: &[&Instance],
    queued: u32,
    sentenced: &[String],
) -> StepDecision {
    let active: Vec<&Instance> = instances.iter().copied().filter(|i| i.is_active_running_goal()).collect();
    let active_count = count(active.len());
    let launch = spec.instances.saturating_sub(active_count + queued);
    let excess = active_count.saturating_sub(spec.instances) as usize;
    let kill = select_kills(&active, excess, spec.kill_selection, &spec.constraints, sentenced)
        .into_iter()
        .map(|i| i.id.clone())
        .collect();
    let healthy = count(active.iter().filter(|i| i.is_considered_healthy()).count());
    let occupying = count(instances.iter().filter(|i| i.occupies_agent()).count());
    let complete = excess == 0 && healthy >= spec.instances && occupying <= spec.instances;
    StepDecision { kill, launch, complete }
}

/// Next moves of a `StopApplication`: kill everything; done when nothing
/// occupies an agent any more.
pub fn stop_step(instances: &[&Instance]) -> StepDecision {
    let kill = instances.iter().filter(|i| i.is_active_running_goal()).map(|i| i.id.clone()).collect();
    let complete = !instances.iter().any(|i| i.occupies_agent());
    StepDecision { kill, launch: 0, complete }
}

#[cfg(test)]
#[path = "upgrade_tests.rs"]
mod tests;
