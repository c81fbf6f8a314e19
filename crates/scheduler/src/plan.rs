//! Deployment plans: from the original and target sets of run specs, the
//! ordered steps that turn one into the other (Marathon's `DeploymentPlan`).
//!
//! 1. Stop removed run specs, dependents before what they depend on (one step
//!    per dependency level, deepest dependents first).
//! 2. One step starting every new run spec (at 0 instances, as Marathon does).
//! 3. For every new or changed run spec, one step per dependency level of the
//!    target, dependencies first: new or scale-only changes become
//!    `Scale`, any other change becomes `Restart`.
//!
//! Actions within a step run concurrently; a step starts when the previous
//! one is done. Empty steps are dropped.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use thiserror::Error;

use crate::run_spec::RunSpec;

/// One action on one run spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Action {
    /// Create the run spec (no instances yet).
    StartApplication {
        /// Run spec id.
        run_spec_id: String,
    },
    /// Kill all instances and remove it.
    StopApplication {
        /// Run spec id.
        run_spec_id: String,
    },
    /// Reach `instances` instances of the current version.
    ScaleApplication {
        /// Run spec id.
        run_spec_id: String,
        /// Target count.
        instances: u32,
    },
    /// Rolling replacement by the new version ([`crate::upgrade`]).
    RestartApplication {
        /// Run spec id.
        run_spec_id: String,
    },
}

impl Action {
    /// The run spec acted on.
    pub fn run_spec_id(&self) -> &str {
        match self {
            Self::StartApplication { run_spec_id }
            | Self::StopApplication { run_spec_id }
            | Self::ScaleApplication { run_spec_id, .. }
            | Self::RestartApplication { run_spec_id } => run_spec_id,
        }
    }
}

/// Actions that run together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The actions, ordered by run spec id.
    pub actions: Vec<Action>,
}

/// The ordered steps of a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DeploymentPlan {
    /// Steps in execution order.
    pub steps: Vec<Step>,
}

impl DeploymentPlan {
    /// Run spec ids touched by the plan; two deployments conflict when these
    /// intersect (409 unless `force=true`).
    pub fn affected_ids(&self) -> BTreeSet<&str> {
        self.steps.iter().flat_map(|s| s.actions.iter().map(Action::run_spec_id)).collect()
    }

    /// Whether the plan does nothing.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// Why a plan cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlanError {
    /// The dependencies form a cycle through this run spec.
    #[error("dependency cycle involving {0}")]
    DependencyCycle(String),
}

/// Computes the plan from `original` to `target` (both keyed by id).
pub fn compute_plan(
    original: &BTreeMap<String, RunSpec>,
    target: &BTreeMap<String, RunSpec>,
) -> Result<DeploymentPlan, PlanError> {
    let removed: Vec<&RunSpec> = original.values().filter(|s| !target.contains_key(&s.id)).collect();
    let original_heights = heights(original)?;
    let target_heights = heights(target)?;
    let mut steps = Vec::new();

    let mut stops: BTreeMap<std::cmp::Reverse<usize>, Vec<Action>> = BTreeMap::new();
    for spec in removed {
        let h = original_heights.get(spec.id.as_str()).copied().unwrap_or(0);
        stops
            .entry(std::cmp::Reverse(h))
            .or_default()
            .push(Action::StopApplication { run_spec_id: spec.id.clone() });
    }
    steps.extend(stops.into_values().map(|actions| Step { actions }));

    let starts: Vec<Action> = target
        .values()
        .filter(|s| !original.contains_key(&s.id))
        .map(|s| Action::StartApplication { run_spec_id: s.id.clone() })
        .collect();
    steps.push(Step { actions: starts });

    let mut levels: BTreeMap<usize, Vec<Action>> = BTreeMap::new();
    for spec in target.values() {
        let action = match original.get(&spec.id) {
            None => {
                Some(Action::ScaleApplication { run_spec_id: spec.id.clone(), instances: spec.instances })
            }
            Some(old) if old == spec => None,
            Some(old) if old.is_only_scale_change_of(spec) => {
                Some(Action::ScaleApplication { run_spec_id: spec.id.clone(), instances: spec.instances })
            }
            Some(_) => Some(Action::RestartApplication { run_spec_id: spec.id.clone() }),
        };
        if let Some(action) = action {
            let h = target_heights.get(spec.id.as_str()).copied().unwrap_or(0);
            levels.entry(h).or_default().push(action);
        }
    }
    steps.extend(levels.into_values().map(|actions| Step { actions }));
    steps.retain(|s| !s.actions.is_empty());
    Ok(DeploymentPlan { steps })
}

/// Length of the longest dependency chain starting at each run spec
/// (dependencies on ids outside `specs` are ignored).
fn heights(specs: &BTreeMap<String, RunSpec>) -> Result<BTreeMap<&str, usize>, PlanError> {
    let mut done: BTreeMap<&str, usize> = BTreeMap::new();
    for id in specs.keys() {
        let mut on_path = BTreeSet::new();
        height_of(id, specs, &mut done, &mut on_path)?;
    }
    Ok(done)
}

fn height_of<'s>(
    id: &'s str,
    specs: &'s BTreeMap<String, RunSpec>,
    done: &mut BTreeMap<&'s str, usize>,
    on_path: &mut BTreeSet<&'s str>,
) -> Result<usize, PlanError> {
    if let Some(h) = done.get(id) {
        return Ok(*h);
    }
    if !on_path.insert(id) {
        return Err(PlanError::DependencyCycle(id.to_owned()));
    }
    let mut height = 0;
    if let Some(spec) = specs.get(id) {
        for dep in &spec.dependencies {
            if let Some((dep_id, _)) = specs.get_key_value(dep.as_str()) {
                height = height.max(height_of(dep_id, specs, done, on_path)? + 1);
            }
        }
    }
    on_path.remove(id);
    done.insert(id, height);
    Ok(height)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
