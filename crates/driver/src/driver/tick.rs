//! The decisions taken after every input: deployment steps, steady-state
//! reconciliation, offer subscription (suppress/revive) and the periodic
//! housekeeping; plus when the loop must wake up next.

use std::collections::{BTreeMap, BTreeSet};

use dromos_mesos::v1::{CallBody, Reconcile, ReconcileTask, Revive, Suppress};
use dromos_scheduler::plan::Action;
use dromos_scheduler::queue::SubscriptionChange;
use dromos_scheduler::reconcile::{reconcile, unreachable_timers, ReconcileInput};
use dromos_scheduler::upgrade::{restart_step, scale_step, stop_step, StepDecision};
use dromos_scheduler::{Goal, Instance, RunSpec, Timestamp};
use tracing::{info, info_span, warn};

use super::core::{kill_call, Core};
use super::effects::Effects;
use crate::target::DeploymentProgress;

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Core {
    /// Everything decided after an input.
    pub fn tick(&mut self, now: Timestamp, fx: &mut Effects) {
        self.release_health_kills(now, fx);
        self.expire_unreachable(now, fx);
        self.run_deployments(now, fx);
        self.expire_deployments(now, fx);
        self.release_stale_gates(fx);
        self.reconcile_steady_state(now, fx);
        self.update_subscription(now, fx);
    }

    /// Applies the `unreachableStrategy` timers before the deployments and
    /// the steady-state reconciliation look at the instances, so a
    /// replacement is queued in the same turn the timer runs out (for the
    /// default strategy, the turn the task is reported unreachable), also
    /// for an app a deployment is still starting.
    fn expire_unreachable(&mut self, now: Timestamp, fx: &mut Effects) {
        let decision = unreachable_timers(&self.tracker, &self.specs, now);
        for id in decision.mark_inactive {
            if let Some(instance) = self.tracker.get(&id) {
                let task_id = self.tasks.get(&id).map(|m| m.task_id.as_str()).unwrap_or_default();
                let unreachable_ms = instance.unreachable_since.map(|t| now.millis_since(t));
                info!(app_id = %instance.run_spec_id, task_id, unreachable_ms,
                    "unreachable past inactiveAfterSeconds; launching a replacement");
            }
            let _ = self.tracker.mark_inactive(&id);
        }
        for id in decision.expunge {
            let task_id = self.tasks.get(&id).map(|m| m.task_id.clone()).unwrap_or_default();
            info!(task_id = %task_id, "unreachable past expungeAfterSeconds; forgetting it (killed if it comes back)");
            self.forget(id, fx);
        }
        self.next_unreachable = decision.next_deadline;
    }

    /// Forgets an instance: its final report, its stored intent, its checks.
    fn forget(&mut self, id: String, fx: &mut Effects) {
        if let Some(last) = self.final_report(&id) {
            fx.gone.push(last);
        }
        self.tracker.expunge(&id);
        self.tasks.remove(&id);
        self.readiness.remove(&id);
        fx.stop_health.push(id.clone());
        fx.expunge.push(id);
    }

    fn run_deployments(&mut self, now: Timestamp, fx: &mut Effects) {
        let mut deployments = std::mem::take(&mut self.deployments);
        for deployment in &mut deployments {
            let _span = info_span!("deployment", deployment_id = %deployment.id).entered();
            if deployment.steps_done >= deployment.plan.steps.len() {
                // Stored with every step done (its end was not recorded,
                // say the previous leader stopped in between): finish it.
                info!(steps_done = deployment.steps_done, "deployment found complete; finishing it");
                self.deployment_finished(&deployment.id);
                fx.progress.push(DeploymentProgress {
                    deployment_id: deployment.id.clone(),
                    steps_done: deployment.steps_done,
                    finished: true,
                });
                continue;
            }
            while let Some(step) = deployment.plan.steps.get(deployment.steps_done) {
                let actions = step.actions.clone();
                let mut complete = true;
                for action in &actions {
                    complete &= self.run_action(action, now, fx);
                }
                if !complete {
                    break;
                }
                deployment.steps_done += 1;
                let finished = deployment.steps_done >= deployment.plan.steps.len();
                info!(steps_done = deployment.steps_done, finished, "deployment step done");
                if finished {
                    self.deployment_finished(&deployment.id);
                }
                fx.progress.push(DeploymentProgress {
                    deployment_id: deployment.id.clone(),
                    steps_done: deployment.steps_done,
                    finished,
                });
            }
        }
        deployments.retain(|d| d.steps_done < d.plan.steps.len());
        self.deployments = deployments;
    }

    /// Runs one action once; whether it is complete.
    fn run_action(&mut self, action: &Action, now: Timestamp, fx: &mut Effects) -> bool {
        let id = action.run_spec_id().to_owned();
        let mut instances: Vec<Instance> = self.tracker.of_run_spec(&id).cloned().collect();
        self.hide_unready(&mut instances);
        let refs: Vec<&Instance> = instances.iter().collect();
        let decision = match action {
            Action::StartApplication { .. } => return true,
            Action::StopApplication { .. } => {
                self.queue.remove(&id);
                stop_step(&refs)
            }
            Action::ScaleApplication { instances: count, .. } => {
                let Some(mut spec) = self.specs.get(&id).cloned() else { return true };
                spec.instances = *count;
                let queued = self.queued_for(&spec, now);
                scale_step(&spec, &refs, queued, &[])
            }
            Action::RestartApplication { .. } => {
                let Some(spec) = self.specs.get(&id).cloned() else { return true };
                let queued = self.queued_for(&spec, now);
                restart_step(&spec, &refs, queued)
            }
        };
        self.apply_step(&id, decision, now, fx)
    }

    /// Instances of `spec` waiting in the queue, after making sure the
    /// queue holds `spec`'s version.
    fn queued_for(&mut self, spec: &RunSpec, now: Timestamp) -> u32 {
        match self.queue.get(&spec.id) {
            Some(entry) if entry.run_spec != *spec => {
                self.queue.add(spec.clone(), 0, now);
                self.queue.get(&spec.id).map_or(0, |e| e.count)
            }
            Some(entry) => entry.count,
            None => 0,
        }
    }

    fn apply_step(&mut self, id: &str, decision: StepDecision, now: Timestamp, fx: &mut Effects) -> bool {
        for victim in &decision.kill {
            self.kill_instance(victim, "deployment step", now, fx);
        }
        if decision.launch > 0 {
            if let Some(entry) = self.queue.get(id).map(|e| e.run_spec.clone()) {
                info!(app_id = id, count = decision.launch, "queueing instances");
                self.queue.add(entry, decision.launch, now);
            } else if let Some(spec) = self.specs.get(id).cloned() {
                info!(app_id = id, count = decision.launch, "queueing instances");
                self.queue.add(spec, decision.launch, now);
            }
        }
        decision.complete
    }

    fn reconcile_steady_state(&mut self, now: Timestamp, fx: &mut Effects) {
        let under_deployment: BTreeSet<String> = self
            .deployments
            .iter()
            .flat_map(|d| d.plan.affected_ids().into_iter().map(str::to_owned))
            .collect();
        let queued: BTreeMap<String, u32> =
            self.queue.items(now).into_iter().map(|item| (item.run_spec_id, item.count)).collect();
        for id in queued.keys().filter(|id| !self.specs.contains_key(*id) && !under_deployment.contains(*id))
        {
            self.queue.remove(id);
        }
        let input =
            ReconcileInput { specs: &self.specs, under_deployment: &under_deployment, queued: &queued, now };
        let decision = reconcile(&self.tracker, &input);
        for (id, count) in decision.queue_counts {
            if let Some(spec) = self.specs.get(&id).cloned() {
                let current = self.queued_for(&spec, now);
                if self.queue.get(&id).is_some() {
                    self.queue.set_count(&id, count);
                } else {
                    self.queue.add(spec, count, now);
                }
                info!(app_id = %id, from = current, to = count, "launch queue count corrected");
            }
        }
        for kill in decision.kills {
            self.kill_instance(&kill.instance_id, &format!("{:?}", kill.reason), now, fx);
        }
        for id in decision.mark_inactive {
            let _ = self.tracker.mark_inactive(&id);
        }
        for id in decision.expunge {
            self.forget(id, fx);
        }
    }

    fn update_subscription(&mut self, now: Timestamp, fx: &mut Effects) {
        if !self.connected {
            return;
        }
        let interval = millis(self.config.min_revive_interval);
        let roles = vec![self.config.role.clone()];
        match self.queue.subscription_change(now, self.suppressed, self.last_revive, interval) {
            Some(SubscriptionChange::Suppress) => {
                info!("nothing to launch; suppressing offers");
                self.suppressed = true;
                fx.calls.push(CallBody::Suppress(Suppress { roles }));
            }
            Some(SubscriptionChange::Revive) => {
                info!("instances to launch; reviving offers");
                self.suppressed = false;
                self.last_revive = Some(now);
                fx.calls.push(CallBody::Revive(Revive { roles }));
            }
            None => {}
        }
    }

    /// Periodic work: launch timeouts, kill retries, backoff cleanup and
    /// the explicit reconciliation round.
    pub fn housekeeping(&mut self, now: Timestamp, fx: &mut Effects) {
        if now >= self.next_housekeeping {
            self.next_housekeeping = now.plus_millis(millis(self.config.housekeeping_interval));
            self.expire_launches(now, fx);
            let specs = &self.specs;
            self.queue.cleanup_overdue(now, |id| specs.get(id).map(|s| s.backoff.max_launch_delay_seconds));
        }
        if now >= self.next_reconcile && self.connected {
            self.next_reconcile = now.plus_millis(millis(self.config.reconcile_interval));
            fx.calls.push(self.reconcile_call());
        }
    }

    fn expire_launches(&mut self, now: Timestamp, fx: &mut Effects) {
        let timeout = millis(self.config.task_launch_timeout);
        let retry = millis(self.config.housekeeping_interval);
        let mut overdue = Vec::new();
        for instance in self.tracker.iter().filter(|i| i.condition.is_active()) {
            let Some(meta) = self.tasks.get(&instance.id) else { continue };
            let starting = instance.running_since.is_none() && instance.goal == Goal::Running;
            if starting && now.millis_since(instance.staged_at) >= timeout {
                overdue.push(instance.id.clone());
            } else if instance.goal == Goal::Decommissioned
                && meta.kill_sent_at.is_some_and(|t| now.millis_since(t) >= retry)
            {
                warn!(task_id = %meta.task_id, "task still alive after KILL; retrying");
                fx.calls.push(kill_call(&meta.task_id, &meta.agent_id));
            }
        }
        for id in overdue {
            self.kill_instance(&id, "not running within the launch timeout", now, fx);
        }
    }

    /// Explicit RECONCILE of every task the driver knows.
    pub fn reconcile_call(&self) -> CallBody {
        let tasks = self
            .tasks
            .values()
            .map(|m| ReconcileTask {
                task_id: dromos_mesos::v1::TaskId::new(m.task_id.as_str()),
                agent_id: Some(dromos_mesos::v1::AgentId::new(m.agent_id.as_str())),
            })
            .collect();
        CallBody::Reconcile(Reconcile { tasks })
    }

    /// When the loop must run next without any input.
    pub fn next_wakeup(&self, now: Timestamp) -> Timestamp {
        let mut next = self.next_housekeeping.min(self.next_reconcile);
        if let Some(t) = self.queue.next_wakeup(now) {
            next = next.min(t);
        }
        if let Some(t) = self.next_unreachable {
            next = next.min(t);
        }
        if let Some(t) = self.health_kills.next_wakeup() {
            next = next.min(t);
        }
        if let Some(t) = self.next_deployment_timeout() {
            next = next.min(t);
        }
        if self.suppressed && self.queue.has_demand(now) {
            if let Some(last) = self.last_revive {
                next = next.min(last.plus_millis(millis(self.config.min_revive_interval)));
            }
        }
        next.max(now)
    }
}
