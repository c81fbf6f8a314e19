//! Status updates: turning runner reports into reliably delivered UPDATE
//! events, acknowledgements, retries, and master-generated updates (launch
//! errors, reconciliation) that carry no uuid and need no acknowledgement.

use std::time::Instant;

use dromos_mesos::v1::{
    Acknowledge, AgentId, Bytes, ContainerStatus, Event, ExecutorId, Failure, FrameworkId, TaskId, TaskState,
    TaskStatus, TaskStatusReason, TaskStatusSource,
};

use super::{now_seconds, Master};
use crate::executor::ExecutorReport;

impl Master {
    /// Applies a runner's report: records the state, frees resources on a
    /// terminal state, and queues the update for delivery.
    pub(super) fn apply_report(&mut self, report: ExecutorReport) {
        let key = (report.framework_id.clone(), report.task_id.clone());
        let Some(task) = self.tasks.get_mut(&key) else {
            tracing::debug!(task_id = %report.task_id, "report for a task no longer tracked");
            return;
        };
        let status = TaskStatus {
            message: report.message,
            source: Some(report.source),
            reason: report.reason,
            agent_id: Some(task.agent_id.clone()),
            executor_id: Some(ExecutorId::new(task.info.task_id.as_str())),
            timestamp: Some(now_seconds()),
            uuid: Some(Bytes(uuid::Uuid::new_v4().as_bytes().to_vec())),
            container_status: report
                .pid
                .map(|pid| ContainerStatus { executor_pid: Some(pid), ..ContainerStatus::default() }),
            healthy: report.healthy,
            ..TaskStatus::new(report.task_id.clone(), report.state)
        };
        tracing::info!(
            task_id = %report.task_id, framework_id = %report.framework_id, agent_id = %task.agent_id,
            state = %report.state, status_message = status.message.as_deref().unwrap_or(""), "task status"
        );
        let previous = task.state;
        task.state = report.state;
        task.pid = report.pid.or(task.pid);
        task.history.push((report.state, status.timestamp.unwrap_or_default()));
        task.latest = Some(status.clone());
        let became_terminal = report.state.is_terminal() && !previous.is_terminal();
        if became_terminal {
            task.kill = None;
        }
        let (agent_id, resources) = (task.agent_id.clone(), task.resources.clone());
        let deliver = self.frameworks.contains_key(&report.framework_id);
        if deliver {
            task.pending.push_back(status);
        }
        let send_now = deliver && task.pending.len() == 1;
        self.counters.valid_status_updates += 1;
        if became_terminal {
            if let Some(agent) = self.agents.get_mut(&agent_id) {
                agent.used = agent.used.minus(&resources);
            }
            self.counters.count_terminal(report.state);
            self.dirty = true;
        }
        if send_now {
            self.send_head(&key);
        }
        if became_terminal && deliver {
            // The command executor exits with its task; Mesos tells the
            // framework with FAILURE (executor id = task id, wait status 0).
            let failure = Failure {
                agent_id: Some(agent_id),
                executor_id: Some(ExecutorId::new(report.task_id.as_str())),
                status: Some(0),
            };
            self.send_event(&report.framework_id, Event::Failure(failure));
        }
        self.retire_if_done(&key);
    }

    /// ACKNOWLEDGE: releases the next update of the task.
    pub(super) fn acknowledge(&mut self, framework_id: &FrameworkId, ack: Acknowledge) {
        let key = (framework_id.clone(), ack.task_id.clone());
        let Some(task) = self.tasks.get_mut(&key) else { return };
        if !task.acknowledge(&ack.uuid.0) {
            tracing::debug!(task_id = %ack.task_id, "acknowledgement of an update not in flight; ignored");
            return;
        }
        if task.head().is_some() {
            self.send_head(&key);
        }
        self.retire_if_done(&key);
    }

    /// Re-sends every in-flight update older than the retry interval.
    pub(super) fn retry_updates(&mut self, now: Instant) {
        let retry = self.config.status_update_retry;
        let due: Vec<_> = self
            .tasks
            .iter()
            .filter(|(_, t)| {
                t.head().is_some() && t.last_sent.is_none_or(|at| now.duration_since(at) >= retry)
            })
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            self.send_head(&key);
        }
    }

    /// Sends the in-flight update of every task of a framework (after it
    /// re-subscribed).
    pub(super) fn resend_pending(&mut self, framework_id: &FrameworkId) {
        let keys: Vec<_> = self.tasks.keys().filter(|(f, _)| f == framework_id).cloned().collect();
        for key in keys {
            self.send_head(&key);
        }
    }

    fn send_head(&mut self, key: &(FrameworkId, TaskId)) {
        let connected = self.frameworks.get(&key.0).is_some_and(|f| f.is_connected());
        let Some(task) = self.tasks.get_mut(key) else { return };
        let Some(head) = task.head().cloned() else { return };
        if !connected {
            return;
        }
        task.last_sent = Some(Instant::now());
        self.send_event(&key.0, Event::Update(head));
    }

    /// Moves a terminal, fully acknowledged task (or one whose framework is
    /// gone) to the completed list.
    pub(super) fn retire_if_done(&mut self, key: &(FrameworkId, TaskId)) {
        let orphan = !self.frameworks.contains_key(&key.0);
        let done = self.tasks.get(key).is_some_and(|t| t.is_done() || (orphan && t.is_terminal()));
        if done {
            if let Some(task) = self.tasks.remove(key) {
                self.push_completed_task(task);
            }
        }
    }

    /// An update generated by the master itself (no uuid, not acknowledged).
    pub(super) fn master_update(
        &mut self,
        framework_id: &FrameworkId,
        task_id: TaskId,
        agent_id: Option<AgentId>,
        state: TaskState,
        reason: TaskStatusReason,
        message: impl Into<String>,
    ) {
        let status = TaskStatus {
            message: Some(message.into()),
            source: Some(TaskStatusSource::Master),
            reason: Some(reason),
            agent_id,
            timestamp: Some(now_seconds()),
            ..TaskStatus::new(task_id, state)
        };
        tracing::info!(
            task_id = %status.task_id, framework_id = %framework_id, state = %state,
            reason = %reason, "master-generated task status"
        );
        if state.is_terminal() {
            self.counters.count_terminal(state);
        }
        self.send_event(framework_id, Event::Update(status));
    }
}
