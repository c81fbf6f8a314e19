//! The dromos web console, shared by the server (feature `ssr`) and the
//! browser (feature `hydrate`). Exactly one of the two is enabled, fixed by
//! the dependency edges `server → app/ssr` and `frontend → app/hydrate`.
//!
//! Map of the crate:
//! - [`shell`] is the HTML document the server renders; [`App`] is the root
//!   component with the router and the layout.
//! - [`routes`] names every path of the console in one place.
//! - [`pages`] has one routed page per file; [`components`] reusable views.
//! - [`api`] holds the server functions and the types they exchange: each
//!   is a few lines that call the [`backend`] trait, which the server
//!   implements with the same service layer the REST API uses.
//! - [`diff`] is the line diff of the Configuration tab.
//! - [`live`] keeps the pages current: the browser listens to the event
//!   bus (`/v2/events`) and refetches what an event makes stale.
//! - [`error`] is [`error::ApiError`], the typed failure of every call
//!   (status, Marathon message, violations).
//! - [`model`] is the shared vocabulary (app definitions, validation), the
//!   `dromos-model` crate, compiled into the browser as well.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod components;
pub mod diff;
pub mod error;
pub mod lazy_pages;
pub mod live;
pub mod pages;
pub mod routes;
pub mod sync_hydrate;

pub use dromos_model as model;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::Lazy;

use components::layout::Layout;
use lazy_pages::{
    AccessRoute, AppDetailRoute, DashboardRoute, DeploymentsRoute, EditAppRoute, NewAppRoute, NodesRoute,
    ServicesRoute,
};
use pages::not_found::NotFoundPage;

/// The document around [`App`]: head, hydration scripts (with the page's
/// WASM chunks as a preloaded bundle, see [`lazy_pages::PageBundle`]) and body.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let bundle = use_context::<lazy_pages::PageBundle>().filter(|b| !b.chunks.is_empty()).map(|bundle| {
        view! {
            <link rel="modulepreload" href="/pkg/__wasm_split.js" crossorigin="" />
            <link
                rel="preload"
                href=format!("/pkg/pages/{}.bundle", bundle.page)
                r#as="fetch"
                crossorigin=""
                data-wasm-bundle=bundle.chunks.join(" ")
            />
        }
    });
    // Compiles the WebAssembly while the page is parsed (see the script).
    let wasm = format!("/{}/{}.wasm", options.site_pkg_dir, options.output_name);
    let early = view! { <script nonce=leptos::nonce::use_nonce() data-wasm=wasm>{EARLY_COMPILE}</script> };
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <HydrationScripts options />
                {bundle}
                {early}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Starts compiling the console's WebAssembly, main module and the page's
/// bundle of chunks, from the head of the page.
const EARLY_COMPILE: &str = include_str!("early_compile.js");

/// The console: navigation layout around the routed pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    live::provide_live_updates();
    view! {
        <Stylesheet id="dromos-css" href="/pkg/dromos.css" />
        <Title formatter=|text: String| {
            if text.is_empty() { "dromos".to_string() } else { format!("{text} · dromos") }
        } />
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    <Route path=routes::DASHBOARD view={Lazy::<DashboardRoute>::new()} />
                    <Route path=routes::SERVICES view={Lazy::<ServicesRoute>::new()} />
                    <Route path=routes::NEW_APP view={Lazy::<NewAppRoute>::new()} />
                    <Route path=routes::APP_DETAIL view={Lazy::<AppDetailRoute>::new()} />
                    <Route path=routes::EDIT_APP view={Lazy::<EditAppRoute>::new()} />
                    <Route path=routes::GROUP view={Lazy::<ServicesRoute>::new()} />
                    <Route path=routes::DEPLOYMENTS view={Lazy::<DeploymentsRoute>::new()} />
                    <Route path=routes::NODES view={Lazy::<NodesRoute>::new()} />
                    <Route path=routes::ACCESS view={Lazy::<AccessRoute>::new()} />
                </Routes>
            </Layout>
        </Router>
    }
}
