//! The `launch` benchmark (see the design notes on benchmarks): how fast the
//! embedded cluster turns a launch into a running process, against a bare
//! spawn of the same command measured in the same run.
//!
//! `cargo bench -p dromos-local --bench launch`
//!
//! * serial: a framework holds an offer, ACCEPTs one `sleep` task and waits
//!   for its TASK_RUNNING update (over HTTP, through the real scheduler
//!   client; the framework checkpoints, as dromos does, so each launch also
//!   writes its recovery record); ×`LAUNCH_SERIAL` (default 500). Each task is killed off the
//!   clock. Baseline: `std::process::Command::spawn` (posix_spawn) of the
//!   same `/bin/sh -c` command, in its own process group, ×the same count.
//! * burst: one ACCEPT of 1,000 tasks, until all are TASK_RUNNING.
//!   Baseline: 1,000 bare spawns, two threads at once.
//!
//! Final line: `launch: p50_ms=… p99_ms=… ratio_p50=… burst_1000_s=…`.
//! Only `cargo bench` runs it; under `cargo test` it returns at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/cluster/support.rs"]
#[allow(dead_code)]
mod support;

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dromos_local::MachineResources;
use dromos_mesos::v1::{CommandInfo, Event, Filters, Operation, TaskId, TaskState};
use support::{small_task, Framework, Harness};

const COMMAND: &str = "sleep 600";
const BURST: usize = 1000;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("launch: skipped (run with `cargo bench -p dromos-local --bench launch`)");
        return;
    }
    let serial: usize = std::env::var("LAUNCH_SERIAL").ok().and_then(|v| v.parse().ok()).unwrap_or(500);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let bare_serial = bare_serial(serial);
    let bare_burst = bare_burst(BURST);
    let (launches, burst) = runtime.block_on(async { (serial_launches(serial).await, burst_launch().await) });
    let (p50, p99) = (percentile(&launches, 0.5), percentile(&launches, 0.99));
    let (bare_p50, bare_p99) = (percentile(&bare_serial, 0.5), percentile(&bare_serial, 0.99));
    println!("serial launch → TASK_RUNNING, n={serial}: p50 {p50:.2} ms, p99 {p99:.2} ms");
    println!("bare spawn, n={serial}: p50 {bare_p50:.3} ms, p99 {bare_p99:.3} ms");
    println!(
        "burst of {BURST}: all RUNNING in {burst:.3} s; bare 2-wide spawn of {BURST}: {bare_burst:.3} s"
    );
    println!(
        "launch: p50_ms={p50:.2} p99_ms={p99:.2} ratio_p50={:.2} burst_1000_s={burst:.3} bare_p50_ms={bare_p50:.3} burst_ratio={:.1}",
        p50 / bare_p50,
        burst / bare_burst
    );
}

fn percentile(samples: &[f64], q: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

fn bare_command() -> Command {
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(COMMAND).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    command.process_group(0);
    command
}

/// Milliseconds per bare spawn; every child is killed and reaped after.
fn bare_serial(n: usize) -> Vec<f64> {
    let mut samples = Vec::with_capacity(n);
    let mut children = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let child = bare_command().spawn().expect("spawn");
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
        children.push(child);
    }
    for child in children {
        stop(child);
    }
    samples
}

/// Kills the child's whole process group (the shell and its `sleep`) and
/// reaps the shell.
fn stop(mut child: std::process::Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
    }
    let _ = child.wait();
}

/// Seconds to spawn `n` processes two at a time.
fn bare_burst(n: usize) -> f64 {
    let start = Instant::now();
    let halves: Vec<_> = (0..2)
        .map(|_| {
            std::thread::spawn(move || (0..n / 2).map(|_| bare_command().spawn().expect("spawn")).collect())
        })
        .collect();
    let children: Vec<Vec<std::process::Child>> =
        halves.into_iter().map(|h| h.join().expect("spawner")).collect();
    let elapsed = start.elapsed().as_secs_f64();
    for child in children.into_iter().flatten() {
        stop(child);
    }
    elapsed
}

async fn cluster() -> Harness {
    Harness::start_with(|config| {
        config.machine = Some(MachineResources {
            cpus: 2000.0,
            mem_mb: 1_000_000.0,
            disk_mb: 1_000_000.0,
            ports: (31000, 32000),
        });
        config.allocation_interval = Duration::from_millis(20);
    })
    .await
}

/// A framework like dromos' own: its tasks are recorded for recovery, which
/// is part of every launch.
fn checkpointing(name: &str) -> dromos_mesos::v1::FrameworkInfo {
    let mut info = dromos_mesos::v1::FrameworkInfo::new("root", name);
    info.checkpoint = Some(true);
    info
}

/// Milliseconds from ACCEPT to TASK_RUNNING, one task at a time.
async fn serial_launches(n: usize) -> Vec<f64> {
    let harness = cluster().await;
    let mut fw = harness.framework_with(checkpointing("launch-bench")).await;
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let offer = fw.offers().await.remove(0);
        let id = format!("serial-{i}");
        let start = Instant::now();
        fw.launch(&offer, &id, CommandInfo::shell(COMMAND)).await;
        fw.update(&id, TaskState::Running).await;
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
        fw.scheduler().kill(TaskId::new(id.clone()), None).await.expect("KILL");
        fw.update(&id, TaskState::Killed).await;
    }
    harness.shutdown.cancel();
    harness.cluster.stopped().await;
    samples
}

/// Seconds from one ACCEPT of [`BURST`] tasks until all are TASK_RUNNING.
async fn burst_launch() -> f64 {
    let harness = cluster().await;
    let mut fw = harness.framework_with(checkpointing("launch-burst")).await;
    let offer = fw.offers().await.remove(0);
    let tasks: Vec<_> = (0..BURST)
        .map(|i| {
            let mut task =
                small_task(&format!("burst-{i}"), offer.agent_id.clone(), CommandInfo::shell(COMMAND));
            task.resources = vec![
                dromos_mesos::v1::Resource::scalar("cpus", 0.01),
                dromos_mesos::v1::Resource::scalar("mem", 1.0),
            ];
            task
        })
        .collect();
    let start = Instant::now();
    fw.scheduler()
        .accept(vec![offer.id.clone()], vec![Operation::launch(tasks)], Some(Filters::refuse_seconds(0.0)))
        .await
        .expect("ACCEPT");
    let running = count_running(&mut fw, BURST).await;
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(running, BURST, "every task of the burst runs");
    harness.shutdown.cancel();
    harness.cluster.stopped().await;
    elapsed
}

async fn count_running(fw: &mut Framework, n: usize) -> usize {
    let mut running = std::collections::BTreeSet::new();
    while running.len() < n {
        match fw.next_event(Duration::from_secs(60)).await {
            Some(Event::Update(status)) if status.state == TaskState::Running => {
                running.insert(status.task_id.as_str().to_owned());
            }
            Some(_) => {}
            None => break,
        }
    }
    running.len()
}
