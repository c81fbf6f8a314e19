//! Scheduler-side health checks (Marathon's HTTP, HTTPS and TCP protocols).
//!
//! [`HealthSupervisor`] is owned by the run loop. When an instance of an app
//! with such checks becomes RUNNING the loop calls
//! [`HealthSupervisor::start`], which spawns one tokio task for the
//! instance; the task probes every check on its own `intervalSeconds` and
//! sends a [`HealthResult`] after each probe that has a verdict. The loop
//! feeds results into `Tracker::apply_health` and executes kill decisions.
//! [`HealthSupervisor::stop`] (instance killed, terminal or expunged)
//! cancels the task; dropping the supervisor cancels all of them.
//!
//! Semantics: an instance is healthy when every check's latest verdict is
//! healthy; failures before the first success within `gracePeriodSeconds`
//! of the start are ignored. COMMAND and `MESOS_*` checks run on the agent
//! (see `translate::task_info`) and arrive as the `healthy` field of
//! TASK_RUNNING updates.

pub mod https;
pub mod probe;

use std::collections::HashMap;
use std::time::Duration;

use dromos_model::{HealthCheck, HealthCheckProtocol};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::debug;

use probe::{probe, ProbeOutcome};

/// One instance to check.
#[derive(Debug, Clone)]
pub struct CheckedInstance {
    /// Instance id (what results name).
    pub instance_id: String,
    /// Task id, for logs.
    pub task_id: String,
    /// Agent hostname to probe.
    pub host: String,
    /// Host ports, aligned with the app's ports (`portIndex` indexes them).
    pub host_ports: Vec<Option<u16>>,
    /// The app's checks (all protocols; the supervisor picks its own).
    pub checks: Vec<HealthCheck>,
}

/// One verdict for one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthResult {
    /// The instance.
    pub instance_id: String,
    /// Every check's latest verdict is healthy.
    pub healthy: bool,
    /// Why not, when unhealthy.
    pub cause: Option<String>,
}

/// Whether the driver runs checks of this protocol itself.
pub fn runs_in_driver(protocol: HealthCheckProtocol) -> bool {
    matches!(protocol, HealthCheckProtocol::Http | HealthCheckProtocol::Https | HealthCheckProtocol::Tcp)
}

/// The per-instance checker tasks.
#[derive(Debug)]
pub struct HealthSupervisor {
    http: reqwest::Client,
    results: mpsc::Sender<HealthResult>,
    running: HashMap<String, CancellationToken>,
}

impl HealthSupervisor {
    /// A supervisor sending results to `results`.
    pub fn new(results: mpsc::Sender<HealthResult>) -> Self {
        Self { http: reqwest::Client::new(), results, running: HashMap::new() }
    }

    /// Starts checking `instance` unless it is already checked or has no
    /// check the driver runs.
    pub fn start(&mut self, instance: CheckedInstance) {
        if self.running.contains_key(&instance.instance_id) {
            return;
        }
        let checks: Vec<HealthCheck> =
            instance.checks.iter().filter(|c| runs_in_driver(c.protocol)).cloned().collect();
        if checks.is_empty() {
            return;
        }
        let token = CancellationToken::new();
        self.running.insert(instance.instance_id.clone(), token.clone());
        let checker = Checker { http: self.http.clone(), results: self.results.clone(), instance, checks };
        tokio::spawn(async move {
            tokio::select! {
                () = token.cancelled() => {}
                () = checker.run() => {}
            }
        });
    }

    /// Stops checking an instance.
    pub fn stop(&mut self, instance_id: &str) {
        if let Some(token) = self.running.remove(instance_id) {
            token.cancel();
        }
    }

    /// Whether an instance is being checked.
    pub fn is_checking(&self, instance_id: &str) -> bool {
        self.running.contains_key(instance_id)
    }
}

impl Drop for HealthSupervisor {
    fn drop(&mut self) {
        for token in self.running.values() {
            token.cancel();
        }
    }
}

/// The state of one check of one instance.
struct CheckState {
    next: Instant,
    verdict: Option<Result<(), String>>,
    seen_healthy: bool,
}

struct Checker {
    http: reqwest::Client,
    results: mpsc::Sender<HealthResult>,
    instance: CheckedInstance,
    checks: Vec<HealthCheck>,
}

fn secs(value: i32) -> Duration {
    Duration::from_secs(u64::try_from(value.max(0)).unwrap_or(0))
}

impl Checker {
    async fn run(self) {
        let started = Instant::now();
        let mut states: Vec<CheckState> = self
            .checks
            .iter()
            .map(|_| CheckState { next: started, verdict: None, seen_healthy: false })
            .collect();
        loop {
            let Some((index, due)) =
                states.iter().enumerate().map(|(i, s)| (i, s.next)).min_by_key(|(_, t)| *t)
            else {
                return;
            };
            tokio::time::sleep_until(due).await;
            let check = &self.checks[index];
            let state = &mut states[index];
            state.next = Instant::now() + secs(check.interval_seconds).max(Duration::from_millis(100));
            let outcome = match self.port_of(check) {
                Some(port) => probe(&self.http, check, &self.instance.host, port).await,
                None => ProbeOutcome::Unhealthy(format!("the task has no host port for {check:?}")),
            };
            match outcome {
                ProbeOutcome::Ignored => continue,
                ProbeOutcome::Healthy => {
                    state.seen_healthy = true;
                    state.verdict = Some(Ok(()));
                }
                ProbeOutcome::Unhealthy(cause) => {
                    if !state.seen_healthy && started.elapsed() < secs(check.grace_period_seconds) {
                        debug!(task_id = %self.instance.task_id, %cause, "health check failed within grace period");
                        continue;
                    }
                    state.verdict = Some(Err(cause));
                }
            }
            let cause = states.iter().find_map(|s| s.verdict.clone().and_then(Result::err));
            let result = HealthResult {
                instance_id: self.instance.instance_id.clone(),
                healthy: cause.is_none(),
                cause,
            };
            if self.results.send(result).await.is_err() {
                return;
            }
        }
    }

    fn port_of(&self, check: &HealthCheck) -> Option<u16> {
        if let Some(port) = check.port {
            return u16::try_from(port).ok();
        }
        let index = usize::try_from(check.port_index.unwrap_or(0)).ok()?;
        self.instance.host_ports.get(index).copied().flatten()
    }
}
