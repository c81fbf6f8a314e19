//! Dashboard, nodes and deployments pages in a real browser, against the
//! embedded single-machine cluster.

use std::time::Duration;

use end2end::browser::Browser;
use end2end::dromos::{binary, DromosProcess};
use fantoccini::Locator;

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_cluster_pages_show_allocation_nodes_and_deployments(
) -> Result<(), Box<dyn std::error::Error>> {
    let server = DromosProcess::start(&binary()?, &[])?;
    let browser = Browser::start().await?;
    let c = &browser.client;

    c.goto(&server.url).await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    for gauge in ["alloc-cpu", "alloc-mem", "alloc-disk"] {
        browser.wait_text(&format!("[data-testid={gauge}-text]"), WAIT, |t| t.contains(" of ")).await?;
    }
    browser
        .wait_text("[data-testid=agents-count]", WAIT, |t| t.ends_with("agent") || t.ends_with("agents"))
        .await?;
    browser.wait_text("[data-testid=services-running-count]", WAIT, |t| t.parse::<u32>().is_ok()).await?;
    browser.screenshot("console-dashboard-cluster").await?;

    c.find(Locator::Css("[data-testid=nav-nodes]")).await?.click().await?;
    browser.wait_text("[data-testid=node-hostname]", WAIT, |t| !t.is_empty()).await?;
    browser.wait_text("[data-testid=node-cpu-text]", WAIT, |t| t.contains(" of ")).await?;
    browser.screenshot("console-nodes").await?;

    c.find(Locator::Css("[data-testid=nav-deployments]")).await?.click().await?;
    browser.wait_text("[data-testid=page-title]", WAIT, |t| t == "Deployments").await?;
    // The list arrives after the page's title: wait for the table or the empty state.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let listed = c.find(Locator::Css("[data-testid=deployments-table]")).await.is_ok()
            || c.find(Locator::Css("[data-testid=deployments-empty]")).await.is_ok();
        if listed {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the deployments page shows a table or its empty state"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.close().await?;
    Ok(())
}
