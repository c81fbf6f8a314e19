//! The streaming phase: status events at a steady rate into a loaded
//! console, with long tasks and event-to-paint measured in the page.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cluster::{Cluster, StatusEvent};
use crate::page::{eval, load, probed_browser};
use crate::paint::{quantile, Arrival, EventToPaint, Recording};

/// Kills per second while finding out how many events one kill makes.
const CALIBRATION_RATE: f64 = 10.0;
const CALIBRATION: Duration = Duration::from_secs(3);
/// Time for the last events' paints after the window.
const SETTLE: Duration = Duration::from_secs(2);

/// What the streaming phase measured.
pub struct Streamed {
    pub secs: f64,
    pub kills: usize,
    pub kill_failures: usize,
    pub events_per_kill: f64,
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

/// Kills tasks at `rate` per second for `length`: of the `visible` apps
/// in turn while one of them has a running task, else of any app.
async fn kill_at(
    cluster: &Cluster,
    visible: &[String],
    others: &[String],
    rate: f64,
    length: Duration,
) -> (usize, usize) {
    let (kills, failures) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let (mut next, mut next_other) = (0, 0);
    while started.elapsed() < length {
        ticker.tick().await;
        let pick = |apps: &[String], from: usize| {
            (0..apps.len()).find_map(|i| {
                let app = &apps[(from + i) % apps.len()];
                cluster.events.take_running(app).map(|task| (app.clone(), task))
            })
        };
        next += 1;
        let found = pick(visible, next).or_else(|| {
            next_other += 1;
            pick(others, next_other)
        });
        let Some((app, task)) = found else { continue };
        let request = cluster.http.delete(format!("{}/v2/apps{app}/tasks/{task}", cluster.url));
        let (kills, failures) = (kills.clone(), failures.clone());
        tokio::spawn(async move {
            let ok = request.send().await.is_ok_and(|r| r.status().is_success());
            kills.fetch_add(1, Ordering::Relaxed);
            if !ok {
                failures.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    (kills.load(Ordering::Relaxed), failures.load(Ordering::Relaxed))
}

fn floats(value: &Value) -> Vec<f64> {
    value.as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default()
}

fn pairs(value: &Value) -> Vec<(f64, f64)> {
    let pair = |v: &Value| Some((v.get(0)?.as_f64()?, v.get(1)?.as_f64()?));
    value.as_array().map(|a| a.iter().filter_map(pair).collect()).unwrap_or_default()
}

/// Loads the console, calibrates, then streams for `secs`.
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

    let calibration = Instant::now();
    let (kills, _) = kill_at(cluster, &apps, &others, CALIBRATION_RATE, CALIBRATION).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let events_per_kill = cluster.events.since(calibration).len() as f64 / kills.max(1) as f64;
    let rate = event_rate / events_per_kill.max(1.0);
    println!(
        "streaming: one kill makes {events_per_kill:.2} status events; killing {rate:.1} tasks/s for {secs} s (load average {})",
        crate::load_average()
    );
    drop(cluster.drain_log());

    let window_start = eval(&browser, "performance.now()").await.as_f64().unwrap_or(0.0);
    let started = Instant::now();
    let (kills, kill_failures) = kill_at(cluster, &apps, &others, rate, Duration::from_secs(secs)).await;
    let elapsed = started.elapsed();
    let window_end = eval(&browser, "performance.now()").await.as_f64().unwrap_or(0.0);
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
        secs: elapsed.as_secs_f64(),
        kills,
        kill_failures,
        events_per_kill,
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
        let mut per_second = vec![0usize; self.secs.ceil().max(1.0) as usize];
        let first = self.events.first().map(|e| e.at);
        let mut states: BTreeMap<&str, usize> = BTreeMap::new();
        for event in &self.events {
            let second = first.map_or(0, |f| event.at.duration_since(f).as_secs() as usize);
            if let Some(slot) = per_second.get_mut(second) {
                *slot += 1;
            }
            *states.entry(event.state.as_str()).or_default() += 1;
        }
        let full = &per_second[..per_second.len().saturating_sub(1).max(1)];
        println!(
            "streaming {:.1} s: {} kills ({} failed; {:.2} events per kill), {n} status events on /v2/events = {:.1}/s (per second min {} max {}); {:?}",
            self.secs,
            self.kills,
            self.kill_failures,
            self.events_per_kill,
            n as f64 / self.secs,
            full.iter().min().unwrap_or(&0),
            full.iter().max().unwrap_or(&0),
            states
        );
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
