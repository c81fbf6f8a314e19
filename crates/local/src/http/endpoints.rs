//! Read-only endpoints dashboards use: state, state summary, metrics, version,
//! health. Each asks the master actor for a rendering; a stopped master
//! answers 503.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::cluster::LocalCluster;
use crate::master::View;

pub(super) async fn state(State(cluster): State<LocalCluster>) -> Response {
    render(&cluster, View::State).await
}

pub(super) async fn state_summary(State(cluster): State<LocalCluster>) -> Response {
    render(&cluster, View::StateSummary).await
}

pub(super) async fn metrics(State(cluster): State<LocalCluster>) -> Response {
    render(&cluster, View::Metrics).await
}

/// Mesos' `/version` shape, plus dromos' own version.
pub(super) async fn version() -> Json<serde_json::Value> {
    Json(json!({
        "version": crate::MESOS_VERSION,
        "build_user": "dromos",
        "build_date": "",
        "build_time": 0,
        "dromos_version": env!("CARGO_PKG_VERSION"),
    }))
}

/// 200 with an empty body, as Mesos' `/health`.
pub(super) async fn health() -> StatusCode {
    StatusCode::OK
}

async fn render(cluster: &LocalCluster, view: View) -> Response {
    match cluster.view(view).await {
        Some(document) => Json(document).into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "The local master is shutting down").into_response(),
    }
}
