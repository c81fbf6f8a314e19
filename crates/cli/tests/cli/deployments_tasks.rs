//! `dromos deployment ...` and `dromos task ...` requests and output.

use serde_json::{json, Value};

use crate::fake_server::Canned;
use crate::harness::{check, deployment_result, ok, Case};

#[tokio::test]
async fn deployment_and_task_commands_send_marathon_requests_and_print_results() {
    let cases = [
        Case {
            name: "deployment list shows progress",
            argv: &["deployment", "list"],
            file: None,
            answer: ok(json!([{"id": "97c1", "version": "v", "affectedApps": ["/foo"], "affectedPods": [],
                "steps": [], "currentActions": [{"action": "ScaleApplication", "app": "/foo", "readinessCheckResults": []}],
                "currentStep": 1, "totalSteps": 2}])),
            request: ("GET", "/v2/deployments", Value::Null),
            code: 0,
            stdout: "ID    APPS  ACTIONS           STEP\n97c1  /foo  ScaleApplication  1/2\n",
            stderr: "",
        },
        Case {
            name: "rollback deletes without force and prints the new deployment",
            argv: &["deployment", "rollback", "97c1"],
            file: None,
            answer: deployment_result(),
            request: ("DELETE", "/v2/deployments/97c1", Value::Null),
            code: 0,
            stdout: "Rolling back deployment 97c1.\ndeployment  5ed4c0c5\nversion     2015-09-29T15:59:51.164Z\n",
            stderr: "",
        },
        Case {
            name: "stop deletes with force and accepts an empty 202",
            argv: &["deployment", "stop", "97c1"],
            file: None,
            answer: Canned::raw(202, "application/json", ""),
            request: ("DELETE", "/v2/deployments/97c1?force=true", Value::Null),
            code: 0,
            stdout: "Stopped deployment 97c1 without rollback.\n",
            stderr: "",
        },
        Case {
            name: "rollback of an unknown deployment is a 404",
            argv: &["deployment", "rollback", "nope"],
            file: None,
            answer: Canned::json(404, json!({"message": "DeploymentPlan nope does not exist"})),
            request: ("DELETE", "/v2/deployments/nope", Value::Null),
            code: 1,
            stdout: "",
            stderr: "error: DeploymentPlan nope does not exist (HTTP 404)\n",
        },
        Case {
            name: "task list --app lists that app's tasks",
            argv: &["task", "list", "--app", "/web"],
            file: None,
            answer: ok(json!({"tasks": [{"id": "web.instance-1._app.1", "appId": "/web", "host": "h1", "ports": [31000],
                "state": "TASK_RUNNING", "startedAt": "t0", "healthCheckResults": [{"alive": true}]}]})),
            request: ("GET", "/v2/apps/web/tasks", Value::Null),
            code: 0,
            stdout: "ID                     APP   HOST  PORTS  STATE    HEALTH   STARTED\nweb.instance-1._app.1  /web  h1    31000  RUNNING  healthy  t0\n",
            stderr: "",
        },
        Case {
            name: "task kill --scale posts the ids and prints the deployment",
            argv: &["task", "kill", "a.1", "b.2", "--scale"],
            file: None,
            answer: deployment_result(),
            request: ("POST", "/v2/tasks/delete?scale=true", json!({"ids": ["a.1", "b.2"]})),
            code: 0,
            stdout: "Killing 2 tasks and scaling down.\ndeployment  5ed4c0c5\nversion     2015-09-29T15:59:51.164Z\n",
            stderr: "",
        },
        Case {
            name: "task kill --wipe lists the killed tasks",
            argv: &["task", "kill", "a.1", "--wipe"],
            file: None,
            answer: ok(json!({"tasks": [{"id": "a.1", "appId": "/a"}]})),
            request: ("POST", "/v2/tasks/delete?wipe=true", json!({"ids": ["a.1"]})),
            code: 0,
            stdout: "Killing task a.1\n",
            stderr: "",
        },
    ];
    for case in cases {
        check(case).await;
    }
}
