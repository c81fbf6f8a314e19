//! The kill-storm guard: health-check kills are rate limited per run spec.
//!
//! A health check that fails for every instance at once (a shared database
//! down, a flapping load balancer, a check with too short a timeout) would
//! otherwise make the scheduler kill the whole app within one check
//! interval, and the replacements would start into the same outage.
//!
//! **Rule.** Within any window of `interval_ms` (sliding), at most
//! `budget(N) = max(1, floor(N × max_fraction))` instances of a run spec
//! with `N` wanted instances are killed *for health reasons*. Defaults
//! ([`KillRatePolicy::default`]): a quarter of the instances per 60 s, so a
//! 20-instance app loses at most 5 instances a minute to its health checks
//! and a 3-instance app at most one. Kills for other reasons (deployments,
//! scale-down, the API) are not limited.
//!
//! An instance whose kill is refused is *deferred*: it stays running and
//! unhealthy, and [`HealthKillGuard::due`] hands it out in a later window
//! (oldest request first) if it is then still unhealthy. An instance that
//! recovers meanwhile is simply forgotten, which is what stops a flapping
//! check from killing anything but the budget.
//!
//! Pure like the rest of the core: time comes in as `now`.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use crate::time::Timestamp;

/// How many health kills a run spec may suffer per interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KillRatePolicy {
    /// Fraction of the wanted instances that may be killed per interval
    /// (at least one instance always may).
    pub max_fraction: f64,
    /// Length of the sliding window, milliseconds.
    pub interval_ms: u64,
}

impl Default for KillRatePolicy {
    fn default() -> Self {
        Self { max_fraction: 0.25, interval_ms: 60_000 }
    }
}

impl KillRatePolicy {
    /// Health kills allowed per window for an app of `instances`.
    pub fn budget(&self, instances: u32) -> u32 {
        let fraction = if self.max_fraction.is_finite() { self.max_fraction.clamp(0.0, 1.0) } else { 0.0 };
        // Saturating float-to-int cast of a value within [0, instances].
        let share = (f64::from(instances) * fraction + 1e-9).floor() as u32;
        share.max(1)
    }
}

/// The answer to a health-kill request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KillVerdict {
    /// Within budget: kill now (the kill is counted).
    KillNow,
    /// Budget spent: the instance is deferred until at least `until`.
    Deferred {
        /// When the oldest kill of the window leaves it.
        until: Timestamp,
    },
}

/// Per-run-spec record of recent health kills and deferred requests.
#[derive(Debug, Clone, Default)]
pub struct HealthKillGuard {
    policy: KillRatePolicy,
    /// Times of health kills still inside the window, oldest first.
    recent: BTreeMap<String, VecDeque<Timestamp>>,
    /// Deferred requests `(run spec id, instance id)`, oldest first.
    pending: VecDeque<(String, String)>,
}

impl HealthKillGuard {
    /// A guard enforcing `policy`.
    pub fn new(policy: KillRatePolicy) -> Self {
        Self { policy, ..Self::default() }
    }

    /// The policy in force.
    pub fn policy(&self) -> KillRatePolicy {
        self.policy
    }

    /// Asks to kill `instance_id` of `run_spec_id` (which wants
    /// `instances`) for health reasons at `now`.
    pub fn request(
        &mut self,
        run_spec_id: &str,
        instance_id: &str,
        instances: u32,
        now: Timestamp,
    ) -> KillVerdict {
        if self.try_take(run_spec_id, instances, now) {
            self.pending.retain(|(_, id)| id != instance_id);
            return KillVerdict::KillNow;
        }
        if !self.pending.iter().any(|(_, id)| id == instance_id) {
            self.pending.push_back((run_spec_id.to_owned(), instance_id.to_owned()));
        }
        let until = self.window_end(run_spec_id).unwrap_or(now);
        KillVerdict::Deferred { until }
    }

    /// Deferred instances that may be killed now, oldest request first.
    /// `instances_of` gives a run spec's wanted instance count (`None`: the
    /// run spec is gone); `still_unhealthy` says whether an instance still
    /// deserves the kill. Requests for gone run specs or recovered
    /// instances are dropped; the returned kills are counted.
    pub fn due(
        &mut self,
        now: Timestamp,
        instances_of: impl Fn(&str) -> Option<u32>,
        still_unhealthy: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        let mut kills = Vec::new();
        let mut keep = VecDeque::with_capacity(self.pending.len());
        for (spec, instance) in std::mem::take(&mut self.pending) {
            let Some(instances) = instances_of(&spec) else { continue };
            if !still_unhealthy(&instance) {
                continue;
            }
            if self.try_take(&spec, instances, now) {
                kills.push(instance);
            } else {
                keep.push_back((spec, instance));
            }
        }
        self.pending = keep;
        kills
    }

    /// Deferred instance ids, oldest first.
    pub fn pending(&self) -> impl Iterator<Item = &str> {
        self.pending.iter().map(|(_, id)| id.as_str())
    }

    /// When a deferred kill may next become due.
    pub fn next_wakeup(&self) -> Option<Timestamp> {
        self.pending.iter().filter_map(|(spec, _)| self.window_end(spec)).min()
    }

    /// Forgets a deferred request (the instance was killed for another
    /// reason or is gone).
    pub fn forget(&mut self, instance_id: &str) {
        self.pending.retain(|(_, id)| id != instance_id);
    }

    /// Takes one kill from `run_spec_id`'s budget if any is left.
    fn try_take(&mut self, run_spec_id: &str, instances: u32, now: Timestamp) -> bool {
        let budget = self.policy.budget(instances) as usize;
        let interval = self.policy.interval_ms;
        let recent = self.recent.entry(run_spec_id.to_owned()).or_default();
        while recent.front().is_some_and(|t| now.millis_since(*t) >= interval) {
            recent.pop_front();
        }
        if recent.len() >= budget {
            return false;
        }
        recent.push_back(now);
        true
    }

    /// When the oldest kill of `run_spec_id`'s window leaves it.
    fn window_end(&self, run_spec_id: &str) -> Option<Timestamp> {
        self.recent.get(run_spec_id)?.front().map(|t| t.plus_millis(self.policy.interval_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::{HealthKillGuard, KillRatePolicy, KillVerdict};
    use crate::time::Timestamp;

    fn policy() -> KillRatePolicy {
        KillRatePolicy { max_fraction: 0.25, interval_ms: 60_000 }
    }

    #[test]
    fn budget_is_a_fraction_of_the_instances_but_at_least_one() {
        let p = policy();
        let cases = [(0, 1), (1, 1), (3, 1), (4, 1), (8, 2), (20, 5), (21, 5)];
        for (instances, budget) in cases {
            assert_eq!(p.budget(instances), budget, "{instances} instances");
        }
        assert_eq!(KillRatePolicy { max_fraction: f64::NAN, interval_ms: 1 }.budget(100), 1);
    }

    #[test]
    fn kills_beyond_the_budget_are_deferred_to_the_next_window() {
        let mut guard = HealthKillGuard::new(policy());
        let t0 = Timestamp::from_secs(1000);
        let verdicts: Vec<KillVerdict> =
            (0..4).map(|i| guard.request("/a", &format!("a.{i}"), 8, t0.plus_millis(i))).collect();
        assert_eq!(verdicts[..2], [KillVerdict::KillNow, KillVerdict::KillNow]);
        assert_eq!(verdicts[2], KillVerdict::Deferred { until: t0.plus_millis(60_000) });
        assert_eq!(guard.pending().collect::<Vec<_>>(), ["a.2", "a.3"]);
        assert_eq!(guard.next_wakeup(), Some(t0.plus_millis(60_000)));

        let unhealthy = |_: &str| true;
        assert!(guard.due(t0.plus_millis(59_999), |_| Some(8), unhealthy).is_empty());
        assert_eq!(
            guard.due(t0.plus_millis(60_000), |_| Some(8), unhealthy),
            ["a.2"],
            "one kill left the window"
        );
        assert_eq!(guard.due(t0.plus_millis(60_001), |_| Some(8), unhealthy), ["a.3"]);
        assert_eq!(guard.next_wakeup(), None);
    }

    #[test]
    fn recovered_instances_and_gone_apps_leave_the_pending_list() {
        let mut guard = HealthKillGuard::new(policy());
        let t0 = Timestamp::from_secs(0);
        guard.request("/a", "a.0", 1, t0);
        guard.request("/a", "a.1", 1, t0);
        guard.request("/b", "b.0", 1, t0);
        guard.request("/b", "b.1", 1, t0);
        let later = t0.plus_millis(120_000);
        let due = guard.due(later, |spec| (spec == "/a").then_some(1), |id| id != "a.1");
        assert!(due.is_empty(), "a.1 recovered and /b is gone: {due:?}");
        assert_eq!(guard.pending().count(), 0);
    }

    #[test]
    fn apps_have_separate_budgets_and_repeated_requests_queue_once() {
        let mut guard = HealthKillGuard::new(policy());
        let t0 = Timestamp::from_secs(0);
        assert_eq!(guard.request("/a", "a.0", 2, t0), KillVerdict::KillNow);
        assert_eq!(guard.request("/b", "b.0", 2, t0), KillVerdict::KillNow);
        assert!(matches!(guard.request("/a", "a.1", 2, t0), KillVerdict::Deferred { .. }));
        assert!(matches!(guard.request("/a", "a.1", 2, t0.plus_millis(10)), KillVerdict::Deferred { .. }));
        assert_eq!(guard.pending().collect::<Vec<_>>(), ["a.1"]);
        guard.forget("a.1");
        assert_eq!(guard.pending().count(), 0);
    }
}
