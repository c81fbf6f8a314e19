//! ACCEPT: checking the offers and each task against them, booking resources,
//! and handing tasks to runners.
//!
//! Mesos' rules: if any offer is unknown, not this framework's, or from another
//! agent, every task gets TASK_LOST (TASK_DROPPED when partition-aware) with
//! REASON_INVALID_OFFERS and the valid offers go back unfiltered. Otherwise each
//! task is checked on its own (TASK_ERROR, REASON_TASK_INVALID) and launched in
//! order, and what no task used is declined with the call's filters.

use dromos_mesos::v1::{Accept, FrameworkId, OperationType, TaskInfo, TaskState, TaskStatusReason};

use super::task::Task;
use super::{now_seconds, Master, OfferRecord};
use crate::executor::{self, LaunchSpec};
use crate::resources::Resources;

impl Master {
    pub(super) fn accept(&mut self, framework_id: &FrameworkId, accept: Accept) {
        let mut tasks: Vec<TaskInfo> = Vec::new();
        let mut unsupported: Vec<TaskInfo> = Vec::new();
        for operation in accept.operations {
            match (operation.kind, operation.launch, operation.launch_group) {
                (OperationType::Launch, Some(launch), _) => tasks.extend(launch.task_infos),
                (_, _, Some(group)) => unsupported.extend(group.task_group.tasks),
                (kind, _, _) => tracing::warn!(framework_id = %framework_id, operation = %kind,
                    "offer operation not supported by the local master; ignored"),
            }
        }
        for task in unsupported {
            self.master_update(
                framework_id,
                task.task_id,
                Some(task.agent_id),
                TaskState::Error,
                TaskStatusReason::TaskGroupInvalid,
                "LAUNCH_GROUP is not supported by the dromos local agent",
            );
        }
        let records = match self.take_offers(framework_id, &accept.offer_ids) {
            Ok(records) => records,
            Err(message) => return self.drop_tasks(framework_id, tasks, &message),
        };
        let Some(first) = records.first() else { return };
        let (agent_id, role) = (first.agent_id.clone(), first.role.clone());
        let mut remaining = records.iter().fold(Resources::default(), |acc, r| acc.plus(&r.resources));
        for task in tasks {
            match self.check_task(framework_id, &task, &agent_id, &remaining) {
                Ok(resources) => {
                    remaining = remaining.minus(&resources);
                    self.launch(framework_id, task, role.clone(), resources);
                }
                Err(message) => self.master_update(
                    framework_id,
                    task.task_id,
                    Some(task.agent_id),
                    TaskState::Error,
                    TaskStatusReason::TaskInvalid,
                    message,
                ),
            }
        }
        self.refuse(framework_id, &agent_id, remaining, accept.filters);
    }

    /// Removes the offers from the books if all are valid for this framework
    /// and on one agent; otherwise puts back none and says why.
    fn take_offers(
        &mut self,
        framework_id: &FrameworkId,
        offer_ids: &[dromos_mesos::v1::OfferId],
    ) -> Result<Vec<OfferRecord>, String> {
        if offer_ids.is_empty() {
            return Err("No offers specified".to_owned());
        }
        let mut agent = None;
        let mut problem = None;
        for id in offer_ids {
            match self.offers.get(id) {
                None => problem = Some(format!("Offer {id} is no longer valid")),
                Some(r) if &r.framework_id != framework_id => {
                    problem = Some(format!("Offer {id} has invalid framework"));
                }
                Some(r) if agent.is_some_and(|a| a != &r.agent_id) => {
                    problem = Some("Aggregated offers must belong to one single agent".to_owned());
                }
                Some(r) => agent = Some(&r.agent_id),
            }
        }
        let valid: Vec<_> = offer_ids
            .iter()
            .filter(|id| self.offers.get(*id).is_some_and(|r| &r.framework_id == framework_id))
            .cloned()
            .collect();
        let records: Vec<OfferRecord> = valid.iter().filter_map(|id| self.take_offer(id)).collect();
        match problem {
            Some(message) => Err(message),
            None => Ok(records),
        }
    }

    fn drop_tasks(&mut self, framework_id: &FrameworkId, tasks: Vec<TaskInfo>, message: &str) {
        let partition_aware = self.frameworks.get(framework_id).is_some_and(|f| f.is_partition_aware());
        let state = if partition_aware { TaskState::Dropped } else { TaskState::Lost };
        for task in tasks {
            self.master_update(
                framework_id,
                task.task_id,
                Some(task.agent_id),
                state,
                TaskStatusReason::InvalidOffers,
                format!("Task launched with invalid offers: {message}"),
            );
        }
    }

    /// The task's resources when it can run on what is left of the offers.
    fn check_task(
        &self,
        framework_id: &FrameworkId,
        task: &TaskInfo,
        agent_id: &dromos_mesos::v1::AgentId,
        remaining: &Resources,
    ) -> Result<Resources, String> {
        if &task.agent_id != agent_id {
            return Err(format!(
                "Task uses agent {} but the offers are from agent {agent_id}",
                task.agent_id
            ));
        }
        if task.executor.is_some() {
            return Err("Custom executors are not supported by the dromos local agent".to_owned());
        }
        let docker = task.container.as_ref().is_some_and(|c| c.docker.is_some());
        if task.command.is_none() && !docker {
            return Err("Task has neither a command nor a Docker container".to_owned());
        }
        if self.tasks.contains_key(&(framework_id.clone(), task.task_id.clone())) {
            return Err(format!("Task has duplicate ID: {}", task.task_id));
        }
        let resources = Resources::from_wire(&task.resources);
        if !remaining.contains(&resources) {
            return Err("Task uses more resources than the offers have left".to_owned());
        }
        Ok(resources)
    }

    fn launch(&mut self, framework_id: &FrameworkId, task: TaskInfo, role: String, resources: Resources) {
        let checkpointing =
            self.frameworks.get(framework_id).is_some_and(|f| f.info.checkpoint == Some(true));
        // A simulated task has no process to re-adopt after a crash.
        let simulated = self.config.simulate;
        let checkpoints = (checkpointing && !simulated).then(|| self.checkpoints.clone());
        let Some(agent) = self.agents.get_mut(&task.agent_id) else { return };
        agent.used = agent.used.plus(&resources);
        let spec = LaunchSpec {
            framework_id: framework_id.clone(),
            agent_id: agent.id.clone(),
            hostname: agent.hostname.clone(),
            sandbox: agent.sandbox_root.join(framework_id.as_str()).join(task.task_id.as_str()),
            task: task.clone(),
            resources: resources.clone(),
            role: role.clone(),
            checkpoints,
            simulated,
        };
        tracing::info!(task_id = %task.task_id, framework_id = %framework_id, agent_id = %task.agent_id,
            state = %TaskState::Staging, name = %task.name, "launching task");
        let kill = executor::launch(spec, self.reports.clone(), self.shutdown.clone(), &self.runners);
        self.counters.tasks_launched += 1;
        let key = (framework_id.clone(), task.task_id.clone());
        self.tasks
            .insert(key, Task::staging(task, framework_id.clone(), role, resources, kill, now_seconds()));
    }
}
