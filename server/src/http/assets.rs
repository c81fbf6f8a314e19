//! The console's static assets (WASM, JS, CSS, icons), embedded in the
//! binary at compile time so `dromos` is one self-contained file.
//!
//! The frontend build (`scripts/build-frontend.sh`) writes them to
//! `target/site/`; the server's `build.rs` rebuilds when they change. A
//! binary built without them still serves the API and the server-rendered
//! console, just without interactivity, and says so at start.
//!
//! The build also writes a brotli copy (quality 11) next to each WASM, JS
//! and CSS file, `<file>.br`; a browser that accepts brotli gets that copy
//! as it is (`Content-Encoding: br`), about a fifth smaller than what the
//! response compression would make on the fly, and at no CPU cost per
//! request. Other clients get the plain file, compressed on the fly as any
//! other response.

use std::collections::HashMap;
use std::sync::OnceLock;

use app::lazy_pages::{page_of_path, PageBundle};
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
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

/// The embedded asset at `path`, if there is one: its brotli copy when the
/// request accepts brotli and the build made one, else the file itself.
///
/// The console's files change with every build of the binary, so browsers
/// must revalidate them (`no-cache`); the ETag (content hash of what is
/// sent) makes that cheap: a request whose `If-None-Match` names it is
/// answered 304 without a body.
pub fn get(path: &str, request_headers: &HeaderMap) -> Option<Response> {
    let path = path.trim_start_matches('/');
    let plain = Site::get(path)?;
    let brotli = accepts_brotli(request_headers).then(|| Site::get(&format!("{path}.br"))).flatten();
    let encoding = brotli.is_some().then_some(HeaderValue::from_static("br"));
    let file = brotli.unwrap_or(plain);
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..8]));
    let mut response = if matches_etag(request_headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = Body::from(file.data.into_owned()).into_response();
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(mime.as_ref()).ok()?);
        if let Some(encoding) = encoding {
            headers.insert(header::CONTENT_ENCODING, encoding);
        }
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(header::ETAG, HeaderValue::from_str(&etag).ok()?);
    Some(response)
}

/// Whether `If-None-Match` lists `etag` (or `*`).
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

/// The bundle of WASM chunks a server-rendered `path` should preload: its
/// page's, from the build's split manifest (`pkg/split-manifest.json`,
/// read once). `None` for paths no page claims and for a build without the
/// split.
pub fn page_bundle(path: &str) -> Option<PageBundle> {
    static MANIFEST: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    let manifest = MANIFEST.get_or_init(|| {
        let Some(file) = Site::get("pkg/split-manifest.json") else {
            return HashMap::new();
        };
        serde_json::from_slice(&file.data).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "the console's split manifest is unreadable; pages load their chunks one by one");
            HashMap::new()
        })
    });
    let page = page_of_path(path)?;
    let chunks = manifest.get(page)?.clone();
    Site::get(&format!("pkg/pages/{page}.bundle"))?;
    Some(PageBundle { page: page.to_string(), chunks })
}

/// Whether `Accept-Encoding` lists `br` without `q=0`.
fn accepts_brotli(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case("br") && !refused
        })
}

/// Marathon's answer for an unknown URI.
pub fn not_found(path: &str) -> Response {
    (StatusCode::NOT_FOUND, axum::Json(serde_json::json!({ "message": format!("URI not found: {path}") })))
        .into_response()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::{accepts_brotli, matches_etag};
    use axum::http::{header, HeaderMap, HeaderValue};

    fn with(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn brotli_is_sent_only_to_clients_that_take_it() {
        assert!(accepts_brotli(&with("gzip, deflate, br, zstd")));
        assert!(accepts_brotli(&with("BR;q=0.5")));
        assert!(!accepts_brotli(&with("gzip, deflate")));
        assert!(!accepts_brotli(&with("br;q=0, gzip")));
        assert!(!accepts_brotli(&with("brotli")));
        assert!(!accepts_brotli(&HeaderMap::new()));
    }

    #[test]
    fn a_known_etag_is_not_sent_again() {
        let mut headers = HeaderMap::new();
        assert!(!matches_etag(&headers, "\"ab\""));
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"xx\", W/\"ab\""));
        assert!(matches_etag(&headers, "\"ab\""));
        assert!(!matches_etag(&headers, "\"cd\""));
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(matches_etag(&headers, "\"cd\""));
    }
}
