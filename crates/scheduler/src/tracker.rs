//! The instance tracker: the scheduler's record of every instance, updated by
//! task status updates and health results.
//!
//! It only records and classifies; what to do about a change (replace, back
//! off, kill) is returned as data ([`StatusEffect`], [`HealthEffect`]) or
//! decided by [`crate::reconcile`].

use std::collections::BTreeMap;

use serde::Serialize;
use thiserror::Error;

use crate::instance::{Condition, Goal, Health, Instance};
use crate::matcher::Launch;
use crate::time::Timestamp;

/// Mesos task states, in the scheduler's own terms. There is no
/// `TASK_LOST`: the driver reads it as the state a partition-aware master
/// would have sent (unreachable, gone or unknown, by its reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum TaskState {
    /// TASK_STAGING
    Staging,
    /// TASK_STARTING
    Starting,
    /// TASK_RUNNING
    Running,
    /// TASK_KILLING
    Killing,
    /// TASK_FINISHED
    Finished,
    /// TASK_FAILED
    Failed,
    /// TASK_KILLED
    Killed,
    /// TASK_ERROR
    Error,
    /// TASK_DROPPED
    Dropped,
    /// TASK_UNREACHABLE
    Unreachable,
    /// TASK_GONE
    Gone,
    /// TASK_GONE_BY_OPERATOR
    GoneByOperator,
    /// TASK_UNKNOWN
    Unknown,
}

impl TaskState {
    /// The instance condition this state maps to.
    pub fn condition(self) -> Condition {
        match self {
            Self::Staging => Condition::Staging,
            Self::Starting => Condition::Starting,
            Self::Running => Condition::Running,
            Self::Killing => Condition::Killing,
            Self::Finished => Condition::Finished,
            Self::Failed => Condition::Failed,
            Self::Killed => Condition::Killed,
            Self::Error => Condition::Error,
            Self::Unreachable => Condition::Unreachable,
            Self::Dropped => Condition::Dropped,
            Self::Gone | Self::GoneByOperator => Condition::Gone,
            Self::Unknown => Condition::Unknown,
        }
    }
}

/// A task status update for one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The instance (dromos encodes it in the Mesos task id).
    pub instance_id: String,
    /// New state.
    pub state: TaskState,
    /// When the update was received.
    pub at: Timestamp,
}

/// What a status update changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusEffect {
    /// Condition before.
    pub previous: Condition,
    /// Condition after.
    pub condition: Condition,
    /// Feed the run spec's backoff: the task failed, errored or finished
    /// while it was meant to run.
    pub counts_as_failure: bool,
    /// The instance just became terminal.
    pub became_terminal: bool,
}

/// What a health result changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum HealthEffect {
    /// Health is as before.
    Unchanged,
    /// Health changed (an event for `/v2/events`).
    Changed(Health),
    /// `maxConsecutiveFailures` reached: kill the instance (it counts as a
    /// failure for backoff).
    Kill,
}

/// Tracker faults.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TrackerError {
    /// An update for an instance the scheduler does not know: its task should
    /// be killed (e.g. it came back after being expunged).
    #[error("unknown instance {0}")]
    UnknownInstance(String),
}

/// All instances, keyed by instance id.
#[derive(Debug, Clone, Default)]
pub struct Tracker {
    instances: BTreeMap<String, Instance>,
}

impl Tracker {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces an instance (e.g. loaded from the store).
    pub fn insert(&mut self, instance: Instance) {
        self.instances.insert(instance.id.clone(), instance);
    }

    /// Records a decided launch as a `Provisioned` instance.
    pub fn record_launch(
        &mut self,
        instance_id: impl Into<String>,
        launch: &Launch,
        has_health_checks: bool,
        now: Timestamp,
    ) {
        let mut instance = Instance::provisioned(
            instance_id,
            &launch.run_spec_id,
            &launch.run_spec_version,
            launch.agent.clone(),
            now,
        );
        instance.host_ports.clone_from(&launch.host_ports);
        instance.health = if has_health_checks { Health::Pending } else { Health::NotChecked };
        self.insert(instance);
    }

    /// One instance.
    pub fn get(&self, id: &str) -> Option<&Instance> {
        self.instances.get(id)
    }

    /// All instances in id order.
    pub fn iter(&self) -> impl Iterator<Item = &Instance> {
        self.instances.values()
    }

    /// Instances of one run spec (all versions).
    pub fn of_run_spec<'t>(&'t self, run_spec_id: &'t str) -> impl Iterator<Item = &'t Instance> + 't {
        self.instances.values().filter(move |i| i.run_spec_id == run_spec_id)
    }

    /// Number of instances.
    pub fn len(&self) -> usize {
        self.instances.len()
    }

    /// Whether no instance is tracked.
    pub fn is_empty(&self) -> bool {
        self.instances.is_empty()
    }

    /// Forgets an instance.
    pub fn expunge(&mut self, id: &str) -> Option<Instance> {
        self.instances.remove(id)
    }

    /// Sets an instance's goal (a kill was decided: `Decommissioned`).
    pub fn set_goal(&mut self, id: &str, goal: Goal) -> Result<(), TrackerError> {
        self.instance_mut(id)?.goal = goal;
        Ok(())
    }

    /// Marks an unreachable instance as replaced.
    pub fn mark_inactive(&mut self, id: &str) -> Result<(), TrackerError> {
        let instance = self.instance_mut(id)?;
        if instance.condition == Condition::Unreachable {
            instance.condition = Condition::UnreachableInactive;
        }
        Ok(())
    }

    /// Applies a task status update.
    pub fn apply_status(&mut self, update: &StatusUpdate) -> Result<StatusEffect, TrackerError> {
        let instance = self.instance_mut(&update.instance_id)?;
        let previous = instance.condition;
        let mut condition = update.state.condition();
        // A replaced instance stays replaced while it is still unreachable.
        if previous == Condition::UnreachableInactive && condition == Condition::Unreachable {
            condition = previous;
        }
        instance.condition = condition;
        match condition {
            Condition::Running => {
                instance.unreachable_since = None;
                instance.running_since.get_or_insert(update.at);
            }
            Condition::Unreachable => {
                instance.unreachable_since.get_or_insert(update.at);
            }
            _ => {}
        }
        let failed = matches!(condition, Condition::Failed | Condition::Finished | Condition::Error);
        Ok(StatusEffect {
            previous,
            condition,
            counts_as_failure: failed && instance.goal == Goal::Running && !previous.is_terminal(),
            became_terminal: condition.is_terminal() && !previous.is_terminal(),
        })
    }

    /// Applies a health-check result; `max_consecutive_failures` 0 never kills.
    pub fn apply_health(
        &mut self,
        id: &str,
        healthy: bool,
        max_consecutive_failures: u32,
    ) -> Result<HealthEffect, TrackerError> {
        let instance = self.instance_mut(id)?;
        let before = instance.health;
        if healthy {
            instance.consecutive_health_failures = 0;
            instance.health = Health::Healthy;
        } else {
            instance.consecutive_health_failures = instance.consecutive_health_failures.saturating_add(1);
            instance.health = Health::Unhealthy;
            let limit_reached = max_consecutive_failures > 0
                && instance.consecutive_health_failures >= max_consecutive_failures;
            if limit_reached && instance.goal == Goal::Running {
                return Ok(HealthEffect::Kill);
            }
        }
        Ok(if before == instance.health {
            HealthEffect::Unchanged
        } else {
            HealthEffect::Changed(instance.health)
        })
    }

    fn instance_mut(&mut self, id: &str) -> Result<&mut Instance, TrackerError> {
        self.instances.get_mut(id).ok_or_else(|| TrackerError::UnknownInstance(id.to_owned()))
    }
}

#[cfg(test)]
#[path = "tracker_tests.rs"]
mod tests;
