//! `/nodes`: agents offering resources.

use leptos::prelude::*;

use crate::components::page_header::PageHeader;

/// The nodes page.
#[component]
pub fn NodesPage() -> impl IntoView {
    view! {
        <PageHeader title="Nodes" subtitle="Agents offering resources" />
        <section class="card empty" data-testid="nodes-empty">
            <p>"Nothing to show yet."</p>
        </section>
    }
}
