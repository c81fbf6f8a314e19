//! Why an app fails, on the real `dromos` binary and its embedded cluster:
//! a command that exits 3 becomes the app's `lastTaskFailure` (state, host,
//! message, version), which survives a graceful restart of dromos exactly
//! as it was and goes away with the app. Every wait polls with a deadline.

#![allow(clippy::unwrap_used)]

#[path = "scheduling/support.rs"]
#[allow(dead_code)]
mod support;

use end2end::dromos::DromosProcess;
use reqwest::Method;
use serde_json::{json, Value};
use support::{bin, eventually, status_update, Dromos, Events};

/// Waits until `app` has a `lastTaskFailure`; returns the app.
async fn wait_failure(dromos: &Dromos, app: &str) -> Value {
    eventually(&format!("lastTaskFailure of {app}"), || async {
        let found = dromos.app(app).await;
        if found["lastTaskFailure"].is_object() {
            Ok(found)
        } else {
            Err(found.to_string())
        }
    })
    .await
}

/// Waits until `app` has one running task other than `not`; returns it.
async fn wait_running_task(dromos: &Dromos, app: &str, not: &str) -> Value {
    eventually(&format!("a running task of {app}"), || async {
        let tasks = dromos.tasks_of(app).await;
        match tasks.iter().find(|t| t["state"] == "TASK_RUNNING" && t["id"] != not) {
            Some(task) if tasks.len() == 1 => Ok(task.clone()),
            _ => Err(format!("{tasks:?}")),
        }
    })
    .await
}

#[tokio::test]
async fn a_failing_command_is_the_apps_last_task_failure_across_a_restart_until_deleted() {
    let dromos = Dromos::start();
    let events = Events::subscribe(&dromos).await;
    // /flaky exits 3 the first time only (a marker outside its sandbox),
    // then runs; /crashy always exits 3.
    let markers = tempfile::tempdir().unwrap();
    let marker = markers.path().join("failed-once");
    let flaky_cmd =
        format!("if [ -e {m} ]; then exec sleep 600; fi; touch {m}; exit 3", m = marker.display());
    let flaky = json!({"id": "/flaky", "cmd": flaky_cmd, "cpus": 0.05, "mem": 16, "backoffSeconds": 1});
    let crashy = json!({"id": "/crashy", "cmd": "sh -c 'exit 3'", "cpus": 0.05, "mem": 16,
        "backoffSeconds": 30, "maxLaunchDelaySeconds": 60});
    for app in [&flaky, &crashy] {
        let (status, body) = dromos.send(Method::POST, "/v2/apps", &app.to_string()).await;
        assert_eq!(status, 201, "{body}");
    }

    let app = wait_failure(&dromos, "/crashy").await;
    let failure = &app["lastTaskFailure"];
    assert_eq!(failure["appId"], "/crashy");
    assert_eq!(failure["state"], "TASK_FAILED", "{failure}");
    assert_eq!(failure["message"], "Command exited with status 3", "{failure}");
    assert_eq!(failure["version"], app["version"], "{failure}");
    assert!(failure["taskId"].as_str().unwrap().starts_with("crashy.instance-"), "{failure}");
    assert!(failure["slaveId"].as_str().is_some_and(|s| !s.is_empty()), "{failure}");
    assert!(
        chrono::DateTime::parse_from_rfc3339(failure["timestamp"].as_str().unwrap()).is_ok(),
        "{failure}"
    );
    let update = events.wait_for("TASK_FAILED of /crashy", status_update("/crashy", "TASK_FAILED")).await;
    assert_eq!(failure["host"], update.data["host"], "the agent the task ran on");
    assert!(failure["host"].as_str().is_some_and(|h| !h.is_empty()), "{failure}");

    let before = wait_failure(&dromos, "/flaky").await["lastTaskFailure"].clone();
    assert_eq!(
        (before["state"].as_str(), before["host"].clone()),
        (Some("TASK_FAILED"), failure["host"].clone())
    );
    let first_run = wait_running_task(&dromos, "/flaky", "").await;
    assert_ne!(first_run["id"], before["taskId"], "the failed task was replaced");
    let (_, listed) = dromos.get("/v2/apps?embed=apps.lastTaskFailure").await;
    let in_list = listed["apps"].as_array().unwrap().iter().find(|a| a["id"] == "/flaky").cloned().unwrap();
    assert_eq!(in_list["lastTaskFailure"], before);
    let (_, metrics) = dromos.get("/metrics").await;
    assert!(
        metrics["counters"]["dromos.service.task-failure.counter"]["count"].as_u64() >= Some(2),
        "{metrics}"
    );

    // A graceful restart stops the tasks; the failure is read back from
    // the store, and the stopped task is not a new failure.
    let data_dir = dromos.stop();
    let dromos = Dromos::wrap(DromosProcess::start_in(&bin(), data_dir, &[]).expect("restart"));
    assert_eq!(dromos.app("/flaky").await["lastTaskFailure"], before, "as it was before the restart");
    assert_eq!(dromos.app("/crashy").await["lastTaskFailure"]["state"], "TASK_FAILED");
    let relaunched = wait_running_task(&dromos, "/flaky", first_run["id"].as_str().unwrap()).await;
    assert_ne!(relaunched["id"], first_run["id"]);
    assert_eq!(
        dromos.app("/flaky").await["lastTaskFailure"],
        before,
        "the task stopped with dromos is no failure"
    );

    // Deleted, the app's failure goes with it.
    let (status, _) = dromos.send(Method::DELETE, "/v2/apps/crashy", "").await;
    assert_eq!(status, 200);
    let (status, _) = dromos.get("/v2/apps/crashy").await;
    assert_eq!(status, 404);
    let (_, listed) = dromos.get("/v2/apps?embed=apps.lastTaskFailure").await;
    let ids: Vec<&Value> = listed["apps"].as_array().unwrap().iter().map(|a| &a["id"]).collect();
    assert_eq!(ids, [&json!("/flaky")]);
    let calm = json!({"id": "/crashy", "cmd": "sleep 600", "cpus": 0.05, "mem": 16}).to_string();
    let (status, body) = dromos.send(Method::POST, "/v2/apps?force=true", &calm).await;
    assert_eq!(status, 201, "{body}");
    assert!(
        dromos.app("/crashy").await.get("lastTaskFailure").is_none(),
        "a new app of the same id starts clean"
    );
}
