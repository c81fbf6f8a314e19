//! The app page's Debug tab in a real browser: an app whose command exits 3
//! shows its last task failure (state, message, host, how long ago,
//! version, task id) as the REST API reports it; a healthy app says none
//! failed; and a failure that happens while the tab is open appears
//! without a reload.

use std::time::Duration;

use end2end::browser::Browser;
use end2end::dromos::{binary, DromosProcess};
use fantoccini::Locator;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(30);

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn create_app(server: &DromosProcess, app: Value) -> TestResult {
    let response = reqwest::Client::new().post(format!("{}/v2/apps", server.url)).json(&app).send().await?;
    let status = response.status();
    assert_eq!(status.as_u16(), 201, "POST /v2/apps {app}: {}", response.text().await?);
    Ok(())
}

/// The app's `lastTaskFailure` from `GET /v2/apps/{id}`, once it has one.
async fn rest_failure(server: &DromosProcess, id: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let app: Value = reqwest::get(format!("{}/v2/apps{id}", server.url)).await?.json().await?;
        if app["app"]["lastTaskFailure"].is_object() {
            return Ok(app["app"]["lastTaskFailure"].clone());
        }
        assert!(tokio::time::Instant::now() < deadline, "no lastTaskFailure for {id}: {app}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens the Debug tab of `id` (hydrated).
async fn open_debug(browser: &Browser, server: &DromosProcess, id: &str) -> TestResult {
    browser.client.goto(&format!("{}/services/app{id}", server.url)).await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    browser.client.find(Locator::Css("[data-testid=tab-debug]")).await?.click().await?;
    browser.wait_text("[data-testid=debug]", WAIT, |t| t.contains("Last task failure")).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_debug_tab_shows_the_last_task_failure() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    let common = json!({"cpus": 0.05, "mem": 16, "backoffSeconds": 60, "maxLaunchDelaySeconds": 120});
    let with = |id: &str, cmd: &str| {
        let mut app = common.clone();
        app["id"] = json!(id);
        app["cmd"] = json!(cmd);
        app
    };
    create_app(&server, with("/crashy", "sh -c 'exit 3'")).await?;
    create_app(&server, with("/calm", "sleep 600")).await?;
    let failure = rest_failure(&server, "/crashy").await?;

    let browser = Browser::start().await?;
    open_debug(&browser, &server, "/crashy").await?;
    let text = |key: &str| format!("[data-testid=last-failure] [data-testid=failure-{key}]");
    browser.wait_text(&text("state"), WAIT, |t| t.starts_with("TASK_FAILED") && t.contains("exited")).await?;
    browser.wait_text(&text("message"), WAIT, |t| t == "Command exited with status 3").await?;
    browser.wait_text(&text("host"), WAIT, |t| Some(t) == failure["host"].as_str()).await?;
    browser.wait_text(&text("version"), WAIT, |t| Some(t) == failure["version"].as_str()).await?;
    browser.wait_text(&text("task"), WAIT, |t| Some(t) == failure["taskId"].as_str()).await?;
    let when = browser.wait_text(&text("when"), WAIT, |t| t == "just now" || t.ends_with(" ago")).await?;
    let title =
        browser.client.find(Locator::Css("[data-testid=failure-when] time")).await?.attr("datetime").await?;
    assert_eq!(title.as_deref(), failure["timestamp"].as_str(), "the exact time behind {when:?}");
    browser.screenshot("console-debug-failure").await?;

    open_debug(&browser, &server, "/calm").await?;
    browser.wait_text("[data-testid=no-failure]", WAIT, |t| t.contains("No task has failed")).await?;

    // Open before it fails (it fails once the test drops a marker): the
    // failure arrives with the event stream.
    let markers = tempfile::tempdir()?;
    let marker = markers.path().join("fail-now");
    let wait_then_fail = format!("while [ ! -e {m} ]; do sleep 0.1; done; exit 3", m = marker.display());
    create_app(&server, with("/later", &wait_then_fail)).await?;
    open_debug(&browser, &server, "/later").await?;
    browser.wait_text("[data-testid=no-failure]", WAIT, |t| t.contains("No task has failed")).await?;
    std::fs::write(&marker, b"")?;
    browser.wait_text(&text("message"), WAIT, |t| t == "Command exited with status 3").await?;
    browser.close().await?;
    Ok(())
}
