//! The console in a real headless Chromium: it renders on the server,
//! hydrates, navigates client-side, and round-trips server functions.

use std::time::Duration;

use end2end::browser::Browser;
use end2end::dromos::{binary, DromosProcess};
use fantoccini::Locator;

const WAIT: Duration = Duration::from_secs(20);

fn severe(entries: &[(String, String)]) -> Vec<String> {
    entries.iter().filter(|(level, _)| level == "SEVERE").map(|(_, m)| m.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_hydrates_navigates_and_refreshes_system_info() -> Result<(), Box<dyn std::error::Error>> {
    let server = DromosProcess::start(&binary()?, &[])?;
    let browser = Browser::start().await?;
    let c = &browser.client;

    c.goto(&server.url).await?;
    // Only the WASM sets this: proof that hydration ran.
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    assert_eq!(c.find(Locator::Css("[data-testid=page-title]")).await?.text().await?, "Dashboard");
    let version = c.find(Locator::Css("[data-testid=info-version]")).await?.text().await?;
    assert!(version.starts_with("dromos "), "version line: {version}");
    let before: u64 = c
        .find(Locator::Css("[data-testid=info-uptime]"))
        .await?
        .attr("data-uptime-ms")
        .await?
        .unwrap_or_default()
        .parse()?;
    browser.screenshot("dashboard").await?;

    // The cold load compiled what the head fetched: the main module and the
    // page's bundle once each, no chunk on its own, nothing fetched twice.
    let fetched = c
        .execute(
            "return performance.getEntriesByType('resource')
               .map(e => new URL(e.name).pathname).filter(p => p.startsWith('/pkg/'))
               .filter(p => p.endsWith('.wasm') || p.endsWith('.bundle'));",
            vec![],
        )
        .await?;
    let fetched: Vec<&str> =
        fetched.as_array().map(|a| a.iter().filter_map(|v| v.as_str()).collect()).unwrap_or_default();
    assert_eq!(fetched.iter().filter(|p| **p == "/pkg/dromos.wasm").count(), 1, "main module: {fetched:?}");
    assert_eq!(fetched.len(), 2, "the dashboard's chunks come in its bundle only: {fetched:?}");
    assert!(fetched.contains(&"/pkg/pages/dashboard.bundle"), "{fetched:?}");
    let compiled = c
        .execute(
            "const bundle = globalThis.__dromosBundle;
             return Promise.all([globalThis.__dromosMain, bundle && bundle.parts])
               .then(([main, parts]) => [main instanceof WebAssembly.Module, parts ? parts.size : 0]);",
            vec![],
        )
        .await?;
    assert_eq!(compiled[0], true, "the head compiled the main module: {compiled}");
    assert!(compiled[1].as_u64().unwrap_or(0) > 10, "the head compiled the bundle's chunks: {compiled}");

    // The button only works with WASM: a server-function round trip.
    tokio::time::sleep(Duration::from_millis(300)).await;
    c.find(Locator::Css("[data-testid=refresh-info]")).await?.click().await?;
    browser.wait_text("[data-testid=refresh-count]", WAIT, |t| t == "1").await?;
    let mut after = before;
    let deadline = tokio::time::Instant::now() + WAIT;
    while after <= before && tokio::time::Instant::now() < deadline {
        after = c
            .find(Locator::Css("[data-testid=info-uptime]"))
            .await?
            .attr("data-uptime-ms")
            .await?
            .unwrap_or_default()
            .parse()?;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(after > before, "uptime did not advance after refresh: {before} -> {after}");

    // Client-side navigation through the sidebar.
    for (nav, title, shot) in [
        ("nav-services", "Services", "services"),
        ("nav-deployments", "Deployments", "deployments"),
        ("nav-nodes", "Nodes", "nodes"),
        ("nav-dashboard", "Dashboard", "dashboard-again"),
    ] {
        c.find(Locator::Css(&format!("[data-testid={nav}]"))).await?.click().await?;
        browser.wait_text("[data-testid=page-title]", WAIT, |t| t == title).await?;
        assert_eq!(c.title().await?, format!("{title} · dromos"));
        browser.screenshot(shot).await?;
    }

    let errors = severe(&browser.console_log().await?);
    assert!(errors.is_empty(), "browser console errors: {errors:#?}");

    // An unknown address renders the not-found page (and a 404 status).
    c.goto(&format!("{}/no/such/page", server.url)).await?;
    browser.wait_text("[data-testid=page-title]", WAIT, |t| t == "Not found").await?;
    browser.screenshot("not-found").await?;
    browser.close().await?;
    Ok(())
}
