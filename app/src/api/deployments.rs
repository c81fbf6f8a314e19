//! Running deployments and the two ways to end one early.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::app_changes::DeploymentRef;
use crate::error::ApiError;

/// One action of a deployment step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepActionView {
    /// `StartApplication`, `StopApplication`, `ScaleApplication`,
    /// `RestartApplication`, `ResolveArtifacts`.
    pub action: String,
    /// The app id it acts on.
    pub app: String,
}

/// A running deployment (Marathon's `DeploymentStepInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentView {
    /// UUID.
    pub id: String,
    /// The root version it leads to, ISO-8601.
    pub version: String,
    /// Every app the plan touches.
    pub affected_apps: Vec<String>,
    /// 1-based step being executed (`currentStep`), ≤ `total_steps`.
    pub current_step: u32,
    /// Number of steps (`totalSteps`).
    pub total_steps: u32,
    /// Actions of the current step (`currentActions`).
    pub current_actions: Vec<StepActionView>,
}

/// Every running deployment, oldest first.
#[server(endpoint = "deployments/list", output = server_fn::codec::Postcard)]
pub async fn list_deployments() -> Result<Vec<DeploymentView>, ApiError> {
    crate::backend::use_backend()?.list_deployments()
}

/// Ends deployment `id`. Without `force` a rollback deployment is started
/// and returned; with `force` the deployment just stops where it is.
#[server(endpoint = "deployments/cancel", output = server_fn::codec::Postcard)]
pub async fn cancel_deployment(id: String, force: bool) -> Result<Option<DeploymentRef>, ApiError> {
    crate::backend::use_backend()?.cancel_deployment(&id, force).await
}
