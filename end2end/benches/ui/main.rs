//! The `ui` benchmark (see the design notes on benchmarks): the web console
//! in headless Chromium against dromos holding 1,000 apps and 10,000
//! (simulated) tasks, compared with a plain-JS table page rendering the same
//! JSON in the same run.
//!
//! `scripts/bench-ui.sh` (builds the console and a release dromos, then runs
//! `cargo bench -p end2end --bench ui`).
//!
//! * WASM size: all the WebAssembly a cold load of `/services` fetched
//!   (the main module, and the page's lazily loaded chunks, which come as
//!   one bundle, `/pkg/pages/services.bundle`, or one by one), each file as
//!   dromos serves it compressed with brotli at quality 11 (window 22);
//!   KB = 1,000 bytes. The main module `/pkg/dromos.wasm` alone is shown too.
//! * Cluster: a release dromos (`$DROMOS_BIN`, else `target/release/dromos`)
//!   with `--local-simulate` and enough `--local-resources`; `UI_BENCH_APPS`
//!   (default 1,000) apps of `UI_BENCH_INSTANCES` (default 10) instances at
//!   the root (`PUT /v2/apps` in batches of 100), half with a COMMAND health
//!   check, until every task runs and no deployment is left (at most
//!   `UI_BENCH_SETUP_SECS`, default 300; 10,000 simulated tasks run about
//!   7 s after the last PUT on two cores, see `server/benches/local_simulate.sh`);
//!   `UI_BENCH_INSTANCES=1` keeps the 1,000 apps with one task each.
//! * Time to interactive, cold: each sample is a new Chromium with a new
//!   profile (empty cache). Console: `/services`, until the root element has
//!   `data-hydrated="true"` and the services table shows its 50 rows.
//!   Baseline: `baseline.html`, served by this harness, which proxies every
//!   other path to dromos (same origin, so no CORS): it fetches
//!   `/v2/apps?embed=apps.counts&embed=apps.lastTaskFailure` and renders the
//!   same first 50 rows with plain DOM calls, until its table has them.
//!   Both are timed inside the page by `probe.js` (milliseconds since the
//!   navigation started). One discarded warm-up each, then `UI_BENCH_RUNS`
//!   (default 5) alternating samples; medians are reported.
//! * Streaming: in a freshly loaded console, the harness kills running
//!   tasks (`POST /v2/tasks/delete`, five requests a second, several tasks
//!   each) for a 5 s warm-up and then `UI_BENCH_STREAM_SECS` (default 30)
//!   measured: tasks of the 50 apps on the page while one of them has a
//!   running task, else of any app. The kill rate is a closed loop
//!   (`pace.rs`): every 200 ms it is set from the `status_update_event`s
//!   that reached the harness' own `/v2/events` subscription per kill
//!   (about five: a kill and its replacement) and the events still owed,
//!   with at most 20 kills outstanding, so that 100 of them arrive per
//!   second. The rate reported, with its per-second min and max, is what
//!   dromos delivered. Measured in the page: long tasks (PerformanceObserver
//!   `longtask`) and event-to-paint: for each status event of an app on
//!   the page that changes what its row shows, from the event's arrival
//!   on the console's EventSource to the first frame painted after that
//!   app's row (`tr[data-app-id]`) changed (`paint.rs` says exactly what
//!   is measured and which events count; the final line has its p95).
//!
//! Final line: `ui: wasm_brotli_kb=… tti_ms=… ratio_tti=… long_tasks=… event_to_paint_p95_ms=…`.
//! Only `cargo bench` runs it; under `cargo test` it returns at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod baseline;
mod cluster;
mod pace;
mod page;
mod paint;
mod stream;

use std::time::Instant;

/// The services list shows this many apps per page.
const PAGE_ROWS: usize = 50;
/// Status events per second while streaming.
const EVENT_RATE: f64 = 100.0;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("ui: skipped (run with `scripts/bench-ui.sh` or `cargo bench -p end2end --bench ui`)");
        return;
    }
    let runs: usize = env_or("UI_BENCH_RUNS", 5).max(1);
    let stream_secs: u64 = env_or("UI_BENCH_STREAM_SECS", 30);
    let apps: usize = env_or("UI_BENCH_APPS", 1000).max(PAGE_ROWS);
    let instances: usize = env_or("UI_BENCH_INSTANCES", 10).max(1);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let started = Instant::now();
    runtime.block_on(async move {
        let cluster = cluster::Cluster::start(apps, instances).await;
        println!("setup: {apps} apps, {} tasks running in {:.1} s", apps * instances, cluster.setup_secs);
        let baseline = baseline::Server::start(&cluster.url).await;
        println!("load average before the cold loads: {}", load_average());
        let loads = page::cold_loads(&cluster.url, &baseline.url, PAGE_ROWS, runs).await;
        let streamed = stream::run(&cluster, PAGE_ROWS, EVENT_RATE, stream_secs).await;
        let mut modules = loads.console.0.first().map(|t| t.wasm.clone()).unwrap_or_default();
        modules.sort();
        modules.dedup();
        let mut sizes = Vec::new();
        for path in modules {
            let bytes = cluster.http.get(format!("{}{path}", cluster.url)).send().await.expect("GET wasm");
            let bytes = bytes.bytes().await.expect("wasm bytes").to_vec();
            let brotli = tokio::task::spawn_blocking(move || brotli_size(&bytes)).await.expect("brotli");
            sizes.push((path, brotli));
        }
        report(&sizes, &loads, &streamed);
        println!("(whole run {:.0} s)", started.elapsed().as_secs_f64());
    });
}

/// The machine's 1-minute load average (context for noisy figures).
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// (raw, brotli quality 11) bytes.
fn brotli_size(raw: &[u8]) -> (usize, usize) {
    let mut compressed = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &raw[..], &mut compressed, &params).expect("brotli");
    (raw.len(), compressed.len())
}

/// `sizes`: (path, (raw, brotli)) of each WASM module of a cold `/services` load.
fn report(sizes: &[(String, (usize, usize))], loads: &page::ColdLoads, streamed: &stream::Streamed) {
    let (raw, brotli): (usize, usize) = sizes.iter().fold((0, 0), |(r, b), (_, (rr, bb))| (r + rr, b + bb));
    let kb = brotli as f64 / 1000.0;
    println!();
    let mut largest: Vec<_> = sizes.iter().collect();
    largest.sort_by_key(|(_, (_, brotli))| std::cmp::Reverse(*brotli));
    for (path, (raw, brotli)) in largest.iter().take(3) {
        println!("  {path}: {raw} bytes raw, {brotli} bytes brotli q11");
    }
    if sizes.len() > 3 {
        let rest: usize = largest.iter().skip(3).map(|(_, (_, brotli))| brotli).sum();
        println!("  {} smaller modules: {rest} bytes brotli q11", sizes.len() - 3);
    }
    println!(
        "console WASM of a cold /services load: {} modules, {raw} bytes raw, {brotli} bytes brotli q11 = {kb:.0} KB (target ≤ 250 KB)",
        sizes.len()
    );
    loads.print();
    streamed.print();
    let tti = loads.console.median_tti();
    let ratio = tti / loads.baseline.median_tti();
    println!(
        "ui: wasm_brotli_kb={kb:.0} tti_ms={tti:.0} ratio_tti={ratio:.2} long_tasks={} event_to_paint_p95_ms={:.0}",
        streamed.long_tasks.len(),
        streamed.paint.p95
    );
}
