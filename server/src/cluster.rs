//! Where tasks run. `--master local` starts the embedded single-machine
//! cluster (`dromos-local`): its Mesos-compatible endpoints are mounted on
//! dromos' own HTTP address, and the scheduler reaches it over loopback
//! through the same v1 API it uses against Apache Mesos.
//!
//! At start, the embedded cluster re-adopts the task processes a crashed
//! dromos left running (not with `--zk`, where another instance may have
//! taken over); whatever else still runs in a sandbox is killed
//! ([`crate::scheduling::orphans`]). A graceful stop (SIGTERM, Ctrl-C)
//! kills every task on purpose: dromos stopped by its operator leaves
//! nothing behind, and the next start launches the apps afresh.

use std::path::Path;

use axum::Router;
use dromos_local::{AttributeSpec, LocalCluster, LocalConfig, LocalError, MachineResources};
use tokio_util::sync::CancellationToken;

use crate::config::ServeArgs;
use crate::http::marathon::files;

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
    if !args.local_resources.trim().is_empty() {
        let detected = MachineResources::detect(data_dir)?;
        config.machine = Some(detected.with_overrides(&args.local_resources)?);
    }
    config.simulate = args.local_simulate;
    config.master_port = 0;
    // With --zk another instance may lead (and have replaced these tasks on
    // its own embedded cluster) by the time this one restarts: re-adopted
    // tasks would run twice and nobody would manage them, so they are reaped.
    config.recover_tasks = args.zk.is_none();
    let cluster = LocalCluster::start(config, shutdown.child_token())?;
    // Whatever runs in a sandbox and was not re-adopted has no owner.
    let reaped = crate::scheduling::orphans::reap_except(data_dir, cluster.adopted_process_groups());
    tracing::info!(
        agents = cluster.agent_count(),
        master_id = %cluster.master_id(),
        adopted = cluster.adopted_process_groups().len(),
        reaped,
        simulated = args.local_simulate,
        "embedded cluster started (single machine; logical agents are marked as such)"
    );
    Ok(Master::Local(cluster))
}

/// The Mesos-compatible endpoints of the embedded cluster, if it runs, and
/// the task output endpoints (`/v2/tasks/{id}/files/…`) for either master.
pub fn routes(master: &Master) -> Router {
    let files = match master {
        Master::Local(cluster) => files::TaskFiles::Local(cluster.clone()),
        Master::Remote(url) => files::TaskFiles::Remote(url.clone()),
    };
    let mesos = match master {
        Master::Local(cluster) => dromos_local::router(cluster.clone()),
        Master::Remote(_) => Router::new(),
    };
    mesos.merge(files::routes(files))
}
