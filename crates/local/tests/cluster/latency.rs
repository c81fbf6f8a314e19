//! Launch latency: 50 `true` tasks launched one after another; reports p50 and
//! p99 of ACCEPT → TASK_RUNNING and ACCEPT → TASK_FINISHED. Printed, never
//! asserted (timing depends on the machine).

use std::time::{Duration, Instant};

use dromos_mesos::v1::{CommandInfo, TaskState};

use crate::support::Harness;

const TASKS: usize = 50;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::test]
async fn serial_launch_latency_of_fifty_true_tasks() {
    let harness = Harness::start().await;
    let mut fw = harness.framework("latency").await;
    let (mut running, mut finished) = (Vec::with_capacity(TASKS), Vec::with_capacity(TASKS));
    for i in 0..TASKS {
        let offer = fw.offers().await.remove(0);
        let task = format!("true-{i}");
        let start = Instant::now();
        fw.launch(&offer, &task, CommandInfo::shell("true")).await;
        fw.update(&task, TaskState::Running).await;
        running.push(start.elapsed());
        fw.update(&task, TaskState::Finished).await;
        finished.push(start.elapsed());
    }
    running.sort();
    finished.sort();
    println!(
        "launch latency over {TASKS} serial `true` tasks: ACCEPT→RUNNING p50 {:?} p99 {:?}; \
         ACCEPT→FINISHED p50 {:?} p99 {:?}",
        percentile(&running, 0.5),
        percentile(&running, 0.99),
        percentile(&finished, 0.5),
        percentile(&finished, 0.99),
    );
    let metrics = harness.get_json("/metrics/snapshot").await;
    assert_eq!(metrics["master/tasks_finished"], TASKS as f64);
}
