//! The streaming phase's pacer: kills tasks at whatever rate holds the
//! `status_update_event`s that reach the harness' own `/v2/events`
//! subscription at a target rate.
//!
//! A kill makes `TASK_KILLING` and `TASK_KILLED` at once and the
//! replacement's `TASK_STAGING`, `TASK_STARTING` and `TASK_RUNNING` once
//! dromos has relaunched it, within about a second. Dromos carries out
//! kill requests one after the other, about 80 ms each with
//! `--local-simulate` on two cores: with one task per request it kills
//! about 12 tasks a second (60 events/s) and the rest queue up, so events
//! per kill *sent* look like 2 to 3 instead of 5; with five tasks per
//! request it kept up with 30 kills a second. So the pacer kills several
//! tasks per request, one `POST /v2/tasks/delete` every [`SEND`].
//!
//! It is a closed loop on what was delivered. Every [`SEND`] it measures
//! the events per kill: every event delivered since it started divided by
//! the kills sent more than [`SETTLED`] ago (a running measure changes
//! slowly; one over the last seconds swung between 3 and 10 with dromos'
//! bursts). The kill rate is then
//!
//! ```text
//! (target + GAIN × deficit) / events per kill
//! ```
//!
//! where the deficit is the events still missing from `target × elapsed`
//! (the correction bounded by [`MAX_CORRECTION`] events/s): the measure follows dromos (were a kill
//! to make fewer events, more kills go out) but changes slowly, so the
//! pacer adds little jitter of its own to dromos' (events come in bursts
//! as dromos relaunches: at a steady 30 kills/s, 96 to 166 events in a
//! second). A credit grows by the rate and its whole units are killed in
//! one request, at most twice a period's share, so a gap (no running task
//! to take) does not turn into a burst; and at most [`IN_FLIGHT`] kills
//! are outstanding (sent, their task not ended yet): with Chromium
//! painting on the same two cores dromos carried out about 20 kills a
//! second in our runs, the target's worth, and a pacer without that
//! limit saw events per kill fall as its kills queued up, and sent more
//! still (35 kills/s, 2.8 events per kill). A kill takes a running task of
//! the apps on the page (in turn) while one of them has one, else of any
//! other app.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::cluster::Cluster;

/// How often kills are sent: five requests a second, well below what
/// dromos carries out.
const SEND: Duration = Duration::from_millis(200);
/// About how long after a kill its events (its replacement's included)
/// arrive.
const SETTLED: Duration = Duration::from_secs(1);
/// Kills sent whose task has not ended yet, at most.
const IN_FLIGHT: usize = 20;
/// Fewer settled kills than this: use [`FIRST_GUESS`].
const MIN_KILLS: usize = 10;
/// Events per kill before there is anything to measure (a kill and a
/// replacement that runs).
const FIRST_GUESS: f64 = 5.0;
/// Share of the deficit made up per second.
const GAIN: f64 = 0.3;
/// Events per second the deficit may add or take away.
const MAX_CORRECTION: f64 = 20.0;

/// What the pacer did.
#[derive(Debug, Default)]
pub struct Paced {
    /// When each kill was sent, in order.
    pub kills: Vec<Instant>,
    /// Kills dromos refused or that failed on the way.
    pub failures: usize,
    /// Requests that took fewer tasks than were due, because no more
    /// tasks were known to run.
    pub starved: usize,
    /// (time, events per kill) as measured before each request.
    pub per_kill: Vec<(Instant, f64)>,
}

impl Paced {
    /// Kills sent in `[from, to]`.
    pub fn kills_between(&self, from: Instant, to: Instant) -> usize {
        self.kills.partition_point(|k| *k <= to) - self.kills.partition_point(|k| *k < from)
    }

    /// Kills sent in each whole second of `secs` from `from`.
    pub fn kills_per_second(&self, from: Instant, secs: usize) -> Vec<usize> {
        let second = |s: usize| from + Duration::from_secs(s as u64);
        (0..secs)
            .map(|s| {
                self.kills.partition_point(|k| *k < second(s + 1))
                    - self.kills.partition_point(|k| *k < second(s))
            })
            .collect()
    }

    /// (min, max) events per kill measured in `[from, to]`.
    pub fn per_kill_range(&self, from: Instant, to: Instant) -> (f64, f64) {
        let within = self.per_kill.iter().filter(|(at, _)| *at >= from && *at <= to).map(|(_, r)| *r);
        within.fold((f64::INFINITY, 0.0), |(lo, hi), r| (lo.min(r), hi.max(r)))
    }
}

/// Picks the next task to kill: the apps on the page in turn, else the others.
struct Picker<'a> {
    visible: &'a [String],
    others: &'a [String],
    next: usize,
    next_other: usize,
}

impl Picker<'_> {
    /// A task id.
    fn pick(&mut self, cluster: &Cluster) -> Option<String> {
        let take = |apps: &[String], from: usize| {
            (0..apps.len()).find_map(|i| {
                let app = &apps[(from + i) % apps.len()];
                cluster.events.take_running(app)
            })
        };
        self.next += 1;
        take(self.visible, self.next).or_else(|| {
            self.next_other += 1;
            take(self.others, self.next_other)
        })
    }
}

/// Kills tasks from now until `until` so that `target` status events per
/// second reach `cluster.events`.
pub async fn pace(
    cluster: &Cluster,
    visible: &[String],
    others: &[String],
    target: f64,
    until: Instant,
) -> Paced {
    let started = Instant::now();
    let failures = Arc::new(AtomicUsize::new(0));
    let mut paced = Paced::default();
    let mut picker = Picker { visible, others, next: 0, next_other: 0 };
    let (mut credit, mut last_send) = (0.0, started);
    let mut ticker = tokio::time::interval(SEND);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while Instant::now() < until {
        ticker.tick().await;
        let now = Instant::now();
        let per_kill = events_per_kill(cluster, &paced.kills, started, now);
        paced.per_kill.push((now, per_kill));
        let owed = target * now.duration_since(started).as_secs_f64();
        let deficit = owed - cluster.events.count_since(started) as f64;
        let correction = (GAIN * deficit).clamp(-MAX_CORRECTION, MAX_CORRECTION);
        credit += (target + correction) / per_kill * now.duration_since(last_send).as_secs_f64();
        last_send = now;
        let most = (2.0 * target * SEND.as_secs_f64() / per_kill).ceil();
        let in_flight = paced.kills.len().saturating_sub(cluster.events.count_ended_since(started));
        let wanted = (credit.clamp(0.0, most) as usize).min(IN_FLIGHT.saturating_sub(in_flight));
        credit = (credit - wanted as f64).min(most);
        let mut ids = Vec::with_capacity(wanted);
        while ids.len() < wanted {
            let Some(task) = picker.pick(cluster) else {
                paced.starved += 1;
                credit = 0.0;
                break;
            };
            ids.push(task);
            paced.kills.push(now);
        }
        if ids.is_empty() {
            continue;
        }
        let request =
            cluster.http.post(format!("{}/v2/tasks/delete", cluster.url)).json(&json!({ "ids": ids }));
        let (failures, count) = (failures.clone(), ids.len());
        tokio::spawn(async move {
            if !request.send().await.is_ok_and(|r| r.status().is_success()) {
                failures.fetch_add(count, Ordering::Relaxed);
            }
        });
    }
    paced.failures = failures.load(Ordering::Relaxed);
    paced
}

/// Every event delivered since `started` per kill sent at least
/// [`SETTLED`] before `now` (see the module doc).
fn events_per_kill(cluster: &Cluster, kills: &[Instant], started: Instant, now: Instant) -> f64 {
    let settled = now.checked_sub(SETTLED).map_or(0, |s| kills.partition_point(|k| *k < s));
    if settled < MIN_KILLS {
        return FIRST_GUESS;
    }
    (cluster.events.count_since(started) as f64 / settled as f64).clamp(1.0, 10.0)
}
