//! Server functions that change apps. Each starts a deployment (or fails
//! with an [`ApiError`]: 409 when a running deployment holds the app, which
//! the user may override with `force`).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// The deployment a change started (Marathon's `{"deploymentId", "version"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentRef {
    /// Id of the started deployment; empty when nothing had to change.
    pub deployment_id: String,
    /// The new root version.
    pub version: String,
}

/// Creates an app from a complete JSON definition (`POST /v2/apps`).
#[server(endpoint = "apps/create", input = server_fn::codec::Json, output = server_fn::codec::Postcard)]
pub async fn create_app(json: String, force: bool) -> Result<DeploymentRef, ApiError> {
    crate::backend::use_backend()?.create_app(&json, force).await
}

/// Replaces app `id` with a complete JSON definition (`PUT /v2/apps/{id}`).
#[server(endpoint = "apps/update", input = server_fn::codec::Json, output = server_fn::codec::Postcard)]
pub async fn update_app(id: String, json: String, force: bool) -> Result<DeploymentRef, ApiError> {
    let backend = crate::backend::use_backend()?;
    backend.update_app(&crate::backend::parse_app_id(&id)?, &json, force).await
}

/// Sets the number of instances; 0 suspends the app.
#[server(endpoint = "apps/scale", output = server_fn::codec::Postcard)]
pub async fn scale_app(id: String, instances: u32, force: bool) -> Result<DeploymentRef, ApiError> {
    let backend = crate::backend::use_backend()?;
    backend.scale_app(&crate::backend::parse_app_id(&id)?, instances, force).await
}

/// Replaces every instance, respecting the upgrade strategy.
#[server(endpoint = "apps/restart", output = server_fn::codec::Postcard)]
pub async fn restart_app(id: String, force: bool) -> Result<DeploymentRef, ApiError> {
    let backend = crate::backend::use_backend()?;
    backend.restart_app(&crate::backend::parse_app_id(&id)?, force).await
}

/// Stops every instance and removes the app.
#[server(endpoint = "apps/delete", output = server_fn::codec::Postcard)]
pub async fn delete_app(id: String, force: bool) -> Result<DeploymentRef, ApiError> {
    let backend = crate::backend::use_backend()?;
    backend.delete_app(&crate::backend::parse_app_id(&id)?, force).await
}

/// Kills one instance; with `scale` the app's `instances` shrinks by one,
/// otherwise a replacement is launched.
#[server(endpoint = "apps/kill-task", output = server_fn::codec::Postcard)]
pub async fn kill_task(app_id: String, task_id: String, scale: bool) -> Result<(), ApiError> {
    let backend = crate::backend::use_backend()?;
    backend.kill_task(&crate::backend::parse_app_id(&app_id)?, &task_id, scale).await
}

/// Ends the backoff of a delayed app so it launches on the next offer.
#[server(endpoint = "apps/reset-delay", output = server_fn::codec::Postcard)]
pub async fn reset_delay(id: String) -> Result<(), ApiError> {
    let backend = crate::backend::use_backend()?;
    backend.reset_delay(&crate::backend::parse_app_id(&id)?)
}
