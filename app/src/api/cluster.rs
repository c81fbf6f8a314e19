//! The cluster's resources and agents: what the dashboard and the nodes
//! page draw.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::status::StatusCounts;
use crate::error::ApiError;

/// An amount of each scalar resource.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    /// CPU shares.
    pub cpus: f64,
    /// MiB.
    pub mem: f64,
    /// MiB.
    pub disk: f64,
    /// Whole GPUs.
    pub gpus: f64,
}

/// Totals over every active agent (Mesos' `state-summary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterOverview {
    /// Active agents.
    pub agents: u32,
    /// Σ resources allocated to tasks.
    pub used: Resources,
    /// Σ resources the agents offer.
    pub total: Resources,
    /// Non-terminal tasks of every app by Mesos state name
    /// (`TASK_RUNNING`, `TASK_STAGING`, ...), zero counts omitted.
    pub tasks_by_state: Vec<(String, u32)>,
}

/// The dashboard's data: the cluster plus the apps' statuses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Resources, agents, tasks.
    pub cluster: ClusterOverview,
    /// Apps by status.
    pub services: StatusCounts,
    /// Running instances with a failing health check, over all apps.
    pub unhealthy_instances: u32,
}

/// One agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    /// Mesos agent id.
    pub id: String,
    /// Host name.
    pub hostname: String,
    /// Connected and offering.
    pub active: bool,
    /// Agent attributes (`rack=r1`), as text.
    pub attributes: Vec<(String, String)>,
    /// Allocated to tasks.
    pub used: Resources,
    /// Offered in total.
    pub total: Resources,
    /// Non-terminal tasks on the agent.
    pub tasks: u32,
}

/// The cluster at one moment, as the server's sampler recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterSample {
    /// When it was taken, milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Σ resources allocated to tasks.
    pub used: Resources,
    /// Σ resources the active agents offer.
    pub total: Resources,
    /// Tasks in `TASK_RUNNING`.
    pub running: u32,
    /// Tasks in `TASK_STAGING` or `TASK_STARTING`.
    pub staging: u32,
    /// Tasks that ended badly (`TASK_FAILED`, `TASK_LOST`, `TASK_ERROR`,
    /// `TASK_DROPPED`, `TASK_GONE`) since the sample before.
    pub failed: u32,
    /// Tasks that reached `TASK_RUNNING` or `TASK_FINISHED` since the
    /// sample before.
    pub succeeded: u32,
}

/// The last minutes of the cluster, oldest sample first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterHistory {
    /// Time between two samples, ms.
    pub period_ms: u64,
    /// Samples, oldest first; at most the window's worth.
    pub samples: Vec<ClusterSample>,
    /// Tasks failed since the newest sample (counted in the next one).
    pub pending_failed: u32,
    /// Tasks started or finished since the newest sample.
    pub pending_succeeded: u32,
}

impl ClusterHistory {
    /// `failed / (failed + succeeded)` over the whole window up to now,
    /// `None` when no task changed.
    pub fn failure_rate(&self) -> Option<f64> {
        let (failed, succeeded) = self.outcomes();
        let all = u64::from(failed) + u64::from(succeeded);
        (all > 0).then(|| f64::from(failed) / all as f64)
    }

    /// Tasks failed and tasks started or finished over the window up to now.
    pub fn outcomes(&self) -> (u32, u32) {
        self.samples.iter().fold((self.pending_failed, self.pending_succeeded), |(f, s), x| {
            (f.saturating_add(x.failed), s.saturating_add(x.succeeded))
        })
    }

    /// The failure rate of every sample on its own (`None` where no task
    /// changed), for the chart.
    pub fn failure_series(&self) -> Vec<Option<f64>> {
        self.samples
            .iter()
            .map(|s| {
                let all = u64::from(s.failed) + u64::from(s.succeeded);
                (all > 0).then(|| f64::from(s.failed) / all as f64)
            })
            .collect()
    }
}

/// How far back the server's sampler keeps samples (15 minutes), the span
/// of the dashboard's time axes.
pub const HISTORY_WINDOW_MS: i64 = 15 * 60 * 1000;

impl ClusterHistory {
    /// The history as it reads at `now_ms` when nothing changed since it
    /// was fetched (the event stream refetches it after every change):
    /// one sample per period after the newest, carrying its values
    /// forward, the first of them with the pending outcomes; samples
    /// older than `window_ms` dropped. The browser calls it as its clock
    /// ticks, so a quiet cluster's charts keep moving.
    pub fn slid_to(&self, now_ms: i64, window_ms: i64) -> ClusterHistory {
        let start = now_ms.saturating_sub(window_ms);
        let period = i64::try_from(self.period_ms).unwrap_or(i64::MAX);
        let mut out = ClusterHistory {
            samples: self.samples.iter().filter(|s| s.at_ms > start).cloned().collect(),
            ..*self
        };
        let Some(newest) = self.samples.last().filter(|_| period > 0) else { return out };
        // The first carried sample inside the window, and the last one not after now.
        let first = (start.saturating_sub(newest.at_ms) / period + 1).max(1);
        let last = now_ms.saturating_sub(newest.at_ms) / period;
        for k in first..=last {
            let (failed, succeeded) =
                if k == 1 { (self.pending_failed, self.pending_succeeded) } else { (0, 0) };
            out.samples.push(ClusterSample {
                at_ms: newest.at_ms + k * period,
                failed,
                succeeded,
                ..newest.clone()
            });
        }
        if last >= 1 {
            (out.pending_failed, out.pending_succeeded) = (0, 0);
        }
        out
    }
}

/// The history with the server's clock when it was read, so the browser
/// can slide it along its own clock ([`ClusterHistory::slid_to`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryAt {
    /// The server's time of the read, milliseconds since the Unix epoch.
    pub now_ms: i64,
    /// The samples.
    pub history: ClusterHistory,
}

/// The dashboard in one call.
#[server(endpoint = "cluster/dashboard", output = server_fn::codec::Postcard)]
pub async fn get_dashboard() -> Result<Dashboard, ApiError> {
    let backend = crate::backend::use_backend()?;
    let apps = backend.list_apps(&crate::model::PathId::root())?;
    Ok(Dashboard {
        cluster: backend.cluster_overview().await?,
        services: StatusCounts::of(apps.iter().map(|a| a.status)),
        unhealthy_instances: apps.iter().map(|a| a.tasks.unhealthy).sum(),
    })
}

/// The sampler's history: allocation, tasks and failures of the last minutes.
#[server(endpoint = "cluster/history", output = server_fn::codec::Postcard)]
pub async fn get_cluster_history() -> Result<HistoryAt, ApiError> {
    let history = crate::backend::use_backend()?.cluster_history();
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Ok(HistoryAt { now_ms: i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX), history })
}

/// Every agent, by host name.
#[server(endpoint = "cluster/nodes", output = server_fn::codec::Postcard)]
pub async fn list_nodes() -> Result<Vec<NodeView>, ApiError> {
    crate::backend::use_backend()?.list_nodes().await
}

#[cfg(test)]
mod tests {
    use super::{ClusterHistory, ClusterSample, Resources};

    fn sample(failed: u32, succeeded: u32) -> ClusterSample {
        ClusterSample {
            at_ms: 0,
            used: Resources::default(),
            total: Resources::default(),
            running: 0,
            staging: 0,
            failed,
            succeeded,
        }
    }

    #[test]
    fn failure_rate_is_failed_over_failed_and_succeeded() {
        let mut history = ClusterHistory {
            period_ms: 5000,
            samples: vec![sample(0, 0), sample(1, 3), sample(2, 0)],
            ..ClusterHistory::default()
        };
        assert_eq!(history.failure_rate(), Some(0.5));
        assert_eq!(history.failure_series(), [None, Some(0.25), Some(1.0)]);
        history.pending_succeeded = 2;
        assert_eq!(history.outcomes(), (3, 5));
        assert_eq!(history.failure_rate(), Some(3.0 / 8.0));
        assert_eq!(ClusterHistory::default().failure_rate(), None);
    }

    fn at(at_ms: i64, running: u32) -> ClusterSample {
        ClusterSample { at_ms, running, ..sample(0, 0) }
    }

    #[test]
    fn a_quiet_history_slides_with_the_clock() {
        let history = ClusterHistory {
            period_ms: 5_000,
            samples: vec![at(0, 1), at(5_000, 2)],
            pending_failed: 1,
            pending_succeeded: 3,
        };
        // Before the next period ends nothing is added.
        assert_eq!(history.slid_to(9_999, 60_000), history);
        // 12 s later: two more samples with the newest values, the first
        // one taking the pending outcomes.
        let slid = history.slid_to(17_000, 60_000);
        let times: Vec<(i64, u32, u32, u32)> =
            slid.samples.iter().map(|s| (s.at_ms, s.running, s.failed, s.succeeded)).collect();
        assert_eq!(times, [(0, 1, 0, 0), (5_000, 2, 0, 0), (10_000, 2, 1, 3), (15_000, 2, 0, 0)]);
        assert_eq!((slid.pending_failed, slid.pending_succeeded), (0, 0));
        assert_eq!(slid.outcomes(), history.outcomes(), "no outcome lost or counted twice");
        // The window drops old samples, real and carried alike.
        let slid = history.slid_to(27_000, 10_000);
        let times: Vec<i64> = slid.samples.iter().map(|s| s.at_ms).collect();
        assert_eq!(times, [20_000, 25_000]);
        assert_eq!(slid.outcomes(), (0, 0), "the outcomes left the window");
    }

    #[test]
    fn a_long_quiet_history_holds_one_window_of_samples() {
        let history =
            ClusterHistory { period_ms: 5_000, samples: vec![at(0, 4)], ..ClusterHistory::default() };
        let slid = history.slid_to(24 * 3_600_000, 15 * 60_000);
        assert_eq!(slid.samples.len(), 180);
        assert!(slid.samples.iter().all(|s| s.running == 4));
        assert_eq!(slid.samples.last().map(|s| s.at_ms), Some(24 * 3_600_000));
        // Nothing to carry forward: empty stays empty.
        assert!(ClusterHistory::default().slid_to(1_000_000, 60_000).samples.is_empty());
    }
}
