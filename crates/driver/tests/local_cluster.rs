//! The driver against the real embedded master (`dromos-local`): a
//! `sleep 30` app really runs.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use dromos_driver::testing::InMemoryTarget;
use dromos_driver::{Driver, DriverConfig};
use dromos_local::{router, LocalCluster, LocalConfig, MachineResources};
use dromos_model::{parse_app, Timestamp};
use dromos_scheduler::Condition;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn sleep_app_reaches_task_running_on_the_embedded_cluster() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut local = LocalConfig::new(data_dir.path());
    local.machine =
        Some(MachineResources { cpus: 2.0, mem_mb: 2048.0, disk_mb: 1000.0, ports: (31000, 31100) });
    local.allocation_interval = Duration::from_millis(50);
    let shutdown = CancellationToken::new();
    let cluster = LocalCluster::start(local, shutdown.clone()).expect("cluster starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("port");
    let address = listener.local_addr().expect("address");
    let stop = shutdown.clone();
    let served = cluster.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(served)).with_graceful_shutdown(stop.cancelled_owned()).await;
    });

    let mut app =
        parse_app(br#"{"id":"/sleepy","cmd":"sleep 30","cpus":0.1,"mem":32,"instances":1}"#).expect("app");
    app.version = Timestamp::parse("2024-01-01T00:00:00.000Z");
    let target = Arc::new(InMemoryTarget::new());
    target.deploy(vec![app]).expect("plan");
    let user = std::env::var("USER").unwrap_or_else(|_| "root".to_owned());
    let config = DriverConfig::new(format!("http://{address}").parse::<reqwest::Url>().expect("url"), user);
    let driver = tokio::spawn(Driver::run(target.clone(), config, shutdown.child_token()));

    let (state, ok) = target
        .wait_until(Duration::from_secs(30), |s| {
            s.deployments.is_empty()
                && s.instances.iter().any(|i| i.condition == Condition::Running && i.state == "TASK_RUNNING")
        })
        .await;
    assert!(ok, "the task never ran: {state:#?}");
    let task_id = &state.instances[0].task_id;
    assert!(task_id.starts_with("sleepy.instance-"));
    let master = cluster.state().await.expect("master state");
    let text = master.to_string();
    assert!(
        text.contains(task_id.as_str()) && text.contains("TASK_RUNNING"),
        "master knows the running task: {text}"
    );
    shutdown.cancel();
    let result =
        tokio::time::timeout(Duration::from_secs(15), driver).await.expect("driver stops").expect("join");
    assert!(result.is_ok(), "{result:?}");
}
