//! [`ServiceTarget`]: the driver's [`Target`] over the [`Service`].
//!
//! Reads (`snapshot`, `changed`) go straight to the service. The framework
//! id and the instance intents are stored through
//! [`crate::service::driver_state`] and cached here, because the driver
//! reads them synchronously. Reports are queued for the reporter task
//! ([`super::reports`]), except the queue, which the service keeps in
//! memory. API commands are forwarded from the service's channel by a
//! small task that hands the channel back when the driver stops.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use dromos_driver::target::BoxFuture;
use dromos_driver::{
    DeploymentProgress, DeploymentTimeout, DriverCommand, InstanceIntent, InstanceReport, QueueItemReport,
    Target, TargetError, TargetSnapshot, TaskFailure,
};
use tokio::sync::{mpsc, watch};
use tracing::warn;

use super::convert::{decode_intent, encode_intent, queue_item, target_deployment};
use super::reports::{self, Report};
use crate::service::run_loop::RunLoopCommand;
use crate::service::{Service, ServiceError};

/// Commands buffered between the service's channel and the driver.
const COMMAND_BUFFER: usize = 64;

/// The [`Target`] of one driver run.
pub struct ServiceTarget {
    service: Arc<Service>,
    /// Cache of the stored framework id.
    framework_id: Mutex<Option<String>>,
    /// Cache of the stored intents by instance id.
    intents: Mutex<BTreeMap<String, InstanceIntent>>,
    reports: mpsc::UnboundedSender<Report>,
    commands: Mutex<Option<mpsc::Receiver<DriverCommand>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ServiceTarget {
    /// Loads the stored framework id and intents, starts the reporter and
    /// the command forwarder (when the service's command channel is free).
    pub async fn open(service: Arc<Service>) -> Result<Arc<Self>, ServiceError> {
        let stored = service.load_driver_state().await?;
        let mut intents = BTreeMap::new();
        for (key, bytes) in stored.intents {
            match decode_intent(&bytes) {
                Ok(intent) => {
                    intents.insert(intent.instance_id.clone(), intent);
                }
                Err(e) => warn!(instance_id = %key, error = %e, "stored intent is unreadable; ignored"),
            }
        }
        let (reports, inbox) = mpsc::unbounded_channel();
        tokio::spawn(reports::run(Arc::clone(&service), inbox));
        let commands =
            service.take_commands().map(|from_api| forward_commands(Arc::clone(&service), from_api));
        if commands.is_none() {
            warn!("the API command channel is taken; kill requests will not reach this run loop");
        }
        Ok(Arc::new(Self {
            service,
            framework_id: Mutex::new(stored.framework_id),
            intents: Mutex::new(intents),
            reports,
            commands: Mutex::new(commands),
        }))
    }

    fn queue_report(&self, report: Report) {
        // The reporter lives as long as this sender.
        let _ = self.reports.send(report);
    }
}

/// Forwards API commands to the driver until either side closes, then
/// gives the service's channel back.
fn forward_commands(
    service: Arc<Service>,
    mut from_api: mpsc::Receiver<RunLoopCommand>,
) -> mpsc::Receiver<DriverCommand> {
    let (to_driver, driver_rx) = mpsc::channel(COMMAND_BUFFER);
    tokio::spawn(async move {
        loop {
            let command = tokio::select! {
                () = to_driver.closed() => break,
                command = from_api.recv() => command,
            };
            let Some(command) = command else { break };
            let command = match command {
                RunLoopCommand::KillTasks(ids) => DriverCommand::KillTasks(ids),
                RunLoopCommand::ResetDelay(id) => DriverCommand::ResetDelay(id.to_string()),
            };
            if to_driver.send(command).await.is_err() {
                warn!("run loop stopped; an API command was dropped");
                break;
            }
        }
        service.return_commands(from_api);
    });
    driver_rx
}

fn store_error(e: impl std::fmt::Display) -> TargetError {
    TargetError(e.to_string())
}

impl Target for ServiceTarget {
    fn snapshot(&self) -> TargetSnapshot {
        let target = self.service.target();
        let mut deployments = target.deployments.clone();
        deployments.sort_by(|a, b| a.version.cmp(&b.version));
        TargetSnapshot {
            apps: target.apps.values().cloned().collect(),
            deployments: deployments.iter().map(|d| target_deployment(d, &target.apps)).collect(),
        }
    }

    fn changed(&self) -> watch::Receiver<u64> {
        self.service.watch_target()
    }

    fn framework_id(&self) -> Option<String> {
        lock(&self.framework_id).clone()
    }

    fn persist_framework_id(&self, id: String) -> BoxFuture<'_, Result<(), TargetError>> {
        Box::pin(async move {
            self.service.persist_framework_id(&id).await.map_err(store_error)?;
            *lock(&self.framework_id) = Some(id);
            Ok(())
        })
    }

    fn known_instances(&self) -> Vec<InstanceIntent> {
        lock(&self.intents).values().cloned().collect()
    }

    fn record_instance_intents(
        &self,
        intents: Vec<InstanceIntent>,
    ) -> BoxFuture<'_, Result<(), TargetError>> {
        Box::pin(async move {
            let mut encoded = Vec::with_capacity(intents.len());
            for intent in &intents {
                encoded.push((intent.instance_id.clone(), encode_intent(intent).map_err(store_error)?));
            }
            self.service.put_instance_intents(encoded).await.map_err(store_error)?;
            let mut known = lock(&self.intents);
            for intent in intents {
                known.insert(intent.instance_id.clone(), intent);
            }
            Ok(())
        })
    }

    fn expunge_instances(&self, instance_ids: Vec<String>) -> BoxFuture<'_, Result<(), TargetError>> {
        Box::pin(async move {
            self.service.delete_instance_intents(&instance_ids).await.map_err(store_error)?;
            let mut known = lock(&self.intents);
            for id in &instance_ids {
                known.remove(id);
            }
            Ok(())
        })
    }

    fn report_instances(&self, instances: Vec<InstanceReport>) {
        self.queue_report(Report::Instances(instances));
    }

    fn report_queue(&self, queue: Vec<QueueItemReport>) {
        self.service.publish_queue(queue.into_iter().filter_map(queue_item).collect());
    }

    fn report_task_failure(&self, failure: TaskFailure) {
        self.queue_report(Report::Failure(failure));
    }

    fn report_instance_gone(&self, last: InstanceReport) {
        self.queue_report(Report::Gone(last));
    }

    fn report_deployment_progress(&self, progress: DeploymentProgress) {
        self.queue_report(Report::Progress(progress));
    }

    fn report_deployment_timeout(&self, timeout: DeploymentTimeout) {
        self.queue_report(Report::TimedOut(timeout));
    }

    fn commands(&self) -> Option<mpsc::Receiver<DriverCommand>> {
        lock(&self.commands).take()
    }
}

#[cfg(test)]
#[path = "adapter_tests.rs"]
mod tests;
