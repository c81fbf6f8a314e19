//! Where tasks run. `--master local` starts the embedded single-machine
//! cluster (`dromos-local`): its Mesos-compatible endpoints are mounted on
//! dromos' own HTTP address, and the scheduler reaches it over loopback
//! through the same v1 API it uses against Apache Mesos.

use std::path::Path;

use axum::Router;
use dromos_local::{AttributeSpec, LocalCluster, LocalConfig, LocalError};
use tokio_util::sync::CancellationToken;

use crate::config::ServeArgs;

/// The master dromos schedules against.
pub enum Master {
    /// The embedded cluster, served by this process.
    Local(LocalCluster),
    /// An external Mesos master (`http://…` or `zk://…`).
    Remote(String),
}

/// Whether `--master` names the embedded cluster.
pub fn is_local(master: &str) -> bool {
    master.eq_ignore_ascii_case("local")
}

/// Starts the embedded cluster when `--master local`; its sandboxes live
/// under `<data_dir>/sandboxes`.
pub fn start(args: &ServeArgs, data_dir: &Path, shutdown: &CancellationToken) -> Result<Master, LocalError> {
    if !is_local(&args.master) {
        return Ok(Master::Remote(args.master.clone()));
    }
    let mut config = LocalConfig::new(data_dir);
    config.agents = usize::from(args.local_agents);
    if !args.agent_attributes.trim().is_empty() {
        config.attributes = AttributeSpec::parse_list(&args.agent_attributes)?;
    }
    config.master_port = 0;
    let cluster = LocalCluster::start(config, shutdown.child_token())?;
    tracing::info!(
        agents = cluster.agent_count(),
        master_id = %cluster.master_id(),
        "embedded cluster started (single machine; logical agents are marked as such)"
    );
    Ok(Master::Local(cluster))
}

/// The Mesos-compatible endpoints of the embedded cluster, if it runs.
pub fn routes(master: &Master) -> Router {
    match master {
        Master::Local(cluster) => dromos_local::router(cluster.clone()),
        Master::Remote(_) => Router::new(),
    }
}
