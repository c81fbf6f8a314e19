//! `/services`: apps and groups running on the cluster.

use leptos::prelude::*;

use crate::components::page_header::PageHeader;

/// The services page.
#[component]
pub fn ServicesPage() -> impl IntoView {
    view! {
        <PageHeader title="Services" subtitle="Apps and groups running on the cluster" />
        <section class="card empty" data-testid="services-empty">
            <p>"Nothing to show yet."</p>
        </section>
    }
}
