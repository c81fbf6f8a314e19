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
                view! { <$page /> }.into_any()
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
