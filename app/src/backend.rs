//! (ssr only) The service the server implements for the console. Server
//! functions call it through the Leptos context; the REST API calls the same
//! implementation directly, so the two front doors cannot drift apart.

use std::sync::Arc;

use leptos::prelude::*;

use crate::api::info::SystemInfo;

/// Operations the console needs from the server.
pub trait Backend: Send + Sync + 'static {
    /// Build and uptime information.
    fn system_info(&self) -> SystemInfo;
}

/// The form in which the backend travels through the Leptos context.
pub type SharedBackend = Arc<dyn Backend>;

/// The backend of the current request; an error if the server forgot to
/// provide it (a wiring bug, reported as a server error, not a panic).
pub fn use_backend() -> Result<SharedBackend, ServerFnError> {
    use_context::<SharedBackend>()
        .ok_or_else(|| ServerFnError::ServerError("dromos backend is not available".into()))
}
