//! The app editor in a real browser: validation as you type (the server's
//! rules compiled to WASM), the JSON mode in sync with the form, and a
//! deploy from the form that lands on the app's page.

use std::time::Duration;

use end2end::browser::Browser;
use end2end::dromos::{binary, DromosProcess};
use fantoccini::Locator;

const WAIT: Duration = Duration::from_secs(20);

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Replaces the text of the input `test_id` with `text`, keystroke by keystroke.
async fn type_into(browser: &Browser, test_id: &str, text: &str) -> TestResult {
    let input = browser.client.find(Locator::Css(&format!("[data-testid={test_id}]"))).await?;
    input.clear().await?;
    input.send_keys(text).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_editor_validates_as_you_type_and_deploys_from_the_form() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    let browser = Browser::start().await?;
    let c = &browser.client;

    c.goto(&format!("{}/services/new", server.url)).await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    browser.wait_text("[data-testid=page-title]", WAIT, |t| t == "Deploy a service").await?;

    // Invalid CPUs: the error appears next to the field, in words.
    let cpus_error = "[data-field='/cpus'] [data-testid=field-error]";
    type_into(&browser, "field-cpus", "abc").await?;
    browser.wait_text(cpus_error, WAIT, |t| t.contains("must be a number")).await?;
    type_into(&browser, "field-cpus", "-1").await?;
    browser.wait_text(cpus_error, WAIT, |t| !t.is_empty() && !t.contains("must be a number")).await?;
    assert_eq!(
        c.find(Locator::Css("[data-testid=field-cpus]")).await?.attr("aria-invalid").await?.as_deref(),
        Some("true")
    );
    browser.screenshot("console-editor-invalid-cpus").await?;

    // Fix it and fill in the rest; the error goes away.
    type_into(&browser, "field-cpus", "0.1").await?;
    type_into(&browser, "field-id", "e2e-form").await?;
    type_into(&browser, "field-cmd", "sleep 1000").await?;
    type_into(&browser, "field-mem", "32").await?;
    let deadline = tokio::time::Instant::now() + WAIT;
    while c.find(Locator::Css(cpus_error)).await.is_ok() {
        assert!(tokio::time::Instant::now() < deadline, "cpus error did not clear");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser.wait_text("[data-testid=validation-state]", WAIT, |t| t == "Valid").await?;

    // Row builders: an environment variable and a constraint.
    c.find(Locator::Css("[data-testid=add-env]")).await?.click().await?;
    c.find(Locator::Css("[data-testid=env-key]")).await?.send_keys("GREETING").await?;
    c.find(Locator::Css("[data-testid=env-value]")).await?.send_keys("hello").await?;
    c.find(Locator::Css("[data-testid=add-constraint]")).await?.click().await?;
    c.find(Locator::Css("[data-testid=constraint-row]")).await?;
    c.execute("document.querySelector('[data-testid=section-env]').scrollIntoView()", vec![]).await?;
    browser.screenshot("console-editor-rows").await?;
    c.execute("window.scrollTo(0, 0)", vec![]).await?;

    // JSON mode shows the same document, and edits there reach the form.
    c.find(Locator::Css("[data-testid=json-mode]")).await?.click().await?;
    let json = c.find(Locator::Css("[data-testid=json-editor]")).await?;
    let text = json.prop("value").await?.unwrap_or_default();
    for want in ["\"id\": \"e2e-form\"", "\"mem\": 32", "\"GREETING\": \"hello\"", "\"UNIQUE\""] {
        assert!(text.contains(want), "JSON mode lacks {want}: {text}");
    }
    json.clear().await?;
    json.send_keys(r#"{"id": "e2e-form", "cmd": "sleep 1000", "cpus": 0.1, "mem": 48, "instances": 1}"#)
        .await?;
    // The form is rebuilt while the JSON is typed: find the field afresh each time.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let value = match c.find(Locator::Css("[data-testid=field-mem]")).await {
            Ok(mem) => mem.prop("value").await.ok().flatten(),
            Err(_) => None,
        };
        if value.as_deref() == Some("48") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the form did not follow the JSON");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser.screenshot("console-editor-json-mode").await?;

    // Deploy: the app's page opens, and the app is listed.
    c.find(Locator::Css("[data-testid=deploy]")).await?.click().await?;
    browser.wait_text("[data-testid=page-title]", WAIT, |t| t == "/e2e-form").await?;
    browser.screenshot("console-editor-deployed").await?;
    c.find(Locator::Css("[data-testid=nav-services]")).await?.click().await?;
    browser
        .wait_text("[data-testid=service-row][data-app-id='/e2e-form']", WAIT, |t| t.contains("e2e-form"))
        .await?;
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_editor_shows_server_refusals_next_to_the_form() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    let created = reqwest::Client::new()
        .post(format!("{}/v2/apps", server.url))
        .json(&serde_json::json!({"id": "/taken", "cmd": "sleep 1000", "instances": 0}))
        .send()
        .await?;
    assert_eq!(created.status().as_u16(), 201);
    let browser = Browser::start().await?;
    let c = &browser.client;

    c.goto(&format!("{}/services/new", server.url)).await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    type_into(&browser, "field-id", "taken").await?;
    type_into(&browser, "field-cmd", "sleep 1").await?;
    c.find(Locator::Css("[data-testid=deploy]")).await?.click().await?;
    browser.wait_text("[data-testid=action-error]", WAIT, |t| t.contains("already exists")).await?;
    browser.screenshot("console-editor-conflict").await?;

    // Editing an existing app starts from its definition.
    c.goto(&format!("{}/services/edit/taken", server.url)).await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let cmd = c.find(Locator::Css("[data-testid=field-cmd]")).await?.prop("value").await?;
        if cmd.as_deref() == Some("sleep 1000") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "editor did not load the app: {cmd:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser.close().await?;
    Ok(())
}
