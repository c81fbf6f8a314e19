//! The console's static assets (WASM, JS, CSS, icons), embedded in the
//! binary at compile time so `dromos` is one self-contained file.
//!
//! The frontend build (`scripts/build-frontend.sh`) writes them to
//! `target/site/`; the server's `build.rs` rebuilds when they change. A
//! binary built without them still serves the API and the server-rendered
//! console, just without interactivity, and says so at start.

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../target/site"]
#[allow_missing = true]
struct Site;

/// Whether the WASM console was embedded at build time.
pub fn console_available() -> bool {
    Site::get("pkg/dromos.wasm").is_some()
}

/// The embedded asset at `path`, if there is one.
pub fn get(path: &str) -> Option<Response> {
    let path = path.trim_start_matches('/');
    let file = Site::get(path)?;
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    // The console's files change with every build of the binary; the ETag
    // (content hash) lets browsers revalidate cheaply.
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..8]));
    Some(
        (
            [
                (header::CONTENT_TYPE, mime.as_ref().to_string()),
                (header::CACHE_CONTROL, "no-cache".to_string()),
                (header::ETAG, etag),
            ],
            Body::from(file.data.into_owned()),
        )
            .into_response(),
    )
}

/// Marathon's answer for an unknown URI.
pub fn not_found(path: &str) -> Response {
    (StatusCode::NOT_FOUND, axum::Json(serde_json::json!({ "message": format!("URI not found: {path}") })))
        .into_response()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
