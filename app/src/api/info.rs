//! Build and uptime information about the running dromos.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the dashboard shows about the dromos process itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SystemInfo {
    /// `dromos`.
    pub name: String,
    /// The crate version of the running binary.
    pub version: String,
    /// `host:port` of the leader; in single-instance mode, this instance.
    pub leader: Option<String>,
    /// Whether this instance is the elected leader.
    pub elected: bool,
    /// Where tasks run: `local` for the embedded cluster, or a master URL.
    pub master: String,
    /// Milliseconds since this process started serving.
    pub uptime_ms: u64,
}

/// Reads [`SystemInfo`] from the server.
#[server(endpoint = "info", output = server_fn::codec::Postcard)]
pub async fn get_system_info() -> Result<SystemInfo, crate::error::ApiError> {
    let backend = crate::backend::use_backend()?;
    Ok(backend.system_info())
}
