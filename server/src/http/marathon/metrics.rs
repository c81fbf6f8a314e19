//! `/metrics` (JSON) and `/metrics/prometheus` (text).

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::Value;

use crate::metrics::{render_json, render_prometheus};
use crate::service::Service;

/// `GET /metrics`
pub async fn json(State(service): State<Arc<Service>>) -> Json<Value> {
    Json(render_json(&service.metrics().counters(), &service.gauges()))
}

/// `GET /metrics/prometheus`
pub async fn prometheus(State(service): State<Arc<Service>>) -> impl IntoResponse {
    let text = render_prometheus(&service.metrics().counters(), &service.gauges());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text)
}
