//! Start-up recovery: the tasks an earlier dromos recorded (see
//! `crate::checkpoint`) become tasks of this master again.
//!
//! For each record whose agent still exists: the framework is registered as
//! disconnected (it keeps its failover timeout, so the scheduler's
//! re-subscription is a failover and finds its tasks), the task's resources
//! are booked on its agent, and
//! * a process that still runs with the recorded start time is adopted:
//!   the task is TASK_RUNNING and a watcher runner owns it;
//! * a process that is gone is reported TASK_FAILED
//!   (REASON_EXECUTOR_TERMINATED, message saying so), delivered reliably
//!   once the framework re-subscribes, so the scheduler replaces it;
//! * a Docker task's container is handed to a watcher, which adopts it if
//!   the engine still runs it and otherwise reports TASK_FAILED the same way.
//!
//! Records whose agent or framework is unknown are dropped; their processes
//! are left to the orphan reaper of the caller.

use std::collections::BTreeMap;
use std::time::Instant;

use dromos_mesos::v1::{
    ContainerStatus, ExecutorId, FrameworkId, FrameworkInfo, TaskState, TaskStatus, TaskStatusReason,
    TaskStatusSource,
};

use super::framework::Framework;
use super::task::Task;
use super::{now_seconds, Master};
use crate::checkpoint::{is_alive, Checkpoints, Recovered, TaskRecord};
use crate::executor::{self, AdoptedContainer, AdoptedProcess, ExecutorReport};
use crate::resources::Resources;

impl Master {
    /// Takes over what `recovered` describes; returns the process groups
    /// that were adopted (they must be left running).
    pub(crate) fn recover(&mut self, recovered: Recovered, checkpoints: &Checkpoints) -> Vec<u32> {
        let Recovered { tasks, frameworks } = recovered;
        let mut adopted = Vec::new();
        for record in tasks {
            let task_id = record.task.task_id.as_str().to_owned();
            if !self.agents.contains_key(&record.agent_id) || !self.recover_framework(&record, &frameworks) {
                tracing::warn!(task_id = %task_id, agent_id = %record.agent_id, framework_id = %record.framework_id,
                    "task record of an unknown agent or framework; not recovered");
                checkpoints.remove_task_blocking(&record.framework_id, &task_id);
                continue;
            }
            if let Some(container) = record.container.clone() {
                // Whether it still runs is the engine's to say: the watcher asks.
                self.adopt_container(record, container, checkpoints.clone());
            } else if is_alive(&record.boot_id, record.pid, record.start_ticks) {
                adopted.push(record.pid);
                self.adopt(record, checkpoints.clone());
            } else {
                checkpoints.remove_task_blocking(&record.framework_id, &task_id);
                self.recover_dead(record);
            }
        }
        if !adopted.is_empty() {
            tracing::info!(
                tasks = adopted.len(),
                "re-adopted task processes left running by an earlier dromos"
            );
        }
        adopted
    }

    /// Registers the record's framework as disconnected; false when nothing
    /// is known about it.
    fn recover_framework(
        &mut self,
        record: &TaskRecord,
        frameworks: &BTreeMap<FrameworkId, FrameworkInfo>,
    ) -> bool {
        if self.frameworks.contains_key(&record.framework_id) {
            return true;
        }
        let Some(info) = frameworks.get(&record.framework_id) else { return false };
        let now = now_seconds();
        let mut framework = Framework::new(record.framework_id.clone(), info.clone(), now);
        framework.disconnected_at = Some(Instant::now());
        framework.unregistered_time = Some(now);
        tracing::info!(framework_id = %record.framework_id, "framework recovered; waiting for it to re-subscribe");
        self.frameworks.insert(record.framework_id.clone(), framework);
        true
    }

    /// Books the task as TASK_RUNNING, with its resources, and returns its key.
    fn book(&mut self, record: &TaskRecord) -> (FrameworkId, dromos_mesos::v1::TaskId) {
        let resources = Resources::from_wire(&record.task.resources);
        if let Some(agent) = self.agents.get_mut(&record.agent_id) {
            agent.used = agent.used.plus(&resources);
        }
        let status = TaskStatus {
            source: Some(TaskStatusSource::Agent),
            agent_id: Some(record.agent_id.clone()),
            executor_id: Some(ExecutorId::new(record.task.task_id.as_str())),
            timestamp: Some(record.launched_at),
            container_status: Some(ContainerStatus {
                executor_pid: record.container.is_none().then_some(record.pid),
                ..ContainerStatus::default()
            }),
            ..TaskStatus::new(record.task.task_id.clone(), TaskState::Running)
        };
        let task = Task::recovered(
            record.task.clone(),
            record.framework_id.clone(),
            record.role.clone(),
            resources,
            status,
            record.container.is_none().then_some(record.pid),
        );
        let key = (record.framework_id.clone(), record.task.task_id.clone());
        self.tasks.insert(key.clone(), task);
        key
    }

    fn adopt(&mut self, record: TaskRecord, checkpoints: Checkpoints) {
        let key = self.book(&record);
        tracing::info!(task_id = %record.task.task_id, framework_id = %record.framework_id,
            agent_id = %record.agent_id, pid = record.pid, "task process re-adopted");
        let process = AdoptedProcess {
            framework_id: record.framework_id,
            task_id: record.task.task_id,
            pid: record.pid,
            start_ticks: record.start_ticks,
            boot_id: record.boot_id,
            checkpoints,
        };
        let kill = executor::adopt(process, self.reports.clone(), self.shutdown.clone(), &self.runners);
        if let Some(task) = self.tasks.get_mut(&key) {
            task.kill = Some(kill);
        }
    }

    fn adopt_container(&mut self, record: TaskRecord, container: String, checkpoints: Checkpoints) {
        let key = self.book(&record);
        tracing::info!(task_id = %record.task.task_id, framework_id = %record.framework_id,
            agent_id = %record.agent_id, %container, "task container re-adopted; checking it still runs");
        let adopted = AdoptedContainer {
            framework_id: record.framework_id,
            task_id: record.task.task_id,
            name: container,
            sandbox: record.sandbox,
            checkpoints,
        };
        let kill =
            executor::adopt_container(adopted, self.reports.clone(), self.shutdown.clone(), &self.runners);
        if let Some(task) = self.tasks.get_mut(&key) {
            task.kill = Some(kill);
        }
    }

    fn recover_dead(&mut self, record: TaskRecord) {
        self.book(&record);
        tracing::warn!(task_id = %record.task.task_id, framework_id = %record.framework_id, pid = record.pid,
            "task process ended while dromos was not running");
        self.apply_report(ExecutorReport {
            framework_id: record.framework_id,
            task_id: record.task.task_id,
            state: TaskState::Failed,
            message: Some(format!(
                "Command (pid {}) ended while dromos was not running; its exit status is unknown",
                record.pid
            )),
            reason: Some(TaskStatusReason::ExecutorTerminated),
            source: TaskStatusSource::Agent,
            pid: Some(record.pid),
            healthy: None,
        });
    }
}
