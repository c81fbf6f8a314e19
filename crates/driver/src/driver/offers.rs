//! Offers: match them against the launch queue, build the tasks, and split
//! the result into per-offer launches (sent after their intents are
//! persisted) and declines.

use std::collections::BTreeMap;

use dromos_mesos::v1::{self, CallBody, Decline, Filters, OfferId, Operation};
use dromos_scheduler::{match_offers, Launch, MatchConfig, Timestamp};
use tracing::{info, info_span, warn};
use uuid::Uuid;

use super::core::{Core, TaskMeta};
use crate::target::InstanceIntent;
use crate::translate::offer::to_offer;
use crate::translate::task_id::{instance_id, task_id};
use crate::translate::task_info::{to_task_info, TaskSource};

/// One task to launch: what to persist first, what to send, and what the
/// tracker records once it is sent.
#[derive(Debug, Clone)]
pub struct PendingLaunch {
    /// Persisted before the ACCEPT.
    pub intent: InstanceIntent,
    /// The LAUNCH payload.
    pub task: v1::TaskInfo,
    /// The matcher's decision.
    pub launch: Launch,
}

/// The outcome of one batch of offers.
#[derive(Debug, Default)]
pub struct OfferPlan {
    /// Launches grouped by offer id.
    pub accepts: BTreeMap<String, Vec<PendingLaunch>>,
    /// Offers to decline.
    pub declines: Vec<String>,
}

impl Core {
    /// Matches `offers` against the queue at `now`.
    pub fn plan_offers(&mut self, offers: &[v1::Offer], now: Timestamp) -> OfferPlan {
        let mut plan = OfferPlan::default();
        let translated: Vec<_> = offers.iter().map(|o| to_offer(o, now)).collect();
        let config = MatchConfig {
            max_instances_per_offer: self.config.max_instances_per_offer,
            refuse_seconds: self.config.refuse_seconds,
            ..MatchConfig::default()
        };
        let outcome = match_offers(config, &self.queue.ready(now), &translated, self.tracker.iter());
        self.queue.record_round(&outcome, now);
        for summary in outcome.summaries.iter().filter(|s| s.launched < s.requested) {
            info!(app_id = %summary.run_spec_id, requested = summary.requested, launched = summary.launched,
                reason = ?summary.main_reason(), "offers did not fit every queued instance");
        }
        plan.declines = outcome.declines.iter().map(|d| d.offer_id.clone()).collect();
        for launch in outcome.launches {
            let Some(offer) = offers.iter().find(|o| o.id.value == launch.offer_id) else {
                continue;
            };
            match self.pending_launch(&launch, offer, now) {
                Some(pending) => plan.accepts.entry(launch.offer_id.clone()).or_default().push(pending),
                None if !plan.accepts.contains_key(&launch.offer_id) => {
                    plan.declines.push(launch.offer_id.clone())
                }
                None => {}
            }
        }
        plan.declines.sort();
        plan.declines.dedup();
        plan.declines.retain(|id| !plan.accepts.contains_key(id));
        plan
    }

    fn pending_launch(&self, launch: &Launch, offer: &v1::Offer, now: Timestamp) -> Option<PendingLaunch> {
        let _span = info_span!("launch", app_id = %launch.run_spec_id, offer_id = %launch.offer_id).entered();
        let app = self.apps.get(&launch.run_spec_id)?;
        if app.version.as_ref().map(|v| v.as_str()) != Some(launch.run_spec_version.as_str()) {
            warn!(version = %launch.run_spec_version, "queued version is not the app's current version; not launching");
            return None;
        }
        let uuid = match &self.sequential_ids {
            Some(counter) => {
                counter.set(counter.get() + 1);
                Uuid::from_u128(u128::from(counter.get()))
            }
            None => Uuid::new_v4(),
        };
        let instance = instance_id(&launch.run_spec_id, uuid);
        let task_id = task_id(&instance, 1);
        let source = TaskSource {
            app,
            launch,
            offer,
            task_id: &task_id,
            env_prefix: self.config.env_vars_prefix.as_deref(),
        };
        let task = match to_task_info(&source) {
            Ok(task) => task,
            Err(e) => {
                warn!(error = %e, "cannot build the task");
                return None;
            }
        };
        let intent = InstanceIntent {
            instance_id: instance,
            task_id,
            app_id: launch.run_spec_id.clone(),
            version: launch.run_spec_version.clone(),
            agent_id: offer.agent_id.value.clone(),
            host: offer.hostname.clone(),
            host_ports: launch.host_ports.clone(),
            staged_at: now,
        };
        Some(PendingLaunch { intent, task, launch: launch.clone() })
    }

    /// Records launches whose intents are persisted and returns the ACCEPT
    /// for their offer: one LAUNCH operation per task, as Marathon sends.
    pub fn commit_launches(
        &mut self,
        offer_id: &str,
        launches: Vec<PendingLaunch>,
        now: Timestamp,
    ) -> CallBody {
        let mut operations = Vec::with_capacity(launches.len());
        for pending in launches {
            let has_checks = self.specs.get(&pending.launch.run_spec_id).is_some_and(|s| s.has_health_checks);
            info!(app_id = %pending.intent.app_id, task_id = %pending.intent.task_id, offer_id,
                agent_id = %pending.intent.agent_id, ports = ?pending.launch.host_ports, "launching task");
            self.tracker.record_launch(&pending.intent.instance_id, &pending.launch, has_checks, now);
            self.gate_if_needed(&pending.intent.instance_id, &pending.intent.app_id);
            self.tasks.insert(
                pending.intent.instance_id.clone(),
                TaskMeta {
                    task_id: pending.intent.task_id.clone(),
                    agent_id: pending.intent.agent_id.clone(),
                    host: pending.intent.host.clone(),
                    state: "TASK_STAGING",
                    message: String::new(),
                    kill_sent_at: None,
                },
            );
            operations.push(Operation::launch(vec![pending.task]));
        }
        CallBody::Accept(v1::Accept {
            offer_ids: vec![OfferId::new(offer_id)],
            operations,
            filters: Some(Filters::refuse_seconds(self.config.refuse_seconds)),
        })
    }

    /// The DECLINE for unused offers.
    pub fn decline_call(&self, offer_ids: &[String]) -> Option<CallBody> {
        if offer_ids.is_empty() {
            return None;
        }
        info!(offers = offer_ids.len(), refuse_seconds = self.config.refuse_seconds, offer_ids = ?offer_ids, "declining offers");
        Some(CallBody::Decline(Decline {
            offer_ids: offer_ids.iter().map(|id| OfferId::new(id.as_str())).collect(),
            filters: Some(Filters::refuse_seconds(self.config.refuse_seconds)),
        }))
    }
}

/// The explicit RECONCILE of the tasks an ACCEPT launched (`None` when it
/// launched none). Sent when the ACCEPT call failed: the master answers
/// with each task's state, or `TASK_LOST`/`TASK_UNKNOWN` for a task it
/// never got, which the tracker handles like any loss (the instance is
/// replaced at once rather than after the launch timeout).
pub fn reconcile_launched(accept: &v1::Accept) -> Option<CallBody> {
    let tasks: Vec<v1::ReconcileTask> = accept
        .operations
        .iter()
        .flat_map(|op| {
            let single = op.launch.iter().flat_map(|l| l.task_infos.iter());
            let group = op.launch_group.iter().flat_map(|g| g.task_group.tasks.iter());
            single.chain(group)
        })
        .map(|task| v1::ReconcileTask {
            task_id: task.task_id.clone(),
            agent_id: Some(task.agent_id.clone()),
        })
        .collect();
    if tasks.is_empty() {
        return None;
    }
    warn!(tasks = tasks.len(), offer_ids = ?accept.offer_ids, "ACCEPT failed; reconciling its tasks");
    Some(CallBody::Reconcile(v1::Reconcile { tasks }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use dromos_mesos::v1::{Accept, CallBody};

    use super::reconcile_launched;

    #[test]
    fn a_failed_accept_reconciles_exactly_the_tasks_it_launched() {
        let accept: Accept = serde_json::from_value(serde_json::json!({
            "offer_ids": [{"value": "o1"}],
            "operations": [
                {"type": "LAUNCH", "launch": {"task_infos": [
                    {"name": "a", "task_id": {"value": "a.instance-1._app.1"}, "agent_id": {"value": "s1"}},
                    {"name": "a", "task_id": {"value": "a.instance-2._app.1"}, "agent_id": {"value": "s1"}}
                ]}},
                {"type": "LAUNCH_GROUP", "launch_group": {
                    "executor": {"type": "DEFAULT", "executor_id": {"value": "e1"}},
                    "task_group": {"tasks": [
                        {"name": "p", "task_id": {"value": "p.instance-3.web"}, "agent_id": {"value": "s1"}}
                    ]}}}
            ]
        }))
        .expect("an ACCEPT");
        let Some(CallBody::Reconcile(reconcile)) = reconcile_launched(&accept) else {
            panic!("a RECONCILE");
        };
        let ids: Vec<(&str, Option<&str>)> = reconcile
            .tasks
            .iter()
            .map(|t| (t.task_id.value.as_str(), t.agent_id.as_ref().map(|a| a.value.as_str())))
            .collect();
        assert_eq!(
            ids,
            [
                ("a.instance-1._app.1", Some("s1")),
                ("a.instance-2._app.1", Some("s1")),
                ("p.instance-3.web", Some("s1"))
            ]
        );
        let empty = Accept { offer_ids: vec![], operations: vec![], filters: None };
        assert!(reconcile_launched(&empty).is_none(), "nothing launched, nothing to ask");
    }
}
