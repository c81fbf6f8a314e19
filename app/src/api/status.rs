//! [`AppStatus`]: the one word the console shows for an app, derived from
//! its instances, deployments and launch queue the way Marathon's UI did.

use serde::{Deserialize, Serialize};

/// What an app is doing, in the order the rule checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AppStatus {
    /// A deployment changes the app right now.
    Deploying,
    /// A launch failed recently; the next attempt waits for its backoff.
    Delayed,
    /// Instances are queued and no offer fits them yet.
    Waiting,
    /// Scaled to zero and nothing runs.
    Suspended,
    /// Everything else: the app is where it should be.
    Running,
}

/// Where the app stands in the launch queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueState {
    /// Nothing to launch.
    NotQueued,
    /// Queued, inside its backoff delay (`delay.overdue == false`).
    BackingOff,
    /// Queued, delay over, waiting for a matching offer (`overdue == true`).
    WaitingForOffers,
}

impl AppStatus {
    /// Every status, in display order.
    pub const ALL: [AppStatus; 5] =
        [Self::Running, Self::Deploying, Self::Delayed, Self::Waiting, Self::Suspended];

    /// Marathon UI's rule: deploying wins, then the queue, then
    /// `instances == 0 && running == 0` is suspended, else running.
    pub fn derive(desired: u32, running: u32, deploying: bool, queue: QueueState) -> Self {
        match (deploying, queue) {
            (true, _) => Self::Deploying,
            (false, QueueState::BackingOff) => Self::Delayed,
            (false, QueueState::WaitingForOffers) => Self::Waiting,
            (false, QueueState::NotQueued) if desired == 0 && running == 0 => Self::Suspended,
            (false, QueueState::NotQueued) => Self::Running,
        }
    }

    /// The label users read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Deploying => "Deploying",
            Self::Delayed => "Delayed",
            Self::Waiting => "Waiting",
            Self::Suspended => "Suspended",
            Self::Running => "Running",
        }
    }

    /// Lower-case name for CSS classes and URL query values.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Deploying => "deploying",
            Self::Delayed => "delayed",
            Self::Waiting => "waiting",
            Self::Suspended => "suspended",
            Self::Running => "running",
        }
    }

    /// The status whose [`slug`](Self::slug) is `slug`.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == slug)
    }
}

/// How many apps are in each status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    /// `(status, apps)` for every status in [`AppStatus::ALL`] order, zeros included.
    pub by_status: Vec<(AppStatus, usize)>,
    /// All apps counted.
    pub total: usize,
}

impl StatusCounts {
    /// Counts over `statuses`.
    pub fn of(statuses: impl IntoIterator<Item = AppStatus>) -> Self {
        let mut by_status: Vec<(AppStatus, usize)> = AppStatus::ALL.iter().map(|s| (*s, 0)).collect();
        let mut total = 0;
        for status in statuses {
            total += 1;
            if let Some(entry) = by_status.iter_mut().find(|(s, _)| *s == status) {
                entry.1 += 1;
            }
        }
        StatusCounts { by_status, total }
    }

    /// Apps in `status`.
    pub fn get(&self, status: AppStatus) -> usize {
        self.by_status.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n)
    }
}

#[cfg(test)]
mod tests {
    use super::{AppStatus, QueueState, StatusCounts};

    #[test]
    fn status_follows_marathon_precedence() {
        use AppStatus::*;
        use QueueState::*;
        let cases = [
            ((3, 1, true, BackingOff), Deploying),
            ((3, 1, false, BackingOff), Delayed),
            ((3, 1, false, WaitingForOffers), Waiting),
            ((0, 0, false, NotQueued), Suspended),
            ((0, 2, false, NotQueued), Running),
            ((2, 2, false, NotQueued), Running),
            ((0, 0, true, NotQueued), Deploying),
        ];
        for ((desired, running, deploying, queue), want) in cases {
            assert_eq!(
                AppStatus::derive(desired, running, deploying, queue),
                want,
                "{desired} {running} {deploying} {queue:?}"
            );
        }
    }

    #[test]
    fn slugs_round_trip_and_counts_include_zeros() {
        for status in AppStatus::ALL {
            assert_eq!(AppStatus::from_slug(status.slug()), Some(status));
        }
        assert_eq!(AppStatus::from_slug("nope"), None);
        let counts = StatusCounts::of([AppStatus::Running, AppStatus::Running, AppStatus::Waiting]);
        assert_eq!(counts.total, 3);
        assert_eq!(counts.get(AppStatus::Running), 2);
        assert_eq!(counts.get(AppStatus::Suspended), 0);
        assert_eq!(counts.by_status.len(), AppStatus::ALL.len());
    }
}
