//! The app page's Logs tab in a real browser: the output of a running
//! instance, followed live, on both streams; scrolling up pauses the
//! auto-scroll until the user jumps back to the end.

use std::time::Duration;

use end2end::browser::Browser;
use end2end::dromos::{binary, DromosProcess};
use fantoccini::Locator;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(30);

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_logs_follow_an_instances_output_live() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    let cmd =
        "i=0; while true; do echo \"out line $i\"; echo \"err line $i\" >&2; i=$((i+1)); sleep 0.1; done";
    let response = reqwest::Client::new()
        .post(format!("{}/v2/apps", server.url))
        .json(&json!({"id": "/chatty", "cmd": cmd, "cpus": 0.1, "mem": 16}))
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 201, "{}", response.text().await?);

    let browser = Browser::start().await?;
    let c = &browser.client;
    c.goto(&format!("{}/services/app/chatty", server.url)).await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    browser.wait_text("[data-testid=detail-instances]", WAIT, |t| t == "1 of 1 running").await?;
    c.find(Locator::Css("[data-testid=tab-logs]")).await?.click().await?;
    browser.wait_attr("[data-testid=log-status]", "data-state", "following", WAIT).await?;
    // Output written after the tab opened arrives without a reload.
    let first = browser.wait_text("[data-testid=log-pane]", WAIT, |t| t.contains("out line 2")).await?;
    let last_seen = first
        .lines()
        .filter_map(|l| l.strip_prefix("out line "))
        .filter_map(|n| n.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    let later = format!("out line {}", last_seen + 10);
    browser.wait_text("[data-testid=log-pane]", WAIT, |t| t.contains(&later)).await?;
    assert!(!first.contains("err line"), "stdout only");
    browser.screenshot("console-logs-stdout").await?;

    c.find(Locator::Css("[data-testid=log-stream-stderr]")).await?.click().await?;
    browser
        .wait_text("[data-testid=log-pane]", WAIT, |t| t.contains("err line") && !t.contains("out line"))
        .await?;

    // Scrolling up pauses following; the button brings it back. A pane
    // can only scroll up once its output is taller than the pane (right
    // after the switch it may hold a few lines only).
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let overflow = c
            .execute("const p = document.querySelector('[data-testid=log-pane]'); return p.scrollHeight - p.clientHeight;", vec![])
            .await?;
        if overflow.as_f64().is_some_and(|o| o > 100.0) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the stderr pane never outgrew its height: {overflow}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.execute("document.querySelector('[data-testid=log-pane]').scrollTop = 0; document.querySelector('[data-testid=log-pane]').dispatchEvent(new Event('scroll'));", vec![]).await?;
    browser.wait_text("[data-testid=log-follow]", WAIT, |t| t.contains("jump")).await?;
    let top = c.execute("return document.querySelector('[data-testid=log-pane]').scrollTop;", vec![]).await?;
    assert_eq!(top.as_f64(), Some(0.0), "new output does not move a paused pane");
    browser.screenshot("console-logs-paused").await?;
    c.find(Locator::Css("[data-testid=log-follow]")).await?.click().await?;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let gap = c
            .execute("const p = document.querySelector('[data-testid=log-pane]'); return p.scrollHeight - p.scrollTop - p.clientHeight;", vec![])
            .await?;
        if gap.as_f64().is_some_and(|g| g < 8.0)
            && c.find(Locator::Css("[data-testid=log-follow]")).await.is_err()
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the pane did not return to the end");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser.close().await?;
    Ok(())
}
