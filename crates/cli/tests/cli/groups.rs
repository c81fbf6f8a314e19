//! `dromos group ...` requests and output.

use serde_json::{json, Value};

use crate::fake_server::Canned;
use crate::harness::{check, deployment_result, ok, Case};

#[tokio::test]
async fn group_commands_send_marathon_requests_and_print_results() {
    let cases = [
        Case {
            name: "show renders the tree",
            argv: &["group", "show", "/prod"],
            file: None,
            answer: ok(json!({"id": "/prod", "apps": [{"id": "/prod/db", "instances": 1, "tasksRunning": 1}],
                "groups": [{"id": "/prod/web", "apps": [{"id": "/prod/web/ui", "instances": 2, "tasksRunning": 1}]}]})),
            request: ("GET", "/v2/groups/prod?embed=group.groups&embed=group.apps&embed=group.apps.counts&embed=group.apps.deployments", Value::Null),
            code: 0,
            stdout: "ID          INSTANCES  STATUS\n/prod\n├── db      1/1        Running\n└── web/\n    └── ui  1/2        Waiting\n",
            stderr: "",
        },
        Case {
            name: "list of the root lists every group",
            argv: &["group", "list"],
            file: None,
            answer: ok(json!({"id": "/", "version": "v3", "groups": [{"id": "/prod", "version": "v3"}]})),
            request: ("GET", "/v2/groups", Value::Null),
            code: 0,
            stdout: "ID     GROUPS  APPS  VERSION\n/      1       0     v3\n/prod  0       0     v3\n",
            stderr: "",
        },
        Case {
            name: "add posts the group",
            argv: &["group", "add", "{file}"],
            file: Some(r#"{"id": "/prod", "apps": [{"id": "db", "cmd": "sleep 1"}]}"#),
            answer: Canned::json(201, json!({"deploymentId": "5ed4c0c5", "version": "2015-09-29T15:59:51.164Z"})),
            request: ("POST", "/v2/groups", json!({"id": "/prod", "apps": [{"id": "db", "cmd": "sleep 1"}]})),
            code: 0,
            stdout: "Created group /prod.\ndeployment  5ed4c0c5\nversion     2015-09-29T15:59:51.164Z\n",
            stderr: "",
        },
        Case {
            name: "update --dry-run --force prints the plan",
            argv: &["group", "update", "/prod", "{file}", "--dry-run", "--force"],
            file: Some(r#"{"id": "/prod", "apps": []}"#),
            answer: ok(json!({"steps": [{"actions": [{"action": "StopApplication", "app": "/prod/db"}]}]})),
            request: ("PUT", "/v2/groups/prod?force=true&dryRun=true", json!({"id": "/prod", "apps": []})),
            code: 0,
            stdout: "Dry run: the change would deploy in 1 step(s):\n  1. StopApplication /prod/db\n",
            stderr: "",
        },
        Case {
            name: "remove --force deletes the group",
            argv: &["group", "remove", "/prod", "--force"],
            file: None,
            answer: deployment_result(),
            request: ("DELETE", "/v2/groups/prod?force=true", Value::Null),
            code: 0,
            stdout: "Removing group /prod.\ndeployment  5ed4c0c5\nversion     2015-09-29T15:59:51.164Z\n",
            stderr: "",
        },
    ];
    for case in cases {
        check(case).await;
    }
}
