//! A scriptable Mesos master for run-loop tests: answers SUBSCRIBE with
//! SUBSCRIBED and keeps the stream open so the test can push events later;
//! records every other call.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use dromos_mesos::recordio;
use serde_json::{json, Value};
use tokio::sync::mpsc;

pub const FRAMEWORK_ID: &str = "fw-test-0000";

#[derive(Clone, Default)]
struct Shared {
    stream: Arc<Mutex<Option<mpsc::UnboundedSender<Bytes>>>>,
    calls: Arc<Mutex<Vec<Value>>>,
    /// Call types answered 503 (still recorded).
    refused: Arc<Mutex<Vec<String>>>,
}

pub struct FakeMaster {
    pub addr: SocketAddr,
    shared: Shared,
    /// Calls already handed out by `wait_call`.
    seen: usize,
}

impl FakeMaster {
    pub async fn start() -> Self {
        let shared = Shared::default();
        let app = Router::new().route("/api/v1/scheduler", post(handle)).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, shared, seen: 0 }
    }

    pub fn url(&self) -> reqwest::Url {
        format!("http://{}", self.addr).parse().expect("url")
    }

    /// Sends an event on the open subscription.
    pub fn push(&self, event: Value) {
        let guard = self.shared.stream.lock().expect("lock");
        let tx = guard.as_ref().expect("subscribed");
        tx.send(Bytes::from(recordio::encode(event.to_string().as_bytes()))).expect("stream open");
    }

    /// Waits for the next call (after those already returned) of type
    /// `kind`; panics after 10 s.
    pub async fn wait_call(&mut self, kind: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let found = {
                let calls = self.shared.calls.lock().expect("lock");
                calls
                    .iter()
                    .enumerate()
                    .skip(self.seen)
                    .find(|(_, c)| c["type"] == kind)
                    .map(|(i, c)| (i, c.clone()))
            };
            if let Some((index, call)) = found {
                self.seen = index + 1;
                return call;
            }
            assert!(tokio::time::Instant::now() < deadline, "no {kind} call; calls: {:#?}", self.calls());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Answers calls of type `kind` with 503 Service Unavailable from now
    /// on (`false`: accepts them again).
    pub fn refuse(&self, kind: &str, refuse: bool) {
        let mut refused = self.shared.refused.lock().expect("lock");
        refused.retain(|k| k != kind);
        if refuse {
            refused.push(kind.to_owned());
        }
    }

    /// Every call received so far.
    pub fn calls(&self) -> Vec<Value> {
        self.shared.calls.lock().expect("lock").clone()
    }
}

async fn handle(State(shared): State<Shared>, body: Bytes) -> Response {
    let Ok(call) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "bad body").into_response();
    };
    if call["type"] != "SUBSCRIBE" {
        let refused = shared.refused.lock().expect("lock").iter().any(|k| call["type"] == k.as_str());
        shared.calls.lock().expect("lock").push(call);
        if refused {
            return (StatusCode::SERVICE_UNAVAILABLE, "refused by the test").into_response();
        }
        return StatusCode::ACCEPTED.into_response();
    }
    let (tx, rx) = mpsc::unbounded_channel::<Bytes>();
    let subscribed = json!({"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":FRAMEWORK_ID},
        "heartbeat_interval_seconds":15.0}});
    let _ = tx.send(Bytes::from(recordio::encode(subscribed.to_string().as_bytes())));
    *shared.stream.lock().expect("lock") = Some(tx);
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/json")
        .header("Mesos-Stream-Id", "stream-1")
        .body(Body::from_stream(body))
        .expect("response")
}

/// An OFFERS event with one offer of `cpus`, `mem` and ports `ports`.
pub fn offers(offer_id: &str, hostname: &str, ports: (u64, u64)) -> Value {
    json!({"type":"OFFERS","offers":{"offers":[{
    "id":{"value":offer_id},"framework_id":{"value":FRAMEWORK_ID},"agent_id":{"value":"agent-1"},
    "hostname":hostname,
    "resources":[
        {"name":"cpus","type":"SCALAR","scalar":{"value":4.0},"role":"*","allocation_info":{"role":"*"}},
        {"name":"mem","type":"SCALAR","scalar":{"value":4096.0},"role":"*","allocation_info":{"role":"*"}},
        {"name":"disk","type":"SCALAR","scalar":{"value":10000.0},"role":"*","allocation_info":{"role":"*"}},
        {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":ports.0,"end":ports.1}]},"role":"*","allocation_info":{"role":"*"}}
    ]}]}})
}

/// An UPDATE event for `task_id` in `state`, with a uuid (must be acked).
pub fn update(task_id: &str, state: &str) -> Value {
    json!({"type":"UPDATE","update":{"status":{
        "task_id":{"value":task_id},"state":state,"agent_id":{"value":"agent-1"},
        "source":"SOURCE_EXECUTOR","uuid":"AAECAwQFBgcICQoLDA0ODw==","timestamp":1700000000.0}}})
}
