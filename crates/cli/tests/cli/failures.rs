//! Failures: odd answers, an unreachable or slow server, bad input files and
//! usage errors, each with its exit code and message.

use std::time::Duration;

use serde_json::{json, Value};

use crate::fake_server::{Canned, FakeServer};
use crate::harness::{check, definition_file, deployment_result, invoke, ok, Case, Outcome};

#[tokio::test]
async fn odd_answers_are_errors_not_panics() {
    let cases = [
        Case {
            name: "HTML instead of JSON on success",
            argv: &["app", "list"],
            file: None,
            answer: Canned::raw(200, "text/html", "<html><body>Welcome to nginx!</body></html>"),
            request: ("GET", "/v2/apps?embed=apps.counts&embed=apps.deployments", Value::Null),
            code: 1,
            stdout: "",
            stderr: "", // filled in below: the URL contains the random port
        },
        Case {
            name: "HTML error page from a proxy",
            argv: &["task", "list"],
            file: None,
            answer: Canned::raw(502, "text/html", "<html>Bad Gateway</html>"),
            request: ("GET", "/v2/tasks", Value::Null),
            code: 1,
            stdout: "",
            stderr: "error: Bad Gateway: <html>Bad Gateway</html> (HTTP 502)\n",
        },
        Case {
            name: "JSON of the wrong shape",
            argv: &["deployment", "list"],
            file: None,
            answer: ok(json!({"deployments": "none"})),
            request: ("GET", "/v2/deployments", Value::Null),
            code: 1,
            stdout: "",
            stderr: "error: unexpected answer from the deployment list: the JSON does not have the expected shape: invalid type: map, expected a sequence\n",
        },
        Case {
            name: "missing fields fall back to defaults",
            argv: &["app", "list"],
            file: None,
            answer: ok(json!({"apps": [{"id": "/bare"}]})),
            request: ("GET", "/v2/apps?embed=apps.counts&embed=apps.deployments", Value::Null),
            code: 0,
            stdout: "ID     INSTANCES  CPUS  MEM  STATUS     VERSION\n/bare  0/0        0     0    Suspended\n",
            stderr: "",
        },
    ];
    let mut cases = cases.into_iter();
    // The first case's message names the server URL, which is only known once it runs.
    let html = cases.next().expect("first case");
    let server = FakeServer::start(html.answer).await;
    let outcome = invoke(&["--url".into(), server.url.clone(), "app".into(), "list".into()]).await;
    assert_eq!(
        outcome,
        Outcome {
            code: 1,
            stdout: String::new(),
            stderr: format!(
                "error: unexpected answer from {}/v2/apps?embed=apps.counts&embed=apps.deployments: expected JSON, got: <html><body>Welcome to nginx!</body></html>\n",
                server.url
            ),
        }
    );
    for case in cases {
        check(case).await;
    }
}

#[tokio::test]
async fn unreachable_server_exits_3_naming_the_url_and_suggesting_serve() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding port 0");
    let url = format!("http://{}", listener.local_addr().expect("bound address"));
    drop(listener);
    let outcome = invoke(&["--url".into(), url.clone(), "app".into(), "list".into()]).await;
    assert_eq!(
        outcome,
        Outcome {
            code: 3,
            stdout: String::new(),
            stderr: format!(
                "error: could not reach dromos at {url}/v2/apps?embed=apps.counts&embed=apps.deployments: connection refused\n\
                 hint: is dromos running? Start one with `dromos serve`, or point --url (DROMOS_URL) at a running server\n"
            ),
        }
    );
}

#[tokio::test]
async fn slow_server_exits_3_after_the_timeout() {
    let mut answer = ok(json!({"apps": []}));
    answer.delay = Duration::from_secs(5);
    let server = FakeServer::start(answer).await;
    let argv = ["--url", &server.url, "--timeout", "1", "deployment", "list"].map(String::from);
    let outcome = invoke(&argv).await;
    assert_eq!(outcome.code, 3, "{outcome:?}");
    assert!(
        outcome.stderr.starts_with(&format!(
            "error: dromos at {}/v2/deployments did not answer within 1s\n",
            server.url
        )),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn invalid_definition_file_fails_before_sending() {
    let server = FakeServer::start(deployment_result()).await;
    let file = definition_file("{\n  \"id\": \"/web\",\n  \"cpus\": 0.1,\n}\n");
    let path = file.path().display().to_string();
    for argv in [vec!["app", "add", &path], vec!["group", "update", "/g", &path]] {
        let mut full = vec!["--url".to_owned(), server.url.clone()];
        full.extend(argv.iter().map(|a| (*a).to_owned()));
        let outcome = invoke(&full).await;
        assert_eq!(
            outcome,
            Outcome {
                code: 2,
                stdout: String::new(),
                stderr: format!("error: {path} is not valid JSON (line 4, column 1): trailing comma\n"),
            }
        );
    }
    assert_eq!(server.requests(), vec![]);
}

#[tokio::test]
async fn usage_errors_exit_2() {
    let cases: [(&str, &[&str]); 4] = [
        ("scale and wipe are exclusive", &["task", "kill", "a", "--scale", "--wipe"]),
        ("kill needs a task id", &["task", "kill"]),
        ("instances must be a number", &["app", "scale", "/web", "many"]),
        ("a bad URL is a usage error", &["--url", "ftp://h", "app", "list"]),
    ];
    for (name, argv) in cases {
        let argv: Vec<String> = argv.iter().map(|a| (*a).to_owned()).collect();
        let outcome = invoke(&argv).await;
        assert_eq!(outcome.code, 2, "{name}: {outcome:?}");
        assert!(outcome.stdout.is_empty(), "{name}");
    }
}

#[tokio::test]
async fn client_flags_are_accepted_after_the_subcommand() {
    let server = FakeServer::start(ok(json!({"versions": ["v1"]}))).await;
    let argv = ["app", "versions", "/web", "--json", "--url", &server.url].map(String::from);
    let outcome = invoke(&argv).await;
    assert_eq!(
        outcome,
        Outcome {
            code: 0,
            stdout: "{\n  \"versions\": [\n    \"v1\"\n  ]\n}\n".into(),
            stderr: String::new()
        }
    );
}

#[test]
fn clap_tree_passes_its_own_consistency_checks() {
    use clap::CommandFactory;
    crate::harness::TestCli::command().debug_assert();
}
