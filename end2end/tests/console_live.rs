//! Live updates in a real browser: changes made through the REST API show
//! on open pages without reloading (the console follows `/v2/events`),
//! bursts are debounced, and the label filter narrows the services list.

use std::time::{Duration, Instant};

use end2end::browser::Browser;
use end2end::dromos::{binary, DromosProcess};
use fantoccini::Locator;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(20);

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// `POST /v2/apps`, expecting 201.
async fn create_app(server: &DromosProcess, app: Value) -> TestResult {
    let response = reqwest::Client::new().post(format!("{}/v2/apps", server.url)).json(&app).send().await?;
    let status = response.status();
    let body = response.text().await?;
    assert_eq!(status.as_u16(), 201, "POST /v2/apps {app}: {body}");
    Ok(())
}

/// Opens `path`, waits for hydration and for the event stream to be open.
async fn open_live(browser: &Browser, server: &DromosProcess, path: &str) -> TestResult {
    browser.client.goto(&format!("{}{path}", server.url)).await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    browser.wait_attr("[data-testid=live-status]", "data-state", "open", WAIT).await?;
    Ok(())
}

/// How many times the page has fetched the services list so far.
async fn list_fetches(browser: &Browser) -> Result<u64, Box<dyn std::error::Error>> {
    let count = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/apps/list')).length;",
            vec![],
        )
        .await?;
    Ok(count.as_u64().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_live_shows_rest_changes_without_reload() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    let browser = Browser::start().await?;
    let c = &browser.client;

    open_live(&browser, &server, "/services").await?;
    browser.wait_text("[data-testid=services-empty]", WAIT, |t| t.contains("No services yet")).await?;
    let before = list_fetches(&browser).await?;

    // One app through the REST API: its row appears on the open page.
    let row = "[data-testid=service-row][data-app-id='/live-web']";
    let started = Instant::now();
    create_app(&server, json!({"id": "/live-web", "cmd": "sleep 1000", "cpus": 0.1, "mem": 16, "instances": 1, "labels": {"tier": "web"}}))
        .await?;
    browser.wait_text(row, WAIT, |t| t.contains("live-web")).await?;
    let delay = started.elapsed();
    println!("REST POST → row on the open services page: {} ms", delay.as_millis());
    assert!(list_fetches(&browser).await? > before, "the row came from a refetch");
    // Its task starts: the status updates reach the row as well.
    browser.wait_text(&format!("{row} [data-testid=service-instances]"), WAIT, |t| t == "1 of 1").await?;
    browser.screenshot("console-live-services").await?;

    // A burst of changes: far fewer refetches than events.
    let before_burst = list_fetches(&browser).await?;
    let burst = Instant::now();
    for i in 0..20 {
        create_app(&server, json!({"id": format!("/burst/app-{i:02}"), "cmd": "sleep 1000", "instances": 0, "labels": {"tier": "db"}}))
            .await?;
    }
    browser
        .wait_text("[data-testid=group-row][data-group-id='/burst']", WAIT, |t| t.contains("burst"))
        .await?;
    browser
        .wait_text("[data-testid=group-row][data-group-id='/burst'] [data-testid=group-apps]", WAIT, |t| {
            t.starts_with("20")
        })
        .await?;
    let refetches = list_fetches(&browser).await? - before_burst;
    println!("20 apps created in {} ms: {refetches} refetches of the list", burst.elapsed().as_millis());
    assert!(refetches < 20, "events are debounced: {refetches} refetches for 20 creations");

    // Label filter: typed, then through the selector.
    let filter = c.find(Locator::Css("[data-testid=service-filter]")).await?;
    filter.send_keys("label:tier=web").await?;
    browser.wait_text("[data-testid=page-info]", WAIT, |t| t.starts_with("1 service ")).await?;
    browser.wait_text(row, WAIT, |t| t.contains("live-web")).await?;
    browser.screenshot("console-label-filter").await?;
    // Emptied as a user does (WebDriver's clear() sends no input event).
    c.execute(
        "const f = document.querySelector('[data-testid=service-filter]'); f.value = ''; \
         f.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![],
    )
    .await?;
    browser.wait_text("[data-testid=group-row][data-group-id='/burst']", WAIT, |_| true).await?;
    c.find(Locator::Css("[data-testid=label-filter] option[value='tier=db']")).await?.click().await?;
    browser.wait_text("[data-testid=page-info]", WAIT, |t| t.starts_with("20 services")).await?;
    let typed = c.find(Locator::Css("[data-testid=service-filter]")).await?.prop("value").await?;
    assert_eq!(typed.as_deref(), Some("label:tier=db"));

    // Deleted through the REST API: the row goes away on the app's page too.
    open_live(&browser, &server, "/services/app/live-web").await?;
    browser.wait_text("[data-testid=detail-instances]", WAIT, |t| t == "1 of 1 running").await?;
    let response = reqwest::Client::new()
        .put(format!("{}/v2/apps/live-web", server.url))
        .json(&json!({"instances": 2}))
        .send()
        .await?;
    assert!(response.status().is_success(), "scale: {}", response.text().await?);
    browser.wait_text("[data-testid=detail-instances]", WAIT, |t| t.ends_with("of 2 running")).await?;
    browser.close().await?;
    Ok(())
}
