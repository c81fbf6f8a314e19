//! The dashboard's time series and the app page's Configuration tab in a
//! real browser: allocation charts fed by the server's sampler, the task
//! failure rate of a crashing app, a diff between two versions and
//! applying an old version through a running deployment (409 → force).

use std::time::Duration;

use end2end::browser::Browser;
use end2end::dromos::{binary, DromosProcess};
use fantoccini::Locator;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(30);

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn send(request: reqwest::RequestBuilder, want: u16) -> Result<Value, Box<dyn std::error::Error>> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let body = response.text().await?;
    assert_eq!(status, want, "{body}");
    Ok(serde_json::from_str(&body).unwrap_or(Value::Null))
}

async fn open_live(browser: &Browser, server: &DromosProcess, path: &str) -> TestResult {
    browser.client.goto(&format!("{}{path}", server.url)).await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    browser.wait_attr("[data-testid=live-status]", "data-state", "open", WAIT).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_dashboard_charts_allocation_and_the_failure_rate() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    let http = reqwest::Client::new();
    let browser = Browser::start().await?;

    open_live(&browser, &server, "/").await?;
    for gauge in ["alloc-cpu", "alloc-mem", "alloc-disk"] {
        browser.wait_text(&format!("[data-testid={gauge}-text]"), WAIT, |t| t.contains(" of ")).await?;
        browser.wait_text(&format!("[data-testid={gauge}-pct]"), WAIT, |t| t.ends_with('%')).await?;
    }
    let samples = browser
        .client
        .find(Locator::Css("[data-testid=alloc-cpu] [data-testid=alloc-chart]"))
        .await?
        .attr("data-samples")
        .await?;
    assert!(samples.and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| n >= 1), "the sampler ran at start");

    // Nothing happens on the cluster, no event arrives: the time axis still
    // moves with the browser's clock, a sample every few seconds.
    let chart = "[data-testid=alloc-cpu] [data-testid=alloc-chart]";
    let axis =
        browser.wait_text(&format!("{chart} [data-testid=chart-axis]"), WAIT, |t| t.ends_with("now")).await?;
    assert!(axis.starts_with("−15m"), "{axis}");
    let (end, samples) =
        (number(&browser, chart, "data-end").await?, number(&browser, chart, "data-samples").await?);
    let deadline = tokio::time::Instant::now() + WAIT;
    while number(&browser, chart, "data-samples").await? <= samples
        || number(&browser, chart, "data-end").await? < end + 5_000
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the chart stood still at {end} with {samples} samples"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    browser.wait_text("[data-testid=failure-rate-value]", WAIT, |t| t == "—").await?;

    // One steady app and one that fails at once: both start, one fails, again and again.
    send(
        http.post(format!("{}/v2/apps", server.url))
            .json(&json!({"id": "/steady", "cmd": "sleep 1000", "cpus": 0.5, "mem": 64})),
        201,
    )
    .await?;
    send(
        http.post(format!("{}/v2/apps", server.url))
            .json(&json!({"id": "/crashing", "cmd": "exit 3", "cpus": 0.1, "mem": 16})),
        201,
    )
    .await?;
    browser.wait_text("[data-testid=failure-rate-value]", WAIT, |t| t.ends_with('%') && t != "0%").await?;
    browser.wait_text("[data-testid=failure-counts]", WAIT, |t| !t.starts_with("0 failed")).await?;
    browser.wait_text("[data-testid=alloc-cpu-text]", WAIT, |t| !t.starts_with("0 cores")).await?;
    browser.screenshot("console-dashboard-history").await?;
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_configuration_diffs_versions_and_applies_an_old_one_with_force() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    let http = reqwest::Client::new();
    // Too big for the cluster: its deployment keeps running, so writes get 409.
    let app = json!({"id": "/cfg", "cmd": "sleep 1000", "cpus": 1000, "mem": 32, "instances": 1});
    send(http.post(format!("{}/v2/apps", server.url)).json(&app), 201).await?;
    let mut second = app.clone();
    second["mem"] = json!(48);
    second["env"] = json!({"MODE": "blue"});
    send(http.put(format!("{}/v2/apps/cfg?force=true", server.url)).json(&second), 200).await?;

    let browser = Browser::start().await?;
    let c = &browser.client;
    open_live(&browser, &server, "/services/app/cfg").await?;
    c.find(Locator::Css("[data-testid=tab-configuration]")).await?.click().await?;
    browser.wait_text("[data-testid=config-json]", WAIT, |t| t.contains("\"mem\": 48")).await?;
    let versions = c.find_all(Locator::Css("[data-testid=version]")).await?;
    assert_eq!(versions.len(), 2, "two stored versions");

    // The older version, compared with the current one.
    versions[1].click().await?;
    browser.wait_text("[data-testid=config-json]", WAIT, |t| t.contains("\"mem\": 32")).await?;
    let current = versions[0].text().await?.trim_end_matches(" (current)").to_string();
    c.find(Locator::Css(&format!("[data-testid=compare-with] option[value='{current}']")))
        .await?
        .click()
        .await?;
    browser.wait_text("[data-testid=diff-summary]", WAIT, |t| t.contains("removed")).await?;
    let removed: Vec<String> = texts(c, "[data-testid=diff-removed]").await?;
    let added: Vec<String> = texts(c, "[data-testid=diff-added]").await?;
    assert!(removed.iter().any(|l| l.contains("\"mem\": 48")), "{removed:?}");
    assert!(removed.iter().any(|l| l.contains("MODE")), "{removed:?}");
    assert!(added.iter().any(|l| l.contains("\"mem\": 32")), "{added:?}");
    // Unchanged lines beyond 3 of context fold into rows that unfold in place.
    let folds = texts(c, "[data-testid=diff-fold]").await?;
    assert!(!folds.is_empty(), "the long unchanged runs are folded");
    let hidden: usize = folds[0]
        .strip_prefix("⋯ ")
        .and_then(|t| t.strip_suffix(" unchanged lines"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("fold row reads {:?}", folds[0]));
    assert!(hidden >= 2, "{folds:?}");
    let same = texts(c, "[data-testid=diff-same]").await?;
    browser.screenshot("console-config-diff").await?;
    c.find(Locator::Css("[data-testid=diff-fold]")).await?.click().await?;
    let deadline = tokio::time::Instant::now() + WAIT;
    while c.find_all(Locator::Css("[data-testid=diff-same]")).await?.len() != same.len() + hidden {
        assert!(tokio::time::Instant::now() < deadline, "the fold did not open into {hidden} lines");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(texts(c, "[data-testid=diff-fold]").await?, folds[1..], "only the clicked fold opened");
    let unfolded = texts(c, "[data-testid=diff-same]").await?;
    assert!(
        unfolded.iter().all(|l| l.starts_with("  ")) && unfolded.len() == same.len() + hidden,
        "{unfolded:?}"
    );
    browser.screenshot("console-config-diff-unfolded").await?;

    // Apply it: the running deployment refuses (409), "apply anyway" forces.
    c.find(Locator::Css("[data-testid=apply-version]")).await?.click().await?;
    browser.wait_text("[data-testid=apply-conflict]", WAIT, |t| t.contains("deployment")).await?;
    browser.screenshot("console-config-conflict").await?;
    c.find(Locator::Css("[data-testid=apply-force]")).await?.click().await?;
    browser.wait_text("[data-testid=apply-done]", WAIT, |t| t.starts_with("Applied")).await?;
    browser
        .wait_text("[data-testid=config-json]", WAIT, |t| t.contains("\"mem\": 32") && !t.contains("MODE"))
        .await?;
    let stored = send(http.get(format!("{}/v2/apps/cfg", server.url)), 200).await?;
    assert_eq!(stored["app"]["mem"].as_f64(), Some(32.0), "{stored}");
    assert_eq!(c.find_all(Locator::Css("[data-testid=version]")).await?.len(), 3);
    browser.close().await?;
    Ok(())
}

/// The numeric attribute `name` of `css`.
async fn number(browser: &Browser, css: &str, name: &str) -> Result<i64, Box<dyn std::error::Error>> {
    let value = browser.client.find(Locator::Css(css)).await?.attr(name).await?;
    Ok(value.and_then(|v| v.parse().ok()).unwrap_or_default())
}

async fn texts(c: &fantoccini::Client, css: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for element in c.find_all(Locator::Css(css)).await? {
        out.push(element.text().await?);
    }
    Ok(out)
}
