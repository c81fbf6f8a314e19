//! How failures look: the fallback of an `ErrorBoundary`, and a notice for
//! an [`ApiError`] returned by an action.

use leptos::prelude::*;

use crate::error::ApiError;

/// The errors an `ErrorBoundary` caught.
#[component]
pub fn ErrorList(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <ul class="errors" role="alert" data-testid="load-error">
            {move || {
                errors.get().into_iter().map(|(_, e)| view! { <li>{e.to_string()}</li> }).collect_view()
            }}
        </ul>
    }
}

/// A failed action: message and, for refused documents, each violation.
#[component]
pub fn ApiErrorNotice(error: ApiError) -> impl IntoView {
    view! {
        <div class="notice notice-bad" role="alert" data-testid="action-error" data-status=error.status>
            <strong>{error.message}</strong>
            {(!error.details.is_empty())
                .then(|| {
                    view! {
                        <ul>
                            {error
                                .details
                                .into_iter()
                                .map(|v| view! { <li><code>{v.path}</code> " " {v.errors.join("; ")}</li> })
                                .collect_view()}
                        </ul>
                    }
                })}
        </div>
    }
}
