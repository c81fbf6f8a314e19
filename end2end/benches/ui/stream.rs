//! The streaming phase: status events at a steady rate into a loaded
//! console (paced by [`crate::pace`]), with long tasks and event-to-paint
//! measured in the page.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cluster::{Cluster, StatusEvent};
use crate::pace::pace;
use crate::page::{eval, load, probed_browser};
use crate::paint::{quantile, Arrival, EventToPaint, Recording};

/// Pacing before the measured window, so that the pacer has measured
/// how many events a kill makes and the rate has settled.
const WARM_UP: Duration = Duration::from_secs(5);
/// Time for the last events' paints after the window.
const SETTLE: Duration = Duration::from_secs(2);

/// What the streaming phase measured.
pub struct Streamed {
    /// The status events per second the pacer aimed at.
    pub target: f64,
    pub secs: f64,
    /// Tasks killed during the window (several per request).
    pub kills: usize,
    /// Kills that failed, warm-up included.
    pub kill_failures: usize,
    /// Requests short of running tasks to kill, warm-up included.
    pub starved: usize,
    /// Tasks killed in each whole second of the window.
    pub kills_per_second: Vec<usize>,
    /// (min, max) events per kill as the pacer measured them in the window.
    pub per_kill: (f64, f64),
    /// When the window started (on the harness' clock).
    pub started: Instant,
    /// Events on the harness' own subscription during the window.
    pub events: Vec<StatusEvent>,
    /// Events the console's EventSource delivered during the window.
    pub page_arrivals: usize,
    pub requests: Vec<(f64, f64)>,
    pub frames: usize,
    /// (start, duration) of long tasks within the window, page ms.
    pub long_tasks: Vec<(f64, f64)>,
    /// Over the events of the apps on the page.
    pub paint: EventToPaint,
}

fn floats(value: &Value) -> Vec<f64> {
    value.as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default()
}

fn pairs(value: &Value) -> Vec<(f64, f64)> {
    let pair = |v: &Value| Some((v.get(0)?.as_f64()?, v.get(1)?.as_f64()?));
    value.as_array().map(|a| a.iter().filter_map(pair).collect()).unwrap_or_default()
}

/// Loads the console, then streams for a warm-up and `secs` measured.
pub async fn run(cluster: &Cluster, rows: usize, event_rate: f64, secs: u64) -> Streamed {
    let browser = probed_browser(rows).await;
    load(&browser, &format!("{}/services", cluster.url)).await;
    let visible = eval(
        &browser,
        "[...document.querySelectorAll('[data-testid=service-row]')].map(r => r.dataset.appId)",
    )
    .await;
    let apps: Vec<String> = visible
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    assert_eq!(apps.len(), rows, "the first page shows {rows} apps: {visible}");
    let others = cluster.track_all_running().await;
    let others: Vec<String> = others.into_iter().filter(|a| !apps.contains(a)).collect();

    println!(
        "streaming: pacing kills to hold {event_rate:.0} status events/s on /v2/events, {} s warm-up, then {secs} s measured (load average {})",
        WARM_UP.as_secs(),
        crate::load_average()
    );
    drop(cluster.drain_log());

    // The pacer runs through the warm-up and the window without a break;
    // the window is measured alongside it.
    let window_opens = Instant::now() + WARM_UP;
    let until = window_opens + Duration::from_secs(secs);
    let window = async {
        tokio::time::sleep_until(window_opens.into()).await;
        let window_start = eval(&browser, "performance.now()").await.as_f64().unwrap_or(0.0);
        let started = Instant::now();
        tokio::time::sleep_until(until.into()).await;
        let elapsed = started.elapsed();
        let window_end = eval(&browser, "performance.now()").await.as_f64().unwrap_or(0.0);
        (window_start, started, elapsed, window_end)
    };
    let (paced, (window_start, started, elapsed, window_end)) =
        tokio::join!(pace(cluster, &apps, &others, event_rate, until), window);
    println!("streaming done (load average {})", crate::load_average());
    tokio::time::sleep(SETTLE).await;
    let recorded = eval(&browser, "window.__uiBench").await;
    let _ = browser.close().await;
    drop(cluster.drain_log());

    let within = |t: f64| t >= window_start && t <= window_end;
    let text = |v: &Value, at: usize| v.get(at).and_then(Value::as_str).unwrap_or_default().to_owned();
    let arrival = |e: &Value| {
        let at = e.get(0).and_then(Value::as_f64)?;
        Some(Arrival { at, app: text(e, 1), state: text(e, 2), task: text(e, 3), measured: within(at) })
    };
    let arrivals: Vec<Arrival> =
        recorded["arrivals"].as_array().map(|a| a.iter().filter_map(arrival).collect()).unwrap_or_default();
    let row = |e: &Value| Some((e.get(0)?.as_f64()?, e.get(1)?.as_str()?.to_owned()));
    let recording = Recording {
        arrivals,
        visible: apps,
        rows: recorded["rows"].as_array().map(|a| a.iter().filter_map(row).collect()).unwrap_or_default(),
        frames: floats(&recorded["frames"]),
    };
    let fetches = pairs(&recorded["fetches"]);
    let events: Vec<StatusEvent> = cluster
        .events
        .since(started)
        .into_iter()
        .filter(|e| e.at.duration_since(started) <= elapsed)
        .collect();
    Streamed {
        target: event_rate,
        secs: elapsed.as_secs_f64(),
        kills: paced.kills_between(started, started + elapsed),
        kill_failures: paced.failures,
        starved: paced.starved,
        kills_per_second: paced.kills_per_second(started, elapsed.as_secs() as usize),
        per_kill: paced.per_kill_range(started, started + elapsed),
        started,
        events,
        page_arrivals: recording.arrivals.iter().filter(|a| a.measured).count(),
        requests: fetches.into_iter().filter(|(s, _)| within(*s)).collect(),
        frames: recording.frames.iter().filter(|t| within(**t)).count(),
        long_tasks: pairs(&recorded["longtasks"]).into_iter().filter(|(s, _)| within(*s)).collect(),
        paint: recording.event_to_paint(),
    }
}

impl Streamed {
    pub fn print(&self) {
        let n = self.events.len();
        // Whole seconds of the window, counted from its start.
        let mut per_second = vec![0usize; (self.secs.floor() as usize).max(1)];
        let mut states: BTreeMap<&str, usize> = BTreeMap::new();
        for event in &self.events {
            let second = event.at.duration_since(self.started).as_secs() as usize;
            if let Some(slot) = per_second.get_mut(second) {
                *slot += 1;
            }
            *states.entry(event.state.as_str()).or_default() += 1;
        }
        let (per_kill_lo, per_kill_hi) = self.per_kill;
        println!(
            "streaming {:.1} s: {} kills (per second min {} max {}; {} failed, {} requests short of running tasks; {:.2} events per kill, measured {per_kill_lo:.2} to {per_kill_hi:.2} while pacing), {n} status events on /v2/events = {:.1}/s (target {:.0}; per second min {} max {}); {:?}",
            self.secs,
            self.kills,
            self.kills_per_second.iter().min().unwrap_or(&0),
            self.kills_per_second.iter().max().unwrap_or(&0),
            self.kill_failures,
            self.starved,
            n as f64 / self.kills.max(1) as f64,
            n as f64 / self.secs,
            self.target,
            per_second.iter().min().unwrap_or(&0),
            per_second.iter().max().unwrap_or(&0),
            states
        );
        println!("  status events on /v2/events per second: {per_second:?}");
        let mut durations: Vec<f64> = self.requests.iter().map(|(s, e)| e - s).collect();
        durations.sort_by(f64::total_cmp);
        println!(
            "console: {} events arrived in the page, {} services-list requests (p50 {:.0} ms, p95 {:.0} ms), {:.0} frames/s",
            self.page_arrivals,
            self.requests.len(),
            quantile(&durations, 0.5),
            quantile(&durations, 0.95),
            self.frames as f64 / self.secs
        );
        let longest = self.long_tasks.iter().map(|(_, d)| *d).fold(0.0, f64::max);
        let total: f64 = self.long_tasks.iter().map(|(_, d)| d).sum::<f64>() + 0.0;
        // A long task that starts shortly after a services-list answer is
        // most likely the console applying it.
        let after_answer = self
            .long_tasks
            .iter()
            .filter(|(start, _)| {
                self.requests.iter().any(|(_, end)| *start >= *end && *start - *end <= 100.0)
            })
            .count();
        println!(
            "long tasks (> 50 ms) while streaming: {} (longest {longest:.0} ms, {total:.0} ms in all, {after_answer} of them within 100 ms after a services-list answer; target 0)",
            self.long_tasks.len()
        );
        let p = &self.paint;
        println!(
            "event-to-paint, events that change a row on the page: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms over {} events ({} missed, {} unresolved; {} events of those apps changed nothing shown, {} were of other apps; target p95 ≤ 100 ms)",
            p.p50, p.p95, p.max, p.samples, p.missed, p.unresolved, p.silent, p.off_page
        );
        let [changed, painted] = p.parts;
        println!(
            "  parts (p50 / p95 ms): until the row changed {:.0} / {:.0}, until painted {:.0} / {:.0}",
            changed.0, changed.1, painted.0, painted.1
        );
    }
}
