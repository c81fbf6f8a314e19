//! The HTTP front door: one axum router for the server-rendered console, its
//! server functions and embedded assets, and the Marathon REST API
//! ([`marathon`]; `/ping`, `/v2/info`, `/v2/leader` in [`system`]).

pub mod assets;
pub mod console;
pub mod marathon;
pub mod system;

use std::sync::Arc;

use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::service::Service;

/// The whole HTTP surface of dromos over one service.
pub fn router(service: Arc<Service>) -> Router {
    Router::new()
        .merge(system::routes(service.clone()))
        .merge(marathon::routes(service.clone()))
        .merge(console::routes(service.clone()))
        .merge(console::fallback(service))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}
