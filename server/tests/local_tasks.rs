//! Tasks of the embedded cluster through the real `dromos` binary: their
//! output over `/v2/tasks/{id}/files/...`, and their survival of a crash of
//! dromos (re-adopted, not relaunched). Every wait polls with a deadline.

#![allow(clippy::unwrap_used)]

#[path = "scheduling/support.rs"]
#[allow(dead_code)]
mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use end2end::dromos::DromosProcess;
use reqwest::Method;
use serde_json::{json, Value};
use support::{bin, eventually, task_groups, Dromos, DEADLINE};

/// Waits until `app` has exactly `n` tasks, all running; returns their ids.
async fn running_ids(dromos: &Dromos, app: &str, n: usize) -> BTreeSet<String> {
    eventually(&format!("{n} running tasks of {app}"), || async {
        let tasks = dromos.tasks_of(app).await;
        let running = tasks.iter().filter(|t| t["state"] == "TASK_RUNNING").count();
        if tasks.len() == n && running == n {
            Ok(tasks.iter().filter_map(|t| t["id"].as_str().map(str::to_owned)).collect())
        } else {
            Err(format!("{tasks:?}"))
        }
    })
    .await
}

async fn no_deployments(dromos: &Dromos) {
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

/// Reads `event: <kind>` / `data: <json>` messages of an SSE response until
/// `eof` (or the deadline); returns them in order.
async fn sse_until_eof(mut response: reqwest::Response) -> Vec<(String, Value)> {
    let mut buffer = String::new();
    let mut events = Vec::new();
    let read = async {
        while let Ok(Some(chunk)) = response.chunk().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let message: String = buffer.drain(..end + 2).collect();
                let kind = message.lines().find_map(|l| l.strip_prefix("event: ")).unwrap_or_default();
                let data = message.lines().find_map(|l| l.strip_prefix("data: ")).unwrap_or("null");
                if kind.is_empty() {
                    continue; // keep-alive comment
                }
                events.push((kind.to_owned(), serde_json::from_str(data).unwrap_or(Value::Null)));
                if kind == "eof" {
                    return;
                }
            }
        }
    };
    let _ = tokio::time::timeout(DEADLINE, read).await;
    events
}

#[tokio::test]
async fn task_output_is_read_by_window_and_followed_until_the_task_ends() {
    let dromos = Dromos::start();
    let app = json!({"id": "/talker", "cpus": 0.05, "mem": 16, "instances": 1,
        "cmd": "echo started; echo warning >&2; i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.1; done"});
    let (status, _) = dromos.send(Method::POST, "/v2/apps", &app.to_string()).await;
    assert_eq!(status, 201);
    let id = running_ids(&dromos, "/talker", 1).await.pop_first().unwrap();
    let files = |rest: &str| format!("/v2/tasks/{id}/files/{rest}");

    let head = eventually("ten ticks written", || async {
        let (status, body) = dromos.get(&files("stdout?offset=0&length=1000000")).await;
        let data = body["data"].as_str().unwrap_or_default().to_owned();
        if status == 200 && data.contains("tick-9\n") {
            Ok(body)
        } else {
            Err(format!("{status} {body}"))
        }
    })
    .await;
    assert_eq!(head["offset"], 0);
    assert!(head["data"].as_str().unwrap().starts_with("started\ntick-0\ntick-1\n"), "{head}");
    assert_eq!(
        dromos.get(&files("stdout?offset=8&length=6")).await,
        (200, json!({"data": "tick-0", "offset": 8}))
    );
    assert_eq!(dromos.get(&files("stderr")).await, (200, json!({"data": "warning\n", "offset": 0})));
    let (status, size) = dromos.get(&files("stdout?offset=-1")).await;
    assert_eq!((status, &size["data"]), (200, &json!("")));
    assert!(size["offset"].as_u64().unwrap() >= head["data"].as_str().unwrap().len() as u64);
    let (status, tail) = dromos.get(&files("stdout")).await;
    assert_eq!(status, 200);
    let tail_end = tail["offset"].as_u64().unwrap() + tail["data"].as_str().unwrap().len() as u64;
    assert!(tail_end >= size["offset"].as_u64().unwrap(), "no offset: the end of the file {tail}");

    assert_eq!(
        dromos.get("/v2/tasks/nope.instance-1/files/stdout").await,
        (404, json!({"message": "Task 'nope.instance-1' does not exist"}))
    );
    assert_eq!(dromos.get(&files("environ")).await.0, 404);
    let (status, body) = dromos.get(&files("stdout?length=lots")).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("query parameter length"), "{body}");

    // The CLI reads the same endpoints.
    let cli = |args: &[&str]| {
        let mut command = tokio::process::Command::new(bin());
        command.args(["task", "log", &id, "--url", &dromos.process().url]).args(args);
        command.output()
    };
    let stderr = cli(&["--stderr"]).await.unwrap();
    assert!(stderr.status.success(), "{stderr:?}");
    assert_eq!(String::from_utf8_lossy(&stderr.stdout), "warning\n");

    // Follow from the start; end the task; the stream sends everything, then eof.
    let response = dromos
        .http
        .get(dromos.url(&files("stdout/follow?offset=0")))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let follower = tokio::spawn(sse_until_eof(response));
    let (status, _) = dromos.send(Method::DELETE, "/v2/apps/talker", "").await;
    assert_eq!(status, 200);
    let events = follower.await.unwrap();
    let (last_kind, last) = events.last().cloned().expect("events");
    assert_eq!(last_kind, "eof", "{events:?}");
    let mut next = 0;
    let mut text = String::new();
    for (kind, data) in &events[..events.len() - 1] {
        assert_eq!(kind, "data");
        assert_eq!(data["offset"], next, "chunks are contiguous: {events:?}");
        let chunk = data["data"].as_str().unwrap();
        next += chunk.len() as u64;
        text.push_str(chunk);
    }
    assert_eq!(last["offset"], next);
    assert!(text.starts_with("started\ntick-0\n") && text.ends_with('\n'), "{text}");
    // The finished task's output stays readable while its sandbox exists.
    let (status, body) = dromos.get(&files("stdout?offset=0&length=8")).await;
    assert_eq!((status, body), (200, json!({"data": "started\n", "offset": 0})));
    // Following an ended task prints the tail asked for and returns.
    let followed = cli(&["--follow", "--tail", "7"]).await.unwrap();
    assert!(followed.status.success(), "{followed:?}");
    let want = &text[text.len() - 7..];
    assert_eq!(String::from_utf8_lossy(&followed.stdout), want);
}

/// `kill -9` of dromos leaves its tasks running. The next dromos re-adopts
/// the one still alive (same task, same process) and reports the one that
/// died meanwhile, which is replaced once. A graceful stop then kills them.
#[tokio::test]
async fn after_sigkill_live_tasks_are_readopted_and_dead_ones_replaced_once() {
    let dromos = Dromos::start();
    let sleepy = r#"{"id":"/sleepy","cmd":"sleep 600","cpus":0.05,"mem":16,"instances":2}"#;
    let (status, _) = dromos.send(Method::POST, "/v2/apps", sleepy).await;
    assert_eq!(status, 201);
    let before = running_ids(&dromos, "/sleepy", 2).await;
    no_deployments(&dromos).await;
    let pids: Vec<(String, i32)> = dromos
        .tasks_of("/sleepy")
        .await
        .iter()
        .map(|t| {
            let id = t["id"].as_str().unwrap().to_owned();
            let pgid = support::live_processes(&dromos.process().data_dir().join("sandboxes"))
                .into_iter()
                .find(|p| p.cwd.ends_with(&id))
                .map(|p| p.pgid)
                .unwrap();
            (id, pgid)
        })
        .collect();

    let data_dir = dromos.kill();
    let sandboxes = data_dir.path().join("sandboxes");
    assert_eq!(task_groups(&sandboxes).len(), 2, "a crash leaves the tasks running");
    let (dead_id, dead_group) = pids[0].clone();
    let (live_id, live_group) = pids[1].clone();
    nix::sys::signal::killpg(nix::unistd::Pid::from_raw(dead_group), nix::sys::signal::Signal::SIGKILL)
        .unwrap();
    eventually("the killed task gone", || async {
        let groups = task_groups(&sandboxes);
        if groups.contains(&dead_group) {
            Err(format!("{groups:?}"))
        } else {
            Ok(())
        }
    })
    .await;

    let dromos = Dromos::wrap(DromosProcess::start_in(&bin(), data_dir, &[]).expect("restart"));
    let after = eventually("the survivor kept and one replacement running", || async {
        let ids = running_ids(&dromos, "/sleepy", 2).await;
        if ids.contains(&live_id) && !ids.contains(&dead_id) {
            Ok(ids)
        } else {
            Err(format!("{ids:?}"))
        }
    })
    .await;
    assert_eq!(after.intersection(&before).count(), 1, "only the dead task was replaced: {after:?}");
    no_deployments(&dromos).await;
    let groups = task_groups(&dromos.process().data_dir().join("sandboxes"));
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert!(groups.contains(&live_group), "the survivor is the same process");
    // Nothing more is launched: the two tasks stay the same for a while.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(running_ids(&dromos, "/sleepy", 2).await, after, "nothing launched twice");
    let launched = dromos.get("/v2/apps/sleepy").await.1["app"]["tasksStaged"].clone();
    assert_eq!(launched, 0);
}

/// The ports and ids of `app`'s tasks that are running and pass every
/// health check.
async fn healthy_endpoints(dromos: &Dromos, app: &str) -> Vec<(String, u64)> {
    dromos
        .tasks_of(app)
        .await
        .iter()
        .filter(|t| t["state"] == "TASK_RUNNING")
        .filter(|t| {
            let results = t["healthCheckResults"].as_array().cloned().unwrap_or_default();
            !results.is_empty() && results.iter().all(|r| r["alive"] == true)
        })
        .filter_map(|t| Some((t["id"].as_str()?.to_owned(), t["ports"][0].as_u64()?)))
        .collect()
}

async fn wait_healthy(dromos: &Dromos, app: &str, n: usize) -> Vec<(String, u64)> {
    eventually(&format!("{n} healthy tasks of {app}"), || async {
        let endpoints = healthy_endpoints(dromos, app).await;
        let all = dromos.tasks_of(app).await.len();
        if endpoints.len() == n && all == n {
            Ok(endpoints)
        } else {
            Err(format!("{endpoints:?} of {all}"))
        }
    })
    .await
}

/// What a client that discovers the app through `/v2/apps/{id}/tasks`
/// (healthy, running tasks only) saw while polling it.
#[derive(Debug, Default)]
struct Polled {
    ok: usize,
    failures: Vec<String>,
}

/// Hits a healthy task of `app` in turn, refreshing the list before each
/// request, until `stop` fires.
async fn poll(base: String, app: &'static str, stop: tokio_util::sync::CancellationToken) -> Polled {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
    let mut polled = Polled::default();
    let mut turn = 0usize;
    while !stop.is_cancelled() {
        let tasks: Value = match http.get(format!("{base}/v2/apps{app}/tasks")).send().await {
            Ok(r) => r.json().await.unwrap_or(Value::Null),
            Err(e) => {
                polled.failures.push(format!("task list: {e}"));
                continue;
            }
        };
        let endpoints: Vec<(String, u64)> = tasks["tasks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["state"] == "TASK_RUNNING")
            .filter(|t| {
                let results = t["healthCheckResults"].as_array().cloned().unwrap_or_default();
                !results.is_empty() && results.iter().all(|r| r["alive"] == true)
            })
            .filter_map(|t| Some((t["id"].as_str()?.to_owned(), t["ports"][0].as_u64()?)))
            .collect();
        if endpoints.is_empty() {
            polled.failures.push("no healthy task listed".to_owned());
        } else {
            let (id, port) = &endpoints[turn % endpoints.len()];
            turn += 1;
            match http.get(format!("http://127.0.0.1:{port}/")).send().await {
                Ok(r) if r.status().is_success() => polled.ok += 1,
                Ok(r) => polled.failures.push(format!("{id}: HTTP {}", r.status())),
                Err(e) => polled.failures.push(format!("{id}: {e}")),
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    polled
}

/// The seed web server: two `python3 -m http.server` instances become
/// healthy and answer on their host ports; a killed one is replaced; a
/// rolling restart keeps the app answering; destroying it stops every
/// process.
#[tokio::test]
async fn seed_webserver_runs_heals_restarts_without_failures_and_is_destroyed() {
    let dromos = Dromos::start();
    let app = json!({"id": "/seed-web", "cmd": "exec python3 -m http.server $PORT0", "cpus": 0.1, "mem": 32,
        "instances": 2, "portDefinitions": [{"port": 0}],
        "healthChecks": [{"protocol": "HTTP", "path": "/", "portIndex": 0, "gracePeriodSeconds": 30,
            "intervalSeconds": 1, "timeoutSeconds": 2, "maxConsecutiveFailures": 3}]});
    let (status, _) = dromos.send(Method::POST, "/v2/apps", &app.to_string()).await;
    assert_eq!(status, 201);
    let first = wait_healthy(&dromos, "/seed-web", 2).await;
    for (id, port) in &first {
        let response = reqwest::get(format!("http://127.0.0.1:{port}/")).await.unwrap();
        assert_eq!(response.status(), 200, "task {id} answers on its host port {port}");
    }
    no_deployments(&dromos).await;

    // Kill one instance's process: a replacement takes its place.
    let sandboxes = dromos.process().data_dir().join("sandboxes");
    let (victim, _) = first[0].clone();
    let group =
        support::live_processes(&sandboxes).into_iter().find(|p| p.cwd.ends_with(&victim)).unwrap().pgid;
    nix::sys::signal::killpg(nix::unistd::Pid::from_raw(group), nix::sys::signal::Signal::SIGKILL).unwrap();
    let healed = eventually("a replacement of the killed instance, healthy", || async {
        let endpoints = healthy_endpoints(&dromos, "/seed-web").await;
        let ids: BTreeSet<&str> = endpoints.iter().map(|(id, _)| id.as_str()).collect();
        if endpoints.len() == 2
            && !ids.contains(victim.as_str())
            && dromos.tasks_of("/seed-web").await.len() == 2
        {
            Ok(endpoints)
        } else {
            Err(format!("{endpoints:?}"))
        }
    })
    .await;
    no_deployments(&dromos).await;

    // Rolling restart while a client keeps using the app.
    let stop = tokio_util::sync::CancellationToken::new();
    let poller = tokio::spawn(poll(dromos.process().url.clone(), "/seed-web", stop.clone()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = dromos.send(Method::POST, "/v2/apps/seed-web/restart", "").await;
    assert_eq!(status, 200, "{body}");
    let old: BTreeSet<String> = healed.iter().map(|(id, _)| id.clone()).collect();
    eventually("two new healthy instances, the old ones gone", || async {
        let endpoints = healthy_endpoints(&dromos, "/seed-web").await;
        let all = dromos.tasks_of("/seed-web").await;
        let fresh = endpoints.iter().all(|(id, _)| !old.contains(id));
        if endpoints.len() == 2 && all.len() == 2 && fresh {
            Ok(())
        } else {
            Err(format!("{endpoints:?}"))
        }
    })
    .await;
    no_deployments(&dromos).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.cancel();
    let polled = poller.await.unwrap();
    println!(
        "seed webserver: {} requests answered during the rolling restart, {} failed",
        polled.ok,
        polled.failures.len()
    );
    assert!(polled.ok > 10, "the poller ran: {polled:?}");
    assert!(polled.failures.is_empty(), "requests failed during the rolling restart: {polled:?}");

    // Destroy: nothing is left running.
    let (status, _) = dromos.send(Method::DELETE, "/v2/apps/seed-web", "").await;
    assert_eq!(status, 200);
    eventually("no process left in the sandboxes", || async {
        let groups = task_groups(&sandboxes);
        if groups.is_empty() && dromos.tasks_of("/seed-web").await.is_empty() {
            Ok(())
        } else {
            Err(format!("{groups:?}"))
        }
    })
    .await;
}
