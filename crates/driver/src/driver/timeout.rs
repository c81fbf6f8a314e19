//! Deployment timeouts ([`crate::target::DEPLOYMENT_TIMEOUT_LABEL`]): a
//! deployment that runs longer than the smallest timeout among the apps it
//! acts on is dropped by the driver and reported, so the target rolls it
//! back. Decided after the deployment steps of every tick.

use dromos_scheduler::Timestamp;
use tracing::warn;

use super::core::Core;
use super::effects::Effects;
use crate::target::{DeploymentTimeout, DEPLOYMENT_TIMEOUT_LABEL};

impl Core {
    /// The smallest timeout set by an app `app_ids` names, with that app.
    fn timeout_of<'a>(&self, app_ids: impl IntoIterator<Item = &'a str>) -> Option<(u64, String)> {
        let mut best: Option<(u64, String)> = None;
        for id in app_ids {
            let Some(value) = self.apps.get(id).and_then(|a| a.labels.get(DEPLOYMENT_TIMEOUT_LABEL)) else {
                continue;
            };
            match value.trim().parse::<u64>() {
                Ok(secs) if secs > 0 => {
                    if best.as_ref().is_none_or(|(b, _)| secs < *b) {
                        best = Some((secs, id.to_owned()));
                    }
                }
                _ => warn!(app_id = id, label = DEPLOYMENT_TIMEOUT_LABEL, value = %value,
                    "deployment timeout label is not a positive number of seconds; ignored"),
            }
        }
        best
    }

    /// Starts the timers of new deployments and drops (and reports) those
    /// that ran out of time.
    pub(super) fn expire_deployments(&mut self, now: Timestamp, fx: &mut Effects) {
        let mut expired = Vec::new();
        for deployment in &self.deployments {
            let seen = *self.deployment_seen.entry(deployment.id.clone()).or_insert(now);
            let Some((secs, app_id)) = self.timeout_of(deployment.plan.affected_ids()) else { continue };
            if now.millis_since(seen) >= secs.saturating_mul(1000) {
                let reason = format!("deployment timed out after {secs} s ({DEPLOYMENT_TIMEOUT_LABEL} of {app_id}); rolling back");
                warn!(deployment_id = %deployment.id, timeout_seconds = secs, app_id = %app_id, "deployment timed out");
                expired.push(DeploymentTimeout {
                    deployment_id: deployment.id.clone(),
                    timeout_seconds: secs,
                    app_id,
                    reason,
                });
            }
        }
        for timeout in expired {
            self.deployments.retain(|d| d.id != timeout.deployment_id);
            self.timed_out.insert(timeout.deployment_id.clone());
            fx.timeouts.push(timeout);
        }
    }

    /// When the first running deployment times out, if any may.
    pub(super) fn next_deployment_timeout(&self) -> Option<Timestamp> {
        self.deployments
            .iter()
            .filter_map(|d| {
                let seen = self.deployment_seen.get(&d.id)?;
                let (secs, _) = self.timeout_of(d.plan.affected_ids())?;
                Some(seen.plus_millis(secs.saturating_mul(1000)))
            })
            .min()
    }
}
