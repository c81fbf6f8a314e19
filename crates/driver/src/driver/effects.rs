//! What one turn of the loop decided to do outside the core state: Mesos
//! calls, health-checker changes, store writes and reports. Collected by
//! the synchronous core methods, carried out by the loop afterwards, so no
//! core state is borrowed across an `.await`.

use dromos_mesos::v1::CallBody;

use crate::health::CheckedInstance;
use crate::readiness::ReadinessTarget;
use crate::target::{DeploymentProgress, DeploymentTimeout, InstanceReport, TaskFailure};

/// Side effects of one turn, in the order they were decided.
#[derive(Debug, Default)]
pub struct Effects {
    /// Calls for the master, sent in order.
    pub calls: Vec<CallBody>,
    /// Instances whose driver-side health checks start.
    pub start_health: Vec<CheckedInstance>,
    /// Instances whose health checks (and readiness checks) stop.
    pub stop_health: Vec<String>,
    /// Instances whose readiness checks start.
    pub start_readiness: Vec<ReadinessTarget>,
    /// Instances whose readiness checks stop (no deployment gates them).
    pub stop_readiness: Vec<String>,
    /// Instances to forget in the store.
    pub expunge: Vec<String>,
    /// Deployment progress to report.
    pub progress: Vec<DeploymentProgress>,
    /// Deployments that timed out.
    pub timeouts: Vec<DeploymentTimeout>,
    /// Task failures to report.
    pub failures: Vec<TaskFailure>,
    /// Final reports of instances expunged this turn.
    pub gone: Vec<InstanceReport>,
}
