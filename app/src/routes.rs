//! Every path of the console, in one place, so links and routes cannot drift.
//!
//! Apps and groups are addressed by their id after a fixed prefix
//! (`/services/app/prod/api` is the app `/prod/api`). The router tries
//! routes in order, so the fixed prefixes `new`, `app` and `edit` win over
//! a top-level group of the same name (such a group is still reachable
//! through a filter).

use leptos_router::{StaticSegment, WildcardSegment};

/// `/`: cluster overview.
pub const DASHBOARD: StaticSegment<&str> = StaticSegment("");
/// `/services`: the root group and the apps in it.
pub const SERVICES: StaticSegment<&str> = StaticSegment("services");
/// `/services/new`: the editor for a new app.
pub const NEW_APP: (StaticSegment<&str>, StaticSegment<&str>) =
    (StaticSegment("services"), StaticSegment("new"));
/// `/services/app/*id`: one app.
pub const APP_DETAIL: (StaticSegment<&str>, StaticSegment<&str>, WildcardSegment) =
    (StaticSegment("services"), StaticSegment("app"), WildcardSegment("id"));
/// `/services/edit/*id`: the editor for an existing app.
pub const EDIT_APP: (StaticSegment<&str>, StaticSegment<&str>, WildcardSegment) =
    (StaticSegment("services"), StaticSegment("edit"), WildcardSegment("id"));
/// `/services/*group`: one group.
pub const GROUP: (StaticSegment<&str>, WildcardSegment) =
    (StaticSegment("services"), WildcardSegment("group"));
/// `/deployments`: running deployments and their progress.
pub const DEPLOYMENTS: StaticSegment<&str> = StaticSegment("deployments");
/// `/nodes`: the agents of the cluster.
pub const NODES: StaticSegment<&str> = StaticSegment("nodes");
/// `/access`: the signed-in user, team quotas, the audit log.
pub const ACCESS: StaticSegment<&str> = StaticSegment("access");

/// Link to a group's page (`/` → `/services`).
pub fn group_href(group: &str) -> String {
    match group.trim_matches('/') {
        "" => "/services".into(),
        rest => format!("/services/{rest}"),
    }
}

/// Link to an app's page.
pub fn app_href(id: &str) -> String {
    format!("/services/app/{}", id.trim_start_matches('/'))
}

/// Link to an app's editor.
pub fn edit_href(id: &str) -> String {
    format!("/services/edit/{}", id.trim_start_matches('/'))
}

/// The absolute id from a wildcard route parameter (`prod/api` → `/prod/api`).
pub fn id_from_param(param: &str) -> String {
    format!("/{}", param.trim_matches('/'))
}

/// A navigation entry of the sidebar.
pub struct NavEntry {
    /// Where the link goes; matches one of the route constants above.
    pub href: &'static str,
    /// Text of the link.
    pub label: &'static str,
    /// Stable hook for browser tests.
    pub test_id: &'static str,
}

/// The sidebar, in order.
pub const NAVIGATION: [NavEntry; 5] = [
    NavEntry { href: "/", label: "Dashboard", test_id: "nav-dashboard" },
    NavEntry { href: "/services", label: "Services", test_id: "nav-services" },
    NavEntry { href: "/deployments", label: "Deployments", test_id: "nav-deployments" },
    NavEntry { href: "/nodes", label: "Nodes", test_id: "nav-nodes" },
    NavEntry { href: "/access", label: "Access", test_id: "nav-access" },
];

#[cfg(test)]
mod tests {
    use super::{app_href, edit_href, group_href, id_from_param};

    #[test]
    fn links_and_params_round_trip_ids() {
        assert_eq!(group_href("/"), "/services");
        assert_eq!(group_href("/prod/db"), "/services/prod/db");
        assert_eq!(app_href("/prod/api"), "/services/app/prod/api");
        assert_eq!(edit_href("/web"), "/services/edit/web");
        assert_eq!(id_from_param("prod/api"), "/prod/api");
        assert_eq!(id_from_param("prod/api/"), "/prod/api");
    }
}
