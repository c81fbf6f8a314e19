//! Every path of the console, in one place, so links and routes cannot drift.

use leptos_router::StaticSegment;

/// `/`: cluster overview.
pub const DASHBOARD: StaticSegment<&str> = StaticSegment("");
/// `/services`: the group tree and the apps in it.
pub const SERVICES: StaticSegment<&str> = StaticSegment("services");
/// `/deployments`: running deployments and their progress.
pub const DEPLOYMENTS: StaticSegment<&str> = StaticSegment("deployments");
/// `/nodes`: the agents of the cluster.
pub const NODES: StaticSegment<&str> = StaticSegment("nodes");

/// A navigation entry of the sidebar.
pub struct NavEntry {
    /// Where the link goes; matches one of the route constants above.
    pub href: &'static str,
    pub label: &'static str,
    /// Stable hook for browser tests.
    pub test_id: &'static str,
}

/// The sidebar, in order.
pub const NAVIGATION: [NavEntry; 4] = [
    NavEntry { href: "/", label: "Dashboard", test_id: "nav-dashboard" },
    NavEntry { href: "/services", label: "Services", test_id: "nav-services" },
    NavEntry { href: "/deployments", label: "Deployments", test_id: "nav-deployments" },
    NavEntry { href: "/nodes", label: "Nodes", test_id: "nav-nodes" },
];
