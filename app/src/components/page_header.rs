//! The title row at the top of a page.

use leptos::prelude::*;
use leptos_meta::Title;

/// A page title (also the document title) with an optional subtitle.
#[component]
pub fn PageHeader(title: &'static str, #[prop(optional)] subtitle: &'static str) -> impl IntoView {
    view! {
        <Title text=title />
        <header class="page-header">
            <h1 data-testid="page-title">{title}</h1>
            {(!subtitle.is_empty()).then(|| view! { <p class="subtitle">{subtitle}</p> })}
        </header>
    }
}
