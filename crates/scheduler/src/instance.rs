//! Instances: one launched (or to-be-launched) copy of a run spec, with the
//! condition model of Marathon (`core/condition/Condition.scala`).

use std::sync::Arc;

use serde::Serialize;

use crate::offer::AgentInfo;
use crate::time::Timestamp;

/// Lifecycle condition of an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Condition {
    /// Waiting for an offer; no Mesos task yet.
    Scheduled,
    /// Offer accepted, launch sent.
    Provisioned,
    /// TASK_STAGING.
    Staging,
    /// TASK_STARTING.
    Starting,
    /// TASK_RUNNING.
    Running,
    /// TASK_KILLING.
    Killing,
    /// TASK_UNREACHABLE (or TASK_LOST of an unreachable or removed agent):
    /// may come back.
    Unreachable,
    /// Unreachable long enough that a replacement was launched.
    UnreachableInactive,
    /// TASK_FINISHED.
    Finished,
    /// TASK_KILLED.
    Killed,
    /// TASK_ERROR.
    Error,
    /// TASK_FAILED.
    Failed,
    /// TASK_GONE / TASK_GONE_BY_OPERATOR.
    Gone,
    /// TASK_DROPPED.
    Dropped,
    /// TASK_UNKNOWN.
    Unknown,
}

impl Condition {
    /// The task is over and will not come back.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Finished
                | Self::Killed
                | Self::Error
                | Self::Failed
                | Self::Gone
                | Self::Dropped
                | Self::Unknown
        )
    }

    /// Gone, unreachable, unknown or dropped (Marathon's `isLost`).
    pub fn is_lost(self) -> bool {
        matches!(
            self,
            Self::Gone | Self::Unreachable | Self::UnreachableInactive | Self::Unknown | Self::Dropped
        )
    }

    /// Counts towards the run spec's instances: not terminal and not
    /// replaced (`UnreachableInactive`). Such an instance also holds its host
    /// for constraint purposes.
    pub fn is_active(self) -> bool {
        !self.is_terminal() && self != Self::UnreachableInactive
    }
}

/// Health as reported by health checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Health {
    /// The app has no health checks: a running instance counts as healthy.
    #[default]
    NotChecked,
    /// Checks exist but no result yet.
    Pending,
    /// Last check passed.
    Healthy,
    /// Last check failed.
    Unhealthy,
}

/// What the scheduler wants for an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Goal {
    /// Keep it running.
    #[default]
    Running,
    /// Stopped but keep its reservation (resident apps).
    Stopped,
    /// Kill it and forget it.
    Decommissioned,
}

/// One instance of a run spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// Stable instance id.
    pub id: String,
    /// The app it belongs to.
    pub run_spec_id: String,
    /// The app version it was launched with.
    pub run_spec_version: String,
    /// Where it runs; `None` while `Scheduled`.
    pub agent: Option<Arc<AgentInfo>>,
    /// Host ports, aligned with `RunSpec::ports` (`None` = no host port).
    pub host_ports: Vec<Option<u16>>,
    /// Current condition.
    pub condition: Condition,
    /// Current health.
    pub health: Health,
    /// Desired state.
    pub goal: Goal,
    /// When the launch was sent (or the instance was scheduled).
    pub staged_at: Timestamp,
    /// When it became running (kill selection orders by this).
    pub running_since: Option<Timestamp>,
    /// When it became unreachable.
    pub unreachable_since: Option<Timestamp>,
    /// Health checks failed in a row.
    pub consecutive_health_failures: u32,
}

impl Instance {
    /// A freshly launched instance on `agent`.
    pub fn provisioned(
        id: impl Into<String>,
        run_spec_id: impl Into<String>,
        run_spec_version: impl Into<String>,
        agent: Arc<AgentInfo>,
        now: Timestamp,
    ) -> Self {
        Self {
            id: id.into(),
            run_spec_id: run_spec_id.into(),
            run_spec_version: run_spec_version.into(),
            agent: Some(agent),
            host_ports: Vec::new(),
            condition: Condition::Provisioned,
            health: Health::NotChecked,
            goal: Goal::Running,
            staged_at: now,
            running_since: None,
            unreachable_since: None,
            consecutive_health_failures: 0,
        }
    }

    /// Running, meant to keep running, and not failing health checks
    /// (Marathon's "consideredHealthy").
    pub fn is_considered_healthy(&self) -> bool {
        self.condition == Condition::Running
            && self.goal == Goal::Running
            && matches!(self.health, Health::Healthy | Health::NotChecked)
    }

    /// Active and meant to keep running.
    pub fn is_active_running_goal(&self) -> bool {
        self.condition.is_active() && self.goal == Goal::Running
    }

    /// Holds its agent for constraint purposes: active, whatever the goal
    /// (an instance being killed still occupies its host until it is gone).
    pub fn occupies_agent(&self) -> bool {
        self.condition.is_active() && self.agent.is_some()
    }
}
