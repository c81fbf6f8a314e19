//! Micro benchmark of the SQLite store: `apply` latency of a typical
//! app-version batch with `synchronous` FULL vs NORMAL, and `list` of 1,000
//! apps. Run with `cargo bench -p dromos-store --bench store`; prints one
//! line per mode:
//! `store: sync=full put_p50_us=… put_p99_us=… list1k_ms=…`.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use dromos_store::{Op, SqliteOptions, SqliteStore, Store, Synchronous};

/// Timed applies per mode.
const PUTS: usize = 1000;
/// Timed `list` calls.
const LISTS: usize = 30;
/// Apps in the listed namespace.
const APPS: usize = 1000;

/// A 2 KB app-definition-like JSON value.
fn app_json(id: usize, version: usize) -> Vec<u8> {
    let mut json = format!(
        "{{\"id\":\"/bench/app-{id:04}\",\"version\":\"2015-09-{version:06}\",\"cmd\":\"sleep 1000\",\
         \"cpus\":0.1,\"mem\":32,\"instances\":3,\"labels\":{{\"pad\":\""
    )
    .into_bytes();
    json.resize(2048 - 3, b'x');
    json.extend_from_slice(b"\"}}");
    json
}

/// What accepting a new app version writes: the version, the app's current
/// pointer and the deployment plan.
fn app_version_batch(id: usize, version: usize) -> Vec<Op> {
    vec![
        Op::put("apps", format!("/bench/app-{id:04}@{version:06}"), app_json(id, version)),
        Op::put("apps", format!("/bench/app-{id:04}"), format!("{version:06}")),
        Op::put("deployments", format!("deploy-{version:06}"), vec![b'd'; 512]),
    ]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn bench(synchronous: Synchronous, label: &str) {
    let dir = tempfile::Builder::new().prefix("store-bench").tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let options = SqliteOptions { synchronous, ..SqliteOptions::default() };
    let store = SqliteStore::open(dir.path(), options).unwrap();

    let seed: Vec<Op> =
        (0..APPS).map(|id| Op::put("catalog", format!("/bench/app-{id:04}"), app_json(id, 0))).collect();
    store.apply(&seed).unwrap();

    let mut puts = Vec::with_capacity(PUTS);
    for version in 0..PUTS {
        let ops = app_version_batch(version % APPS, version);
        let start = Instant::now();
        store.apply(&ops).unwrap();
        puts.push(start.elapsed());
    }
    puts.sort();

    let mut lists = Vec::with_capacity(LISTS);
    for _ in 0..LISTS {
        let start = Instant::now();
        let listed = store.list("catalog", "").unwrap();
        lists.push(start.elapsed());
        assert_eq!(listed.len(), APPS);
    }
    lists.sort();

    println!(
        "store: sync={label} put_p50_us={} put_p99_us={} list1k_ms={:.2}",
        percentile(&puts, 0.50).as_micros(),
        percentile(&puts, 0.99).as_micros(),
        percentile(&lists, 0.50).as_secs_f64() * 1000.0,
    );
}

fn main() {
    bench(Synchronous::Full, "full");
    bench(Synchronous::Normal, "normal");
}
