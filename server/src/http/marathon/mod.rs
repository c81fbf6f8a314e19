//! The Marathon-compatible REST API (`/v2/...`), also mounted under
//! `/marathon/v2/...` as DC/OS did. Handlers are thin: parse the request
//! (bodies through the model's parsers, never axum's `Json`), call one
//! service operation, render Marathon's JSON. Errors go through
//! [`error::ApiError`], the one code → status table.
//!
//! | file | routes |
//! |---|---|
//! | `apps.rs` | `/v2/apps`, `/v2/apps/{id}[/restart|/tasks[/{taskId}]|/versions[/{v}]]` |
//! | `groups.rs` | `/v2/groups[/{id}][/versions[/{v}]]` |
//! | `tasks.rs` | `/v2/tasks`, `/v2/tasks/delete`, `/v2/deployments[/{id}]`, `/v2/queue[/{id}/delay]` |
//! | `events.rs` | `/v2/events` (SSE) |
//! | `metrics.rs` | `/metrics`, `/metrics/prometheus` |

pub mod apps;
pub mod error;
pub mod events;
pub mod files;
pub mod groups;
pub mod metrics;
pub mod request;
pub mod tasks;
pub mod views;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, delete, get, post};
use axum::Router;

use crate::service::Service;

/// The REST API over `service`, at `/` and under `/marathon`.
pub fn routes(service: Arc<Service>) -> Router {
    let v2 = Router::new()
        .route("/v2/apps", get(apps::list).post(apps::create).put(apps::update_many).patch(apps::update_many))
        .route("/v2/apps/{*rest}", any(apps::dispatch))
        .route("/v2/groups", any(groups::root))
        .route("/v2/groups/", any(groups::root))
        .route("/v2/groups/{*rest}", any(groups::dispatch))
        .route("/v2/deployments", get(tasks::deployments))
        .route("/v2/deployments/{id}", delete(tasks::cancel))
        .route("/v2/tasks", get(tasks::list))
        .route("/v2/tasks/delete", post(tasks::delete))
        .route("/v2/queue", get(tasks::queue))
        .route("/v2/queue/{*rest}", delete(tasks::reset_delay))
        .route("/v2/events", get(events::stream))
        .route("/metrics", get(metrics::json))
        .route("/metrics/prometheus", get(metrics::prometheus))
        .layer(DefaultBodyLimit::max(error::MAX_BODY_BYTES));
    Router::new().merge(v2.clone()).nest("/marathon", v2).with_state(service)
}
