//! The WASM entry point: hydrates the server-rendered dromos console.

/// Called by the hydration script that the server's HTML loads.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
