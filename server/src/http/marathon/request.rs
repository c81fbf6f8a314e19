//! Request extractors of the REST API: the raw body (never axum's `Json`:
//! the model's parsers produce Marathon's error bodies), query parameters
//! with repeated keys, and the caller for `api_post_event`.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};

use super::error::ApiError;
use crate::service::Origin;

/// The request body as bytes; over the limit → 413 in Marathon's shape.
#[derive(Debug)]
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(RawBody(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::PayloadTooLarge)
            }
            Err(rejection) => Err(ApiError::BadBody(rejection.body_text())),
        }
    }
}

/// Query parameters in order, repeated keys kept.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Params::parse(parts.uri.query().unwrap_or_default()))
    }
}

impl Params {
    /// Parses a query string.
    pub fn parse(query: &str) -> Self {
        Params(form_urlencoded::parse(query.as_bytes()).into_owned().collect())
    }

    /// The last value of `name`.
    pub fn one(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, comma-separated lists split.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// A boolean flag: `true`/`false` in any case; absent → `default`;
    /// anything else is a 400 naming the parameter.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.one(name) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(ApiError::BadQuery(format!(
                "Invalid value for query parameter {name}: '{v}' (expected true or false)"
            ))),
        }
    }
}

/// The caller of a request: client address and URI.
#[derive(Debug, Clone)]
pub struct Caller(pub Origin);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let client_ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(Caller(Origin { client_ip, uri: parts.uri.path().to_owned() }))
    }
}

/// Whether the client asked for `mime` in `Accept`.
pub fn accepts(headers: &HeaderMap, mime: &str) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains(mime))
}

#[cfg(test)]
mod tests {
    use super::Params;

    #[test]
    fn params_keep_repeats_and_split_lists() {
        let p = Params::parse("embed=apps.tasks&embed=apps.counts,apps.readiness&force=TRUE&x=%2Fa");
        assert_eq!(p.all("embed"), ["apps.tasks", "apps.counts", "apps.readiness"]);
        assert_eq!(p.flag("force", false).ok(), Some(true));
        assert_eq!(p.flag("missing", true).ok(), Some(true));
        assert_eq!(p.one("x"), Some("/a"));
        assert!(Params::parse("force=yes").flag("force", false).is_err());
    }
}
