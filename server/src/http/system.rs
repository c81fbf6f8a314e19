//! `/ping`, `/v2/info` and `/v2/leader`: is dromos up, what is it, who leads.
//!
//! dromos without `--zk` runs alone and is always the leader. Abdication
//! (`DELETE /v2/leader`) would make Marathon exit for a supervisor to
//! restart it and another instance to take over; with no other instance
//! that is pointless, so dromos refuses with 400 and keeps serving.
//!
//! With `--zk` ([`crate::ha`] adds an `Extension<Arc<Ha>>`), `/v2/leader`
//! and `/v2/info` report the elected leader, and `DELETE /v2/leader`
//! (forwarded to the leader by the proxy) hands leadership over without
//! exiting: the instance queues again as a follower.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use crate::ha::Ha;
use crate::service::Service;

/// System endpoints, also mounted under `/marathon` as DC/OS did.
pub fn routes(service: Arc<Service>) -> Router {
    let v2 = Router::new()
        .route("/ping", get(ping))
        .route("/v2/info", get(info))
        .route("/v2/leader", get(leader).delete(abdicate));
    Router::new().merge(v2.clone()).nest("/marathon", v2).with_state(service)
}

async fn ping() -> &'static str {
    "pong"
}

/// `{"leader": "host:port"}`, or 404 while no leader is known.
async fn leader(State(service): State<Arc<Service>>) -> (StatusCode, Json<Value>) {
    match service.standing().leader(service.advertised()) {
        Some(leader) => (StatusCode::OK, Json(json!({ "leader": leader }))),
        None => (StatusCode::NOT_FOUND, Json(json!({ "message": "There is no leader" }))),
    }
}

/// With `--zk`, the leader abdicates; a single instance refuses (it has
/// nobody to hand leadership to).
async fn abdicate(
    State(service): State<Arc<Service>>,
    ha: Option<Extension<Arc<Ha>>>,
) -> (StatusCode, Json<Value>) {
    if let Some(Extension(ha)) = ha {
        if !service.standing().is_leader() {
            return (StatusCode::NOT_FOUND, Json(json!({ "message": "There is no leader" })));
        }
        return match ha.abdicate().await {
            Ok(()) => (StatusCode::OK, Json(json!({ "message": "Leadership abdicated" }))),
            Err(err) => {
                tracing::error!(error = %err, "abdication failed");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Json(json!({ "message": "Leadership could not be abdicated" })),
                )
            }
        };
    }
    (
        StatusCode::BAD_REQUEST,
        Json(json!({
            "message": "Leadership abdication is not supported: dromos runs as a single instance without high availability (--zk)"
        })),
    )
}

/// Marathon's `MarathonInfo` shape, with dromos' values.
async fn info(State(service): State<Arc<Service>>, ha: Option<Extension<Arc<Ha>>>) -> Json<Value> {
    let (host, port) = split_host_port(service.advertised());
    let standing = service.standing();
    let zookeeper_config = ha.map_or(Value::Null, |Extension(ha)| {
        json!({
            "zk": ha.zk_url(),
            "zk_session_timeout": u64::try_from(ha.session_timeout().as_millis()).unwrap_or(u64::MAX),
        })
    });
    Json(json!({
        "name": "dromos",
        "version": env!("CARGO_PKG_VERSION"),
        "buildref": option_env!("DROMOS_BUILD_REF").unwrap_or("unknown"),
        "elected": standing.is_leader(),
        "leader": standing.leader(service.advertised()),
        "frameworkId": Value::Null,
        "marathon_config": {
            "master": service.master(),
            "hostname": host,
            "framework_name": "dromos",
            "failover_timeout": 604800,
            "mesos_role": "*",
            "task_launch_timeout": 300000,
            "max_instances_per_offer": 100,
        },
        "zookeeper_config": zookeeper_config,
        "http_config": { "http_port": port, "https_port": Value::Null },
        "uptime_ms": service.uptime_ms(),
    }))
}

fn split_host_port(addr: &str) -> (&str, u16) {
    match addr.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().unwrap_or(0)),
        None => (addr, 0),
    }
}
