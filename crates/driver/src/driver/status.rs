//! Status updates and health results: apply them to the tracker, feed
//! failures into the launch backoff, start and stop health checkers,
//! acknowledge, and kill what must not run.

use dromos_mesos::v1::{self, Acknowledge, CallBody};
use dromos_scheduler::kill_rate::KillVerdict;
use dromos_scheduler::tracker::{HealthEffect, StatusEffect, TrackerError};
use dromos_scheduler::{BackoffPolicy, Condition, Goal, Health, Timestamp};
use tracing::{info, info_span, warn};

use super::core::{kill_call, Core};
use super::effects::Effects;
use crate::health::{runs_in_driver, CheckedInstance, HealthResult};
use crate::target::TaskFailure;
use crate::translate::status::to_status_input;

impl Core {
    /// Applies one Mesos status update.
    pub fn apply_status(&mut self, status: &v1::TaskStatus, now: Timestamp, fx: &mut Effects) {
        let _span = info_span!("status", task_id = %status.task_id, state = status.state.as_str()).entered();
        let Some(input) = to_status_input(status, now) else {
            warn!("status update with an unknown task state; ignored");
            acknowledge(status, fx);
            return;
        };
        info!(reason = ?input.reason, status_message = ?input.message, healthy = ?input.healthy, "status update");
        let instance_id = input.update.instance_id.clone();
        match self.tracker.apply_status(&input.update) {
            Err(TrackerError::UnknownInstance(_)) => {
                if !status.state.is_terminal() {
                    warn!("update for a task dromos does not know; killing it");
                    let agent = input.agent_id.as_deref().unwrap_or_default();
                    fx.calls.push(kill_call(&input.task_id, agent));
                }
            }
            Ok(effect) => {
                if let Some(meta) = self.tasks.get_mut(&instance_id) {
                    meta.state = status.state.as_str();
                    meta.message = input.message.clone().unwrap_or_default();
                }
                if effect.counts_as_failure {
                    self.feed_backoff(&instance_id, now);
                }
                let goal = self.tracker.get(&instance_id).map(|i| i.goal);
                if goal.is_some_and(|goal| is_task_failure(status.state, &effect, goal)) {
                    self.report_failure(&instance_id, status, &input, now, fx);
                }
                if effect.condition == Condition::Running && effect.previous != Condition::Running {
                    self.start_health(&instance_id, fx);
                    self.start_readiness(&instance_id, fx);
                }
                if effect.condition.is_terminal() || effect.condition.is_lost() {
                    fx.stop_health.push(instance_id.clone());
                }
                if let (Some(healthy), Condition::Running) = (input.healthy, effect.condition) {
                    self.apply_health_value(&instance_id, healthy, None, now, fx);
                }
            }
        }
        acknowledge(status, fx);
    }

    /// A failure of a task meant to run delays the app's next launch.
    fn feed_backoff(&mut self, instance_id: &str, now: Timestamp) {
        let Some(instance) = self.tracker.get(instance_id) else { return };
        let policy = self.specs.get(&instance.run_spec_id).map_or_else(BackoffPolicy::default, |s| s.backoff);
        let (app_id, version) = (instance.run_spec_id.clone(), instance.run_spec_version.clone());
        let delay_ms = self.queue.record_failure(&app_id, &version, &policy, now);
        warn!(app_id = %app_id, delay_ms, "task failed; next launch of the app is delayed");
    }

    fn report_failure(
        &self,
        instance_id: &str,
        status: &v1::TaskStatus,
        input: &crate::translate::status::StatusInput,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let Some(instance) = self.tracker.get(instance_id) else { return };
        let meta = self.tasks.get(instance_id);
        fx.failures.push(TaskFailure {
            app_id: instance.run_spec_id.clone(),
            task_id: input.task_id.clone(),
            state: status.state.as_str().to_owned(),
            message: input.message.clone().unwrap_or_default(),
            reason: input.reason.clone(),
            host: meta.map(|m| m.host.clone()).unwrap_or_default(),
            agent_id: meta.map(|m| m.agent_id.clone()).or_else(|| input.agent_id.clone()).unwrap_or_default(),
            version: instance.run_spec_version.clone(),
            timestamp: now,
            unhealthy_kill: false,
        });
    }

    fn start_health(&self, instance_id: &str, fx: &mut Effects) {
        let (Some(instance), Some(meta)) = (self.tracker.get(instance_id), self.tasks.get(instance_id))
        else {
            return;
        };
        let Some(app) = self.apps.get(&instance.run_spec_id) else { return };
        let is_current = app.version.as_ref().is_some_and(|v| v.as_str() == instance.run_spec_version);
        if !is_current || !app.health_checks.iter().any(|c| runs_in_driver(c.protocol)) {
            return;
        }
        fx.start_health.push(CheckedInstance {
            instance_id: instance_id.to_owned(),
            task_id: meta.task_id.clone(),
            host: meta.host.clone(),
            host_ports: instance.host_ports.clone(),
            checks: app.health_checks.clone(),
        });
    }

    /// Applies a driver-side health result.
    pub fn apply_health(&mut self, result: &HealthResult, now: Timestamp, fx: &mut Effects) {
        if !result.healthy {
            let task = self.tasks.get(&result.instance_id).map(|m| m.task_id.clone()).unwrap_or_default();
            info!(task_id = %task, cause = ?result.cause, "health check failed");
        }
        self.apply_health_value(&result.instance_id, result.healthy, result.cause.as_deref(), now, fx);
    }

    fn apply_health_value(
        &mut self,
        instance_id: &str,
        healthy: bool,
        cause: Option<&str>,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let Some(instance) = self.tracker.get(instance_id) else { return };
        let spec = self.specs.get(&instance.run_spec_id);
        let max_failures = spec.map_or(0, |s| s.max_consecutive_health_failures);
        let wanted = spec.map_or(1, |s| s.instances);
        let app_id = instance.run_spec_id.clone();
        match self.tracker.apply_health(instance_id, healthy, max_failures) {
            // The kill-storm guard decides here whether a health kill
            // happens now or waits for a later window (`kill_rate` docs).
            Ok(HealthEffect::Kill) => match self.health_kills.request(&app_id, instance_id, wanted, now) {
                KillVerdict::KillNow => self.kill_unhealthy(instance_id, "unhealthy", cause, now, fx),
                KillVerdict::Deferred { until } => {
                    warn!(app_id = %app_id, instance_id, until = until.0, "health kill deferred: the app's kill budget for this interval is spent")
                }
            },
            Ok(HealthEffect::Changed(health)) => {
                info!(app_id = %app_id, instance_id, ?health, "health changed")
            }
            Ok(HealthEffect::Unchanged) | Err(_) => {}
        }
    }
}

impl Core {
    /// Kills an instance for failing its health checks; the failure feeds
    /// the app's launch backoff (Marathon counts health kills) and is
    /// reported as the app's last task failure, `TASK_KILLED` with
    /// Marathon's message, when the kill is sent.
    fn kill_unhealthy(
        &mut self,
        instance_id: &str,
        why: &str,
        cause: Option<&str>,
        now: Timestamp,
        fx: &mut Effects,
    ) {
        let Some(instance) = self.tracker.get(instance_id) else { return };
        let policy = self.specs.get(&instance.run_spec_id).map_or_else(BackoffPolicy::default, |s| s.backoff);
        let (app_id, version) = (instance.run_spec_id.clone(), instance.run_spec_version.clone());
        let failures = instance.consecutive_health_failures;
        self.queue.record_failure(&app_id, &version, &policy, now);
        if let Some(meta) = self.tasks.get(instance_id) {
            fx.failures.push(TaskFailure {
                app_id,
                task_id: meta.task_id.clone(),
                state: v1::TaskState::Killed.as_str().to_owned(),
                message: unhealthy_kill_message(failures, cause),
                reason: None,
                host: meta.host.clone(),
                agent_id: meta.agent_id.clone(),
                version,
                timestamp: now,
                unhealthy_kill: true,
            });
        }
        self.kill_instance(instance_id, why, now, fx);
    }

    /// Carries out deferred health kills whose app has budget again and
    /// whose instance is still unhealthy.
    pub fn release_health_kills(&mut self, now: Timestamp, fx: &mut Effects) {
        let specs = &self.specs;
        let tracker = &self.tracker;
        let due = self.health_kills.due(
            now,
            |id| specs.get(id).map(|s| s.instances),
            |id| {
                tracker.get(id).is_some_and(|i| {
                    i.health == Health::Unhealthy && i.goal == Goal::Running && i.condition.is_active()
                })
            },
        );
        for instance_id in due {
            info!(instance_id = %instance_id, "deferred health kill released");
            self.kill_unhealthy(&instance_id, "unhealthy (deferred by the kill-rate guard)", None, now, fx);
        }
    }
}

/// Whether a status update ends the task in a way Marathon records as the
/// app's `lastTaskFailure` (see [`TaskFailure`]): a failure state, or
/// `TASK_KILLED` of an instance dromos still meant to run (`goal` after the
/// update). Repeats of an update (the condition did not change) and updates
/// after the end do not count again.
pub fn is_task_failure(state: v1::TaskState, effect: &StatusEffect, goal: Goal) -> bool {
    if effect.previous == effect.condition || effect.previous.is_terminal() {
        return false;
    }
    use v1::TaskState as S;
    match state {
        S::Failed | S::Error | S::Lost | S::Dropped | S::Gone | S::GoneByOperator | S::Unknown => true,
        S::Killed => goal == Goal::Running,
        _ => false,
    }
}

/// Marathon's message for a health kill, with the number of failed checks
/// in a row and the last cause when known.
fn unhealthy_kill_message(consecutive_failures: u32, cause: Option<&str>) -> String {
    let mut reason = format!("{consecutive_failures} consecutive health check failures");
    if let Some(cause) = cause.filter(|c| !c.is_empty()) {
        reason.push_str(&format!(" (last: {cause})"));
    }
    format!("Task was killed since health check failed. Reason: {reason}")
}

fn acknowledge(status: &v1::TaskStatus, fx: &mut Effects) {
    if let (true, Some(uuid), Some(agent_id)) =
        (status.needs_acknowledgement(), &status.uuid, &status.agent_id)
    {
        fx.calls.push(CallBody::Acknowledge(Acknowledge {
            agent_id: agent_id.clone(),
            task_id: status.task_id.clone(),
            uuid: uuid.clone(),
        }));
    }
}

#[cfg(test)]
mod tests {
    use dromos_mesos::v1::TaskState as S;
    use dromos_scheduler::tracker::StatusEffect;
    use dromos_scheduler::{Condition, Goal};

    use super::{is_task_failure, unhealthy_kill_message};

    fn effect(previous: Condition, condition: Condition) -> StatusEffect {
        StatusEffect {
            previous,
            condition,
            counts_as_failure: false,
            became_terminal: condition.is_terminal(),
        }
    }

    #[test]
    fn marathons_failure_states_count_whatever_the_goal() {
        let cases = [
            (S::Failed, Condition::Failed),
            (S::Error, Condition::Error),
            (S::Lost, Condition::Unreachable),
            (S::Dropped, Condition::Dropped),
            (S::Gone, Condition::Gone),
            (S::GoneByOperator, Condition::Gone),
            (S::Unknown, Condition::Unknown),
        ];
        for (state, condition) in cases {
            for goal in [Goal::Running, Goal::Decommissioned] {
                assert!(
                    is_task_failure(state, &effect(Condition::Running, condition), goal),
                    "{state:?} {goal:?}"
                );
            }
        }
    }

    #[test]
    fn a_kill_counts_only_when_dromos_did_not_ask_for_it() {
        let killed = effect(Condition::Running, Condition::Killed);
        assert!(is_task_failure(S::Killed, &killed, Goal::Running), "killed behind dromos' back");
        assert!(!is_task_failure(S::Killed, &killed, Goal::Decommissioned), "dromos asked");
    }

    #[test]
    fn finished_running_and_repeated_updates_do_not_count() {
        let finished = effect(Condition::Running, Condition::Finished);
        assert!(!is_task_failure(S::Finished, &finished, Goal::Running));
        assert!(!is_task_failure(S::Running, &effect(Condition::Staging, Condition::Running), Goal::Running));
        let lost_again = effect(Condition::Unreachable, Condition::Unreachable);
        assert!(!is_task_failure(S::Lost, &lost_again, Goal::Running), "a repeat is not a new failure");
        let after_end = effect(Condition::Failed, Condition::Unknown);
        assert!(!is_task_failure(S::Unknown, &after_end, Goal::Running), "the task had already ended");
    }

    #[test]
    fn the_health_kill_message_is_marathons_with_the_cause() {
        assert_eq!(
            unhealthy_kill_message(3, Some("HTTP 503")),
            "Task was killed since health check failed. Reason: 3 consecutive health check failures (last: HTTP 503)"
        );
        assert_eq!(
            unhealthy_kill_message(1, None),
            "Task was killed since health check failed. Reason: 1 consecutive health check failures"
        );
    }
}
