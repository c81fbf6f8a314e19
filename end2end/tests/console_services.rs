//! The services pages in a real browser: apps created through the REST API
//! appear in the group tree, filters and paging work, and the app page
//! shows its configuration.

use std::time::Duration;

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

/// Opens `path` and waits until the WASM has hydrated the page.
async fn open(browser: &Browser, server: &DromosProcess, path: &str) -> TestResult {
    browser.client.goto(&format!("{}{path}", server.url)).await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_services_lists_rest_created_apps_by_group_and_filter() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    create_app(
        &server,
        json!({"id": "/e2e/web", "cmd": "sleep 1000", "cpus": 0.1, "mem": 32, "instances": 1}),
    )
    .await?;
    create_app(
        &server,
        json!({"id": "/e2e-idle", "cmd": "sleep 1000", "cpus": 0.1, "mem": 16, "instances": 0}),
    )
    .await?;
    let browser = Browser::start().await?;
    let c = &browser.client;

    open(&browser, &server, "/services").await?;
    browser.wait_text("[data-testid=group-row][data-group-id='/e2e']", WAIT, |t| t.contains("e2e")).await?;
    browser
        .wait_text("[data-testid=service-row][data-app-id='/e2e-idle']", WAIT, |t| t.contains("Suspended"))
        .await?;
    browser.screenshot("console-services-root").await?;

    // Into the group, client-side.
    c.find(Locator::Css("[data-testid=group-row][data-group-id='/e2e'] a")).await?.click().await?;
    let row = "[data-testid=service-row][data-app-id='/e2e/web']";
    browser.wait_text(row, WAIT, |t| t.contains("web")).await?;
    browser.wait_text("[data-testid=breadcrumbs]", WAIT, |t| t.contains("e2e")).await?;
    browser
        .wait_text(&format!("{row} [data-testid=service-instances]"), WAIT, |t| t.ends_with("of 1"))
        .await?;
    browser.screenshot("console-services-group").await?;

    // A text filter searches the whole tree, flat.
    open(&browser, &server, "/services").await?;
    c.find(Locator::Css("[data-testid=service-filter]")).await?.send_keys("web").await?;
    browser.wait_text(row, WAIT, |t| t.contains("web")).await?;
    assert!(c.find(Locator::Css("[data-testid=group-row]")).await.is_err(), "no folders while filtering");
    c.find(Locator::Css("[data-testid=service-filter]")).await?.send_keys("-nothing-matches").await?;
    browser.wait_text("[data-testid=services-empty]", WAIT, |t| t.contains("No services match")).await?;

    // The app page and its configuration.
    open(&browser, &server, "/services/app/e2e/web").await?;
    browser.wait_text("[data-testid=page-title]", WAIT, |t| t == "/e2e/web").await?;
    c.find(Locator::Css("[data-testid=tab-configuration]")).await?.click().await?;
    browser.wait_text("[data-testid=config-json]", WAIT, |t| t.contains("sleep 1000")).await?;
    browser.screenshot("console-app-configuration").await?;
    c.find(Locator::Css("[data-testid=tab-instances]")).await?.click().await?;
    browser.wait_text("[data-testid=instances-table]", WAIT, |t| t.contains("running")).await?;
    browser.screenshot("console-app-instances").await?;
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_services_pages_and_scales_from_the_table() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    for i in 0..55 {
        create_app(&server, json!({"id": format!("/many/app-{i:03}"), "cmd": "sleep 1000", "instances": 0}))
            .await?;
    }
    let browser = Browser::start().await?;
    let c = &browser.client;

    open(&browser, &server, "/services/many").await?;
    browser
        .wait_text("[data-testid=page-info]", WAIT, |t| {
            t.starts_with("55 services") && t.ends_with("page 1 of 2")
        })
        .await?;
    c.find(Locator::Css("[data-testid=page-next]")).await?.click().await?;
    browser.wait_text("[data-testid=page-info]", WAIT, |t| t.ends_with("page 2 of 2")).await?;
    browser.wait_text("[data-testid=service-row][data-app-id='/many/app-054']", WAIT, |_| true).await?;

    // Resume one app to 2 instances from its row.
    let row = "[data-testid=service-row][data-app-id='/many/app-054']";
    c.find(Locator::Css(&format!("{row} [data-testid=action-resume]"))).await?.click().await?;
    // The dialog's code loads on the first action.
    browser.wait_text("[data-testid=command-dialog]", WAIT, |t| t.contains("/many/app-054")).await?;
    let count = c.find(Locator::Css("[data-testid=command-count]")).await?;
    count.clear().await?;
    count.send_keys("2").await?;
    browser.screenshot("console-scale-dialog").await?;
    c.find(Locator::Css("[data-testid=command-confirm]")).await?.click().await?;
    browser
        .wait_text(&format!("{row} [data-testid=service-instances]"), WAIT, |t| t.ends_with("of 2"))
        .await?;
    browser.close().await?;
    Ok(())
}

/// How many times the page has fetched the services list so far.
async fn list_fetches(browser: &Browser) -> Result<u64, Box<dyn std::error::Error>> {
    let script = "return performance.getEntriesByType('resource')\
                  .filter(e => e.name.includes('/api/apps/list')).length;";
    Ok(browser.client.execute(script, vec![]).await?.as_u64().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_services_rows_and_focus_survive_a_refetch() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    for name in ["a", "b"] {
        create_app(&server, json!({"id": format!("/keep/{name}"), "cmd": "sleep 1000", "instances": 0}))
            .await?;
    }
    let browser = Browser::start().await?;
    let c = &browser.client;
    open(&browser, &server, "/services/keep").await?;
    browser.wait_attr("[data-testid=live-status]", "data-state", "open", WAIT).await?;
    let row = "[data-testid=service-row][data-app-id='/keep/a']";
    browser.wait_text(row, WAIT, |t| t.contains("Suspended")).await?;

    // Mark row a's element and focus its Scale button, as a keyboard user would.
    let focused = c
        .execute(
            "const row = document.querySelector(arguments[0]); row.__dromosKept = true; \
             row.querySelector('[data-testid=action-scale]').focus(); \
             return document.activeElement.getAttribute('data-testid');",
            vec![json!(row)],
        )
        .await?;
    assert_eq!(focused.as_str(), Some("action-scale"));
    let fetches = list_fetches(&browser).await?;

    // Other apps change through the REST API: b is scaled up, c appears.
    let response = reqwest::Client::new()
        .put(format!("{}/v2/apps/keep/b", server.url))
        .json(&json!({"instances": 1}))
        .send()
        .await?;
    assert!(response.status().is_success(), "scale: {}", response.text().await?);
    create_app(&server, json!({"id": "/keep/c", "cmd": "sleep 1000", "instances": 0})).await?;
    let b_instances = "[data-testid=service-row][data-app-id='/keep/b'] [data-testid=service-instances]";
    browser.wait_text(b_instances, WAIT, |t| t.ends_with("of 1")).await?;
    browser.wait_text("[data-testid=service-row][data-app-id='/keep/c']", WAIT, |t| t.contains("c")).await?;
    assert!(list_fetches(&browser).await? > fetches, "the changes came with a refetch of the list");

    // Row a is the same element, and its button still has the focus.
    let kept = c
        .execute(
            "const row = document.querySelector(arguments[0]); \
             return [row.__dromosKept === true, \
                     document.activeElement === row.querySelector('[data-testid=action-scale]'), \
                     [...document.querySelectorAll('[data-testid=service-row]')].map(r => r.dataset.appId)];",
            vec![json!(row)],
        )
        .await?;
    assert_eq!(kept, json!([true, true, ["/keep/a", "/keep/b", "/keep/c"]]), "after the refetch");
    browser.screenshot("console-services-kept-rows").await?;
    browser.close().await?;
    Ok(())
}
