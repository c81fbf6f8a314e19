//! The frame of every page: brand, sidebar navigation and the content area.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::live::use_live;
use crate::routes::NAVIGATION;

/// Sidebar and content. The browser entry point (`frontend`) marks it
/// `data-hydrated="true"` once the WASM has taken over the whole page,
/// including the routed page's lazily loaded part, so browser tests (and
/// curious users) can tell.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let live = use_live();
    view! {
        <div class="frame" data-testid="app-root" data-hydrated="false">
            <nav class="sidebar" aria-label="Main">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"δ"</span>
                    <span class="brand-name">"dromos"</span>
                </a>
                <ul class="nav">
                    {NAVIGATION
                        .iter()
                        .map(|entry| {
                            view! {
                                <li>
                                    <A href=entry.href attr:data-testid=entry.test_id>
                                        {entry.label}
                                    </A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <p class="live-status" data-testid="live-status" data-state=move || live.link().slug()
                    role="status" title="Updates from the cluster's event stream">
                    <span class="live-dot" aria-hidden="true"></span>
                    {move || live.link().label()}
                </p>
            </nav>
            <main class="content">{children()}</main>
        </div>
    }
}
