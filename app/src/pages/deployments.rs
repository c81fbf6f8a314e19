//! `/deployments`: rollouts in progress.

use leptos::prelude::*;

use crate::components::page_header::PageHeader;

/// The deployments page.
#[component]
pub fn DeploymentsPage() -> impl IntoView {
    view! {
        <PageHeader title="Deployments" subtitle="Rollouts in progress" />
        <section class="card empty" data-testid="deployments-empty">
            <p>"Nothing to show yet."</p>
        </section>
    }
}
