//! The leader proxy: a follower forwards every API request to the leader
//! and relays the answer, as Marathon's `LeaderProxyFilter` does.
//!
//! | request | on the leader | on a follower |
//! |---|---|---|
//! | `/v2/events` | served | 307 to the leader |
//! | other `/v2/*`, `/metrics*`, server functions (`/api/*`), `DELETE /v2/leader` | served | forwarded |
//! | `/ping`, `/v2/info`, `GET /v2/leader`, console pages, assets, embedded-cluster endpoints | served | served locally |
//!
//! Every response of the leader carries `X-Marathon-Leader: http://<leader>`
//! (a forwarded response keeps the leader's). While no leader is known (an
//! election in progress, the office being taken, or the leader unreachable
//! before its session expires) a follower retries every
//! [`RETRY_INTERVAL`] for up to [`LEADER_WAIT`], then answers 503
//! `{"message":"Could not determine the current leader"}` (Marathon: 502).
//! A request that was already forwarded once is never forwarded again, so
//! two instances with stale views cannot bounce it between them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::http::marathon::error::MAX_BODY_BYTES;
use crate::service::Service;

/// The header naming the leader on every response (Marathon's).
pub const LEADER_HEADER: &str = "x-marathon-leader";
/// Set on forwarded requests: the instance that forwarded it.
pub const FORWARDED_HEADER: &str = "x-dromos-forwarded-by";
/// How long a follower waits for a reachable leader before a 503.
pub const LEADER_WAIT: Duration = Duration::from_secs(5);
/// Pause between attempts while waiting for a leader.
pub const RETRY_INTERVAL: Duration = Duration::from_millis(250);
/// Bound on one forwarded exchange.
const FORWARD_TIMEOUT: Duration = Duration::from_secs(60);

/// How a request is handled on a follower.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Served by this instance whoever leads.
    Local,
    /// Forwarded to the leader.
    Forward,
    /// Answered with a 307 to the same URL on the leader.
    Redirect,
}

/// Classifies a request; see the module table. Paths are also accepted
/// under the DC/OS `/marathon` prefix.
pub fn route(method: &Method, path: &str) -> Route {
    let path = path.strip_prefix("/marathon").filter(|p| p.starts_with('/')).unwrap_or(path);
    match path {
        "/v2/events" => Route::Redirect,
        "/v2/info" => Route::Local,
        "/v2/leader" if method == Method::DELETE => Route::Forward,
        "/v2/leader" => Route::Local,
        "/metrics" | "/metrics/prometheus" => Route::Forward,
        _ if path.starts_with("/v2/") => Route::Forward,
        _ if path.starts_with("/api/") && !path.starts_with("/api/v1/") => Route::Forward,
        _ => Route::Local,
    }
}

/// The middleware's state.
#[derive(Clone)]
pub struct Proxy {
    service: Arc<Service>,
    client: reqwest::Client,
}

/// Why a request could not be forwarded.
#[derive(Debug, thiserror::Error)]
enum ForwardError {
    #[error("no leader is known")]
    NoLeader,
    #[error("request body: {0}")]
    Body(String),
    #[error("leader {leader}: {source}")]
    Leader { leader: String, source: reqwest::Error },
}

impl Proxy {
    /// A proxy for `service`'s instance.
    pub fn new(service: Arc<Service>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(FORWARD_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Proxy { service, client }
    }

    /// The leader's `host:port` if another instance leads (`Ok(None)`: we do).
    fn leader(&self) -> Result<Option<String>, ForwardError> {
        let standing = self.service.standing();
        if standing.is_leader() {
            return Ok(None);
        }
        match standing.leader(self.service.advertised()) {
            Some(leader) if leader != self.service.advertised() => Ok(Some(leader.to_owned())),
            _ => Err(ForwardError::NoLeader),
        }
    }
}

/// The middleware; see the module docs.
pub async fn leader_proxy(State(proxy): State<Proxy>, request: Request, next: Next) -> Response {
    let route = route(request.method(), request.uri().path());
    if route == Route::Local {
        return with_leader_header(&proxy, next.run(request).await);
    }
    let deadline = Instant::now() + LEADER_WAIT;
    let leader = loop {
        match proxy.leader() {
            Ok(None) => return with_leader_header(&proxy, next.run(request).await),
            Ok(Some(leader)) => break leader,
            Err(_) if Instant::now() < deadline => tokio::time::sleep(RETRY_INTERVAL).await,
            Err(_) => return no_leader(),
        }
    };
    if route == Route::Redirect {
        return redirect(&leader, &request);
    }
    if request.headers().contains_key(FORWARDED_HEADER) {
        tracing::warn!(uri = %request.uri(), "refusing to forward a request a second time");
        return no_leader();
    }
    match forward(&proxy, request, deadline).await {
        Ok(response) => response,
        Err(err) => {
            tracing::warn!(error = %err, "cannot forward the request to the leader");
            no_leader()
        }
    }
}

/// Adds `X-Marathon-Leader` when this instance leads.
fn with_leader_header(proxy: &Proxy, mut response: Response) -> Response {
    if proxy.service.standing().is_leader() {
        let url = format!("http://{}", proxy.service.advertised());
        if let Ok(value) = HeaderValue::from_str(&url) {
            response.headers_mut().insert(HeaderName::from_static(LEADER_HEADER), value);
        }
    }
    response
}

fn no_leader() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"message": "Could not determine the current leader"})))
        .into_response()
}

fn redirect(leader: &str, request: &Request) -> Response {
    let path_and_query = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let location = format!("http://{leader}{path_and_query}");
    match HeaderValue::from_str(&location) {
        Ok(value) => (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, value)]).into_response(),
        Err(_) => no_leader(),
    }
}

/// Sends the request to the leader, re-resolving the leader and retrying
/// while it cannot be connected to (the request was then never sent, so
/// retrying is safe even for a POST) until `deadline`.
async fn forward(proxy: &Proxy, request: Request, deadline: Instant) -> Result<Response, ForwardError> {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, MAX_BODY_BYTES).await.map_err(|e| ForwardError::Body(e.to_string()))?;
    let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str()).to_owned();
    let headers = request_headers(&parts.headers, proxy.service.advertised());
    loop {
        let attempt = match proxy.leader() {
            Err(err) => Err(err),
            // This instance took office meanwhile: it serves the forwarded request.
            Ok(None) => {
                send(
                    proxy,
                    &parts.method,
                    proxy.service.advertised(),
                    &path_and_query,
                    &headers,
                    body.clone(),
                )
                .await
            }
            Ok(Some(leader)) => {
                send(proxy, &parts.method, &leader, &path_and_query, &headers, body.clone()).await
            }
        };
        let retryable = match &attempt {
            Err(ForwardError::NoLeader) => true,
            Err(ForwardError::Leader { source, .. }) => source.is_connect(),
            _ => false,
        };
        match attempt {
            Err(_) if retryable && Instant::now() < deadline => tokio::time::sleep(RETRY_INTERVAL).await,
            other => return other,
        }
    }
}

async fn send(
    proxy: &Proxy,
    method: &Method,
    leader: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, ForwardError> {
    let url = format!("http://{leader}{path_and_query}");
    let failed = |source| ForwardError::Leader { leader: leader.to_owned(), source };
    let answer = proxy
        .client
        .request(method.clone(), url)
        .headers(headers.clone())
        .body(body)
        .send()
        .await
        .map_err(failed)?;
    let status = answer.status();
    let mut response_headers = answer.headers().clone();
    strip_hop_by_hop(&mut response_headers);
    response_headers.remove(header::CONTENT_LENGTH);
    let bytes = answer.bytes().await.map_err(failed)?;
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = response_headers;
    Ok(response)
}

/// The client's headers minus hop-by-hop ones, plus [`FORWARDED_HEADER`].
fn request_headers(original: &HeaderMap, advertised: &str) -> HeaderMap {
    let mut headers = original.clone();
    strip_hop_by_hop(&mut headers);
    headers.remove(header::HOST);
    headers.remove(header::CONTENT_LENGTH);
    if let Ok(value) = HeaderValue::from_str(advertised) {
        headers.insert(HeaderName::from_static(FORWARDED_HEADER), value);
    }
    headers
}

/// Removes the headers that concern one connection only (RFC 9110 §7.6.1).
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    for name in [
        header::CONNECTION,
        header::PROXY_AUTHENTICATE,
        header::PROXY_AUTHORIZATION,
        header::TE,
        header::TRAILER,
        header::TRANSFER_ENCODING,
        header::UPGRADE,
    ] {
        headers.remove(name);
    }
    headers.remove("keep-alive");
}

#[cfg(test)]
mod tests {
    use axum::http::Method;

    use super::{route, Route};

    #[test]
    fn requests_are_classified_as_marathon_does() {
        let cases = [
            (Method::GET, "/v2/apps", Route::Forward),
            (Method::POST, "/v2/apps", Route::Forward),
            (Method::PUT, "/marathon/v2/groups/a", Route::Forward),
            (Method::GET, "/v2/events", Route::Redirect),
            (Method::GET, "/marathon/v2/events", Route::Redirect),
            (Method::GET, "/v2/info", Route::Local),
            (Method::GET, "/v2/leader", Route::Local),
            (Method::DELETE, "/v2/leader", Route::Forward),
            (Method::GET, "/ping", Route::Local),
            (Method::GET, "/metrics", Route::Forward),
            (Method::GET, "/metrics/snapshot", Route::Local),
            (Method::POST, "/api/apps/create", Route::Forward),
            (Method::POST, "/api/v1/scheduler", Route::Local),
            (Method::GET, "/apps", Route::Local),
            (Method::GET, "/pkg/dromos.css", Route::Local),
            (Method::GET, "/marathonx/v2/apps", Route::Local),
        ];
        for (method, path, want) in cases {
            assert_eq!(route(&method, path), want, "{method} {path}");
        }
    }
}
