//! [`DriverConfig`]: how the driver registers with Mesos and paces itself.
//! Defaults follow Marathon's flags (`--decline_offer_duration` 120 s,
//! `--min_revive_offers_interval` 5 s, `--reconciliation_interval` 600 s,
//! `--task_launch_timeout` 300 s, `--failover_timeout` one week).

use std::sync::Arc;
use std::time::Duration;

use dromos_mesos::client::MasterResolver;
use dromos_scheduler::kill_rate::KillRatePolicy;

/// Driver settings.
#[derive(Clone)]
pub struct DriverConfig {
    /// Finds the Mesos master (a fixed URL, or ZooKeeper detection).
    pub master: Arc<dyn MasterResolver>,
    /// `FrameworkInfo.name`.
    pub framework_name: String,
    /// The role the framework subscribes with.
    pub role: String,
    /// Unix user tasks run as unless the app sets `user`.
    pub user: String,
    /// `FrameworkInfo.hostname`.
    pub hostname: Option<String>,
    /// `FrameworkInfo.webui_url` (the console).
    pub webui_url: Option<String>,
    /// How long Mesos keeps tasks while dromos is away.
    pub failover_timeout: Duration,
    /// `Filters.refuse_seconds` of declined offers.
    pub refuse_seconds: f64,
    /// Smallest gap between two REVIVE calls.
    pub min_revive_interval: Duration,
    /// Period of explicit task reconciliation with the master.
    pub reconcile_interval: Duration,
    /// Period of the housekeeping tick: launch timeouts, kill retries,
    /// backoff cleanup.
    pub housekeeping_interval: Duration,
    /// Tasks not RUNNING this long after launch are killed.
    pub task_launch_timeout: Duration,
    /// `--max_instances_per_offer` (`None`: as many as fit).
    pub max_instances_per_offer: Option<u32>,
    /// `--env_vars_prefix` for port and host variables.
    pub env_vars_prefix: Option<String>,
    /// First reconnection delay of the Mesos client.
    pub reconnect_initial: Duration,
    /// The kill-storm guard: how many instances of an app health checks
    /// may kill per interval (see `dromos_scheduler::kill_rate`).
    pub health_kill_rate: KillRatePolicy,
}

impl DriverConfig {
    /// Marathon's defaults for a framework named `dromos` in role `*`.
    pub fn new(master: impl MasterResolver, user: impl Into<String>) -> Self {
        Self {
            master: Arc::new(master),
            framework_name: "dromos".to_owned(),
            role: "*".to_owned(),
            user: user.into(),
            hostname: None,
            webui_url: None,
            failover_timeout: Duration::from_secs(7 * 24 * 3600),
            refuse_seconds: 120.0,
            min_revive_interval: Duration::from_secs(5),
            reconcile_interval: Duration::from_secs(600),
            housekeeping_interval: Duration::from_secs(30),
            task_launch_timeout: Duration::from_secs(300),
            max_instances_per_offer: None,
            env_vars_prefix: None,
            reconnect_initial: Duration::from_millis(500),
            health_kill_rate: KillRatePolicy::default(),
        }
    }
}

impl std::fmt::Debug for DriverConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DriverConfig")
            .field("framework_name", &self.framework_name)
            .field("role", &self.role)
            .field("user", &self.user)
            .field("refuse_seconds", &self.refuse_seconds)
            .finish_non_exhaustive()
    }
}
