//! The master's HTTP face: [`router`] serves the paths a Mesos master serves,
//! at the root and again under `/mesos/…` (the server mounts it on its own
//! address next to the Marathon API).
//!
//! * `POST /api/v1/scheduler` (also `/master/api/v1/scheduler`): the v1
//!   scheduler API (`scheduler`).
//! * `GET /master/state`, `/state`, `/master/state-summary`, `/state-summary`,
//!   `/metrics/snapshot`, `/version`, `/health` (`endpoints`).

mod endpoints;
mod scheduler;

use axum::routing::{get, post};
use axum::Router;

use crate::cluster::LocalCluster;

/// All master endpoints for `cluster`, at `/…` and at `/mesos/…`.
pub fn router(cluster: LocalCluster) -> Router {
    let api: Router = Router::new()
        .route("/api/v1/scheduler", post(scheduler::handle))
        .route("/master/api/v1/scheduler", post(scheduler::handle))
        .route("/master/state", get(endpoints::state))
        .route("/state", get(endpoints::state))
        .route("/master/state.json", get(endpoints::state))
        .route("/state.json", get(endpoints::state))
        .route("/master/state-summary", get(endpoints::state_summary))
        .route("/state-summary", get(endpoints::state_summary))
        .route("/metrics/snapshot", get(endpoints::metrics))
        .route("/version", get(endpoints::version))
        .route("/health", get(endpoints::health))
        .route("/master/health", get(endpoints::health))
        .with_state(cluster);
    Router::new().merge(api.clone()).nest("/mesos", api)
}
