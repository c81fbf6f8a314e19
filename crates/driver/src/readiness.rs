//! Readiness checks (`readinessChecks`): during a deployment a new instance
//! only counts towards the deployment's progress, and so only lets an old
//! instance be killed, once its readiness check has passed.
//!
//! The rule, decided in the core ([`crate::driver`]'s tick): an instance of
//! the app's current version whose app has a readiness check is *gated*
//! while a deployment acts on the app and no check of it has passed yet;
//! a gated instance is shown to the step logic as not yet healthy. Ready
//! is sticky: like Marathon, an instance is checked until its first pass,
//! then never again. Outside deployments readiness plays no part.
//!
//! [`ReadinessSupervisor`] is owned by the run loop, like the health
//! supervisor: one tokio task per checked instance that GETs
//! `protocol://host:port/path` (`port` = the host port of the port named
//! `portName`) every `intervalSeconds`, each request bounded by
//! `timeoutSeconds`, and sends a [`ReadinessResult`] after every probe; it
//! stops after the first ready answer, when the instance is stopped, or
//! when the supervisor is dropped. HTTPS probes accept any certificate,
//! like the health checks ([`crate::health::https`]); their preserved
//! response carries the status only.

use std::collections::HashMap;
use std::time::Duration;

use dromos_model::check::HttpScheme;
use dromos_model::readiness::ReadinessCheck;
use dromos_model::AppDefinition;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::debug;

/// Bodies kept of a preserved response, in bytes.
const MAX_PRESERVED_BODY: usize = 4096;

/// One instance to check.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadinessTarget {
    /// Instance id (what results name).
    pub instance_id: String,
    /// Mesos task id (shown in the results).
    pub task_id: String,
    /// Agent hostname.
    pub host: String,
    /// Host port of the check's `portName`; `None` when the instance has
    /// no such port (the check then never passes).
    pub port: Option<u16>,
    /// The check.
    pub check: ReadinessCheck,
}

/// The last HTTP response of a check (`preserveLastResponse`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessResponse {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// Body (truncated).
    pub body: String,
}

/// One verdict for one instance (Marathon's `ReadinessCheckResult`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessResult {
    /// Check name.
    pub name: String,
    /// Instance id.
    pub instance_id: String,
    /// Mesos task id.
    pub task_id: String,
    /// The answer was one of `httpStatusCodesForReady`.
    pub ready: bool,
    /// The response, when `preserveLastResponse` is set and one came.
    pub last_response: Option<ReadinessResponse>,
    /// Why not ready, when no response came.
    pub cause: Option<String>,
}

/// The host port an instance offers for `check.portName`.
pub fn port_for(app: &AppDefinition, check: &ReadinessCheck, host_ports: &[Option<u16>]) -> Option<u16> {
    let index = if app.is_host_networking() {
        app.port_definitions.iter().position(|p| p.name.as_deref() == Some(check.port_name.as_str()))
    } else {
        app.port_mappings().iter().position(|p| p.name.as_deref() == Some(check.port_name.as_str()))
    }?;
    host_ports.get(index).copied().flatten()
}

/// The per-instance readiness checker tasks.
#[derive(Debug)]
pub struct ReadinessSupervisor {
    http: reqwest::Client,
    results: mpsc::Sender<ReadinessResult>,
    running: HashMap<String, CancellationToken>,
}

impl ReadinessSupervisor {
    /// A supervisor sending results to `results`.
    pub fn new(results: mpsc::Sender<ReadinessResult>) -> Self {
        Self { http: reqwest::Client::new(), results, running: HashMap::new() }
    }

    /// Starts checking `target` unless it is already checked.
    pub fn start(&mut self, target: ReadinessTarget) {
        if self.running.contains_key(&target.instance_id) {
            return;
        }
        let token = CancellationToken::new();
        self.running.insert(target.instance_id.clone(), token.clone());
        let (http, results) = (self.http.clone(), self.results.clone());
        tokio::spawn(async move {
            tokio::select! {
                () = token.cancelled() => {}
                () = check_until_ready(http, results, target) => {}
            }
        });
    }

    /// Stops checking an instance.
    pub fn stop(&mut self, instance_id: &str) {
        if let Some(token) = self.running.remove(instance_id) {
            token.cancel();
        }
    }
}

impl Drop for ReadinessSupervisor {
    fn drop(&mut self) {
        for token in self.running.values() {
            token.cancel();
        }
    }
}

fn secs(value: i32) -> Duration {
    Duration::from_secs(u64::try_from(value.max(1)).unwrap_or(1))
}

async fn check_until_ready(
    http: reqwest::Client,
    results: mpsc::Sender<ReadinessResult>,
    target: ReadinessTarget,
) {
    let interval = secs(target.check.interval_seconds);
    loop {
        let result = probe(&http, &target).await;
        let ready = result.ready;
        debug!(task_id = %target.task_id, ready, cause = ?result.cause, "readiness probe");
        if results.send(result).await.is_err() || ready {
            return;
        }
        tokio::time::sleep(interval).await;
    }
}

/// One readiness probe.
pub async fn probe(http: &reqwest::Client, target: &ReadinessTarget) -> ReadinessResult {
    let check = &target.check;
    let mut result = ReadinessResult {
        name: check.name.clone(),
        instance_id: target.instance_id.clone(),
        task_id: target.task_id.clone(),
        ready: false,
        last_response: None,
        cause: None,
    };
    let Some(port) = target.port else {
        result.cause = Some(format!("the task has no port named {}", check.port_name));
        return result;
    };
    if check.protocol == HttpScheme::Https {
        let (host, path, timeout) = (target.host.clone(), check.path.clone(), secs(check.timeout_seconds));
        let blocking = move || crate::health::https::get_status(&host, port, &path, timeout);
        match tokio::task::spawn_blocking(blocking).await {
            Ok(Ok(status)) => {
                result.ready =
                    check.http_status_codes_for_ready.iter().any(|code| *code == i32::from(status));
                if check.preserve_last_response {
                    let response = ReadinessResponse { status, content_type: None, body: String::new() };
                    result.last_response = Some(response);
                }
                if !result.ready {
                    result.cause = Some(format!("HTTP status {status}"));
                }
            }
            Ok(Err(cause)) => result.cause = Some(cause),
            Err(e) => result.cause = Some(format!("HTTPS probe stopped: {e}")),
        }
        return result;
    }
    let url = format!("http://{}:{port}{}", target.host, check.path);
    let response = match http.get(&url).timeout(secs(check.timeout_seconds)).send().await {
        Ok(response) => response,
        Err(e) => {
            result.cause = Some(format!("GET {url}: {e}"));
            return result;
        }
    };
    let status = response.status().as_u16();
    result.ready = check.http_status_codes_for_ready.iter().any(|code| *code == i32::from(status));
    if check.preserve_last_response {
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response.bytes().await.unwrap_or_default();
        let body = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_PRESERVED_BODY)]).into_owned();
        result.last_response = Some(ReadinessResponse { status, content_type, body });
    }
    if !result.ready {
        result.cause = Some(format!("HTTP status {status}"));
    }
    result
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use dromos_model::readiness::ReadinessCheck;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::{probe, ReadinessResponse, ReadinessTarget};

    /// A one-shot HTTP server answering `status` with a small JSON body.
    async fn serve_once(status: u16) -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
            let body = r#"{"state":"warming"}"#;
            let reply = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
        });
        port
    }

    fn check(json: &str) -> ReadinessCheck {
        serde_json::from_str(json).unwrap()
    }

    fn target(port: Option<u16>, check: ReadinessCheck) -> ReadinessTarget {
        ReadinessTarget {
            instance_id: "web.instance-1".into(),
            task_id: "web.instance-1._app.1".into(),
            host: "127.0.0.1".into(),
            port,
            check,
        }
    }

    #[tokio::test]
    async fn ready_only_on_the_listed_status_codes_and_the_response_is_kept_on_request() {
        let http = reqwest::Client::new();
        let cases = [
            (200, r#"{"httpStatusCodesForReady":[200]}"#, true),
            (503, "{}", false),
            (204, r#"{"httpStatusCodesForReady":[200,204]}"#, true),
        ];
        for (status, json, ready) in cases {
            let port = serve_once(status).await;
            let result = probe(&http, &target(Some(port), check(json))).await;
            assert_eq!(result.ready, ready, "status {status}");
            assert_eq!(result.last_response, None, "not preserved unless asked");
        }
        let port = serve_once(503).await;
        let result = probe(&http, &target(Some(port), check(r#"{"preserveLastResponse":true}"#))).await;
        assert_eq!(
            result.last_response,
            Some(ReadinessResponse {
                status: 503,
                content_type: Some("application/json".into()),
                body: r#"{"state":"warming"}"#.into(),
            })
        );
        assert_eq!(result.cause.as_deref(), Some("HTTP status 503"));
    }

    #[tokio::test]
    async fn https_readiness_accepts_a_self_signed_certificate() {
        let port = crate::health::https::test_server::tls_server(&["503 Warming", "200 OK"]);
        let http = reqwest::Client::new();
        let https = check(r#"{"protocol":"HTTPS","preserveLastResponse":true}"#);
        let first = probe(&http, &target(Some(port), https.clone())).await;
        assert!(!first.ready);
        assert_eq!(first.last_response.map(|r| r.status), Some(503));
        assert!(probe(&http, &target(Some(port), https)).await.ready);
    }

    #[tokio::test]
    async fn a_task_without_the_named_port_is_never_ready() {
        let result = probe(&reqwest::Client::new(), &target(None, check("{}"))).await;
        assert!(!result.ready);
        assert_eq!(result.cause.as_deref(), Some("the task has no port named http-api"));
    }
}
