//! Teams in the browser: an anonymous visitor is sent to the sign-in page;
//! a member of team A signs in, sees only team A's services, and cannot
//! open team B's app by its URL.

use std::time::Duration;

use end2end::browser::Browser;
use end2end::dromos::{binary, DromosProcess};
use fantoccini::Locator;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(20);

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn admin_call(server: &DromosProcess, method: reqwest::Method, path: &str, body: Value) -> TestResult {
    let response = reqwest::Client::new()
        .request(method, format!("{}{path}", server.url))
        .basic_auth("root", Some("root-password"))
        .json(&body)
        .send()
        .await?;
    let status = response.status();
    let text = response.text().await?;
    assert!(status.is_success(), "{path}: {status} {text}");
    Ok(())
}

/// The first admin, `root`: in open mode it needs no credentials.
async fn create_root(server: &DromosProcess) -> TestResult {
    let first = reqwest::Client::new()
        .put(format!("{}/v2/access/users/root", server.url))
        .json(&json!({"password": "root-password", "admin": true}))
        .send()
        .await?;
    assert_eq!(first.status().as_u16(), 201);
    Ok(())
}

async fn sign_in(browser: &Browser, user: &str, password: &str) -> TestResult {
    let c = &browser.client;
    c.find(Locator::Css("#user")).await?.send_keys(user).await?;
    c.find(Locator::Css("#password")).await?.send_keys(password).await?;
    c.find(Locator::Css("[data-testid=login-submit]")).await?.click().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_member_sees_only_the_teams_services() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    create_root(&server).await?;
    for (team, path) in [("a", "/team-a"), ("b", "/team-b")] {
        admin_call(
            &server,
            reqwest::Method::PUT,
            &format!("/v2/access/teams/{team}"),
            json!({"paths": [path], "quota": {"cpus": 2, "mem": 1024, "instances": 10}}),
        )
        .await?;
    }
    admin_call(
        &server,
        reqwest::Method::PUT,
        "/v2/access/users/alice",
        json!({"password": "alice-password", "teams": ["a"]}),
    )
    .await?;
    for id in ["/team-a/web", "/team-b/api"] {
        admin_call(
            &server,
            reqwest::Method::POST,
            "/v2/apps",
            json!({"id": id, "cmd": "sleep 1000", "instances": 0}),
        )
        .await?;
    }

    let browser = Browser::start().await?;
    let c = &browser.client;
    c.goto(&format!("{}/services", server.url)).await?;
    browser.wait_text("h1", WAIT, |t| t == "dromos").await?;
    assert!(c.current_url().await?.as_str().contains("/login?next=/services"), "sent to sign in");
    sign_in(&browser, "alice", "wrong-password").await?;
    browser.wait_text("#login-error", WAIT, |t| t.contains("Wrong user name or password")).await?;
    browser.screenshot("console-login-error").await?;

    sign_in(&browser, "alice", "alice-password").await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    assert!(c.current_url().await?.path().ends_with("/services"), "back where the visitor wanted to go");
    browser
        .wait_text("[data-testid=group-row][data-group-id='/team-a']", WAIT, |t| t.contains("team-a"))
        .await?;
    assert!(
        c.find(Locator::Css("[data-testid=group-row][data-group-id='/team-b']")).await.is_err(),
        "team B's group is not listed"
    );
    browser.screenshot("console-member-services").await?;

    c.goto(&format!("{}/services/app/team-b/api", server.url)).await?;
    browser.wait_text("body", WAIT, |t| t.contains("alice may not read /team-b/api")).await?;
    browser.screenshot("console-member-forbidden-app").await?;
    c.goto(&format!("{}/services/app/team-a/web", server.url)).await?;
    browser.wait_text("[data-testid=page-title]", WAIT, |t| t == "/team-a/web").await?;

    // The Access page: who I am, my team's usage against its quota.
    c.goto(&format!("{}/access", server.url)).await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    browser.wait_text("[data-testid=access-user]", WAIT, |t| t == "alice").await?;
    browser.wait_text("[data-testid=team-card][data-team=a]", WAIT, |t| t.contains("/team-a")).await?;
    assert!(c.find(Locator::Css("[data-testid=team-card][data-team=b]")).await.is_err(), "only my team");
    assert!(c.find(Locator::Css("[data-testid=audit-table]")).await.is_err(), "the audit log is for admins");
    browser.wait_text("[data-testid=quota-instances]", WAIT, |t| t.contains("0 of 10")).await?;
    browser.screenshot("console-member-access").await?;
    c.find(Locator::Css("[data-testid=sign-out]")).await?.click().await?;
    browser.wait_text("h1", WAIT, |t| t == "dromos").await?;

    // An admin sees every team and the audit log, refusals included.
    c.goto(&format!("{}/access", server.url)).await?;
    sign_in(&browser, "root", "root-password").await?;
    browser.wait_text("[data-testid=access-user]", WAIT, |t| t == "root").await?;
    browser.wait_text("[data-testid=team-card][data-team=b]", WAIT, |t| t.contains("/team-b")).await?;
    browser
        .wait_text("[data-testid=audit-table]", WAIT, |t| t.contains("PUT /v2/access/users/alice"))
        .await?;
    browser.screenshot("console-admin-audit").await?;
    browser.close().await?;
    Ok(())
}

/// Opens `path` in the current tab; waits for hydration and the live stream.
async fn open_live(browser: &Browser, url: &str) -> TestResult {
    browser.client.goto(url).await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    browser.wait_attr("[data-testid=live-status]", "data-state", "open", WAIT).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_tabs_follow_a_new_sign_in_and_a_sign_out() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    create_root(&server).await?;
    admin_call(
        &server,
        reqwest::Method::PUT,
        "/v2/access/teams/a",
        json!({"paths": ["/team-a"], "quota": {}}),
    )
    .await?;
    admin_call(
        &server,
        reqwest::Method::PUT,
        "/v2/access/users/alice",
        json!({"password": "alice-password", "teams": ["a"]}),
    )
    .await?;
    let access = format!("{}/access", server.url);

    // Two tabs of alice's session, live on the shared stream.
    let browser = Browser::start().await?;
    let c = &browser.client;
    c.goto(&access).await?;
    sign_in(&browser, "alice", "alice-password").await?;
    browser.wait_attr("[data-testid=live-status]", "data-state", "open", WAIT).await?;
    let mut tabs = vec![c.window().await?];
    let second = c.new_window(true).await?.handle;
    c.switch_to_window(second.clone()).await?;
    open_live(&browser, &access).await?;
    browser.wait_text("[data-testid=access-user]", WAIT, |t| t == "alice").await?;
    tabs.push(second);

    // A third tab signs in as root: alice's tabs reload into root's session.
    let third = c.new_window(true).await?.handle;
    c.switch_to_window(third.clone()).await?;
    c.goto(&format!("{}/login?next=/access", server.url)).await?;
    sign_in(&browser, "root", "root-password").await?;
    browser.wait_text("[data-testid=access-user]", WAIT, |t| t == "root").await?;
    for (i, tab) in tabs.iter().enumerate() {
        c.switch_to_window(tab.clone()).await?;
        browser
            .wait_text("[data-testid=access-user]", WAIT, |t| t == "root")
            .await
            .map_err(|e| format!("tab {} still shows alice's session: {e}", i + 1))?;
        browser.wait_attr("[data-testid=live-status]", "data-state", "open", WAIT).await?;
    }

    // Signing out in the third tab sends the others to the sign-in page.
    c.switch_to_window(third).await?;
    c.find(Locator::Css("[data-testid=sign-out]")).await?.click().await?;
    browser.wait_text("h1", WAIT, |t| t == "dromos").await?;
    for (i, tab) in tabs.iter().enumerate() {
        c.switch_to_window(tab.clone()).await?;
        browser
            .wait_text("h1", WAIT, |t| t == "dromos")
            .await
            .map_err(|e| format!("tab {} still shows the ended session: {e}", i + 1))?;
        let url = c.current_url().await?;
        assert_eq!(url.path(), "/login", "tab {} is on the sign-in page", i + 1);
    }
    browser.close().await?;
    Ok(())
}
