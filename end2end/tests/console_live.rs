//! Live updates in a real browser: changes made through the REST API show
//! on open pages without reloading (the console follows `/v2/events`),
//! bursts are debounced, task events change the services rows in place,
//! and the label filter narrows the services list.

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

/// `GET /v2/apps/{id}`: (`tasksRunning`, `instances`) and the task ids.
async fn app_state(
    server: &DromosProcess,
    id: &str,
) -> Result<(u64, u64, Vec<String>), Box<dyn std::error::Error>> {
    let app: Value =
        reqwest::get(format!("{}/v2/apps{id}?embed=app.tasks", server.url)).await?.json().await?;
    let app = &app["app"];
    let tasks = app["tasks"]
        .as_array()
        .map(|t| t.iter().filter_map(|t| t["id"].as_str().map(str::to_owned)).collect());
    let number = |key: &str| app[key].as_u64().unwrap_or_default();
    Ok((number("tasksRunning"), number("instances"), tasks.unwrap_or_default()))
}

fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_services_row_follows_a_killed_task_in_place() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    let browser = Browser::start().await?;
    let c = &browser.client;
    create_app(
        &server,
        json!({"id": "/rows/web", "cmd": "sleep 1000", "cpus": 0.1, "mem": 16, "instances": 2}),
    )
    .await?;
    open_live(&browser, &server, "/services/rows").await?;
    let cell = "[data-testid=service-row][data-app-id='/rows/web'] [data-testid=service-instances]";
    browser.wait_text(cell, WAIT, |t| t == "2 of 2").await?;
    // Quiet first: the reconciling refetch after the start-up events is over.
    tokio::time::sleep(Duration::from_secs(3)).await;

    // The first moment the cell shows something else, and how many
    // services-list answers the page had then.
    c.execute(
        r#"const cell = arguments[0];
           window.__rowChange = null;
           new MutationObserver(() => {
             const text = document.querySelector(cell)?.textContent;
             if (window.__rowChange === null && text && text !== '2 of 2') {
               const fetched = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/apps/list')).length;
               window.__rowChange = [Date.now(), text, fetched];
             }
           }).observe(document.querySelector('main'), { subtree: true, childList: true, characterData: true });"#,
        vec![json!(cell)],
    )
    .await?;
    let fetched_before = list_fetches(&browser).await?;
    let (_, _, tasks) = app_state(&server, "/rows/web").await?;
    let victim = tasks.first().ok_or("the app has no task")?;
    let killed_at = epoch_ms();
    let response = reqwest::Client::new()
        .delete(format!("{}/v2/apps/rows/web/tasks/{victim}", server.url))
        .send()
        .await?;
    assert!(response.status().is_success(), "kill: {}", response.text().await?);

    let deadline = Instant::now() + Duration::from_secs(5);
    let change = loop {
        let change = c.execute("return window.__rowChange;", vec![]).await?;
        if !change.is_null() || Instant::now() > deadline {
            break change;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let at = change[0].as_f64().ok_or("the row did not change within 5 s of the kill")?;
    println!("task killed → row shows {} after {:.0} ms", change[1], at - killed_at);
    assert!(at - killed_at < 1000.0, "the row changed {:.0} ms after the kill", at - killed_at);
    assert_eq!(change[2].as_u64(), Some(fetched_before), "changed in place, before any refetch answered");

    // Once the replacement runs, the row says what /v2/apps says, also
    // after the reconciling refetch.
    let deadline = Instant::now() + WAIT;
    while app_state(&server, "/rows/web").await?.0 != 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for _ in 0..2 {
        let (running, instances, _) = app_state(&server, "/rows/web").await?;
        let want = format!("{running} of {instances}");
        browser.wait_text(cell, Duration::from_secs(3), |t| t == want).await?;
        tokio::time::sleep(Duration::from_millis(2500)).await;
    }
    browser.screenshot("console-row-in-place").await?;
    browser.close().await?;
    Ok(())
}
