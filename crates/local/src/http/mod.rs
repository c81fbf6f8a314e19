//! The master's HTTP face: [`router`] serves the paths a Mesos master serves,
//! at the root and again under `/mesos/…` (the server mounts it on its own
//! address next to the Marathon API).
//!
//! * `POST /api/v1/scheduler` (also `/master/api/v1/scheduler`): the v1
//!   scheduler API (`scheduler`).
//! * `GET /master/state`, `/state`, `/master/state-summary`, `/state-summary`,
//!   `/metrics/snapshot`, `/version`, `/health` (`endpoints`).
//!
//! Calls may be as large as [`MAX_CALL_BYTES`]: one ACCEPT launching the
//! thousands of tasks a big offer holds is several MB of JSON, far above
//! axum's default 2 MB (Mesos sets no limit of its own).

mod endpoints;
mod scheduler;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::cluster::LocalCluster;

/// The largest scheduler call body accepted.
const MAX_CALL_BYTES: usize = 64 * 1024 * 1024;

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
        .layer(DefaultBodyLimit::max(MAX_CALL_BYTES))
        .with_state(cluster);
    Router::new().merge(api.clone()).nest("/mesos", api)
}
