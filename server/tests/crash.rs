//! `kill -9` of dromos in the middle of a burst of writes loses nothing that
//! was acknowledged, and nothing unacknowledged is half-present.

use std::path::PathBuf;
use std::time::Duration;

use end2end::dromos::DromosProcess;
use serde_json::{json, Value};

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dromos"))
}

fn app(n: usize) -> Value {
    json!({
        "id": format!("/burst/app-{n:03}"),
        "cmd": "sleep 1000",
        "cpus": 0.01,
        "mem": 8,
        "instances": 0,
        "labels": { "n": n.to_string() }
    })
}

/// Writes apps one after another until the process dies; returns the ids
/// the server acknowledged with 201.
async fn burst(url: String) -> Vec<String> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("client");
    let mut acked = Vec::new();
    let mut n = 0;
    while n < 10_000 {
        let body = app(n);
        match http.post(format!("{url}/v2/apps")).json(&body).send().await {
            Ok(response) if response.status() == 201 => {
                acked.push(body["id"].as_str().unwrap_or_default().to_string());
                n += 1;
            }
            // Marathon's limit on running deployments: wait for some to finish.
            Ok(response) if response.status() == 403 => tokio::time::sleep(Duration::from_millis(50)).await,
            Ok(response) => panic!("unexpected answer {} to app {n}", response.status()),
            Err(_) => break,
        }
    }
    acked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_mid_burst() {
    let server = DromosProcess::start(&bin(), &[]).expect("start dromos");
    let writer = tokio::spawn(burst(server.url.clone()));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let data_dir = server.kill().expect("kill -9");
    let acked = writer.await.expect("writer");
    assert!(acked.len() >= 5, "too few writes before the kill to mean anything: {}", acked.len());

    let server = DromosProcess::start_in(&bin(), data_dir, &[]).expect("restart");
    let apps: Value =
        reqwest::get(format!("{}/v2/apps", server.url)).await.expect("list").json().await.expect("json");
    let stored: Vec<&Value> = apps["apps"].as_array().expect("apps array").iter().collect();
    let ids: Vec<&str> = stored.iter().filter_map(|a| a["id"].as_str()).collect();
    for id in &acked {
        assert!(ids.contains(&id.as_str()), "acknowledged {id} lost after kill -9");
    }
    // At most the one write in flight at the kill may have landed unacknowledged,
    // and whatever is there is whole: the definition as it was posted.
    assert!(ids.len() <= acked.len() + 1, "{} stored, {} acknowledged", ids.len(), acked.len());
    for app in stored {
        let n: usize = app["labels"]["n"].as_str().and_then(|s| s.parse().ok()).expect("label n");
        assert_eq!(app["id"], app_json_id(n));
        assert_eq!(app["cmd"], "sleep 1000");
        assert_eq!(app["mem"].as_f64(), Some(8.0));
        let versions: Value = reqwest::get(format!("{}/v2/apps{}/versions", server.url, app_json_id(n)))
            .await
            .expect("versions")
            .json()
            .await
            .expect("json");
        assert_eq!(versions["versions"].as_array().map(Vec::len), Some(1), "versions of app {n}");
    }
    println!("crash: {} writes acknowledged before kill -9, {} stored after restart", acked.len(), ids.len());
}

fn app_json_id(n: usize) -> String {
    format!("/burst/app-{n:03}")
}
