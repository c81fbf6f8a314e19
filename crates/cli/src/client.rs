//! A thin typed layer over `reqwest` for dromos' Marathon-compatible REST API.
//!
//! Every call returns an [`ApiResponse`] (status, `Marathon-Deployment-Id`
//! header, JSON body) or a [`CliError`] that already says what went wrong in
//! terms a user can act on: the server's own message for a non-2xx answer,
//! the URL that could not be reached for a connection failure. Bodies that
//! are not JSON (an HTML error page from a proxy, say) never panic: they
//! become [`CliError::UnexpectedResponse`] or the message of an API error.

use std::error::Error as _;
use std::time::Duration;

use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{CliError, FieldError};

/// How much of a non-JSON body is quoted back to the user.
const SNIPPET_CHARS: usize = 200;

/// A successful (2xx) answer.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub status: u16,
    /// The `Marathon-Deployment-Id` header, sent by every deploying mutation.
    pub deployment_id: Option<String>,
    /// The JSON body; `Value::Null` when the body was empty (e.g. `202`).
    pub body: Value,
}

/// How requests authenticate.
#[derive(Clone, Default)]
pub enum Credentials {
    /// None (dromos without users, or Marathon).
    #[default]
    None,
    /// HTTP Basic.
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// `Authorization: Bearer`.
    Bearer(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets.
        match self {
            Credentials::None => f.write_str("None"),
            Credentials::Basic { user, .. } => write!(f, "Basic({user}, ***)"),
            Credentials::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

impl Credentials {
    fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Credentials::None => request,
            Credentials::Basic { user, password } => request.basic_auth(user, Some(password)),
            Credentials::Bearer(token) => request.bearer_auth(token),
        }
    }
}

/// A client bound to one dromos server.
#[derive(Debug, Clone)]
pub struct Client {
    credentials: Credentials,
    http: reqwest::Client,
    /// For long-lived streams (`--follow`): only connecting is timed.
    streaming: reqwest::Client,
    /// Base URL; may carry a path prefix (a server behind a reverse proxy).
    base: Url,
    timeout: Duration,
}

impl Client {
    /// A client for the server at `base_url`; fails with a usage error when the
    /// URL is not an absolute `http`/`https` URL.
    pub fn new(base_url: &str, timeout: Duration) -> Result<Self, CliError> {
        let base = Url::parse(base_url)
            .map_err(|e| CliError::Usage(format!("--url {base_url:?} is not a valid URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(CliError::Usage(format!("--url {base_url:?} must be an http:// or https:// URL")));
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| CliError::Usage(format!("cannot set up the HTTP client: {e}")))?;
        let streaming = reqwest::Client::builder()
            .connect_timeout(timeout)
            .build()
            .map_err(|e| CliError::Usage(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Self { credentials: Credentials::None, http, streaming, base, timeout })
    }

    /// The same client, sending `credentials` with every request.
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// The URL of `path` under the base URL. Each element of `path` may hold
    /// several `/`-separated segments (an app id like `/prod/web`); empty
    /// segments are dropped and each segment is percent-encoded.
    pub fn url(&self, path: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
            segments.extend(path.iter().flat_map(|part| part.split('/')).filter(|s| !s.is_empty()));
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// `GET` the resource and return its JSON body.
    pub async fn get(&self, path: &[&str], query: &[(&str, &str)]) -> Result<Value, CliError> {
        let url = self.url(path, query);
        Ok(self.send(Method::GET, url, None).await?.body)
    }

    /// Sends one request and classifies the answer.
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<ApiResponse, CliError> {
        let mut request = self.credentials.apply(
            self.http.request(method, url.clone()).header(reqwest::header::ACCEPT, "application/json"),
        );
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| self.transport_error(&url, &e))?;
        let status = response.status();
        let deployment_id =
            response.headers().get("Marathon-Deployment-Id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = response.bytes().await.map_err(|e| self.transport_error(&url, &e))?;
        let parsed = parse_body(&bytes);
        if !status.is_success() {
            return Err(api_error(status, parsed));
        }
        match parsed {
            Ok(body) => Ok(ApiResponse { status: status.as_u16(), deployment_id, body }),
            Err(text) => Err(CliError::UnexpectedResponse {
                url: url.to_string(),
                reason: format!("expected JSON, got: {}", snippet(&text)),
            }),
        }
    }

    /// Opens a `text/event-stream` response; a non-2xx answer becomes the
    /// same [`CliError`] as for [`Client::send`]. The body is read by the caller.
    pub async fn stream(&self, url: Url) -> Result<reqwest::Response, CliError> {
        let response = self
            .credentials
            .apply(self.streaming.get(url.clone()))
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .send()
            .await
            .map_err(|e| self.transport_error(&url, &e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let bytes = response.bytes().await.map_err(|e| self.transport_error(&url, &e))?;
        Err(api_error(status, parse_body(&bytes)))
    }

    /// The error for a failure while a stream was being read.
    pub fn stream_error(&self, url: &Url, error: &reqwest::Error) -> CliError {
        self.transport_error(url, error)
    }

    fn transport_error(&self, url: &Url, error: &reqwest::Error) -> CliError {
        let url = url.to_string();
        if error.is_timeout() {
            return CliError::Timeout { url, seconds: self.timeout.as_secs() };
        }
        CliError::Unreachable { url, reason: root_cause(error) }
    }
}

/// Decodes a JSON body into a typed view; a shape mismatch is the server's
/// fault, so it becomes [`CliError::UnexpectedResponse`] naming `what`.
pub fn decode<T: DeserializeOwned>(body: Value, what: &str) -> Result<T, CliError> {
    serde_json::from_value(body).map_err(|e| CliError::UnexpectedResponse {
        url: what.to_owned(),
        reason: format!("the JSON does not have the expected shape: {e}"),
    })
}

/// `Ok(json)` (`Null` for an empty body) or `Err(text)` when it is not JSON.
fn parse_body(bytes: &[u8]) -> Result<Value, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes).map_err(|_| String::from_utf8_lossy(bytes).into_owned())
}

/// Builds the error for a non-2xx answer from Marathon's error body
/// `{"message", "details":[{"path","errors"}], "deployments":[{"id"}]}`.
fn api_error(status: reqwest::StatusCode, body: Result<Value, String>) -> CliError {
    let reason = status.canonical_reason().unwrap_or("error");
    let (message, details, deployments) = match body {
        Ok(Value::Null) => (reason.to_owned(), vec![], vec![]),
        Ok(json) => {
            let message = match json.get("message").and_then(Value::as_str) {
                Some(message) => message.to_owned(),
                None => json.to_string(),
            };
            (message, field_errors(&json), locking_deployments(&json))
        }
        Err(text) => (format!("{reason}: {}", snippet(&text)), vec![], vec![]),
    };
    CliError::Api { status: status.as_u16(), message, details, deployments }
}

fn field_errors(json: &Value) -> Vec<FieldError> {
    let Some(details) = json.get("details").and_then(Value::as_array) else {
        return vec![];
    };
    details
        .iter()
        .map(|detail| FieldError {
            path: detail.get("path").and_then(Value::as_str).unwrap_or("/").to_owned(),
            errors: match detail.get("errors") {
                Some(Value::Array(errors)) => errors.iter().map(text_of).collect(),
                Some(other) => vec![text_of(other)],
                None => vec![],
            },
        })
        .collect()
}

fn locking_deployments(json: &Value) -> Vec<String> {
    json.get("deployments")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter().filter_map(|d| d.get("id").and_then(Value::as_str).map(str::to_owned)).collect()
        })
        .unwrap_or_default()
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The first line of `text`, cut to [`SNIPPET_CHARS`] characters.
fn snippet(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or_default();
    let mut cut: String = line.chars().take(SNIPPET_CHARS).collect();
    if cut.len() < line.len() {
        cut.push('…');
    }
    if cut.is_empty() {
        "an empty body".to_owned()
    } else {
        cut
    }
}

/// The innermost cause of a transport error ("connection refused", a DNS
/// failure), which is what tells the user what to fix.
fn root_cause(error: &reqwest::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = error.source();
    let mut last = None;
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return "connection refused".to_owned();
            }
        }
        last = Some(cause);
        source = cause.source();
    }
    last.map_or_else(|| error.to_string(), ToString::to_string)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::StatusCode;
    use serde_json::json;

    use super::{api_error, parse_body, Client};
    use crate::error::{CliError, FieldError};

    #[test]
    fn urls_split_ids_into_encoded_segments_under_the_base_path() {
        let cases = [
            ("http://h:1", &["v2/apps", "/prod/web", "restart"][..], "http://h:1/v2/apps/prod/web/restart"),
            ("http://h:1/", &["v2/groups", "/"][..], "http://h:1/v2/groups"),
            ("http://h/marathon/", &["v2/apps", "a b"][..], "http://h/marathon/v2/apps/a%20b"),
        ];
        for (base, path, want) in cases {
            let client = Client::new(base, Duration::from_secs(1)).expect("valid base URL");
            assert_eq!(client.url(path, &[]).as_str(), want);
        }
    }

    #[test]
    fn non_http_urls_are_usage_errors() {
        for base in ["ftp://h", "not a url", "mailto:x@y"] {
            let error = Client::new(base, Duration::from_secs(1)).expect_err("must be refused");
            assert!(matches!(error, CliError::Usage(_)), "{base}: {error}");
        }
    }

    #[test]
    fn api_errors_keep_message_details_and_locking_deployments() {
        let body = json!({"message": "Object is not valid",
            "details": [{"path": "/cpus", "errors": ["is < 0"]}, {"errors": "odd"}],
            "deployments": [{"id": "d1"}, {"nope": 1}]});
        let CliError::Api { status, message, details, deployments } =
            api_error(StatusCode::UNPROCESSABLE_ENTITY, Ok(body))
        else {
            panic!("expected an API error");
        };
        assert_eq!(status, 422);
        assert_eq!(message, "Object is not valid");
        assert_eq!(
            details,
            vec![
                FieldError { path: "/cpus".into(), errors: vec!["is < 0".into()] },
                FieldError { path: "/".into(), errors: vec!["odd".into()] },
            ]
        );
        assert_eq!(deployments, vec!["d1".to_owned()]);
    }

    #[test]
    fn html_error_pages_become_a_short_message() {
        let html = parse_body(b"<html><body>Bad gateway</body></html>\n<p>more</p>");
        let error = api_error(StatusCode::BAD_GATEWAY, html);
        assert_eq!(error.to_string(), "Bad Gateway: <html><body>Bad gateway</body></html> (HTTP 502)");
    }

    #[test]
    fn empty_bodies_parse_as_null() {
        assert_eq!(parse_body(b" \n"), Ok(serde_json::Value::Null));
    }
}
