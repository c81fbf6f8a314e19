//! Apps created through the REST API really run: the real `dromos` binary,
//! its embedded cluster, real processes in sandboxes. Every wait polls with
//! a deadline.

#![allow(clippy::unwrap_used)]

#[path = "scheduling/support.rs"]
#[allow(dead_code)]
mod support;

use std::collections::BTreeSet;
use std::time::Instant;

use end2end::dromos::DromosProcess;
use reqwest::Method;
use serde_json::Value;
use support::{bin, eventually, live_processes, status_update, task_groups, Dromos, Events};

const SLEEPY: &str = r#"{"id":"/sleepy","cmd":"sleep 600","cpus":0.1,"mem":16,"instances":2}"#;

fn ids(tasks: &[Value]) -> BTreeSet<String> {
    tasks.iter().filter_map(|t| t["id"].as_str().map(str::to_owned)).collect()
}

fn running(tasks: &[Value]) -> usize {
    tasks.iter().filter(|t| t["state"] == "TASK_RUNNING").count()
}

/// Waits until `app` has exactly `n` tasks, all running; returns them.
async fn wait_running(dromos: &Dromos, app: &str, n: usize) -> Vec<Value> {
    eventually(&format!("{n} running tasks of {app}"), || async {
        let tasks = dromos.tasks_of(app).await;
        let counted = dromos.app(app).await["tasksRunning"].as_u64();
        if tasks.len() == n && running(&tasks) == n && counted == Some(n as u64) {
            Ok(tasks)
        } else {
            Err(format!("tasksRunning {counted:?}, tasks {tasks:?}"))
        }
    })
    .await
}

async fn wait_no_deployments(dromos: &Dromos) {
    eventually("no deployment left", || async {
        let (_, body) = dromos.get("/v2/deployments").await;
        if body.as_array().is_some_and(Vec::is_empty) {
            Ok(())
        } else {
            Err(body.to_string())
        }
    })
    .await;
}

/// Waits until exactly `n` tasks (process groups) live in the sandboxes.
async fn wait_processes(dromos: &Dromos, n: usize) {
    eventually(&format!("{n} task process groups"), || async {
        let live = dromos.task_groups();
        if live.len() == n {
            Ok(())
        } else {
            Err(format!("{live:?}"))
        }
    })
    .await;
}

#[tokio::test]
async fn an_app_runs_scales_replaces_a_killed_task_and_stops_when_deleted() {
    let dromos = Dromos::start();
    let events = Events::subscribe(&dromos).await;

    let (status, _) = dromos.send(Method::POST, "/v2/apps", SLEEPY).await;
    assert_eq!(status, 201);
    let tasks = wait_running(&dromos, "/sleepy", 2).await;
    for task in &tasks {
        assert!(task["host"].as_str().is_some_and(|h| !h.is_empty()), "host: {task}");
        assert!(task["ports"].as_array().is_some_and(|p| !p.is_empty()), "ports: {task}");
        assert!(task["id"].as_str().is_some_and(|id| id.starts_with("sleepy.instance-")), "{task}");
        assert!(task["startedAt"].is_string() && task["stagedAt"].is_string(), "{task}");
    }
    wait_no_deployments(&dromos).await;
    let update =
        events.wait_for("status_update_event TASK_RUNNING", status_update("/sleepy", "TASK_RUNNING")).await;
    assert!(ids(&tasks).contains(update.data["taskId"].as_str().unwrap()), "{:?}", update.data);
    wait_processes(&dromos, 2).await;

    // Scale down: one task is killed.
    let (status, _) = dromos.send(Method::PUT, "/v2/apps/sleepy", r#"{"instances":1}"#).await;
    assert_eq!(status, 200);
    let left = wait_running(&dromos, "/sleepy", 1).await;
    assert!(ids(&tasks).is_superset(&ids(&left)), "the survivor is one of the two");
    let killed =
        events.wait_for("TASK_KILLED of the scaled-down task", status_update("/sleepy", "TASK_KILLED")).await;
    // The agent's message travels with every state, as in Marathon.
    assert!(
        killed.data["message"].as_str().is_some_and(|m| m.starts_with("Command terminated")),
        "{:?}",
        killed.data
    );
    wait_no_deployments(&dromos).await;
    wait_processes(&dromos, 1).await;

    // Kill the last task: it is replaced by a new one.
    let victim = left[0]["id"].as_str().unwrap().to_owned();
    let (status, _) = dromos.send(Method::DELETE, &format!("/v2/apps/sleepy/tasks/{victim}"), "").await;
    assert_eq!(status, 200);
    let replaced = eventually("a replacement task running", || async {
        let tasks = dromos.tasks_of("/sleepy").await;
        let fresh = tasks.iter().any(|t| t["id"] != victim.as_str() && t["state"] == "TASK_RUNNING");
        if fresh && tasks.len() == 1 {
            Ok(tasks)
        } else {
            Err(format!("{tasks:?}"))
        }
    })
    .await;
    assert_ne!(replaced[0]["id"], victim.as_str());
    wait_processes(&dromos, 1).await;

    // Delete the app: every task is killed, the processes are gone.
    let (status, _) = dromos.send(Method::DELETE, "/v2/apps/sleepy", "").await;
    assert_eq!(status, 200);
    eventually("no task of the deleted app", || async {
        let tasks = dromos.tasks_of("/sleepy").await;
        if tasks.is_empty() {
            Ok(())
        } else {
            Err(format!("{tasks:?}"))
        }
    })
    .await;
    wait_no_deployments(&dromos).await;
    wait_processes(&dromos, 0).await;
}

#[tokio::test]
async fn a_crashing_app_is_backed_off_in_the_queue_and_relaunched() {
    let dromos = Dromos::start();
    let events = Events::subscribe(&dromos).await;
    let crashy = r#"{"id":"/crashy","cmd":"exit 1","cpus":0.1,"mem":16,"instances":1,
        "backoffSeconds":3,"backoffFactor":1.5,"maxLaunchDelaySeconds":30}"#;
    let (status, _) = dromos.send(Method::POST, "/v2/apps", crashy).await;
    assert_eq!(status, 201);

    let first = events.wait_for("a TASK_FAILED", status_update("/crashy", "TASK_FAILED")).await;
    let delayed = eventually("/crashy delayed in /v2/queue", || async {
        let (_, body) = dromos.get("/v2/queue").await;
        let item =
            body["queue"].as_array().and_then(|q| q.iter().find(|i| i["app"]["id"] == "/crashy")).cloned();
        match item {
            Some(item) if item["delay"]["timeLeftSeconds"].as_u64().is_some_and(|s| s > 0) => Ok(item),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    assert_eq!(delayed["delay"]["overdue"], false, "{delayed}");
    assert_eq!(delayed["count"], 1, "{delayed}");

    let first_id = first.data["taskId"].clone();
    let relaunched = events
        .wait_for("a second TASK_FAILED (relaunched)", move |e| {
            status_update("/crashy", "TASK_FAILED")(e) && e.data["taskId"] != first_id
        })
        .await;
    assert!(relaunched.at > first.at);
    let (status, _) = dromos.send(Method::DELETE, "/v2/apps/crashy", "").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_http_app_becomes_healthy() {
    let dromos = Dromos::start();
    let web = r#"{"id":"/web","cmd":"exec python3 -m http.server $PORT0 --bind 127.0.0.1","cpus":0.1,"mem":64,
        "instances":1,"portDefinitions":[{"port":0}],
        "healthChecks":[{"protocol":"HTTP","path":"/","portIndex":0,"gracePeriodSeconds":60,
        "intervalSeconds":1,"timeoutSeconds":2,"maxConsecutiveFailures":5}]}"#;
    let events = Events::subscribe(&dromos).await;
    let (status, _) = dromos.send(Method::POST, "/v2/apps", web).await;
    assert_eq!(status, 201);
    let health = events
        .wait_for("health_status_changed_event", |e| {
            e.kind == "health_status_changed_event" && e.data["appId"] == "/web"
        })
        .await;
    assert_eq!(health.data["alive"], true, "{:?}", health.data);
    let task_id = health.data["taskId"].as_str().expect("taskId").to_owned();
    assert!(
        task_id.starts_with(health.data["instanceId"].as_str().expect("instanceId")),
        "{:?}",
        health.data
    );
    let instance =
        events.wait_for("instance_health_changed_event", |e| e.kind == "instance_health_changed_event").await;
    assert_eq!(instance.data["runSpecId"], "/web");
    assert_eq!(instance.data["healthy"], true);
    assert_eq!(instance.data["runSpecVersion"], health.data["version"]);
    let running_updates = events.matching(|e| {
        e.kind == "status_update_event"
            && e.data["taskId"] == task_id.as_str()
            && e.data["taskStatus"] == "TASK_RUNNING"
    });
    assert_eq!(running_updates.len(), 1, "a health verdict is not a status update");
    let app = eventually("/web healthy", || async {
        let app = dromos.app("/web").await;
        if app["tasksHealthy"] == 1 && app["tasksRunning"] == 1 {
            Ok(app)
        } else {
            Err(app.to_string())
        }
    })
    .await;
    assert_eq!(app["tasksUnhealthy"], 0);
    let tasks = dromos.tasks_of("/web").await;
    assert_eq!(tasks[0]["healthCheckResults"][0]["alive"], true, "{tasks:?}");
    wait_no_deployments(&dromos).await;
}

/// After `kill -9` the embedded master is gone with dromos; its tasks'
/// processes survive (re-parented). The restarted dromos re-adopts them:
/// the same tasks keep running in the same processes and nothing is
/// launched (see also `local_tasks.rs` for a task that died meanwhile).
#[tokio::test]
async fn after_kill_9_the_app_is_kept_and_its_tasks_are_readopted() {
    let dromos = Dromos::start();
    let (status, _) = dromos.send(Method::POST, "/v2/apps", SLEEPY).await;
    assert_eq!(status, 201);
    let before = ids(&wait_running(&dromos, "/sleepy", 2).await);
    wait_no_deployments(&dromos).await;
    wait_processes(&dromos, 2).await;

    let data_dir = dromos.kill();
    let sandboxes = data_dir.path().join("sandboxes");
    let orphans = live_processes(&sandboxes);
    let groups = task_groups(&sandboxes);
    assert_eq!(groups.len(), 2, "the task processes outlive a kill -9: {orphans:?}");

    let dromos = Dromos::wrap(DromosProcess::start_in(&bin(), data_dir, &[]).expect("restart"));
    assert_eq!(dromos.app("/sleepy").await["instances"], 2);
    let after = ids(&wait_running(&dromos, "/sleepy", 2).await);
    assert_eq!(after, before, "the same tasks run after the restart");
    wait_no_deployments(&dromos).await;
    assert_eq!(dromos.task_groups(), groups, "in the same processes");
    assert_eq!(dromos.tasks_of("/sleepy").await.len(), 2, "not launched twice");
}

/// Launch latency: create a one-instance app, time until its
/// `status_update_event` TASK_RUNNING arrives; 20 in a row. Printed, not
/// asserted (run with `--nocapture`).
#[tokio::test]
async fn launch_latency_figures() {
    let dromos = Dromos::start();
    let events = Events::subscribe(&dromos).await;
    let mut samples = Vec::new();
    for i in 0..20 {
        let id = format!("/latency-{i}");
        let body = format!(r#"{{"id":"{id}","cmd":"sleep 600","cpus":0.01,"mem":8,"instances":1}}"#);
        let start = Instant::now();
        let (status, _) = dromos.send(Method::POST, "/v2/apps", &body).await;
        assert_eq!(status, 201);
        let running = events.wait_for("TASK_RUNNING", status_update(&id, "TASK_RUNNING")).await;
        samples.push(running.at.duration_since(start).as_secs_f64() * 1000.0);
        let (status, _) = dromos.send(Method::DELETE, &format!("/v2/apps{id}"), "").await;
        assert_eq!(status, 200);
    }
    samples.sort_by(f64::total_cmp);
    let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "launch latency (POST /v2/apps → status_update_event TASK_RUNNING), n={}: p50 {:.0} ms, p99 {:.0} ms, min {:.0} ms, max {:.0} ms",
        samples.len(),
        pick(0.5),
        pick(0.99),
        samples[0],
        samples[samples.len() - 1]
    );
}
