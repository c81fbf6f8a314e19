//! The service layer: every front door (REST API, console server functions,
//! CLI through the REST API) calls these operations, so validation and
//! behaviour cannot drift apart.

use std::net::SocketAddr;
use std::time::Instant;

use app::api::info::SystemInfo;
use app::backend::Backend;

use crate::config::ServeArgs;

/// The running dromos, as the front doors see it.
pub struct Service {
    started: Instant,
    /// `host:port` under which this instance is reachable.
    advertised: String,
    master: String,
}

impl Service {
    /// A service for an instance listening on `addr`.
    pub fn new(addr: SocketAddr, args: &ServeArgs) -> Self {
        Self { started: Instant::now(), advertised: addr.to_string(), master: args.master.clone() }
    }

    /// `host:port` of this instance.
    pub fn advertised(&self) -> &str {
        &self.advertised
    }

    /// The configured master.
    pub fn master(&self) -> &str {
        &self.master
    }

    /// Milliseconds since start.
    pub fn uptime_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

impl Backend for Service {
    fn system_info(&self) -> SystemInfo {
        SystemInfo {
            name: "dromos".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            leader: Some(self.advertised.clone()),
            elected: true,
            master: self.master.clone(),
            uptime_ms: self.uptime_ms(),
        }
    }
}
