//! Many console tabs in one browser: they share one connection to the
//! event stream (a shared worker holds it), so all of them load, hydrate
//! and follow REST changes live, where one stream per tab stalled the
//! seventh tab behind the browser's six connections per host. The shared
//! stream reconnects when dromos comes back. Without shared workers a tab
//! falls back to its own stream.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use end2end::browser::Browser;
use end2end::dromos::{binary, DromosProcess};
use fantoccini::Client;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(20);
/// More than the browser's six connections per host.
const TABS: usize = 8;
/// A change made through the REST API shows in every tab within this.
const LIVE_WITHIN_MS: f64 = 5000.0;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Injected into each tab before its scripts: records the task status
/// events the page receives from the shared worker, as `taskId state`, in
/// `window.__taskEvents` (a listener added before the page's own).
const RECORD_TASK_EVENTS: &str = r#"
window.__taskEvents = [];
const Native = window.SharedWorker;
window.SharedWorker = function (url, options) {
  const worker = new Native(url, options);
  worker.port.addEventListener('message', (event) => {
    const m = event.data;
    if (m && m.t === 'event' && m.name === 'status_update_event') {
      const data = JSON.parse(m.data);
      window.__taskEvents.push(data.taskId + ' ' + data.taskStatus);
    }
  });
  return worker;
};
"#;

/// A page a tab shows, and where it shows the app's instances.
struct Page {
    path: &'static str,
    cell: &'static str,
}

const SERVICES: Page = Page {
    path: "/services/tabs",
    cell: "[data-testid=service-row][data-app-id='/tabs/web'] [data-testid=service-instances]",
};
const DETAIL: Page = Page { path: "/services/app/tabs/web", cell: "[data-testid=detail-instances]" };

async fn rest(server: &DromosProcess, method: reqwest::Method, path: &str, body: Value) -> TestResult {
    let response =
        reqwest::Client::new().request(method, format!("{}{path}", server.url)).json(&body).send().await?;
    let status = response.status();
    let text = response.text().await?;
    assert!(status.is_success(), "{path}: {status} {text}");
    Ok(())
}

/// Open event-stream subscriptions on the server (`/metrics`).
async fn subscribers(server: &DromosProcess) -> Result<f64, Box<dyn std::error::Error>> {
    let metrics: Value = reqwest::get(format!("{}/metrics", server.url)).await?.json().await?;
    metrics["gauges"]["marathon.events.subscribers.gauge"]["value"]
        .as_f64()
        .ok_or_else(|| format!("no subscriber gauge in {metrics}").into())
}

/// Opens `path` in the current tab; waits for hydration and the live stream.
async fn open_live(browser: &Browser, server: &DromosProcess, path: &str) -> TestResult {
    browser.client.goto(&format!("{}{path}", server.url)).await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    browser.wait_attr("[data-testid=live-status]", "data-state", "open", WAIT).await?;
    Ok(())
}

/// Records in the page (`window.__changedAt`, epoch ms) the first moment
/// the text of `cell` ends with `suffix`.
async fn watch_for(c: &Client, cell: &str, suffix: &str) -> TestResult {
    c.execute(
        r#"const [cell, suffix] = arguments;
           window.__changedAt = null;
           const check = () => {
             const text = document.querySelector(cell)?.textContent?.trim() ?? '';
             if (window.__changedAt === null && text.endsWith(suffix)) window.__changedAt = Date.now();
           };
           new MutationObserver(check).observe(document.querySelector('main'),
             { subtree: true, childList: true, characterData: true });
           check();"#,
        vec![json!(cell), json!(suffix)],
    )
    .await?;
    Ok(())
}

/// When the page saw the change `watch_for` waits for, polling until `deadline`.
async fn changed_at(c: &Client, deadline: Instant) -> Result<Option<f64>, Box<dyn std::error::Error>> {
    loop {
        let at = c.execute("return window.__changedAt;", vec![]).await?;
        if let Some(at) = at.as_f64() {
            return Ok(Some(at));
        }
        if Instant::now() > deadline {
            return Ok(None);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_console_tabs_share_one_event_stream() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    rest(
        &server,
        reqwest::Method::POST,
        "/v2/apps",
        json!({"id": "/tabs/web", "cmd": "sleep 1000", "cpus": 0.1, "mem": 16, "instances": 0}),
    )
    .await?;
    let before = subscribers(&server).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;

    // Every tab loads, hydrates and goes live, services list and app page in turn.
    let mut tabs = vec![c.window().await?];
    let started = Instant::now();
    for i in 0..TABS {
        if i > 0 {
            let tab = c.new_window(true).await?.handle;
            c.switch_to_window(tab.clone()).await?;
            tabs.push(tab);
        }
        browser.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": RECORD_TASK_EVENTS })).await?;
        let page = if i % 2 == 0 { &SERVICES } else { &DETAIL };
        // A tab stalled behind other tabs' connections never finishes loading.
        tokio::time::timeout(2 * WAIT, open_live(&browser, &server, page.path))
            .await
            .map_err(|_| format!("tab {} did not load within {:?}", i + 1, 2 * WAIT))??;
        browser.wait_text(page.cell, WAIT, |t| t.starts_with("0 of 0")).await?;
    }
    let streams = subscribers(&server).await? - before;
    println!(
        "{TABS} tabs loaded and live in {} ms; {streams} event-stream connection(s) on the server",
        started.elapsed().as_millis()
    );
    assert!((1.0..=2.0).contains(&streams), "{TABS} tabs hold {streams} event streams");

    // A REST change reaches every tab, live.
    for (i, tab) in tabs.iter().enumerate() {
        c.switch_to_window(tab.clone()).await?;
        let page = if i % 2 == 0 { &SERVICES } else { &DETAIL };
        watch_for(c, page.cell, if i % 2 == 0 { "of 2" } else { "of 2 running" }).await?;
    }
    let put_at = epoch_ms();
    let deadline = Instant::now() + Duration::from_millis(LIVE_WITHIN_MS as u64);
    rest(&server, reqwest::Method::PUT, "/v2/apps/tabs/web", json!({"instances": 2})).await?;
    let mut delays = Vec::new();
    for (i, tab) in tabs.iter().enumerate() {
        c.switch_to_window(tab.clone()).await?;
        let at = changed_at(c, deadline)
            .await?
            .ok_or_else(|| format!("tab {} did not show the change within {LIVE_WITHIN_MS} ms", i + 1))?;
        delays.push(at - put_at);
    }
    println!("REST PUT → shown in each tab after (ms): {delays:.0?}");
    // The tasks start: their status events reach the first and the last tab.
    for (i, tab) in [(0, &tabs[0]), (TABS - 1, &tabs[TABS - 1])] {
        c.switch_to_window(tab.clone()).await?;
        let page = if i % 2 == 0 { &SERVICES } else { &DETAIL };
        browser.wait_text(page.cell, WAIT, |t| t.starts_with("2 of 2")).await?;
        browser.screenshot(&format!("console-tabs-{}", i + 1)).await?;
    }

    // Every tab received each task event once, the same ones in the same
    // order: a staging, a starting and a running event per task.
    let mut received = Vec::new();
    for tab in &tabs {
        c.switch_to_window(tab.clone()).await?;
        let deadline = Instant::now() + WAIT;
        let events = loop {
            let events: Vec<String> =
                serde_json::from_value(c.execute("return window.__taskEvents;", vec![]).await?)?;
            if events.len() >= 6 || Instant::now() > deadline {
                break events;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        received.push(events);
    }
    println!("task events received by the first tab: {:#?}", received[0]);
    let mut distinct = received[0].clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), received[0].len(), "no event twice: {:?}", received[0]);
    for state in ["TASK_STAGING", "TASK_STARTING", "TASK_RUNNING"] {
        let n = received[0].iter().filter(|e| e.ends_with(state)).count();
        assert_eq!(n, 2, "{state} of both tasks: {:?}", received[0]);
    }
    for (i, events) in received.iter().enumerate() {
        assert_eq!(events, &received[0], "tab {} received other events than the first", i + 1);
    }

    // Tabs close: the one left keeps the stream and its updates.
    for tab in &tabs[1..] {
        c.switch_to_window(tab.clone()).await?;
        c.close_window().await?;
    }
    c.switch_to_window(tabs[0].clone()).await?;
    rest(&server, reqwest::Method::PUT, "/v2/apps/tabs/web", json!({"instances": 1})).await?;
    browser.wait_text(SERVICES.cell, WAIT, |t| t == "1 of 1").await?;
    browser.wait_attr("[data-testid=live-status]", "data-state", "open", WAIT).await?;
    let streams = subscribers(&server).await? - before;
    assert_eq!(streams, 1.0, "one tab left, one stream");
    browser.screenshot("console-tabs-last-one").await?;
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tab_without_shared_workers_streams_on_its_own() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    let before = subscribers(&server).await?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    // As in browsers that have no SharedWorker.
    browser
        .cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": "delete window.SharedWorker;" }))
        .await?;
    open_live(&browser, &server, "/services").await?;
    assert_eq!(c.execute("return typeof SharedWorker;", vec![]).await?, json!("undefined"));
    assert_eq!(subscribers(&server).await? - before, 1.0, "the tab's own stream");

    rest(
        &server,
        reqwest::Method::POST,
        "/v2/apps",
        json!({"id": "/alone/web", "cmd": "sleep 1000", "cpus": 0.1, "mem": 16, "instances": 1}),
    )
    .await?;
    let cell = "[data-testid=group-row][data-group-id='/alone']";
    browser.wait_text(cell, WAIT, |t| t.contains("alone")).await?;
    browser.screenshot("console-tabs-no-shared-worker").await?;
    browser.close().await?;
    Ok(())
}

/// dromos on a fixed port, so that the console's origin stays the same
/// across a restart (the harness picks a new port each start).
struct FixedPort {
    child: Child,
}

impl FixedPort {
    async fn start(addr: &str, data_dir: &std::path::Path) -> Result<Self, Box<dyn std::error::Error>> {
        let child = Command::new(binary()?)
            .args(["serve", "--http-addr", addr, "--data-dir"])
            .arg(data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let server = FixedPort { child };
        let deadline = Instant::now() + WAIT;
        while reqwest::get(format!("http://{addr}/ping")).await.is_err() {
            if Instant::now() > deadline {
                return Err(format!("dromos did not answer on {addr}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(server)
    }
}

impl Drop for FixedPort {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_stream_reconnects_every_tab_after_dromos_restarts() -> TestResult {
    let addr = format!("127.0.0.1:{}", TcpListener::bind("127.0.0.1:0")?.local_addr()?.port());
    let url = format!("http://{addr}");
    let data_dir = tempfile::tempdir()?;
    let server = FixedPort::start(&addr, data_dir.path()).await?;
    let response = reqwest::Client::new()
        .post(format!("{url}/v2/apps"))
        .json(&json!({"id": "/back/web", "cmd": "sleep 1000", "cpus": 0.1, "mem": 16, "instances": 0}))
        .send()
        .await?;
    assert!(response.status().is_success(), "create: {}", response.text().await?);
    let browser = Browser::start().await?;
    let c = &browser.client;
    let cell = "[data-testid=service-row][data-app-id='/back/web'] [data-testid=service-instances]";
    let mut tabs = vec![c.window().await?];
    tabs.push(c.new_window(true).await?.handle);
    for tab in &tabs {
        c.switch_to_window(tab.clone()).await?;
        c.goto(&format!("{url}/services/back")).await?;
        browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
        browser.wait_attr("[data-testid=live-status]", "data-state", "open", WAIT).await?;
    }

    // dromos goes away: every tab says so.
    drop(server);
    for tab in &tabs {
        c.switch_to_window(tab.clone()).await?;
        browser.wait_attr("[data-testid=live-status]", "data-state", "reconnecting", WAIT).await?;
    }
    browser.screenshot("console-tabs-reconnecting").await?;

    // Back, and changed at once: every tab reconnects and shows the change
    // (refetched after the reconnect, or live if it came after).
    let server = FixedPort::start(&addr, data_dir.path()).await?;
    let response = reqwest::Client::new()
        .put(format!("{url}/v2/apps/back/web"))
        .json(&json!({"instances": 1}))
        .send()
        .await?;
    assert!(response.status().is_success(), "scale: {}", response.text().await?);
    for tab in &tabs {
        c.switch_to_window(tab.clone()).await?;
        browser.wait_attr("[data-testid=live-status]", "data-state", "open", WAIT).await?;
        browser.wait_text(cell, WAIT, |t| t.ends_with("of 1")).await?;
    }
    browser.screenshot("console-tabs-reconnected").await?;
    browser.close().await?;
    drop(server);
    Ok(())
}
