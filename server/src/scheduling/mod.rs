//! Scheduling: runs the scheduler loop ([`dromos_driver::Driver`]) against
//! the service, so that apps created through the API really run.
//!
//! [`spawn`] starts one tokio task that owns the driver: it opens a
//! [`adapter::ServiceTarget`] (the driver's view of the service), runs
//! [`Driver::run`] until `shutdown` fires, and when the driver stops on a
//! fault (a refused subscription, a store that cannot persist the framework
//! id) it logs, waits with a growing delay and starts a fresh one, so the
//! process keeps serving the API meanwhile.
//!
//! | module | job |
//! | --- | --- |
//! | [`adapter`] | the [`dromos_driver::Target`] over `Arc<Service>`: snapshot, stored framework id and intents, commands |
//! | [`reports`] | the task that turns driver reports into durable service writes, in order |
//! | [`convert`] | pure conversions between driver reports and service records |
//! | [`orphans`] | local mode: processes left behind by a killed dromos |
//!
//! After a restart the driver reads the stored intents and reconciles
//! them with the master. With the embedded master (`--master local`), the
//! master is new and knows none of them: it answers `TASK_UNKNOWN`, the
//! old tasks are reported gone and replacements are launched, once each.
//! Processes of the old tasks that survived a `kill -9` of dromos are
//! killed before the embedded cluster starts ([`orphans::reap`]).

pub mod adapter;
pub mod convert;
pub mod orphans;
pub mod reports;

use std::sync::Arc;
use std::time::Duration;

use dromos_driver::{Driver, DriverConfig};
use dromos_mesos::detect::{parse_master, MasterSpec, ZooKeeperDetector};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::cluster;
use crate::config::ServeArgs;
use crate::service::Service;

/// Marathon's `--failover_timeout`: a week.
const FAILOVER_TIMEOUT: Duration = Duration::from_secs(604_800);
/// Smallest gap between two REVIVE calls against the embedded master,
/// which lives in this process (Marathon's 5 s is for a shared cluster).
const LOCAL_MIN_REVIVE: Duration = Duration::from_millis(50);
/// First and longest wait before a stopped driver is started again.
const RESTART_DELAY: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(60));

/// Starts the scheduler loop against `master_url` (`http://…` or `zk://…`;
/// for the embedded master, dromos' own address). Runs until `shutdown`.
pub fn spawn(
    service: Arc<Service>,
    master_url: String,
    args: &ServeArgs,
    shutdown: CancellationToken,
) -> JoinHandle<()> {
    let local = cluster::is_local(&args.master);
    tokio::spawn(async move {
        let config = match driver_config(&master_url, local) {
            Ok(config) => config,
            Err(e) => {
                error!(master = %master_url, error = %e, "cannot use the master address; nothing will be scheduled");
                return;
            }
        };
        supervise(service, config, shutdown).await;
    })
}

/// The driver's settings for `master_url`.
pub fn driver_config(
    master_url: &str,
    local: bool,
) -> Result<DriverConfig, dromos_mesos::detect::DetectError> {
    let user = std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "root".to_owned());
    let mut config = match parse_master(master_url)? {
        MasterSpec::Http(url) => DriverConfig::new(url, user),
        MasterSpec::ZooKeeper(zk) => DriverConfig::new(ZooKeeperDetector::new(zk), user),
    };
    config.failover_timeout = FAILOVER_TIMEOUT;
    if local {
        config.min_revive_interval = LOCAL_MIN_REVIVE;
    }
    Ok(config)
}

/// Runs the driver, restarting it after faults, until `shutdown`.
async fn supervise(service: Arc<Service>, config: DriverConfig, shutdown: CancellationToken) {
    let mut delay = RESTART_DELAY.0;
    while !shutdown.is_cancelled() {
        match adapter::ServiceTarget::open(Arc::clone(&service)).await {
            Ok(target) => {
                info!("scheduler run loop starting");
                match Driver::run(target, config.clone(), shutdown.clone()).await {
                    Ok(()) => info!("scheduler run loop stopped"),
                    Err(e) => error!(error = %e, "scheduler run loop failed; restarting it"),
                }
            }
            Err(e) => warn!(error = %e, "cannot read the scheduler's stored state; retrying"),
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(RESTART_DELAY.1);
    }
}
