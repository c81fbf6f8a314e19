//! Who is signed in, the teams' usage against their quotas, and (for
//! admins) the newest audit entries: the console's Access page.
//!
//! The server implements [`AccessBackend`] over the same access rules as
//! `/v2/access` and provides it in the Leptos context as [`SharedAccess`].

use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// The signed-in caller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Whoami {
    /// User name, or `(open)` when dromos has no users.
    pub name: String,
    /// Admins may do everything.
    pub admin: bool,
    /// dromos has no users and runs open.
    pub open: bool,
    /// Teams of the user.
    pub teams: Vec<String>,
}

/// One resource of a team: what its apps ask for, and the limit if any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    /// Used (requested by the team's apps).
    pub used: f64,
    /// The quota; `None` is unlimited.
    pub limit: Option<f64>,
}

/// A team with its usage against its quota.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TeamUsage {
    /// Team name.
    pub name: String,
    /// Group paths it owns.
    pub paths: Vec<String>,
    /// CPUs.
    pub cpus: Allocation,
    /// Memory, MiB.
    pub mem: Allocation,
    /// Disk, MiB.
    pub disk: Allocation,
    /// Instances.
    pub instances: Allocation,
}

/// One audit entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    /// Sequence number.
    pub seq: u64,
    /// ISO-8601 time.
    pub at: String,
    /// Who.
    pub who: String,
    /// From where (`ip:port`).
    pub from: String,
    /// `METHOD /path`.
    pub action: String,
    /// HTTP status of the answer.
    pub status: u16,
    /// The error message of a failed request.
    pub error: Option<String>,
}

/// Everything the Access page shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccessOverview {
    /// The caller.
    pub me: Whoami,
    /// Teams the caller may see (own; admins: all).
    pub teams: Vec<TeamUsage>,
    /// Newest audit entries, for admins only.
    pub audit: Option<Vec<AuditRow>>,
}

/// (ssr) What the server provides for the Access page.
#[cfg(feature = "ssr")]
pub trait AccessBackend: Send + Sync + 'static {
    /// The overview for the caller of the current request.
    fn overview(&self) -> crate::backend::BackendFuture<'_, AccessOverview>;
}

/// (ssr) The context value the server provides.
#[cfg(feature = "ssr")]
pub type SharedAccess = std::sync::Arc<dyn AccessBackend>;

/// The Access page's data.
#[leptos::server(endpoint = "access/overview", output = server_fn::codec::Postcard)]
pub async fn get_access_overview() -> Result<AccessOverview, ApiError> {
    let backend = leptos::prelude::use_context::<SharedAccess>()
        .ok_or_else(|| ApiError::new(500, "access is not available on this server"))?;
    backend.overview().await
}
