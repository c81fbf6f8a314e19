//! The page for any path the console does not know; answered with 404.

use leptos::prelude::*;

use crate::components::page_header::PageHeader;

/// Not found. On the server it also sets the HTTP status to 404.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    status::set_not_found();
    view! {
        <PageHeader title="Not found" />
        <section class="card" data-testid="not-found">
            <p>"There is no page at this address."</p>
            <p><a href="/">"Back to the dashboard"</a></p>
        </section>
    }
}

#[cfg(feature = "ssr")]
mod status {
    /// Marks the server response as 404.
    pub fn set_not_found() {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
}

#[cfg(not(feature = "ssr"))]
mod status {
    /// The browser has no response status to set.
    pub fn set_not_found() {}
}
