//! Non-SUBSCRIBE calls: the checks Mesos makes before accepting one (known
//! framework, subscribed, matching stream id), then one handler per call type.
//! ACCEPT lives in `launch`.

use std::time::Duration;

use dromos_mesos::v1::{
    Call, CallBody, Decline, FrameworkId, Kill, Reconcile, TaskId, TaskState, TaskStatus, TaskStatusReason,
    TaskStatusSource,
};

use super::{now_seconds, CallError, Master};
use crate::executor::KillRequest;

/// The command executor's default grace period between SIGTERM and SIGKILL.
pub(crate) const DEFAULT_KILL_GRACE: Duration = Duration::from_secs(3);

impl Master {
    /// Validates and applies one call; Ok means 202 Accepted.
    pub(super) fn handle_call(&mut self, call: Call, stream_id: Option<&str>) -> Result<(), CallError> {
        let framework_id = self.check_caller(&call, stream_id)?;
        tracing::debug!(framework_id = %framework_id, call = %call.call_type(), "scheduler call");
        match call.body {
            CallBody::Subscribe(_) => return Err(CallError::bad("SUBSCRIBE is handled separately")),
            CallBody::Teardown => self.remove_framework(&framework_id),
            CallBody::Accept(accept) => self.accept(&framework_id, accept),
            CallBody::Decline(decline) => self.decline(&framework_id, decline),
            CallBody::Revive(revive) => self.revive(&framework_id, revive.roles),
            CallBody::Suppress(suppress) => self.suppress(&framework_id, suppress.roles),
            CallBody::Kill(kill) => self.kill(&framework_id, kill),
            CallBody::Shutdown(shutdown) => {
                // Command executors have the task's id as executor id.
                let task_id = TaskId::new(shutdown.executor_id.value);
                self.kill(
                    &framework_id,
                    Kill { task_id, agent_id: Some(shutdown.agent_id), kill_policy: None },
                );
            }
            CallBody::Acknowledge(ack) => self.acknowledge(&framework_id, ack),
            CallBody::Reconcile(reconcile) => self.reconcile(&framework_id, reconcile),
            CallBody::Message(message) => {
                tracing::info!(framework_id = %framework_id, executor_id = %message.executor_id,
                    "MESSAGE dropped: command executors take no messages");
            }
            CallBody::Request(_) | CallBody::AcceptInverseOffers(_) | CallBody::DeclineInverseOffers(_) => {}
        }
        Ok(())
    }

    /// Mesos' order of checks: framework id present, known, subscribed, and
    /// the stream id matches.
    fn check_caller(&self, call: &Call, stream_id: Option<&str>) -> Result<FrameworkId, CallError> {
        let id = call
            .framework_id
            .clone()
            .ok_or_else(|| CallError::bad("Expecting 'framework_id' to be present"))?;
        let framework =
            self.frameworks.get(&id).ok_or_else(|| CallError::bad("Framework cannot be found"))?;
        let connection = framework
            .connection
            .as_ref()
            .ok_or_else(|| CallError::Forbidden("Framework is not subscribed".to_owned()))?;
        match stream_id {
            None => {
                Err(CallError::bad("All non-subscribe calls should include the 'Mesos-Stream-Id' header"))
            }
            Some(s) if s != connection.stream_id => Err(CallError::BadRequest(format!(
                "The stream ID '{s}' included in this request didn't match the stream ID currently \
                 associated with framework ID {id}"
            ))),
            Some(_) => Ok(id),
        }
    }

    fn decline(&mut self, framework_id: &FrameworkId, decline: Decline) {
        for offer_id in decline.offer_ids {
            match self.offers.get(&offer_id) {
                Some(record) if &record.framework_id == framework_id => {}
                _ => continue,
            }
            if let Some(record) = self.take_offer(&offer_id) {
                self.refuse(framework_id, &record.agent_id, record.resources, decline.filters);
            }
        }
    }

    /// REVIVE: un-suppress `roles` (all when empty) and clear the filters.
    fn revive(&mut self, framework_id: &FrameworkId, roles: Vec<String>) {
        let Some(framework) = self.frameworks.get_mut(framework_id) else { return };
        if roles.is_empty() {
            framework.suppressed.clear();
        } else {
            for role in &roles {
                framework.suppressed.remove(role);
            }
        }
        framework.filters.clear();
        self.dirty = true;
    }

    /// SUPPRESS: no more offers for `roles` (all when empty); outstanding
    /// offers stay valid, as in Mesos.
    fn suppress(&mut self, framework_id: &FrameworkId, roles: Vec<String>) {
        let Some(framework) = self.frameworks.get_mut(framework_id) else { return };
        let roles = if roles.is_empty() { framework.roles() } else { roles };
        framework.suppressed.extend(roles);
    }

    fn kill(&mut self, framework_id: &FrameworkId, kill: Kill) {
        let key = (framework_id.clone(), kill.task_id.clone());
        let killing_state = self.frameworks.get(framework_id).is_some_and(|f| f.wants_killing_state());
        let Some(task) = self.tasks.get(&key) else {
            let partition_aware = self.frameworks.get(framework_id).is_some_and(|f| f.is_partition_aware());
            let state = if partition_aware { TaskState::Unknown } else { TaskState::Lost };
            self.master_update(
                framework_id,
                kill.task_id,
                kill.agent_id,
                state,
                TaskStatusReason::Reconciliation,
                "Attempted to kill an unknown task",
            );
            return;
        };
        let grace = kill
            .kill_policy
            .or(task.info.kill_policy)
            .and_then(|p| p.grace_period)
            .map_or(DEFAULT_KILL_GRACE, |g| Duration::from_nanos(u64::try_from(g.nanoseconds).unwrap_or(0)));
        tracing::info!(task_id = %kill.task_id, framework_id = %framework_id, agent_id = %task.agent_id,
            grace_ms = grace.as_millis() as u64, "killing task");
        if !task.is_terminal() && !task.request_kill(KillRequest { grace, killing_state }) {
            tracing::debug!(task_id = %kill.task_id, "kill already in progress");
        }
    }

    /// RECONCILE: the latest state of the listed tasks, or of every known task.
    fn reconcile(&mut self, framework_id: &FrameworkId, reconcile: Reconcile) {
        let partition_aware = self.frameworks.get(framework_id).is_some_and(|f| f.is_partition_aware());
        let answers: Vec<TaskStatus> = if reconcile.tasks.is_empty() {
            self.tasks.values().filter(|t| &t.framework_id == framework_id).map(reconciled).collect()
        } else {
            reconcile
                .tasks
                .into_iter()
                .map(|wanted| match self.tasks.get(&(framework_id.clone(), wanted.task_id.clone())) {
                    Some(task) => reconciled(task),
                    None => {
                        let state = if partition_aware { TaskState::Unknown } else { TaskState::Lost };
                        TaskStatus {
                            source: Some(TaskStatusSource::Master),
                            reason: Some(TaskStatusReason::Reconciliation),
                            agent_id: wanted.agent_id,
                            message: Some("Reconciliation: Task is unknown".to_owned()),
                            timestamp: Some(now_seconds()),
                            ..TaskStatus::new(wanted.task_id, state)
                        }
                    }
                })
                .collect()
        };
        for status in answers {
            self.send_event(framework_id, dromos_mesos::v1::Event::Update(status));
        }
    }
}

/// A known task's latest status as a reconciliation answer (no uuid).
fn reconciled(task: &super::task::Task) -> TaskStatus {
    let base = task.latest.clone().unwrap_or_else(|| TaskStatus::new(task.info.task_id.clone(), task.state));
    TaskStatus {
        uuid: None,
        source: Some(TaskStatusSource::Master),
        reason: Some(TaskStatusReason::Reconciliation),
        message: Some("Reconciliation: Latest task state".to_owned()),
        agent_id: Some(task.agent_id.clone()),
        timestamp: Some(now_seconds()),
        ..base
    }
}
