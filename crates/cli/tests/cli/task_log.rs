//! `dromos task log`: the requests it sends for a window, a tail and a
//! follow stream, what it prints, and how it reports an unknown task.

use serde_json::{json, Value};

use crate::fake_server::{Canned, FakeServer};
use crate::harness::{check, invoke, ok, Case};

const FOLLOW_BODY: &str = "event: data\ndata: {\"offset\":0,\"data\":\"one\\n\"}\n\n: keep-alive\n\n\
event: data\ndata: {\"offset\":4,\"data\":\"two\\n\"}\n\nevent: eof\ndata: {\"offset\":8}\n\n";

#[tokio::test]
async fn task_log_reads_windows_and_follows_streams() {
    let cases = [
        Case {
            name: "log prints the end of stdout",
            argv: &["task", "log", "web.instance-1"],
            file: None,
            answer: ok(json!({"data": "hello\nworld\n", "offset": 0})),
            request: ("GET", "/v2/tasks/web.instance-1/files/stdout", Value::Null),
            code: 0,
            stdout: "hello\nworld\n",
            stderr: "",
        },
        Case {
            name: "--stderr reads stderr; --json prints the answer",
            argv: &["task", "log", "t1", "--stderr", "--json"],
            file: None,
            answer: ok(json!({"data": "oops\n", "offset": 7})),
            request: ("GET", "/v2/tasks/t1/files/stderr", Value::Null),
            code: 0,
            stdout: "{\n  \"data\": \"oops\\n\",\n  \"offset\": 7\n}\n",
            stderr: "",
        },
        Case {
            name: "--follow prints data events until eof",
            argv: &["task", "log", "t1", "--follow"],
            file: None,
            answer: Canned::raw(200, "text/event-stream", FOLLOW_BODY),
            request: ("GET", "/v2/tasks/t1/files/stdout/follow", Value::Null),
            code: 0,
            stdout: "one\ntwo\n",
            stderr: "",
        },
        Case {
            name: "an unknown task is the server's 404",
            argv: &["task", "log", "gone", "-f"],
            file: None,
            answer: Canned::json(404, json!({"message": "Task 'gone' does not exist"})),
            request: ("GET", "/v2/tasks/gone/files/stdout/follow", Value::Null),
            code: 1,
            stdout: "",
            stderr: "error: Task 'gone' does not exist (HTTP 404)\n",
        },
    ];
    for case in cases {
        check(case).await;
    }
}

#[tokio::test]
async fn tail_asks_for_the_size_then_the_last_bytes() {
    let server = FakeServer::start(ok(json!({"data": "", "offset": 100}))).await;
    let argv: Vec<String> =
        ["--url", &server.url, "task", "log", "t1", "--tail", "30"].iter().map(|s| s.to_string()).collect();
    let outcome = invoke(&argv).await;
    assert_eq!((outcome.code, outcome.stderr.as_str()), (0, ""));
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        ["/v2/tasks/t1/files/stdout?offset=-1", "/v2/tasks/t1/files/stdout?offset=70&length=30"]
    );

    let server = FakeServer::start(ok(json!({"data": "", "offset": 100}))).await;
    let argv: Vec<String> = ["--url", &server.url, "task", "log", "t1", "--tail", "30", "--follow"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let outcome = invoke(&argv).await;
    // The fake answers JSON to the follow request too: no events, a clean end.
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, ""));
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        ["/v2/tasks/t1/files/stdout?offset=-1", "/v2/tasks/t1/files/stdout/follow?offset=70"]
    );
}
