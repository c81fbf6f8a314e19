//! The launch queue: instances waiting for offers, per run spec, with launch
//! backoff (Marathon's `RateLimiter`) and the offer-statistics that
//! `/v2/queue` shows.
//!
//! Backoff: the first failure of a run spec version delays its next launch by
//! `backoffSeconds`; every further failure multiplies the current delay by
//! `backoffFactor`, capped at `maxLaunchDelaySeconds`. After the k-th
//! consecutive failure the delay is `min(backoff · factor^(k-1), max)`. Failed,
//! finished and errored tasks count as failures; killed tasks do not. The delay
//! resets when a new version is queued, on `DELETE /v2/queue/{id}/delay`, or
//! when no failure happened for `delay + maxLaunchDelay`
//! ([`LaunchQueue::cleanup_overdue`]).
//!
//! Offer subscription: with nothing launchable the framework should SUPPRESS
//! offers; when something becomes launchable it should REVIVE, at most once per
//! `min_revive_interval`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::matcher::{
    FunnelStep, LaunchRequest, MatchOutcome, NoMatchReason, OfferMatchSummary, UnusedOffer,
};
use crate::run_spec::{BackoffPolicy, RunSpec};
use crate::time::{secs_to_millis, Timestamp};

/// The backoff state of one run spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Delay {
    current_ms: u64,
    until: Timestamp,
    failures: u32,
    last_failure: Timestamp,
}

/// Instances of one run spec waiting to launch.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    /// The version to launch.
    pub run_spec: RunSpec,
    /// Instances still to launch.
    pub count: u32,
    /// When the entry was (re)created.
    pub since: Timestamp,
    /// Offer statistics accumulated while queued.
    pub stats: OfferStats,
}

/// Unused offers remembered per run spec for `lastUnusedOffers`.
pub const MAX_LAST_UNUSED_OFFERS: usize = 10;

/// Offer statistics for `/v2/queue` `processedOffersSummary`. They cover one
/// *launch attempt*: they start when a run spec enters the queue and start
/// over when a new version replaces the queued one.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct OfferStats {
    /// Offers examined while queued.
    pub processed_offers_count: u64,
    /// Of those, offers not used.
    pub unused_offers_count: u64,
    /// Last round in which an offer went unused.
    pub last_unused_offer_at: Option<Timestamp>,
    /// Last round in which an offer was used.
    pub last_used_offer_at: Option<Timestamp>,
    /// The most recent round's summary (funnel and unused offers).
    pub last_round: Option<OfferMatchSummary>,
    /// The funnel summed stage by stage over every round of the launch
    /// attempt (Marathon's `rejectSummaryLaunchAttempt`); empty before the
    /// first round.
    pub launch_attempt: Vec<FunnelStep>,
    /// The most recent unused offers, oldest first, at most
    /// [`MAX_LAST_UNUSED_OFFERS`] (Marathon's `lastUnusedOffers`).
    pub last_unused_offers: Vec<TimedUnusedOffer>,
}

/// An unused offer and the round that processed it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimedUnusedOffer {
    /// The offer and its reason.
    pub offer: UnusedOffer,
    /// When the round ran.
    pub at: Timestamp,
}

impl OfferStats {
    /// Marathon's `rejectSummaryLastOffers`: the funnel of the last round
    /// (every stage, zeros before the first round). An offer batch holds
    /// the latest offer of each agent that has free resources, so this is
    /// the "last offer per agent" view.
    pub fn reject_summary_last_offers(&self) -> Vec<FunnelStep> {
        self.last_round.as_ref().map_or_else(NoMatchReason::empty_funnel, |r| r.funnel.clone())
    }

    /// Marathon's `rejectSummaryLaunchAttempt` (every stage, zeros before
    /// the first round).
    pub fn reject_summary_launch_attempt(&self) -> Vec<FunnelStep> {
        if self.launch_attempt.is_empty() {
            NoMatchReason::empty_funnel()
        } else {
            self.launch_attempt.clone()
        }
    }

    /// Adds one round's summary for this run spec.
    fn record(&mut self, summary: &OfferMatchSummary, now: Timestamp) {
        self.processed_offers_count += u64::from(summary.processed_offers);
        self.unused_offers_count += u64::from(summary.unused_offers);
        if summary.unused_offers > 0 {
            self.last_unused_offer_at = Some(now);
        }
        if summary.launched > 0 {
            self.last_used_offer_at = Some(now);
        }
        if self.launch_attempt.is_empty() {
            self.launch_attempt = NoMatchReason::empty_funnel();
        }
        for (total, step) in self.launch_attempt.iter_mut().zip(&summary.funnel) {
            total.declined = total.declined.saturating_add(step.declined);
            total.processed = total.processed.saturating_add(step.processed);
        }
        for offer in &summary.last_unused_offers {
            self.last_unused_offers.push(TimedUnusedOffer { offer: offer.clone(), at: now });
        }
        let excess = self.last_unused_offers.len().saturating_sub(MAX_LAST_UNUSED_OFFERS);
        self.last_unused_offers.drain(..excess);
        self.last_round = Some(summary.clone());
    }
}

/// One row of `/v2/queue`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueItemView {
    /// Run spec id.
    pub run_spec_id: String,
    /// Instances left to launch.
    pub count: u32,
    /// Seconds of backoff left (0 when not delayed).
    pub time_left_seconds: u64,
    /// `true` = waiting for offers, `false` = backed off.
    pub overdue: bool,
    /// When the entry was queued.
    pub since: Timestamp,
    /// Offer statistics.
    pub stats: OfferStats,
}

/// A change to the framework's offer subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SubscriptionChange {
    /// Nothing to launch: stop receiving offers.
    Suppress,
    /// Something to launch: ask for offers again.
    Revive,
}

/// The launch queue with per-run-spec backoff.
#[derive(Debug, Clone, Default)]
pub struct LaunchQueue {
    entries: BTreeMap<String, QueueEntry>,
    delays: BTreeMap<String, (String, Delay)>,
}

impl LaunchQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues `count` more instances of `spec`. A different version replaces
    /// the queued one (the count carries over) and resets the backoff.
    pub fn add(&mut self, spec: RunSpec, count: u32, now: Timestamp) {
        if self.delays.get(&spec.id).is_some_and(|(version, _)| *version != spec.version) {
            self.delays.remove(&spec.id);
        }
        match self.entries.get_mut(&spec.id) {
            Some(entry) => {
                entry.count = entry.count.saturating_add(count);
                if entry.run_spec.version != spec.version {
                    entry.run_spec = spec;
                    entry.stats = OfferStats::default();
                }
            }
            None => {
                let entry = QueueEntry { run_spec: spec, count, since: now, stats: OfferStats::default() };
                self.entries.insert(entry.run_spec.id.clone(), entry);
            }
        }
    }

    /// Sets the number of instances still to launch (0 keeps the entry so its
    /// statistics stay visible until [`LaunchQueue::remove`]).
    pub fn set_count(&mut self, run_spec_id: &str, count: u32) {
        if let Some(entry) = self.entries.get_mut(run_spec_id) {
            entry.count = count;
        }
    }

    /// Drops a run spec from the queue (app deleted, deployment cancelled).
    pub fn remove(&mut self, run_spec_id: &str) -> Option<QueueEntry> {
        self.delays.remove(run_spec_id);
        self.entries.remove(run_spec_id)
    }

    /// The entry for a run spec.
    pub fn get(&self, run_spec_id: &str) -> Option<&QueueEntry> {
        self.entries.get(run_spec_id)
    }

    /// Records a launch failure (TASK_FAILED / TASK_FINISHED / TASK_ERROR of
    /// an instance meant to run) and returns the new delay in milliseconds.
    pub fn record_failure(
        &mut self,
        run_spec_id: &str,
        version: &str,
        policy: &BackoffPolicy,
        now: Timestamp,
    ) -> u64 {
        let max_ms = secs_to_millis(policy.max_launch_delay_seconds);
        let first_ms = secs_to_millis(policy.backoff_seconds).min(max_ms);
        let factor = if policy.factor.is_finite() { policy.factor.max(1.0) } else { 1.0 };
        let (current_ms, failures) = match self.delays.get(run_spec_id) {
            Some((v, d)) if v == version => {
                let grown = (d.current_ms as f64 * factor).min(max_ms as f64);
                (grown as u64, d.failures.saturating_add(1))
            }
            _ => (first_ms, 1),
        };
        let delay = Delay { current_ms, until: now.plus_millis(current_ms), failures, last_failure: now };
        self.delays.insert(run_spec_id.to_owned(), (version.to_owned(), delay));
        current_ms
    }

    /// `DELETE /v2/queue/{id}/delay`; `false` if there was no delay (404).
    pub fn reset_delay(&mut self, run_spec_id: &str) -> bool {
        self.delays.remove(run_spec_id).is_some()
    }

    /// Forgets delays with no failure for `delay + maxLaunchDelay`.
    pub fn cleanup_overdue(&mut self, now: Timestamp, max_delay_of: impl Fn(&str) -> Option<f64>) {
        self.delays.retain(|id, (_, d)| {
            let max_ms = max_delay_of(id).map_or(0, secs_to_millis);
            now < d.last_failure.plus_millis(d.current_ms).plus_millis(max_ms)
        });
    }

    /// Milliseconds of backoff left for a run spec at `now`.
    pub fn delay_left_ms(&self, run_spec_id: &str, now: Timestamp) -> u64 {
        self.delays.get(run_spec_id).map_or(0, |(_, d)| d.until.millis_since(now))
    }

    /// Consecutive failures recorded for a run spec.
    pub fn failures(&self, run_spec_id: &str) -> u32 {
        self.delays.get(run_spec_id).map_or(0, |(_, d)| d.failures)
    }

    /// What may be matched now: entries with instances left and no backoff.
    pub fn ready(&self, now: Timestamp) -> Vec<LaunchRequest<'_>> {
        self.entries
            .values()
            .filter(|e| e.count > 0 && self.delay_left_ms(&e.run_spec.id, now) == 0)
            .map(|e| LaunchRequest { run_spec: &e.run_spec, count: e.count })
            .collect()
    }

    /// Applies a matching round: counts go down by what launched, offer
    /// statistics accumulate.
    pub fn record_round(&mut self, outcome: &MatchOutcome, now: Timestamp) {
        for summary in &outcome.summaries {
            let Some(entry) = self.entries.get_mut(&summary.run_spec_id) else {
                continue;
            };
            entry.count = entry.count.saturating_sub(summary.launched);
            entry.stats.record(summary, now);
        }
    }

    /// The `/v2/queue` view.
    pub fn items(&self, now: Timestamp) -> Vec<QueueItemView> {
        self.entries
            .values()
            .map(|e| {
                let left = self.delay_left_ms(&e.run_spec.id, now);
                QueueItemView {
                    run_spec_id: e.run_spec.id.clone(),
                    count: e.count,
                    time_left_seconds: left.div_ceil(1000),
                    overdue: left == 0,
                    since: e.since,
                    stats: e.stats.clone(),
                }
            })
            .collect()
    }

    /// Whether any instance can be launched now.
    pub fn has_demand(&self, now: Timestamp) -> bool {
        !self.ready(now).is_empty()
    }

    /// Suppress when nothing is launchable, revive when something is and
    /// offers are suppressed (rate-limited by `min_revive_interval_ms`).
    pub fn subscription_change(
        &self,
        now: Timestamp,
        suppressed: bool,
        last_revive: Option<Timestamp>,
        min_revive_interval_ms: u64,
    ) -> Option<SubscriptionChange> {
        match (self.has_demand(now), suppressed) {
            (false, false) => Some(SubscriptionChange::Suppress),
            (true, true) => {
                let allowed = last_revive.is_none_or(|t| now.millis_since(t) >= min_revive_interval_ms);
                allowed.then_some(SubscriptionChange::Revive)
            }
            _ => None,
        }
    }

    /// When the run loop should wake up next for this queue: the earliest end
    /// of a backoff that holds back queued instances.
    pub fn next_wakeup(&self, now: Timestamp) -> Option<Timestamp> {
        self.entries
            .values()
            .filter(|e| e.count > 0)
            .filter_map(|e| self.delays.get(&e.run_spec.id).map(|(_, d)| d.until))
            .filter(|until| *until > now)
            .min()
    }
}

#[cfg(test)]
#[path = "queue_tests.rs"]
mod tests;
