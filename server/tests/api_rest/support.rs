//! A service over a real store, its router, and a one-call HTTP helper.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use dromos_store::{SqliteOptions, SqliteStore};
use http_body_util::BodyExt;
use serde_json::Value;
use server::service::{Service, ServiceConfig};
use tower::ServiceExt;

/// A response: status, headers, body as JSON (or a JSON string for text).
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub struct Api {
    pub service: Arc<Service>,
    pub router: Router,
}

pub fn config() -> ServiceConfig {
    ServiceConfig { advertised: "127.0.0.1:8080".into(), master: "local".into(), max_versions: 50 }
}

impl Api {
    /// A service over the store in `dir`, with the full router.
    pub fn open(dir: &Path) -> Api {
        let store = SqliteStore::open(dir, SqliteOptions::default()).expect("store opens");
        let service = Arc::new(Service::open(config(), Arc::new(store)).expect("service opens"));
        let router = server::http::router(service.clone());
        Api { service, router }
    }

    pub async fn call(&self, method: Method, uri: &str, body: impl Into<Body>) -> Reply {
        self.call_with(method, uri, &[], body).await
    }

    pub async fn call_with(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Reply {
        let mut request =
            Request::builder().method(method).uri(uri).header("content-type", "application/json");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = self.router.clone().oneshot(request.body(body.into()).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply { status, headers, json }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.call(Method::GET, uri, Body::empty()).await
    }

    pub async fn post(&self, uri: &str, body: &str) -> Reply {
        self.call(Method::POST, uri, body.to_owned()).await
    }

    pub async fn put(&self, uri: &str, body: &str) -> Reply {
        self.call(Method::PUT, uri, body.to_owned()).await
    }

    pub async fn delete(&self, uri: &str) -> Reply {
        self.call(Method::DELETE, uri, Body::empty()).await
    }
}

/// The reference examples, if the shared tree is there.
pub fn examples_dir() -> Option<std::path::PathBuf> {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/marathon/examples");
    dir.is_dir().then_some(dir)
}
