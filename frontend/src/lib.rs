//! The WASM entry point: hydrates the server-rendered dromos console.

use wasm_bindgen::JsValue;

/// Called by the hydration script that the server's HTML loads.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Async hydration: the routed page lives in a lazily loaded chunk of the
    // WASM, fetched before its part of the page is hydrated.
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document().body().expect("the page has a <body>");
        leptos::mount::hydrate_from_async(body, app::App).await.forget();
        if let Err(error) = mark_hydrated() {
            web_sys::console::error_2(&"dromos: cannot mark the page hydrated".into(), &error);
        }
    });
}

/// Sets `data-hydrated="true"` on the console's root once everything on the
/// page, the routed page included, answers to input.
fn mark_hydrated() -> Result<(), JsValue> {
    if let Some(root) = leptos::prelude::document().query_selector("[data-testid=app-root]")? {
        root.set_attribute("data-hydrated", "true")?;
    }
    Ok(())
}
