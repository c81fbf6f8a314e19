//! One probe of one Marathon-style health check: HTTP or HTTPS GET (healthy
//! on 200–399; 1xx ignored with `ignoreHttp1xx`, otherwise unhealthy; HTTPS
//! accepts any certificate, see [`super::https`]) or a TCP connect, each
//! bounded by `timeoutSeconds`.

use std::time::Duration;

use dromos_model::{HealthCheck, HealthCheckProtocol};

/// What one probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// The check passed.
    Healthy,
    /// The check failed, with the cause (for logs and `lastFailureCause`).
    Unhealthy(String),
    /// No verdict (an ignored 1xx answer): health stays as it was.
    Ignored,
}

/// Classifies an HTTP status code the way Marathon does.
pub fn classify_http_status(status: u16, ignore_1xx: bool) -> ProbeOutcome {
    match status {
        100..=199 if ignore_1xx => ProbeOutcome::Ignored,
        200..=399 => ProbeOutcome::Healthy,
        other => ProbeOutcome::Unhealthy(format!("HTTP status {other}")),
    }
}

/// Probes `check` against `host:port`.
pub async fn probe(http: &reqwest::Client, check: &HealthCheck, host: &str, port: u16) -> ProbeOutcome {
    let timeout = Duration::from_secs(u64::try_from(check.timeout_seconds.max(1)).unwrap_or(1));
    match check.protocol {
        HealthCheckProtocol::Http => {
            let path = check.path.as_deref().unwrap_or("/");
            let url = format!("http://{host}:{port}{path}");
            match http.get(&url).timeout(timeout).send().await {
                Ok(response) => classify_http_status(response.status().as_u16(), check.ignore_http1xx),
                Err(e) => ProbeOutcome::Unhealthy(format!("GET {url}: {e}")),
            }
        }
        HealthCheckProtocol::Https => {
            let path = check.path.clone().unwrap_or_else(|| "/".to_owned());
            let host = host.to_owned();
            let blocking = move || super::https::get_status(&host, port, &path, timeout);
            match tokio::task::spawn_blocking(blocking).await {
                Ok(Ok(status)) => classify_http_status(status, check.ignore_http1xx),
                Ok(Err(cause)) => ProbeOutcome::Unhealthy(cause),
                Err(e) => ProbeOutcome::Unhealthy(format!("HTTPS probe stopped: {e}")),
            }
        }
        HealthCheckProtocol::Tcp => {
            match tokio::time::timeout(timeout, tokio::net::TcpStream::connect((host, port))).await {
                Ok(Ok(_)) => ProbeOutcome::Healthy,
                Ok(Err(e)) => ProbeOutcome::Unhealthy(format!("connect {host}:{port}: {e}")),
                Err(_) => {
                    ProbeOutcome::Unhealthy(format!("connect {host}:{port}: timed out after {timeout:?}"))
                }
            }
        }
        other => ProbeOutcome::Unhealthy(format!("{other:?} checks are not run by the driver")),
    }
}

#[cfg(test)]
mod tests {
    use dromos_model::{HealthCheck, HealthCheckProtocol};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::{classify_http_status, probe, ProbeOutcome};

    #[test]
    fn http_status_codes_classify_as_marathon() {
        let cases = [
            (200, false, ProbeOutcome::Healthy),
            (302, false, ProbeOutcome::Healthy),
            (399, false, ProbeOutcome::Healthy),
            (100, true, ProbeOutcome::Ignored),
            (100, false, ProbeOutcome::Unhealthy("HTTP status 100".into())),
            (404, true, ProbeOutcome::Unhealthy("HTTP status 404".into())),
            (503, false, ProbeOutcome::Unhealthy("HTTP status 503".into())),
        ];
        for (status, ignore, want) in cases {
            assert_eq!(classify_http_status(status, ignore), want, "{status} ignore={ignore}");
        }
    }

    #[tokio::test]
    async fn tcp_probe_is_healthy_when_something_listens_and_unhealthy_otherwise() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let check = HealthCheck::new(HealthCheckProtocol::Tcp);
        let http = reqwest::Client::new();
        assert_eq!(probe(&http, &check, "127.0.0.1", port).await, ProbeOutcome::Healthy);
        drop(listener);
        assert!(matches!(probe(&http, &check, "127.0.0.1", port).await, ProbeOutcome::Unhealthy(_)));
    }

    #[tokio::test]
    async fn https_probe_accepts_a_self_signed_certificate_and_reads_the_status() {
        let port =
            crate::health::https::test_server::tls_server(&["204 No Content", "500 Internal Server Error"]);
        let mut check = HealthCheck::new(HealthCheckProtocol::Https);
        check.path = Some("/health".into());
        let http = reqwest::Client::new();
        assert_eq!(probe(&http, &check, "127.0.0.1", port).await, ProbeOutcome::Healthy);
        assert_eq!(
            probe(&http, &check, "127.0.0.1", port).await,
            ProbeOutcome::Unhealthy("HTTP status 500".into())
        );
    }

    #[tokio::test]
    async fn https_probe_of_a_plain_http_server_is_unhealthy() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move {
            if let Ok((mut socket, _)) = listener.accept().await {
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
            }
        });
        let check = HealthCheck::new(HealthCheckProtocol::Https);
        let outcome = probe(&reqwest::Client::new(), &check, "127.0.0.1", port).await;
        assert!(
            matches!(&outcome, ProbeOutcome::Unhealthy(cause) if cause.starts_with("GET https://127.0.0.1:")),
            "{outcome:?}"
        );
    }

    #[tokio::test]
    async fn http_probe_reads_the_status_line() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = [0_u8; 1024];
                let _ = socket.read(&mut request).await;
                let _ = socket
                    .write_all(
                        b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    )
                    .await;
            }
        });
        let mut check = HealthCheck::new(HealthCheckProtocol::Http);
        check.path = Some("/health".into());
        let outcome = probe(&reqwest::Client::new(), &check, "127.0.0.1", port).await;
        assert_eq!(outcome, ProbeOutcome::Unhealthy("HTTP status 503".into()));
    }
}
