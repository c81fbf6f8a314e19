//! A tiny Mesos master for client tests: answers SUBSCRIBE from a script and
//! records every call with its `Mesos-Stream-Id`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use dromos_mesos::recordio;
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// How the master answers one SUBSCRIBE.
#[derive(Clone)]
pub enum Reply {
    /// A plain status with a text body (503, 400, …).
    Status(StatusCode, &'static str),
    /// 307 with this Location.
    Redirect(String),
    /// 200 streaming these events, then keeping the connection open and silent.
    Stream { stream_id: String, events: Vec<Value> },
}

/// A call other than SUBSCRIBE, as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub stream_id: Option<String>,
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Reply>,
    subscribes: Vec<(Option<String>, Value)>,
    /// Senders of open streams, kept so the streams stay open.
    open: Vec<mpsc::UnboundedSender<Bytes>>,
}

#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    calls: mpsc::UnboundedSender<Received>,
}

pub struct FakeMaster {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    pub calls: mpsc::UnboundedReceiver<Received>,
}

pub const FRAMEWORK_ID: &str = "5b9e8d3a-7c1f-4b7e-9a55-0a6a1d2f3e4b-0000";

/// SUBSCRIBED with the given heartbeat interval.
pub fn subscribed(heartbeat_seconds: f64) -> Value {
    json!({"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":FRAMEWORK_ID},
        "heartbeat_interval_seconds":heartbeat_seconds,
        "master_info":{"id":"m","ip":16777343,"port":5050,"hostname":"localhost"}}})
}

/// The default reply once the script is exhausted: SUBSCRIBED then silence.
pub fn stream(stream_id: &str, events: Vec<Value>) -> Reply {
    Reply::Stream { stream_id: stream_id.into(), events }
}

impl FakeMaster {
    /// Serves on a free loopback port, answering SUBSCRIBEs from `script`.
    pub async fn start(script: Vec<Reply>) -> Self {
        let inner = Arc::new(Mutex::new(Inner { script: script.into(), ..Inner::default() }));
        let (calls_tx, calls) = mpsc::unbounded_channel();
        let shared = Shared { inner: inner.clone(), calls: calls_tx };
        let app = Router::new()
            .route("/api/v1/scheduler", post(handle))
            .route("/master/api/v1/scheduler", post(handle))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, inner, calls }
    }

    pub fn url(&self) -> reqwest::Url {
        format!("http://{}", self.addr).parse().expect("url")
    }

    /// Bodies (and stream-id headers) of the SUBSCRIBEs received so far.
    pub fn subscribes(&self) -> Vec<(Option<String>, Value)> {
        self.inner.lock().expect("lock").subscribes.clone()
    }
}

async fn handle(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let stream_id = headers.get("Mesos-Stream-Id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let Ok(call) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "Failed to parse body").into_response();
    };
    if call["type"] != "SUBSCRIBE" {
        let _ = shared.calls.send(Received { stream_id, body: call });
        return StatusCode::ACCEPTED.into_response();
    }
    let reply = {
        let mut inner = shared.inner.lock().expect("lock");
        inner.subscribes.push((stream_id, call));
        inner.script.pop_front().unwrap_or_else(|| stream("stream-default", vec![subscribed(15.0)]))
    };
    match reply {
        Reply::Status(status, text) => (status, text).into_response(),
        Reply::Redirect(location) => {
            (StatusCode::TEMPORARY_REDIRECT, [("Location", location)]).into_response()
        }
        Reply::Stream { stream_id, events } => {
            let (tx, rx) = mpsc::unbounded_channel::<Bytes>();
            // Frame all events, then cut the bytes into odd-sized chunks so record
            // and chunk boundaries never line up.
            let framed: Vec<u8> =
                events.iter().flat_map(|e| recordio::encode(e.to_string().as_bytes())).collect();
            for piece in framed.chunks(7) {
                let _ = tx.send(Bytes::copy_from_slice(piece));
            }
            shared.inner.lock().expect("lock").open.push(tx);
            let body = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
            });
            Response::builder()
                .status(StatusCode::OK)
                .header("Content-Type", "application/json")
                .header("Mesos-Stream-Id", stream_id)
                .body(Body::from_stream(body))
                .expect("response")
        }
    }
}
