//! `kill -9` at any moment loses no acknowledged batch and tears none.
//!
//! The test re-executes its own binary as a child writer (selected by the
//! `DROMOS_STORE_CRASH_WRITER` environment variable) that applies numbered
//! batches and prints `ack N` once `apply` returned. The parent SIGKILLs it
//! mid-burst, reopens the store and checks that every acknowledged batch is
//! fully there and that no batch is half there.
#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use dromos_store::{Op, SqliteOptions, SqliteStore, Store, Synchronous};

/// Set (to `<dir>|<full|normal>`) only in the child writer.
const WRITER_ENV: &str = "DROMOS_STORE_CRASH_WRITER";
/// Keys written by each batch; all or none must exist.
const KEYS_PER_BATCH: u64 = 4;
/// Batch N deletes batch N - WINDOW, so deletes are torn-checked too.
const WINDOW: u64 = 50;

fn batch_prefix(n: u64) -> String {
    format!("b{n:08}/")
}

fn expected_value(n: u64, i: u64) -> Vec<u8> {
    let mut value = format!("batch {n} key {i} ").into_bytes();
    value.resize(1024, b'.');
    value
}

/// One batch: KEYS_PER_BATCH puts, the deletion of an old batch, and the
/// `meta/last` marker, all in one atomic apply.
fn batch(n: u64) -> Vec<Op> {
    let mut ops: Vec<Op> = (0..KEYS_PER_BATCH)
        .map(|i| Op::put("apps", format!("{}k{i}", batch_prefix(n)), expected_value(n, i)))
        .collect();
    if let Some(old) = n.checked_sub(WINDOW) {
        ops.push(Op::delete_prefix("apps", batch_prefix(old)));
    }
    ops.push(Op::put("meta", "last", n.to_string()));
    ops
}

fn options(sync: &str) -> SqliteOptions {
    let synchronous = if sync == "normal" { Synchronous::Normal } else { Synchronous::Full };
    SqliteOptions { synchronous, ..SqliteOptions::default() }
}

/// The child writer's entry point; a no-op in ordinary test runs.
#[test]
fn crash_writer_child() {
    let Ok(spec) = std::env::var(WRITER_ENV) else {
        return;
    };
    let (dir, sync) = spec.split_once('|').unwrap();
    let store = SqliteStore::open(Path::new(dir), options(sync)).unwrap();
    // Resume after the last committed batch, so crashes can be stacked.
    let first = store
        .get("meta", "last")
        .unwrap()
        .map_or(0, |last| String::from_utf8(last).unwrap().parse::<u64>().unwrap() + 1);
    let mut out = std::io::stdout().lock();
    for n in first..first + 1_000_000 {
        store.apply(&batch(n)).unwrap();
        writeln!(out, "ack {n}").unwrap();
        out.flush().unwrap();
    }
}

/// Kills the child if the parent fails before it does.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs a writer until `kill_after` (at least 1) acks were read, SIGKILLs
/// it after `delay`, and returns the last acknowledged batch.
fn write_and_kill(dir: &Path, sync: &str, kill_after: u64, delay: Duration) -> u64 {
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_writer_child", "--nocapture", "--test-threads=1"])
        .env(WRITER_ENV, format!("{}|{sync}", dir.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut last_ack = None;
    let mut acks = 0;
    let ack_of = |line: &str| line.strip_prefix("ack ").map(|n| n.parse::<u64>().unwrap());
    while acks < kill_after {
        let line = lines.next().expect("writer exited before the kill").unwrap();
        if let Some(n) = ack_of(&line) {
            last_ack = Some(n);
            acks += 1;
        }
    }
    std::thread::sleep(delay);
    child.0.kill().unwrap();
    let status = child.0.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "writer must die by SIGKILL, not finish: {status}");
    // Acks already in the pipe were printed after their apply returned.
    for line in lines {
        last_ack = ack_of(&line.unwrap()).or(last_ack);
    }
    last_ack.unwrap()
}

/// Every batch up to the committed marker is whole (or wholly deleted by a
/// later batch), nothing after it exists, and the marker covers every ack.
fn verify(store: &dyn Store, last_ack: u64, context: &str) {
    let marker = store.get("meta", "last").unwrap().expect("acknowledged marker");
    let last: u64 = String::from_utf8(marker).unwrap().parse().unwrap();
    assert!(last >= last_ack, "{context}: batch {last_ack} was acked but the store ends at {last}");
    assert!(last <= last_ack + 1, "{context}: at most the one in-flight batch may commit unacked");
    let live = last.saturating_sub(WINDOW - 1)..=last;
    let listed = store.list("apps", "").unwrap();
    assert_eq!(listed.len() as u64, KEYS_PER_BATCH * (last + 1).min(WINDOW), "{context}: key count");
    let mut expected = Vec::new();
    for n in live {
        for i in 0..KEYS_PER_BATCH {
            expected.push((format!("{}k{i}", batch_prefix(n)), expected_value(n, i)));
        }
    }
    assert!(listed == expected, "{context}: the live window of batches is not exactly present");
}

#[test]
fn sigkill_mid_burst_loses_no_acknowledged_batch_and_tears_none() {
    let cases: [(&str, u64, Duration); 6] = [
        ("full", 1, Duration::ZERO),
        ("full", 23, Duration::from_micros(300)),
        ("full", 120, Duration::from_millis(2)),
        ("normal", 5, Duration::ZERO),
        ("normal", 180, Duration::from_micros(700)),
        ("normal", 400, Duration::from_millis(1)),
    ];
    for (sync, kill_after, delay) in cases {
        let dir = tempfile::TempDir::new().unwrap();
        let context = format!("sync={sync} kill_after={kill_after} delay={delay:?}");
        let last_ack = write_and_kill(dir.path(), sync, kill_after, delay);
        let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
        verify(&store, last_ack, &context);
        drop(store);
        // A second crash on top of the recovered store, then recover again.
        let resumed_ack = write_and_kill(dir.path(), sync, 3, delay);
        assert!(resumed_ack > last_ack, "{context}: the writer resumed after its last batch");
        let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
        verify(&store, resumed_ack, &format!("{context}, second crash"));
    }
}
