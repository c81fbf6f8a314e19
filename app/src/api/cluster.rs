//! The cluster's resources and agents: what the dashboard and the nodes
//! page draw.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::status::StatusCounts;
use crate::error::ApiError;

/// An amount of each scalar resource.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    /// CPU shares.
    pub cpus: f64,
    /// MiB.
    pub mem: f64,
    /// MiB.
    pub disk: f64,
    /// Whole GPUs.
    pub gpus: f64,
}

/// Totals over every active agent (Mesos' `state-summary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterOverview {
    /// Active agents.
    pub agents: u32,
    /// Σ resources allocated to tasks.
    pub used: Resources,
    /// Σ resources the agents offer.
    pub total: Resources,
    /// Non-terminal tasks of every app by Mesos state name
    /// (`TASK_RUNNING`, `TASK_STAGING`, ...), zero counts omitted.
    pub tasks_by_state: Vec<(String, u32)>,
}

/// The dashboard's data: the cluster plus the apps' statuses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Resources, agents, tasks.
    pub cluster: ClusterOverview,
    /// Apps by status.
    pub services: StatusCounts,
    /// Running instances with a failing health check, over all apps.
    pub unhealthy_instances: u32,
}

/// One agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    /// Mesos agent id.
    pub id: String,
    /// Host name.
    pub hostname: String,
    /// Connected and offering.
    pub active: bool,
    /// Agent attributes (`rack=r1`), as text.
    pub attributes: Vec<(String, String)>,
    /// Allocated to tasks.
    pub used: Resources,
    /// Offered in total.
    pub total: Resources,
    /// Non-terminal tasks on the agent.
    pub tasks: u32,
}

/// The dashboard in one call.
#[server(endpoint = "cluster/dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, ApiError> {
    let backend = crate::backend::use_backend()?;
    let apps = backend.list_apps(&crate::model::PathId::root())?;
    Ok(Dashboard {
        cluster: backend.cluster_overview().await?,
        services: StatusCounts::of(apps.iter().map(|a| a.status)),
        unhealthy_instances: apps.iter().map(|a| a.tasks.unhealthy).sum(),
    })
}

/// Every agent, by host name.
#[server(endpoint = "cluster/nodes")]
pub async fn list_nodes() -> Result<Vec<NodeView>, ApiError> {
    crate::backend::use_backend()?.list_nodes().await
}
