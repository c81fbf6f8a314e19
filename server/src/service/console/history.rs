//! The dashboard's time series: a ring buffer of [`ClusterSample`]s.
//!
//! [`spawn`] starts the sampler, a task that owns the loop: every
//! `period` it reads the cluster's allocation (through the console's
//! cluster view) and the service's task records into a sample. The task
//! outcomes between samples, which give the failure rate, are counted by
//! a tap on the event bus (`status_update_event`, see
//! [`crate::events::EventBus::tap`]): it sees every event as it is
//! published, so a burst of status updates cannot make the sampler lag
//! and undercount, as a subscription could. Outcomes not sampled yet are
//! reported as pending, so the rate is current at once. The sampler stops,
//! and removes its tap, when its token is cancelled. The buffer keeps the
//! last [`WINDOW`] and is read by `Backend::cluster_history`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use app::api::cluster::{ClusterHistory, ClusterSample};
use tokio_util::sync::CancellationToken;

use super::cluster;
use crate::service::Service;

/// Time between two samples.
pub const PERIOD: Duration = Duration::from_secs(5);
/// How far back the history reaches.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// The samples of the last [`WINDOW`], oldest first.
#[derive(Debug)]
pub struct History {
    period: Mutex<Duration>,
    /// Never longer than `capacity`.
    samples: Mutex<VecDeque<ClusterSample>>,
    /// Outcomes since the newest sample.
    pending: Mutex<Tally>,
}

impl Default for History {
    fn default() -> Self {
        History {
            period: Mutex::new(PERIOD),
            samples: Mutex::new(VecDeque::new()),
            pending: Mutex::new(Tally::default()),
        }
    }
}

impl History {
    fn capacity(period: Duration) -> usize {
        usize::try_from(WINDOW.as_millis() / period.as_millis().max(1)).unwrap_or(usize::MAX).max(1)
    }

    /// Appends `sample`, dropping the oldest beyond the window.
    pub fn push(&self, sample: ClusterSample) {
        let capacity = Self::capacity(*self.period.lock().unwrap_or_else(PoisonError::into_inner));
        let mut samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        samples.push_back(sample);
        while samples.len() > capacity {
            samples.pop_front();
        }
    }

    /// Counts a task outcome towards the next sample.
    pub fn record(&self, outcome: Outcome) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        match outcome {
            Outcome::Failed => pending.failed = pending.failed.saturating_add(1),
            Outcome::Succeeded => pending.succeeded = pending.succeeded.saturating_add(1),
            Outcome::Neither => {}
        }
    }

    /// The outcomes since the last call (for the next sample).
    fn take_pending(&self) -> Tally {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// A copy of the history.
    pub fn snapshot(&self) -> ClusterHistory {
        let period = *self.period.lock().unwrap_or_else(PoisonError::into_inner);
        let pending = *self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        ClusterHistory {
            period_ms: u64::try_from(period.as_millis()).unwrap_or(u64::MAX),
            samples: samples.iter().cloned().collect(),
            pending_failed: pending.failed,
            pending_succeeded: pending.succeeded,
        }
    }
}

/// How a task status counts for the failure rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The task ended badly.
    Failed,
    /// The task started or finished normally.
    Succeeded,
    /// Neither (staging, killing, killed, ...).
    Neither,
}

/// Classifies a Mesos task state name, as the DC/OS dashboard did
/// (failed: FAILED, LOST, ERROR and their newer forms DROPPED, GONE).
pub fn outcome(task_status: &str) -> Outcome {
    match task_status {
        "TASK_FAILED" | "TASK_LOST" | "TASK_ERROR" | "TASK_DROPPED" | "TASK_GONE" => Outcome::Failed,
        "TASK_RUNNING" | "TASK_FINISHED" => Outcome::Succeeded,
        _ => Outcome::Neither,
    }
}

/// Task outcomes seen since the last sample.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    failed: u32,
    succeeded: u32,
}

/// Starts the sampler on `service` (its history is `service.console_history`):
/// one sample now, then one every `period` until `token` is cancelled.
pub fn spawn(service: Arc<Service>, period: Duration, token: CancellationToken) {
    *service.console_history.period.lock().unwrap_or_else(PoisonError::into_inner) = period;
    // Weak: the bus, which holds the tap, belongs to the service.
    let counted = Arc::downgrade(&service);
    let tap = service.events().tap(move |event| {
        if event.event_type != "status_update_event" {
            return;
        }
        if let Some(service) = counted.upgrade() {
            let status = event.data.get("taskStatus").and_then(|v| v.as_str()).unwrap_or_default();
            service.console_history.record(outcome(status));
        }
    });
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tracing::info!(period_ms = period.as_millis() as u64, "cluster sampler started");
        loop {
            tokio::select! {
                () = token.cancelled() => break,
                _ = ticks.tick() => {
                    let sample = take_sample(&service).await;
                    tracing::debug!(running = sample.running, failed = sample.failed, succeeded = sample.succeeded, "cluster sampled");
                    service.console_history.push(sample);
                }
            }
        }
        drop(tap);
        tracing::info!("cluster sampler stopped");
    });
}

async fn take_sample(service: &Service) -> ClusterSample {
    let state = service.cluster_state().await;
    let tally = service.console_history.take_pending();
    let overview = cluster::overview(state.as_ref(), &service.tasks());
    let count = |names: &[&str]| -> u32 {
        overview.tasks_by_state.iter().filter(|(s, _)| names.contains(&s.as_str())).map(|(_, n)| *n).sum()
    };
    ClusterSample {
        at_ms: chrono::Utc::now().timestamp_millis(),
        used: overview.used,
        total: overview.total,
        running: count(&["TASK_RUNNING"]),
        staging: count(&["TASK_STAGING", "TASK_STARTING"]),
        failed: tally.failed,
        succeeded: tally.succeeded,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use app::api::cluster::{ClusterSample, Resources};
    use dromos_store::{SqliteOptions, SqliteStore};
    use serde_json::json;
    use tokio_util::sync::CancellationToken;

    use super::{outcome, spawn, History, Outcome, WINDOW};
    use crate::events::EVENT_BUFFER;
    use crate::service::{Service, ServiceConfig};

    fn sample(at_ms: i64) -> ClusterSample {
        ClusterSample {
            at_ms,
            used: Resources::default(),
            total: Resources::default(),
            running: 0,
            staging: 0,
            failed: 0,
            succeeded: 0,
        }
    }

    #[test]
    fn the_ring_keeps_the_last_window_oldest_first() {
        let history = History::default();
        let period = Duration::from_secs(5);
        let capacity = (WINDOW.as_secs() / period.as_secs()) as i64;
        for at in 0..capacity + 7 {
            history.push(sample(at));
        }
        let snapshot = history.snapshot();
        assert_eq!(snapshot.period_ms, 5000);
        assert_eq!(snapshot.samples.len() as i64, capacity);
        assert_eq!(snapshot.samples.first().map(|s| s.at_ms), Some(7));
        assert_eq!(snapshot.samples.last().map(|s| s.at_ms), Some(capacity + 6));
    }

    #[test]
    fn task_states_count_as_failure_success_or_neither() {
        for (state, want) in [
            ("TASK_FAILED", Outcome::Failed),
            ("TASK_LOST", Outcome::Failed),
            ("TASK_GONE", Outcome::Failed),
            ("TASK_RUNNING", Outcome::Succeeded),
            ("TASK_FINISHED", Outcome::Succeeded),
            ("TASK_KILLED", Outcome::Neither),
            ("TASK_STAGING", Outcome::Neither),
            ("", Outcome::Neither),
        ] {
            assert_eq!(outcome(state), want, "{state}");
        }
    }

    /// More status updates at once than the bus keeps for a subscriber
    /// (with a subscriber that never reads): every outcome is counted.
    #[tokio::test(flavor = "current_thread")]
    async fn the_sampler_counts_every_outcome_of_a_burst_larger_than_the_bus_buffer() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
        let config =
            ServiceConfig { advertised: "127.0.0.1:0".into(), master: "local".into(), max_versions: 3 };
        let service = Arc::new(Service::open(config, Arc::new(store)).unwrap());
        let _never_reads = service.events().subscribe();
        let token = CancellationToken::new();
        spawn(service.clone(), Duration::from_secs(3600), token.clone());
        let burst = 2 * EVENT_BUFFER;
        for i in 0..burst {
            let status = if i % 4 == 0 { "TASK_FAILED" } else { "TASK_RUNNING" };
            service.events().publish("status_update_event", json!({"taskStatus": status}));
            service.events().publish("instance_changed_event", json!({"condition": "Running"}));
        }
        let history = service.console_history.snapshot();
        let (failed, succeeded) =
            history.samples.iter().fold((history.pending_failed, history.pending_succeeded), |(f, s), x| {
                (f + x.failed, s + x.succeeded)
            });
        assert_eq!((failed as usize, succeeded as usize), (burst / 4, burst - burst / 4));
        token.cancel();
    }
}
