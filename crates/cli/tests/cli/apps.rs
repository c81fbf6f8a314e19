//! `dromos app ...` requests and output.

use serde_json::{json, Value};

use crate::fake_server::Canned;
use crate::harness::{check, deployment_result, locked, ok, Case};

#[tokio::test]
async fn app_commands_send_marathon_requests_and_print_results() {
    let cases = [
        Case {
            name: "list shows the table",
            argv: &["app", "list"],
            file: None,
            answer: ok(json!({"apps": [
                {"id": "/web", "instances": 2, "cpus": 0.5, "mem": 128, "tasksRunning": 2, "deployments": [], "version": "v1"},
                {"id": "/db", "instances": 1, "cpus": 1, "mem": 1024, "tasksRunning": 0, "deployments": [{"id": "d"}], "version": "v2"}]})),
            request: ("GET", "/v2/apps?embed=apps.counts&embed=apps.deployments", Value::Null),
            code: 0,
            stdout: "ID    INSTANCES  CPUS  MEM   STATUS     VERSION\n/web  2/2        0.5   128   Running    v1\n/db   0/1        1     1024  Deploying  v2\n",
            stderr: "",
        },
        Case {
            name: "list --json prints the server's JSON",
            argv: &["app", "list", "--json"],
            file: None,
            answer: ok(json!({"apps": []})),
            request: ("GET", "/v2/apps?embed=apps.counts&embed=apps.deployments", Value::Null),
            code: 0,
            stdout: "{\n  \"apps\": []\n}\n",
            stderr: "",
        },
        Case {
            name: "show of an unknown app is a 404 with the server's message",
            argv: &["app", "show", "/prod/nope"],
            file: None,
            answer: Canned::json(404, json!({"message": "App '/prod/nope' does not exist"})),
            request: ("GET", "/v2/apps/prod/nope?embed=app.counts&embed=app.deployments&embed=app.tasks&embed=app.lastTaskFailure", Value::Null),
            code: 1,
            stdout: "",
            stderr: "error: App '/prod/nope' does not exist (HTTP 404)\n",
        },
        Case {
            name: "add posts the file and prints the deployment",
            argv: &["app", "add", "{file}"],
            file: Some(r#"{"id": "/web", "cmd": "sleep 100", "instances": 1}"#),
            answer: Canned::json(201, json!({"id": "/web", "version": "2015-09-29T15:59:51.164Z", "deployments": [{"id": "5ed4c0c5"}]}))
                .with_header("Marathon-Deployment-Id", "5ed4c0c5"),
            request: ("POST", "/v2/apps", json!({"id": "/web", "cmd": "sleep 100", "instances": 1})),
            code: 0,
            stdout: "Created app /web.\ndeployment  5ed4c0c5\nversion     2015-09-29T15:59:51.164Z\n",
            stderr: "",
        },
        Case {
            name: "add rejected with 422 lists every field error",
            argv: &["app", "add", "{file}"],
            file: Some(r#"{"id": "/web", "cpus": -1}"#),
            answer: Canned::json(422, json!({"message": "Object is not valid", "details": [
                {"path": "/cpus", "errors": ["got -1.0, expected 0.0 or more"]},
                {"path": "/cmd", "errors": ["AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."]}]})),
            request: ("POST", "/v2/apps", json!({"id": "/web", "cpus": -1})),
            code: 1,
            stdout: "",
            stderr: "error: Object is not valid (HTTP 422)\n  /cpus: got -1.0, expected 0.0 or more\n  /cmd: AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.\n",
        },
        Case {
            name: "update --force puts the file",
            argv: &["app", "update", "/web", "{file}", "--force"],
            file: Some(r#"{"cmd": "sleep 200"}"#),
            answer: deployment_result(),
            request: ("PUT", "/v2/apps/web?force=true", json!({"cmd": "sleep 200"})),
            code: 0,
            stdout: "Updating app /web.\ndeployment  5ed4c0c5\nversion     2015-09-29T15:59:51.164Z\n",
            stderr: "",
        },
        Case {
            name: "scale of a locked app is a 409 with a hint",
            argv: &["app", "scale", "/web", "3"],
            file: None,
            answer: locked(),
            request: ("PUT", "/v2/apps/web", json!({"instances": 3})),
            code: 1,
            stdout: "",
            stderr: "error: App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/97c1'. (HTTP 409)\n\
                     hint: locked by deployment 97c1; add --force to override it, or see `dromos deployment list`\n",
        },
        Case {
            name: "scale --force prints the deployment",
            argv: &["app", "scale", "/web", "3", "--force"],
            file: None,
            answer: deployment_result(),
            request: ("PUT", "/v2/apps/web?force=true", json!({"instances": 3})),
            code: 0,
            stdout: "Scaling app /web to 3 instances.\ndeployment  5ed4c0c5\nversion     2015-09-29T15:59:51.164Z\n",
            stderr: "",
        },
        Case {
            name: "remove always states force explicitly",
            argv: &["app", "remove", "/web"],
            file: None,
            answer: deployment_result(),
            request: ("DELETE", "/v2/apps/web?force=false", Value::Null),
            code: 0,
            stdout: "Removing app /web.\ndeployment  5ed4c0c5\nversion     2015-09-29T15:59:51.164Z\n",
            stderr: "",
        },
        Case {
            name: "restart --force posts to restart",
            argv: &["app", "restart", "/web", "--force"],
            file: None,
            answer: deployment_result(),
            request: ("POST", "/v2/apps/web/restart?force=true", Value::Null),
            code: 0,
            stdout: "Restarting app /web.\ndeployment  5ed4c0c5\nversion     2015-09-29T15:59:51.164Z\n",
            stderr: "",
        },
        Case {
            name: "versions prints one per line",
            argv: &["app", "versions", "/web"],
            file: None,
            answer: ok(json!({"versions": ["v2", "v1"]})),
            request: ("GET", "/v2/apps/web/versions", Value::Null),
            code: 0,
            stdout: "v2\nv1\n",
            stderr: "",
        },
    ];
    for case in cases {
        check(case).await;
    }
}
