//! The web console: server-side rendering of every console route and the
//! server functions, with the service provided as Leptos context.

use std::sync::Arc;

use app::backend::SharedBackend;
use app::{shell, App};
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{header, Request};
use axum::response::IntoResponse;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{generate_route_list, render_app_to_stream_with_context, LeptosRoutes};

use super::assets;

use crate::service::Service;

/// Options matching the scripted frontend build: `/pkg/dromos.{js,wasm,css}`.
fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder().output_name("dromos").site_pkg_dir("pkg").build()
}

/// What every console render and server function finds in its context:
/// the service, the access view once it is loaded, and the bundle of WASM
/// chunks the requested page needs (preloaded by the shell).
fn contexts(service: Arc<Service>) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        if let Some(bundle) =
            use_context::<Parts>().and_then(|request| assets::page_bundle(request.uri.path()))
        {
            provide_context(bundle);
        }
        if let Some(access) = service.console_access() {
            provide_context(access);
        }
        let backend: SharedBackend = service.clone();
        provide_context(backend);
    }
}

/// Console pages and server functions.
pub fn routes(service: Arc<Service>) -> Router {
    let options = leptos_options();
    let context = contexts(service);
    let routes = generate_route_list(App);
    let shell_options = options.clone();
    Router::new()
        .leptos_routes_with_context(&options, routes, context, move || shell(shell_options.clone()))
        .with_state(options)
}

/// The fallback for every path no route claims: an embedded asset if there
/// is one; for a browser (Accept: text/html) the console's not-found page
/// with status 404; for API clients Marathon's JSON 404.
pub fn fallback(service: Arc<Service>) -> Router {
    let context = contexts(service);
    let options = leptos_options();
    let render = render_app_to_stream_with_context(context, move || shell(options.clone()));
    Router::new().fallback(move |request: Request<Body>| {
        let render = render.clone();
        async move {
            let path = request.uri().path().to_string();
            if let Some(asset) = assets::get(&path, request.headers()) {
                return asset;
            }
            if wants_html(&request) && !is_api_path(&path) {
                return render(request).await.into_response();
            }
            assets::not_found(&path)
        }
    })
}

fn wants_html(request: &Request<Body>) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

fn is_api_path(path: &str) -> bool {
    ["/v2/", "/marathon/", "/api/", "/pkg/"].iter().any(|prefix| path.starts_with(prefix))
}
