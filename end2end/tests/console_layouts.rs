//! Every page of the console as users see it: on a 1280×800 desktop and a
//! 390×844 phone, in light and dark mode, first on an empty cluster, then
//! with a few apps. Each page is saved as a full-page screenshot under
//! `target/e2e/layout-*.png` and audited: the page never scrolls sideways
//! (wide tables scroll in their own box), every form control has a label,
//! text has enough contrast with what is behind it, and keyboard focus
//! shows a visible ring. All problems are collected and reported at once.

use std::time::Duration;

use end2end::browser::Browser;
use end2end::dromos::{binary, DromosProcess};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(30);

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// `(name, width, height, dark)`.
const VIEWS: [(&str, u32, u32, bool); 4] = [
    ("desktop-light", 1280, 800, false),
    ("desktop-dark", 1280, 800, true),
    ("phone-light", 390, 844, false),
    ("phone-dark", 390, 844, true),
];

/// A page: where it is, clicks to make on it (each followed by waiting
/// for an element), and the element that says it is ready.
struct Page {
    name: &'static str,
    path: &'static str,
    ready: &'static str,
    steps: &'static [(&'static str, &'static str)],
}

const fn page(name: &'static str, path: &'static str, ready: &'static str) -> Page {
    Page { name, path, ready, steps: &[] }
}

const EMPTY: [Page; 3] = [
    page("empty-dashboard", "/", "[data-testid=no-services]"),
    page("empty-services", "/services", "[data-testid=deploy-first]"),
    page("empty-deployments", "/deployments", "[data-testid=deployments-empty]"),
];

const APP: &str = "/services/app/web";
const DETAIL: &str = "[data-testid=detail-instances]";

const FULL: [Page; 13] = [
    page("dashboard", "/", "[data-testid=alloc-cpu-text]"),
    page("services", "/services", "[data-testid=services-table]"),
    page("group", "/services/jobs", "[data-testid=services-table]"),
    page("app-instances", APP, "[data-testid=instances-table]"),
    Page {
        name: "app-logs",
        path: APP,
        ready: DETAIL,
        steps: &[("[data-testid=tab-logs]", "[data-testid=log-pane]")],
    },
    Page {
        name: "app-configuration",
        path: APP,
        ready: DETAIL,
        steps: &[
            ("[data-testid=tab-configuration]", "[data-testid=config-json]"),
            ("[data-testid=compare-with] option:nth-child(3)", "[data-testid=diff-fold]"),
        ],
    },
    Page {
        name: "app-debug",
        path: APP,
        ready: DETAIL,
        steps: &[("[data-testid=tab-debug]", "[data-testid=debug]")],
    },
    Page {
        name: "app-endpoints",
        path: APP,
        ready: DETAIL,
        steps: &[("[data-testid=tab-endpoints]", "[data-testid=endpoints]")],
    },
    page("editor", "/services/new", "[data-testid=app-form]"),
    Page {
        name: "editor-json",
        path: "/services/edit/web",
        ready: "[data-testid=app-form]",
        steps: &[("[data-testid=json-mode]", "[data-testid=json-editor]")],
    },
    page("deployments", "/deployments", "[data-testid=deployments-table]"),
    page("nodes", "/nodes", "[data-testid=nodes-table]"),
    page("access", "/access", "[data-testid=access-me]"),
];

async fn send(request: reqwest::RequestBuilder, want: u16) -> Result<Value, Box<dyn std::error::Error>> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let body = response.text().await?;
    assert_eq!(status, want, "{body}");
    Ok(serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// Opens `page`, audits it, saves its screenshot; problems go to `problems`.
async fn visit(
    browser: &Browser,
    base: &str,
    view: &str,
    page: &Page,
    problems: &mut Vec<String>,
) -> TestResult {
    let c = &browser.client;
    c.goto(&format!("{base}{}", page.path)).await?;
    browser.wait_attr("[data-testid=app-root]", "data-hydrated", "true", WAIT).await?;
    browser.wait_attr("[data-testid=live-status]", "data-state", "open", WAIT).await?;
    browser.wait_text(page.ready, WAIT, |_| true).await?;
    for (click, ready) in page.steps {
        c.find(Locator::Css(click)).await?.click().await?;
        browser.wait_text(ready, WAIT, |_| true).await?;
    }
    let at = format!("{view} {}", page.name);
    browser.screenshot_page(&format!("layout-{view}-{}", page.name)).await?;
    let found = c.execute(include_str!("layout_audit.js"), Vec::new()).await?;
    for problem in found.as_array().into_iter().flatten().filter_map(Value::as_str) {
        problems.push(format!("{at}: {problem}"));
    }
    // Keyboard users: the first stops of the tab order show where focus is.
    for _ in 0..6 {
        let tab = KeyActions::new("keyboard".to_string())
            .then(KeyAction::Down { value: Key::Tab.into() })
            .then(KeyAction::Up { value: Key::Tab.into() });
        c.perform_actions(tab).await?;
        let found = c.execute(include_str!("focus_audit.js"), Vec::new()).await?;
        if let Some(problem) = found.as_str().filter(|p| !p.is_empty()) {
            problems.push(format!("{at}: {problem}"));
        }
    }
    Ok(())
}

async fn running(http: &reqwest::Client, base: &str, app: &str, want: u64) -> TestResult {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let body = send(http.get(format!("{base}/v2/apps/{app}")), 200).await?;
        if body["app"]["tasksRunning"].as_u64() == Some(want) {
            return Ok(());
        }
        assert!(tokio::time::Instant::now() < deadline, "{app} never ran {want} instances: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_pages_fit_desktops_and_phones_in_light_and_dark() -> TestResult {
    let server = DromosProcess::start(&binary()?, &[])?;
    let http = reqwest::Client::new();
    let browser = Browser::start().await?;
    let mut problems = Vec::new();

    for (view, width, height, dark) in VIEWS {
        browser.emulate(width, height, dark).await?;
        for page in &EMPTY {
            visit(&browser, &server.url, view, page, &mut problems).await?;
        }
    }

    let web = json!({
        "id": "/web", "cmd": "while true; do echo \"serving on $PORT0\"; sleep 2; done",
        "cpus": 0.1, "mem": 32, "instances": 2, "labels": {"team": "payments", "tier": "frontend"},
        "portDefinitions": [{"port": 0, "name": "http"}],
    });
    send(http.post(format!("{}/v2/apps", server.url)).json(&web), 201).await?;
    running(&http, &server.url, "web", 2).await?;
    let mut second = web.clone();
    second["mem"] = json!(48);
    second["env"] = json!({"MODE": "blue"});
    send(http.put(format!("{}/v2/apps/web", server.url)).json(&second), 200).await?;
    for app in [
        json!({"id": "/jobs/worker", "cmd": "sleep 1000", "cpus": 0.1, "mem": 16}),
        json!({"id": "/jobs/nightly-billing-report-generator", "cmd": "sleep 1000", "cpus": 0.1, "mem": 16, "instances": 0}),
        // Too big for the cluster: its deployment keeps running.
        json!({"id": "/stuck", "cmd": "sleep 1000", "cpus": 1000, "mem": 16}),
    ] {
        send(http.post(format!("{}/v2/apps", server.url)).json(&app), 201).await?;
    }
    running(&http, &server.url, "web", 2).await?;
    running(&http, &server.url, "jobs/worker", 1).await?;

    for (view, width, height, dark) in VIEWS {
        browser.emulate(width, height, dark).await?;
        for page in &FULL {
            visit(&browser, &server.url, view, page, &mut problems).await?;
        }
    }
    browser.close().await?;
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    Ok(())
}
