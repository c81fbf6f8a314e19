//! Pages in a fresh headless Chromium with `probe.js` injected, and the
//! cold-load (time to interactive) samples of the console and the baseline.

use std::time::Duration;

use end2end::browser::Browser;
use serde_json::{json, Value};

const PROBE: &str = include_str!("probe.js");
/// How long one page may take to become interactive.
const LOAD_LIMIT: Duration = Duration::from_secs(60);

/// A new browser (new profile, empty cache) whose every page gets the
/// probe before its own scripts run.
pub async fn probed_browser(rows: usize) -> Browser {
    let browser = Browser::start().await.expect("chromium starts (install chromium and chromium-driver)");
    let source = PROBE.replace("__EXPECTED_ROWS__", &rows.to_string());
    browser
        .cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": source }))
        .await
        .expect("CDP Page.addScriptToEvaluateOnNewDocument");
    browser
}

/// Evaluates `expression` in the page and returns its JSON value.
pub async fn eval(browser: &Browser, expression: &str) -> Value {
    browser.client.execute(&format!("return {expression};"), Vec::new()).await.expect("script runs")
}

/// Opens `url` and waits until the probe saw the page interactive.
/// Returns the timings read in the page (ms since navigation start).
pub async fn load(browser: &Browser, url: &str) -> Timing {
    browser.client.goto(url).await.expect("navigation");
    let deadline = tokio::time::Instant::now() + LOAD_LIMIT;
    loop {
        let tti = eval(browser, "window.__uiBench && window.__uiBench.tti").await;
        if let Some(tti) = tti.as_f64() {
            let details = eval(
                browser,
                "(() => { const n = performance.getEntriesByType('navigation')[0] || {};
                  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                  const resources = performance.getEntriesByType('resource');
                  const wasm = resources.filter(r => /[.](wasm|bundle)$/.test(new URL(r.name).pathname));
                  const json = resources.filter(r => r.name.includes('/v2/apps'));
                  return [n.responseStart || 0, n.responseEnd || 0, fcp ? fcp.startTime : 0,
                          Math.max(0, ...wasm.map(r => r.responseEnd)),
                          wasm.map(r => new URL(r.name).pathname),
                          Math.max(0, ...json.map(r => r.responseEnd)),
                          window.__uiBench.longtasks.filter(([start]) => start <= window.__uiBench.tti)]; })()",
            )
            .await;
            let at = |i: usize| details[i].as_f64().unwrap_or(0.0);
            let wasm = details[4]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect());
            return Timing {
                tti,
                first_byte: at(0),
                html_done: at(1),
                fcp: at(2),
                wasm_done: at(3),
                wasm: wasm.unwrap_or_default(),
                json_done: at(5),
                long_tasks: details[6].as_array().map_or(Vec::new(), |a| {
                    a.iter().filter_map(|t| t.get(1).and_then(Value::as_f64)).collect()
                }),
            };
        }
        assert!(tokio::time::Instant::now() < deadline, "{url} not interactive within {LOAD_LIMIT:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One cold load, in ms since the navigation started.
#[derive(Debug, Clone)]
pub struct Timing {
    pub tti: f64,
    pub first_byte: f64,
    pub html_done: f64,
    pub fcp: f64,
    /// When the last WASM module had arrived (0 for the baseline).
    pub wasm_done: f64,
    /// Paths of the WASM the page fetched: modules, and bundles of modules
    /// (`/pkg/pages/<page>.bundle`).
    pub wasm: Vec<String>,
    /// When the apps' JSON had arrived (0 for the console, whose data
    /// comes inside the server-rendered HTML).
    pub json_done: f64,
    /// Durations of the long tasks before the page was interactive.
    pub long_tasks: Vec<f64>,
}

/// The samples of one page.
#[derive(Debug, Default)]
pub struct Samples(pub Vec<Timing>);

impl Samples {
    fn median(&self, field: impl Fn(&Timing) -> f64) -> f64 {
        let mut values: Vec<f64> = self.0.iter().map(field).collect();
        values.sort_by(f64::total_cmp);
        let n = values.len();
        if n == 0 {
            return f64::NAN;
        }
        if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2.0
        }
    }

    pub fn median_tti(&self) -> f64 {
        self.median(|t| t.tti)
    }

    fn line(&self, name: &str) -> String {
        let all: Vec<String> = self.0.iter().map(|t| format!("{:.0}", t.tti)).collect();
        format!(
            "{name}: TTI median {:.0} ms (runs: {}); first byte {:.0} ms, HTML {:.0} ms, first contentful paint {:.0} ms, long tasks before TTI {:.0} ms (longest {:.0} ms){}",
            self.median_tti(),
            all.join(", "),
            self.median(|t| t.first_byte),
            self.median(|t| t.html_done),
            self.median(|t| t.fcp),
            self.median(|t| t.long_tasks.iter().sum::<f64>() + 0.0),
            self.median(|t| t.long_tasks.iter().copied().fold(0.0, f64::max)),
            if self.0.iter().any(|t| t.wasm_done > 0.0) {
                format!(", WASM ({} files) received {:.0} ms", self.0[0].wasm.len(), self.median(|t| t.wasm_done))
            } else {
                format!(", JSON received {:.0} ms", self.median(|t| t.json_done))
            }
        )
    }
}

/// Cold loads of both pages.
pub struct ColdLoads {
    pub console: Samples,
    pub baseline: Samples,
}

impl ColdLoads {
    pub fn print(&self) {
        println!("{}", self.console.line("console /services"));
        println!("{}", self.baseline.line("plain-JS baseline"));
        let ratios: Vec<String> = self
            .console
            .0
            .iter()
            .zip(&self.baseline.0)
            .map(|(c, b)| format!("{:.2}", c.tti / b.tti))
            .collect();
        println!(
            "TTI ratio console / baseline: {:.2} (medians; per run: {}; target ≤ 1.5, console ≤ 1000 ms)",
            self.console.median_tti() / self.baseline.median_tti(),
            ratios.join(", ")
        );
    }
}

/// One page load in a new browser.
async fn cold(url: &str, rows: usize) -> Timing {
    let browser = probed_browser(rows).await;
    let timing = load(&browser, url).await;
    let _ = browser.close().await;
    timing
}

/// `runs` cold loads of each page, alternating which goes first, after one
/// discarded warm-up of each (dromos' own first render, the OS page cache).
pub async fn cold_loads(dromos: &str, baseline: &str, rows: usize, runs: usize) -> ColdLoads {
    let console_url = format!("{dromos}/services");
    let baseline_url = format!("{baseline}/");
    cold(&console_url, rows).await;
    cold(&baseline_url, rows).await;
    let mut loads = ColdLoads { console: Samples::default(), baseline: Samples::default() };
    for run in 0..runs {
        if run % 2 == 0 {
            loads.console.0.push(cold(&console_url, rows).await);
            loads.baseline.0.push(cold(&baseline_url, rows).await);
        } else {
            loads.baseline.0.push(cold(&baseline_url, rows).await);
            loads.console.0.push(cold(&console_url, rows).await);
        }
        let (c, b) = (loads.console.0[run].tti, loads.baseline.0[run].tti);
        println!("cold load {}: console {c:.0} ms, baseline {b:.0} ms", run + 1);
    }
    loads
}
