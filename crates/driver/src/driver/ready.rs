//! Readiness gating in the core (the rule is in [`crate::readiness`]):
//! which instances are gated, when their checkers start and stop, and how
//! the step logic sees a gated instance (not yet healthy).

use dromos_scheduler::{Health, Instance, Timestamp};
use tracing::info;

use super::core::Core;
use super::effects::Effects;
use crate::readiness::{port_for, ReadinessResult, ReadinessTarget};

impl Core {
    /// Whether a deployment currently acts on `app_id`.
    pub(super) fn under_deployment(&self, app_id: &str) -> bool {
        self.deployments.iter().any(|d| d.plan.affected_ids().contains(&app_id))
    }

    /// Gates a just-launched instance when its app has a readiness check
    /// and a deployment acts on it.
    pub(super) fn gate_if_needed(&mut self, instance_id: &str, app_id: &str) {
        let has_check = self.apps.get(app_id).is_some_and(|a| !a.readiness_checks.is_empty());
        if has_check && self.under_deployment(app_id) {
            self.readiness.insert(instance_id.to_owned(), None);
        }
    }

    /// Starts the readiness checker of a gated instance that just runs.
    pub(super) fn start_readiness(&self, instance_id: &str, fx: &mut Effects) {
        if !self.readiness.contains_key(instance_id) {
            return;
        }
        let (Some(instance), Some(meta)) = (self.tracker.get(instance_id), self.tasks.get(instance_id))
        else {
            return;
        };
        let Some(app) = self.apps.get(&instance.run_spec_id) else { return };
        let Some(check) = app.readiness_checks.first() else { return };
        fx.start_readiness.push(ReadinessTarget {
            instance_id: instance_id.to_owned(),
            task_id: meta.task_id.clone(),
            host: meta.host.clone(),
            port: port_for(app, check, &instance.host_ports),
            check: check.clone(),
        });
    }

    /// Records a readiness verdict of a gated instance.
    pub fn apply_readiness(&mut self, result: ReadinessResult, _now: Timestamp) {
        let Some(slot) = self.readiness.get_mut(&result.instance_id) else { return };
        if result.ready {
            info!(task_id = %result.task_id, check = %result.name, "instance is ready");
        } else {
            info!(task_id = %result.task_id, check = %result.name, cause = ?result.cause, "instance not ready yet");
        }
        *slot = Some(result);
    }

    /// Shows gated, not-yet-ready instances to the step logic as not
    /// healthy, so they neither complete a step nor free an old instance
    /// for killing.
    pub(super) fn hide_unready(&self, instances: &mut [Instance]) {
        for instance in instances {
            let gated =
                self.readiness.get(&instance.id).is_some_and(|r| !r.as_ref().is_some_and(|r| r.ready));
            if gated && matches!(instance.health, Health::Healthy | Health::NotChecked) {
                instance.health = Health::Pending;
            }
        }
    }

    /// Drops the gates of instances no deployment acts on any more (or
    /// that are gone) and stops their checkers.
    pub(super) fn release_stale_gates(&mut self, fx: &mut Effects) {
        let stale: Vec<String> = self
            .readiness
            .keys()
            .filter(|id| self.tracker.get(id).is_none_or(|i| !self.under_deployment(&i.run_spec_id)))
            .cloned()
            .collect();
        for id in stale {
            self.readiness.remove(&id);
            fx.stop_readiness.push(id);
        }
    }
}
