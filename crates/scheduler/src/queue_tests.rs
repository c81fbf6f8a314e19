use std::sync::Arc;

use super::{LaunchQueue, SubscriptionChange, MAX_LAST_UNUSED_OFFERS};
use crate::matcher::{match_offers, MatchConfig, NoMatchReason};
use crate::offer::{AgentInfo, Offer};
use crate::resources::Resources;
use crate::run_spec::{BackoffPolicy, RunSpec};
use crate::time::Timestamp;

fn small_offers(round: usize, n: usize) -> Vec<Offer> {
    (0..n)
        .map(|i| {
            let agent = Arc::new(AgentInfo::new(format!("agent-{i}"), format!("host-{i}")));
            Offer::new(format!("offer-{round}-{i}"), agent).with_unreserved(0.5, 4096.0, 1000.0)
        })
        .collect()
}

/// Runs one matching round for the queue's ready entries and records it.
fn round(q: &mut LaunchQueue, offers: &[Offer], now: Timestamp) {
    let outcome = {
        let ready = q.ready(now);
        match_offers(MatchConfig::default(), &ready, offers, [])
    };
    q.record_round(&outcome, now);
}

fn big_spec(version: &str) -> RunSpec {
    let mut s = RunSpec::new("/big", version);
    s.resources = Resources { cpus: 2.0, mem: 64.0, disk: 0.0, gpus: 0.0 };
    s
}

#[test]
fn launch_attempt_summary_adds_up_rounds_and_last_offers_shows_the_latest() {
    let mut q = LaunchQueue::new();
    q.add(big_spec("v1"), 1, Timestamp(0));
    let stats = &q.items(Timestamp(0))[0].stats;
    assert!(stats.reject_summary_launch_attempt().iter().all(|s| s.declined == 0 && s.processed == 0));
    assert_eq!(stats.reject_summary_last_offers().len(), NoMatchReason::FUNNEL.len());

    round(&mut q, &small_offers(0, 3), Timestamp(1000));
    round(&mut q, &small_offers(1, 2), Timestamp(2000));
    let stats = &q.items(Timestamp(2000))[0].stats;
    assert_eq!((stats.processed_offers_count, stats.unused_offers_count), (5, 5));
    assert_eq!(stats.last_unused_offer_at, Some(Timestamp(2000)));
    assert_eq!(stats.last_used_offer_at, None);
    let cpus = |steps: Vec<crate::matcher::FunnelStep>| {
        steps
            .into_iter()
            .find(|s| s.reason == NoMatchReason::InsufficientCpus)
            .map(|s| (s.declined, s.processed))
    };
    assert_eq!(cpus(stats.reject_summary_last_offers()), Some((2, 2)));
    assert_eq!(cpus(stats.reject_summary_launch_attempt()), Some((5, 5)));
    let unused: Vec<(&str, Timestamp)> =
        stats.last_unused_offers.iter().map(|u| (u.offer.offer_id.as_str(), u.at)).collect();
    assert_eq!(unused[0], ("offer-0-0", Timestamp(1000)));
    assert_eq!(unused[4], ("offer-1-1", Timestamp(2000)));
    assert!(stats.last_unused_offers.iter().all(|u| u.offer.reason == NoMatchReason::InsufficientCpus));
}

#[test]
fn last_unused_offers_keep_only_the_most_recent() {
    let mut q = LaunchQueue::new();
    q.add(big_spec("v1"), 1, Timestamp(0));
    for r in 0..4 {
        round(&mut q, &small_offers(r, 5), Timestamp::from_secs(r as u64));
    }
    let stats = &q.items(Timestamp(0))[0].stats;
    assert_eq!(stats.last_unused_offers.len(), MAX_LAST_UNUSED_OFFERS);
    assert_eq!(stats.last_unused_offers[0].offer.offer_id, "offer-2-0", "the oldest rounds were dropped");
    assert_eq!(stats.last_unused_offers[9].offer.offer_id, "offer-3-4");
}

#[test]
fn a_new_version_starts_a_new_launch_attempt() {
    let mut q = LaunchQueue::new();
    q.add(big_spec("v1"), 1, Timestamp(0));
    round(&mut q, &small_offers(0, 3), Timestamp(1000));
    q.add(big_spec("v2"), 0, Timestamp(2000));
    let stats = &q.items(Timestamp(2000))[0].stats;
    assert_eq!(stats.processed_offers_count, 0);
    assert!(stats.last_unused_offers.is_empty());
    assert!(stats.reject_summary_launch_attempt().iter().all(|s| s.declined == 0));
}

fn policy(backoff: f64, factor: f64, max: f64) -> BackoffPolicy {
    BackoffPolicy { backoff_seconds: backoff, factor, max_launch_delay_seconds: max }
}

#[test]
fn backoff_grows_by_factor_and_is_capped() {
    let mut q = LaunchQueue::new();
    let p = policy(1.0, 2.0, 5.0);
    let delays: Vec<u64> = (0..5).map(|_| q.record_failure("/a", "v1", &p, Timestamp(0))).collect();
    assert_eq!(delays, vec![1000, 2000, 4000, 5000, 5000]);
    assert_eq!(q.failures("/a"), 5);
}

#[test]
fn initial_delay_is_capped_by_max_launch_delay() {
    let mut q = LaunchQueue::new();
    assert_eq!(q.record_failure("/a", "v1", &policy(10.0, 1.15, 3.0), Timestamp(0)), 3000);
}

#[test]
fn new_version_resets_backoff() {
    let mut q = LaunchQueue::new();
    let p = policy(1.0, 2.0, 60.0);
    q.record_failure("/a", "v1", &p, Timestamp(0));
    q.record_failure("/a", "v1", &p, Timestamp(0));
    assert_eq!(q.record_failure("/a", "v2", &p, Timestamp(0)), 1000, "a new version starts over");
    q.add(RunSpec::new("/a", "v3"), 1, Timestamp(0));
    assert_eq!(q.delay_left_ms("/a", Timestamp(0)), 0);
}

#[test]
fn delayed_entries_are_not_ready_and_not_overdue_until_the_delay_passes() {
    let mut q = LaunchQueue::new();
    let spec = RunSpec::new("/a", "v1");
    let p = spec.backoff;
    q.add(spec, 2, Timestamp(0));
    q.record_failure("/a", "v1", &p, Timestamp(0));
    // (now, ready, overdue, time_left_seconds)
    let cases = [
        (Timestamp(0), false, false, 1),
        (Timestamp(999), false, false, 1),
        (Timestamp(1000), true, true, 0),
    ];
    for (now, ready, overdue, left) in cases {
        assert_eq!(!q.ready(now).is_empty(), ready, "{now:?}");
        let item = &q.items(now)[0];
        assert_eq!((item.overdue, item.time_left_seconds), (overdue, left), "{now:?}");
    }
    assert_eq!(q.next_wakeup(Timestamp(10)), Some(Timestamp(1000)));
}

#[test]
fn reset_delay_reports_whether_there_was_one() {
    let mut q = LaunchQueue::new();
    assert!(!q.reset_delay("/a"));
    q.record_failure("/a", "v1", &policy(1.0, 1.0, 1.0), Timestamp(0));
    assert!(q.reset_delay("/a"));
}

#[test]
fn overdue_delays_are_cleaned_up_after_delay_plus_max() {
    let mut q = LaunchQueue::new();
    q.record_failure("/a", "v1", &policy(1.0, 1.0, 10.0), Timestamp(0));
    q.cleanup_overdue(Timestamp(10_999), |_| Some(10.0));
    assert_eq!(q.failures("/a"), 1);
    q.cleanup_overdue(Timestamp(11_000), |_| Some(10.0));
    assert_eq!(q.failures("/a"), 0);
}

#[test]
fn suppress_when_empty_and_revive_when_refilled() {
    let mut q = LaunchQueue::new();
    let now = Timestamp::from_secs(100);
    // (suppressed, last revive, expected)
    assert_eq!(q.subscription_change(now, false, None, 5000), Some(SubscriptionChange::Suppress));
    assert_eq!(q.subscription_change(now, true, None, 5000), None);
    q.add(RunSpec::new("/a", "v1"), 1, now);
    let cases = [
        (true, None, Some(SubscriptionChange::Revive)),
        (true, Some(Timestamp::from_secs(99)), None),
        (true, Some(Timestamp::from_secs(95)), Some(SubscriptionChange::Revive)),
        (false, None, None),
    ];
    for (suppressed, last, want) in cases {
        assert_eq!(q.subscription_change(now, suppressed, last, 5000), want, "{suppressed} {last:?}");
    }
}
