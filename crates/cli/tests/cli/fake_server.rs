//! A stand-in dromos: an axum server on port 0 that records every request
//! and answers each with the same canned (recorded Marathon-shaped) response.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    /// Path plus `?query` when there is one, exactly as sent.
    pub target: String,
    /// The raw body (empty when none).
    pub body: String,
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: String,
    /// Wait this long before answering (for timeouts).
    pub delay: Duration,
}

impl Canned {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            content_type: "application/json",
            headers: Vec::new(),
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn raw(status: u16, content_type: &'static str, body: &str) -> Self {
        Self { status, content_type, headers: Vec::new(), body: body.to_owned(), delay: Duration::ZERO }
    }

    pub fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }
}

struct Shared {
    canned: Canned,
    requests: Mutex<Vec<Recorded>>,
}

/// A running fake server; it stops when the test's runtime ends.
pub struct FakeServer {
    pub url: String,
    shared: Arc<Shared>,
}

impl FakeServer {
    pub async fn start(canned: Canned) -> Self {
        let shared = Arc::new(Shared { canned, requests: Mutex::new(Vec::new()) });
        let router = Router::new().fallback(answer).with_state(Arc::clone(&shared));
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binding port 0 on loopback");
        let addr = listener.local_addr().expect("bound listener has an address");
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { url: format!("http://{addr}"), shared }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().expect("request log lock").clone()
    }
}

async fn answer(State(shared): State<Arc<Shared>>, method: Method, uri: Uri, body: String) -> Response {
    let target = uri.path_and_query().map_or_else(|| uri.path().to_owned(), ToString::to_string);
    shared.requests.lock().expect("request log lock").push(Recorded {
        method: method.to_string(),
        target,
        body,
    });
    let canned = &shared.canned;
    tokio::time::sleep(canned.delay).await;
    let mut response = Response::builder()
        .status(StatusCode::from_u16(canned.status).expect("valid canned status"))
        .header("content-type", canned.content_type);
    for (name, value) in &canned.headers {
        response = response.header(*name, *value);
    }
    response.body(Body::from(canned.body.clone())).expect("valid canned response")
}
