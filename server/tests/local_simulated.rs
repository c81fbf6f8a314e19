//! `--local-simulate` and `--local-resources` through the real `dromos`
//! binary: more instances than the machine could hold run as simulated
//! tasks (no process anywhere), a killed one is replaced, and COMMAND
//! health checks pass. Every wait polls with a deadline.

#![allow(clippy::unwrap_used)]

#[path = "scheduling/support.rs"]
#[allow(dead_code)]
mod support;

use std::collections::BTreeSet;

use end2end::dromos::DromosProcess;
use reqwest::Method;
use serde_json::{json, Value};
use support::{bin, eventually, live_processes, status_update, Dromos, Events};

/// 40 instances of 1 cpu and 1 GB: far beyond this machine, within the
/// resources it is told it has.
const INSTANCES: usize = 40;

fn start() -> Dromos {
    let args = ["--local-simulate", "--local-resources", "cpus:100;mem:100000;ports:[31000-31100]"];
    Dromos::wrap(DromosProcess::start(&bin(), &args).expect("dromos starts"))
}

/// Waits until `app` has `n` tasks, all running and counted so; returns their ids.
async fn running_ids(dromos: &Dromos, app: &str, n: usize) -> BTreeSet<String> {
    eventually(&format!("{n} running tasks of {app}"), || async {
        let tasks = dromos.tasks_of(app).await;
        let running = tasks.iter().filter(|t| t["state"] == "TASK_RUNNING").count();
        let counted = dromos.app(app).await["tasksRunning"].as_u64();
        if tasks.len() == n && running == n && counted == Some(n as u64) {
            Ok(tasks.iter().filter_map(|t| t["id"].as_str().map(str::to_owned)).collect())
        } else {
            Err(format!("tasksRunning {counted:?}, {running} of {} running", tasks.len()))
        }
    })
    .await
}

#[tokio::test]
async fn simulated_tasks_beyond_the_machine_run_without_processes_and_are_replaced_when_killed() {
    let dromos = start();
    let events = Events::subscribe(&dromos).await;
    let (_, info) = dromos.get("/master/state").await;
    let cpus: f64 =
        info["slaves"].as_array().unwrap().iter().map(|a| a["resources"]["cpus"].as_f64().unwrap()).sum();
    assert_eq!(cpus, 100.0, "the agents offer the overridden resources: {info}");

    let marker = dromos.process().data_dir().join("ran");
    let app = json!({"id": "/crowd", "cpus": 1, "mem": 1024, "instances": INSTANCES,
        "cmd": format!("touch {}; sleep 600", marker.display())});
    let (status, body) = dromos.send(Method::POST, "/v2/apps", &app.to_string()).await;
    assert_eq!(status, 201, "{body}");
    let ids = running_ids(&dromos, "/crowd", INSTANCES).await;
    assert!(live_processes(&dromos.process().data_dir().join("sandboxes")).is_empty(), "no task process");
    assert!(!marker.exists(), "no command ran");

    let victim = ids.first().unwrap().clone();
    let path = format!("/v2/apps/crowd/tasks/{victim}");
    let (status, body) = dromos.send(Method::DELETE, &path, "").await;
    assert_eq!(status, 200, "{body}");
    events
        .wait_for("TASK_KILLED of the victim", |e| {
            status_update("/crowd", "TASK_KILLED")(e) && e.data["taskId"] == victim.as_str()
        })
        .await;
    let after = eventually("a replacement", || async {
        let now = running_ids(&dromos, "/crowd", INSTANCES).await;
        if now.contains(&victim) {
            Err(format!("{victim} still listed"))
        } else {
            Ok(now)
        }
    })
    .await;
    assert_eq!(after.difference(&ids).count(), 1, "exactly one new task: {after:?}");
}

#[tokio::test]
async fn simulated_command_health_checks_pass() {
    let dromos = start();
    let app = json!({"id": "/checked", "cmd": "sleep 600", "cpus": 0.5, "mem": 64, "instances": 3,
        "healthChecks": [{"protocol": "COMMAND", "command": {"value": "false"}, "gracePeriodSeconds": 1}]});
    let (status, body) = dromos.send(Method::POST, "/v2/apps", &app.to_string()).await;
    assert_eq!(status, 201, "{body}");
    running_ids(&dromos, "/checked", 3).await;
    let healthy = eventually("3 healthy instances", || async {
        let app: Value = dromos.app("/checked").await;
        if app["tasksHealthy"] == 3 {
            Ok(app)
        } else {
            Err(app.to_string())
        }
    })
    .await;
    assert_eq!(healthy["tasksUnhealthy"], 0);
}

/// Kill requests sent together, one task each (a script killing instances,
/// the console's row actions), all succeed: each answers its own task, each
/// task is killed once and replaced once, and every request's audit entry
/// is stored, also across a restart.
#[tokio::test]
async fn concurrent_kill_requests_each_kill_their_task_once_and_are_all_recorded() {
    const KILLED: usize = 12;
    let dromos = start();
    let events = Events::subscribe(&dromos).await;
    let app = json!({"id": "/many", "cmd": "sleep 600", "cpus": 0.5, "mem": 64, "instances": INSTANCES});
    let (status, body) = dromos.send(Method::POST, "/v2/apps", &app.to_string()).await;
    assert_eq!(status, 201, "{body}");
    let ids = running_ids(&dromos, "/many", INSTANCES).await;
    let victims: Vec<String> = ids.iter().take(KILLED).cloned().collect();

    let paths: Vec<String> = victims.iter().map(|v| format!("/v2/apps/many/tasks/{v}")).collect();
    let answers =
        futures_util::future::join_all(paths.iter().map(|p| dromos.send(Method::DELETE, p, ""))).await;
    for (victim, (status, body)) in victims.iter().zip(&answers) {
        assert_eq!(*status, 200, "{victim}: {body}");
        assert_eq!(body["task"]["id"], victim.as_str(), "{body}");
    }

    let after = eventually("replacements of every victim", || async {
        let now = running_ids(&dromos, "/many", INSTANCES).await;
        match victims.iter().find(|v| now.contains(*v)) {
            Some(v) => Err(format!("{v} still listed")),
            None => Ok(now),
        }
    })
    .await;
    assert_eq!(after.difference(&ids).count(), KILLED, "one new task per victim: {after:?}");
    for victim in &victims {
        // The task list and the event stream are separate connections: the
        // list may show the replacement before the stream has delivered the
        // kill, so wait for the event, then count.
        let is_kill = |e: &support::Event| {
            status_update("/many", "TASK_KILLED")(e) && e.data["taskId"] == victim.as_str()
        };
        events.wait_for(&format!("TASK_KILLED of {victim}"), is_kill).await;
        let killed = events.matching(is_kill);
        assert_eq!(killed.len(), 1, "{victim} killed once: {killed:?}");
    }

    let audited = |entries: &Value| {
        let actions: BTreeSet<String> = entries["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["status"] == 200)
            .filter_map(|e| e["action"].as_str().map(str::to_owned))
            .collect();
        victims.iter().filter(|v| actions.contains(&format!("DELETE /v2/apps/many/tasks/{v}"))).count()
    };
    let (status, entries) = dromos.get("/v2/access/audit?limit=1000").await;
    assert_eq!(status, 200, "{entries}");
    assert_eq!(audited(&entries), KILLED, "{entries}");

    let dir = dromos.stop();
    let args = ["--local-simulate", "--local-resources", "cpus:100;mem:100000;ports:[31000-31100]"];
    let dromos = Dromos::wrap(DromosProcess::start_in(&bin(), dir, &args).expect("dromos restarts"));
    let (status, entries) = dromos.get("/v2/access/audit?limit=1000").await;
    assert_eq!(status, 200, "{entries}");
    assert_eq!(audited(&entries), KILLED, "stored before the answers: {entries}");
}
