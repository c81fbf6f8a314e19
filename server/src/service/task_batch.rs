//! Recording what the run loop reports about tasks, many reports at once.
//!
//! Tasks change in bursts (a deployment launches hundreds, an agent loss
//! ends hundreds), and every mutation copies and diffs the state and
//! writes a store batch. So the reporter hands a whole burst to
//! [`Service::record_task_batch`]: its closure edits the tasks and the
//! apps' last failures through a [`TaskBatch`], in the order the reports
//! came, and everything becomes one mutation and one store batch. The
//! module guarantees of [`super`] hold for the batch as a whole: it is
//! durable before any of its events is published, a failed write installs
//! none of it, and the events follow the installed change, in the order the
//! batch recorded them (a failure before the final state of its task).
//!
//! Each change recorded gives what a single report gives: for a task state
//! `status_update_event`, `instance_changed_event` (with Marathon's
//! condition name, [`super::instances::TaskState::condition`]) and the counter
//! `marathon.mesos.task-updates.<state>.counter`; for a new health verdict
//! of a task whose state stays, Marathon's `health_status_changed_event`
//! and `instance_health_changed_event` instead (with a log line and the
//! counter `dromos.service.health-changes.counter`); for a failure a log line,
//! `dromos.service.task-failure.counter` and, for a health kill,
//! `unhealthy_instance_kill_event`; for an unreachable task the run loop
//! replaced (`unreachableStrategy.inactiveAfterSeconds` passed), whose state
//! stays `TASK_UNREACHABLE`, Marathon's `instance_changed_event` with the
//! condition `UnreachableInactive`, a log line and
//! `dromos.service.unreachable-inactive.counter`.

use serde_json::json;
use tracing::instrument;

use super::error::ServiceError;
use super::failures::TaskFailureRecord;
use super::instances::{instance_id, TaskRecord};
use super::state::State;
use super::task_table::Tasks;
use super::Service;

/// What the batch recorded, published in order once it is installed.
#[derive(Debug)]
enum Notice {
    Task {
        task: TaskRecord,
        message: Option<String>,
    },
    /// Only the task's health verdict changed.
    Health {
        task: TaskRecord,
        alive: bool,
    },
    Failure {
        failure: TaskFailureRecord,
        unhealthy_kill: bool,
    },
    /// The unreachable task was replaced.
    Replaced {
        task: TaskRecord,
    },
}

/// The tasks and last failures of a state being edited by one batch.
pub struct TaskBatch<'a> {
    state: &'a mut State,
    notices: Vec<Notice>,
}

impl TaskBatch<'_> {
    /// The tasks as the changes recorded so far left them.
    pub fn tasks(&self) -> &Tasks {
        &self.state.tasks
    }

    /// Records `task`'s new state (a terminal state forgets the task);
    /// `message` goes into its `status_update_event`.
    pub fn set_task(&mut self, task: TaskRecord, message: Option<String>) {
        if let Some(alive) = self.health_verdict(&task) {
            self.state.tasks.insert(task.clone());
            self.notices.push(Notice::Health { task, alive });
            return;
        }
        if task.state.is_terminal() {
            self.state.tasks.remove(&task.app_id, &task.id);
        } else {
            self.state.tasks.insert(task.clone());
        }
        self.notices.push(Notice::Task { task, message });
    }

    /// The new health verdict, when it is all that changes about `task`
    /// (a live task whose state, version and agent stay).
    fn health_verdict(&self, task: &TaskRecord) -> Option<bool> {
        let held = self.state.tasks.get_of(&task.app_id, &task.id)?;
        let alive = task.healthy?;
        let same_task =
            held.state == task.state && held.version == task.version && held.agent_id == task.agent_id;
        (same_task && !task.state.is_terminal() && held.healthy != task.healthy).then_some(alive)
    }

    /// Records `failure` as its app's last task failure; `false`, recording
    /// nothing, when the app does not exist (any more). `unhealthy_kill`:
    /// dromos killed the task for failing its health checks.
    pub fn record_failure(&mut self, failure: TaskFailureRecord, unhealthy_kill: bool) -> bool {
        if !self.state.apps.contains_key(&failure.app_id) {
            tracing::debug!(app_id = %failure.app_id, task_id = %failure.task_id, state = %failure.state,
                "failure of a task whose app is gone; not recorded");
            return false;
        }
        self.state.failures.insert(failure.app_id.clone(), failure.clone());
        self.notices.push(Notice::Failure { failure, unhealthy_kill });
        true
    }

    /// Notes that the run loop launched a replacement for `task`, which is
    /// unreachable and kept until `expungeAfterSeconds` (nothing about the
    /// task record changes).
    pub fn note_replaced(&mut self, task: TaskRecord) {
        self.notices.push(Notice::Replaced { task });
    }

    /// Changes recorded so far.
    pub fn len(&self) -> usize {
        self.notices.len()
    }

    /// Nothing recorded yet.
    pub fn is_empty(&self) -> bool {
        self.notices.is_empty()
    }
}

impl Service {
    /// Runs `fill` on a [`TaskBatch`] and records all it did as one
    /// mutation (see the module docs); returns what `fill` returned. A
    /// batch that recorded nothing writes nothing.
    #[instrument(skip_all, fields(changes))]
    pub async fn record_task_batch<T>(
        &self,
        fill: impl FnOnce(&mut TaskBatch<'_>) -> T,
    ) -> Result<T, ServiceError> {
        let (out, notices) = self
            .mutate(|_, target, _| {
                let mut batch = TaskBatch { state: target, notices: Vec::new() };
                let out = fill(&mut batch);
                Ok((out, batch.notices))
            })
            .await?;
        tracing::Span::current().record("changes", notices.len());
        for notice in notices {
            match notice {
                Notice::Task { task, message } => self.announce_task(&task, message),
                Notice::Health { task, alive } => self.announce_health(&task, alive),
                Notice::Failure { failure, unhealthy_kill } => {
                    self.announce_failure(&failure, unhealthy_kill)
                }
                Notice::Replaced { task } => self.announce_replaced(&task),
            }
        }
        Ok(out)
    }

    fn announce_task(&self, task: &TaskRecord, message: Option<String>) {
        self.metrics
            .increment(&format!("marathon.mesos.task-updates.{}.counter", task.state.name().to_lowercase()));
        self.events.publish(
            "status_update_event",
            json!({
                "slaveId": task.agent_id, "taskId": task.id, "taskStatus": task.state,
                "message": message.unwrap_or_default(), "appId": task.app_id, "host": task.host,
                "ipAddresses": [], "ports": task.ports, "version": task.version,
            }),
        );
        self.announce_instance_changed(task, task.state.condition());
    }

    /// Marathon's `instance_changed_event`; `condition` is a Marathon
    /// condition name (`Running`, `UnreachableInactive`), never a Mesos state.
    fn announce_instance_changed(&self, task: &TaskRecord, condition: &str) {
        self.events.publish(
            "instance_changed_event",
            json!({
                "instanceId": instance_id(&task.id), "condition": condition,
                "runSpecId": task.app_id, "agentId": task.agent_id, "host": task.host,
                "runSpecVersion": task.version,
            }),
        );
    }

    fn announce_health(&self, task: &TaskRecord, alive: bool) {
        let instance = instance_id(&task.id);
        tracing::info!(app_id = %task.app_id, task_id = %task.id, alive, "health verdict changed");
        self.metrics.increment("dromos.service.health-changes.counter");
        self.events.publish(
            "health_status_changed_event",
            json!({"appId": task.app_id, "instanceId": instance, "taskId": task.id,
                "version": task.version, "alive": alive}),
        );
        self.events.publish(
            "instance_health_changed_event",
            json!({"instanceId": instance, "runSpecId": task.app_id, "runSpecVersion": task.version,
                "healthy": alive}),
        );
    }

    fn announce_replaced(&self, task: &TaskRecord) {
        tracing::warn!(app_id = %task.app_id, task_id = %task.id, host = %task.host,
            "unreachable task replaced; kept until expungeAfterSeconds");
        self.metrics.increment("dromos.service.unreachable-inactive.counter");
        self.announce_instance_changed(task, "UnreachableInactive");
    }

    fn announce_failure(&self, failure: &TaskFailureRecord, unhealthy_kill: bool) {
        tracing::warn!(
            app_id = %failure.app_id,
            task_id = %failure.task_id,
            state = %failure.state,
            host = %failure.host,
            version = %failure.version,
            failure_message = %failure.message,
            unhealthy_kill,
            "task failed"
        );
        self.metrics.increment("dromos.service.task-failure.counter");
        if unhealthy_kill {
            self.events.publish(
                "unhealthy_instance_kill_event",
                json!({
                    "appId": failure.app_id, "taskId": failure.task_id,
                    "instanceId": instance_id(&failure.task_id),
                    "version": failure.version, "reason": failure.message, "host": failure.host,
                    "slaveId": failure.slave_id,
                }),
            );
        }
    }
}

#[cfg(test)]
#[path = "task_batch_tests.rs"]
pub(crate) mod tests;
