//! The routed pages as lazily loaded parts of the WASM.
//!
//! Each page's view code is a split point: the release build of the console
//! is cut into a main module (the reactive runtime, the router, the layout,
//! the event stream) and one chunk per page, loaded when the page is first
//! shown. A cold load of `/services` then fetches the main module and the
//! services chunk, not the editor with its model validation, the charts of
//! the dashboard or the log viewer. Without the split step (debug builds,
//! tests) everything stays in one module and works the same.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::pages;
use crate::sync_hydrate::SyncHydrate;

macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident => $page:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                SyncHydrate::page(view! { <$page /> })
            }
        }
    };
}

lazy_page!(
    /// `/`: the cluster overview.
    DashboardRoute => pages::dashboard::DashboardPage
);
lazy_page!(
    /// `/services` and `/services/*group`: groups and apps.
    ServicesRoute => pages::services::ServicesPage
);
lazy_page!(
    /// `/services/new`: the editor for a new app.
    NewAppRoute => pages::app_editor::NewAppPage
);
lazy_page!(
    /// `/services/edit/*id`: the editor for an existing app.
    EditAppRoute => pages::app_editor::EditAppPage
);
lazy_page!(
    /// `/services/app/*id`: one app with its tabs.
    AppDetailRoute => pages::app_detail::AppDetailPage
);
lazy_page!(
    /// `/deployments`.
    DeploymentsRoute => pages::deployments::DeploymentsPage
);
lazy_page!(
    /// `/nodes`.
    NodesRoute => pages::nodes::NodesPage
);
lazy_page!(
    /// `/access`.
    AccessRoute => pages::access::AccessPage
);

/// The page a path shows, named as the build's split manifest names it
/// (`ServicesRoute` → `"services"`); `None` for paths no page claims. Kept
/// in step with the routes in [`crate::App`].
pub fn page_of_path(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [] => Some("dashboard"),
        ["services", "new"] => Some("new_app"),
        ["services", "app", _, ..] => Some("app_detail"),
        ["services", "edit", _, ..] => Some("edit_app"),
        ["services", ..] => Some("services"),
        ["deployments"] => Some("deployments"),
        ["nodes"] => Some("nodes"),
        ["access"] => Some("access"),
        _ => None,
    }
}

/// The WASM a server-rendered page asks the browser to fetch at once: its
/// page's chunks, packed by the build into one bundle
/// (`/pkg/pages/<page>.bundle`, see `scripts/wasm-bundle.py`), which
/// hydration would otherwise request one by one, and only after the main
/// module has started. The server provides it per request; [`crate::shell`]
/// renders it as a preload that the chunk loader reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageBundle {
    /// The page, as [`page_of_path`] names it.
    pub page: String,
    /// The chunk files in the bundle.
    pub chunks: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::page_of_path;

    #[test]
    fn paths_name_the_page_that_shows_them() {
        assert_eq!(page_of_path("/"), Some("dashboard"));
        assert_eq!(page_of_path("/services"), Some("services"));
        assert_eq!(page_of_path("/services/prod/db"), Some("services"));
        assert_eq!(page_of_path("/services/new"), Some("new_app"));
        assert_eq!(page_of_path("/services/app/prod/api"), Some("app_detail"));
        assert_eq!(page_of_path("/services/edit/web"), Some("edit_app"));
        assert_eq!(page_of_path("/deployments/"), Some("deployments"));
        assert_eq!(page_of_path("/nodes"), Some("nodes"));
        assert_eq!(page_of_path("/access"), Some("access"));
        assert_eq!(page_of_path("/signin"), None);
        assert_eq!(page_of_path("/nodes/extra"), None);
    }
}
