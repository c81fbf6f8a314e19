//! The coloured word for an app's status.

use leptos::prelude::*;

use crate::api::status::AppStatus;

/// A pill in the status' colour (`.badge-running`, `.badge-waiting`, ...).
#[component]
pub fn StatusBadge(status: AppStatus) -> impl IntoView {
    view! {
        <span class=format!("badge badge-{}", status.slug()) data-testid="status-badge" data-status=status.slug()>
            {status.label()}
        </span>
    }
}
