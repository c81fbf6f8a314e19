//! [`Core`]: the state the run loop owns, and its synchronous operations.
//! Nothing here awaits: every method takes `now`, updates the scheduler
//! core's pieces and records what to do outside in [`Effects`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use dromos_mesos::v1::{AgentId, CallBody, Kill, TaskId};
use dromos_model::AppDefinition;
use dromos_scheduler::kill_rate::HealthKillGuard;
use dromos_scheduler::{Condition, Goal, Health, Instance, LaunchQueue, RunSpec, Timestamp, Tracker};
use tracing::{error, info};

use super::effects::Effects;
use crate::config::DriverConfig;
use crate::readiness::ReadinessResult;
use crate::target::{InstanceIntent, InstanceReport, QueueItemReport, TargetDeployment, TargetSnapshot};
use crate::translate::run_spec::to_run_spec;

/// What the driver knows about an instance's Mesos task besides the
/// tracker's [`Instance`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskMeta {
    /// Mesos task id.
    pub task_id: String,
    /// Mesos agent id.
    pub agent_id: String,
    /// Agent hostname.
    pub host: String,
    /// Last Mesos state name.
    pub state: &'static str,
    /// The Mesos message of the last status update (empty when it had
    /// none), for Marathon's `status_update_event`.
    pub message: String,
    /// When a KILL was last sent.
    pub kill_sent_at: Option<Timestamp>,
}

/// The run loop's state.
pub struct Core {
    pub(super) config: DriverConfig,
    pub(super) apps: BTreeMap<String, Arc<AppDefinition>>,
    pub(super) specs: BTreeMap<String, RunSpec>,
    pub(super) deployments: Vec<TargetDeployment>,
    pub(super) queue: LaunchQueue,
    pub(super) tracker: Tracker,
    pub(super) tasks: BTreeMap<String, TaskMeta>,
    /// The kill-storm guard: health kills per app per interval.
    pub(super) health_kills: HealthKillGuard,
    /// Instances gated by a readiness check, with their latest result
    /// (`None` before the first). See [`crate::readiness`].
    pub(super) readiness: BTreeMap<String, Option<ReadinessResult>>,
    pub(super) connected: bool,
    pub(super) suppressed: bool,
    pub(super) last_revive: Option<Timestamp>,
    pub(super) next_housekeeping: Timestamp,
    pub(super) next_reconcile: Timestamp,
    /// When the next `unreachableStrategy` timer of an unreachable
    /// instance runs out (the loop wakes up then).
    pub(super) next_unreachable: Option<Timestamp>,
    /// Deployments this driver finished whose removal the target may not
    /// have installed yet: a stale snapshot must not run them again.
    finished_deployments: BTreeSet<String>,
    /// When this driver first saw each listed deployment (the timeout
    /// timer's start).
    pub(super) deployment_seen: BTreeMap<String, Timestamp>,
    /// Deployments that timed out: no longer carried out while listed.
    pub(super) timed_out: BTreeSet<String>,
    /// `Some`: instance ids count up from this instead of being random
    /// (the simulated cluster's scenarios replay exactly).
    pub(super) sequential_ids: Option<std::cell::Cell<u64>>,
    last_instances: Option<Vec<InstanceReport>>,
    last_queue: Option<Vec<QueueItemReport>>,
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Core {
    /// A core that already knows the instances recorded before a restart.
    pub fn new(config: DriverConfig, known: Vec<InstanceIntent>, now: Timestamp) -> Self {
        let mut core = Self {
            health_kills: HealthKillGuard::new(config.health_kill_rate),
            next_housekeeping: now.plus_millis(millis(config.housekeeping_interval)),
            next_reconcile: now.plus_millis(millis(config.reconcile_interval)),
            next_unreachable: None,
            config,
            apps: BTreeMap::new(),
            specs: BTreeMap::new(),
            deployments: Vec::new(),
            queue: LaunchQueue::new(),
            tracker: Tracker::new(),
            tasks: BTreeMap::new(),
            readiness: BTreeMap::new(),
            connected: false,
            suppressed: false,
            last_revive: None,
            finished_deployments: BTreeSet::new(),
            deployment_seen: BTreeMap::new(),
            timed_out: BTreeSet::new(),
            sequential_ids: None,
            last_instances: None,
            last_queue: None,
        };
        for intent in known {
            core.recover(intent);
        }
        core
    }

    fn recover(&mut self, intent: InstanceIntent) {
        let agent = Arc::new(dromos_scheduler::AgentInfo::new(&intent.agent_id, &intent.host));
        let mut instance = Instance::provisioned(
            &intent.instance_id,
            &intent.app_id,
            &intent.version,
            agent,
            intent.staged_at,
        );
        instance.host_ports = intent.host_ports;
        self.tracker.insert(instance);
        let meta = TaskMeta {
            task_id: intent.task_id,
            agent_id: intent.agent_id,
            host: intent.host,
            state: "TASK_STAGING",
            message: String::new(),
            kill_sent_at: None,
        };
        self.tasks.insert(intent.instance_id, meta);
    }

    /// Takes in a new snapshot of what should run. Deployment progress
    /// never goes backwards: a stale snapshot keeps the local step.
    pub fn sync_target(&mut self, snapshot: TargetSnapshot) {
        self.specs.clear();
        self.apps.clear();
        for app in snapshot.apps {
            match to_run_spec(&app) {
                Ok(spec) => {
                    self.specs.insert(spec.id.clone(), spec);
                    self.apps.insert(app.id.to_string(), app);
                }
                Err(e) => error!(app_id = %app.id, error = %e, "app cannot be scheduled"),
            }
        }
        let mut deployments = snapshot.deployments;
        self.finished_deployments.retain(|id| deployments.iter().any(|d| d.id == *id));
        self.timed_out.retain(|id| deployments.iter().any(|d| d.id == *id));
        self.deployment_seen.retain(|id, _| deployments.iter().any(|d| d.id == *id));
        deployments.retain(|d| !self.finished_deployments.contains(&d.id) && !self.timed_out.contains(&d.id));
        for d in &mut deployments {
            if let Some(local) = self.deployments.iter().find(|l| l.id == d.id) {
                d.steps_done = d.steps_done.max(local.steps_done);
            }
        }
        self.deployments = deployments;
    }

    /// Remembers that deployment `id` finished (see `finished_deployments`).
    pub(super) fn deployment_finished(&mut self, id: &str) {
        self.finished_deployments.insert(id.to_owned());
    }

    /// The report of an instance as it is now, whatever its condition.
    pub(super) fn final_report(&self, instance_id: &str) -> Option<InstanceReport> {
        let readiness = self.readiness.get(instance_id).cloned().flatten();
        Some(report(self.tracker.get(instance_id)?, self.tasks.get(instance_id)?, readiness))
    }

    /// Marks an instance for killing and sends the KILL.
    pub fn kill_instance(&mut self, instance_id: &str, why: &str, now: Timestamp, fx: &mut Effects) {
        let Some(meta) = self.tasks.get_mut(instance_id) else {
            return;
        };
        if self.tracker.set_goal(instance_id, Goal::Decommissioned).is_err() {
            return;
        }
        self.health_kills.forget(instance_id);
        info!(task_id = %meta.task_id, agent_id = %meta.agent_id, reason = why, "killing task");
        meta.kill_sent_at = Some(now);
        fx.calls.push(kill_call(&meta.task_id, &meta.agent_id));
        fx.stop_health.push(instance_id.to_owned());
    }

    /// The instance reports, when they changed since the last call.
    pub fn instance_reports(&mut self) -> Option<Vec<InstanceReport>> {
        let reports: Vec<InstanceReport> = self
            .tracker
            .iter()
            .filter_map(|i| {
                Some(report(i, self.tasks.get(&i.id)?, self.readiness.get(&i.id).cloned().flatten()))
            })
            .collect();
        changed(&mut self.last_instances, reports)
    }

    /// The queue reports, when they changed since the last call.
    pub fn queue_reports(&mut self, now: Timestamp) -> Option<Vec<QueueItemReport>> {
        let reports: Vec<QueueItemReport> = self
            .queue
            .items(now)
            .into_iter()
            .filter(|item| item.count > 0)
            .map(|item| QueueItemReport {
                version: self
                    .queue
                    .get(&item.run_spec_id)
                    .map(|e| e.run_spec.version.clone())
                    .unwrap_or_default(),
                app_id: item.run_spec_id,
                count: item.count,
                time_left_seconds: item.time_left_seconds,
                overdue: item.overdue,
                since: item.since,
                offers: item.stats,
            })
            .collect();
        changed(&mut self.last_queue, reports)
    }
}

/// Returns `next` when it differs from what `last` holds, remembering it.
fn changed<T: PartialEq + Clone>(last: &mut Option<T>, next: T) -> Option<T> {
    if last.as_ref() == Some(&next) {
        return None;
    }
    *last = Some(next.clone());
    Some(next)
}

/// A KILL call for a task.
pub fn kill_call(task_id: &str, agent_id: &str) -> CallBody {
    CallBody::Kill(Kill {
        task_id: TaskId::new(task_id),
        agent_id: Some(AgentId::new(agent_id)),
        kill_policy: None,
    })
}

fn report(instance: &Instance, meta: &TaskMeta, readiness: Option<ReadinessResult>) -> InstanceReport {
    InstanceReport {
        task_id: meta.task_id.clone(),
        instance_id: instance.id.clone(),
        app_id: instance.run_spec_id.clone(),
        version: instance.run_spec_version.clone(),
        agent_id: meta.agent_id.clone(),
        host: meta.host.clone(),
        ports: instance.host_ports.iter().flatten().copied().collect(),
        condition: instance.condition,
        state: meta.state.to_owned(),
        message: meta.message.clone(),
        healthy: match instance.health {
            Health::Healthy => Some(true),
            Health::Unhealthy => Some(false),
            Health::NotChecked | Health::Pending => None,
        },
        staged_at: instance.staged_at,
        started_at: instance.running_since,
        killing: instance.goal == Goal::Decommissioned && instance.condition != Condition::Killed,
        readiness,
    }
}
