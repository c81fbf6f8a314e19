//! [`ZkStore`] against a real ZooKeeper: the whole conformance suite (each
//! case under a fresh root), plus what only this backend promises: the
//! znode layout, compression, the request-size guard, isolation between
//! concurrent writers, calls from async code, and behaviour across a
//! server outage. Prints the apply latency of a 2 KB batch.
//!
//! Skips with a message when Java or the ZooKeeper jar is missing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dromos_store::conformance::{run_all, Location};
use dromos_store::testing::ZooKeeperServer;
use dromos_store::zookeeper::{open_session, ZkUrl, WIRE_LIMIT};
use dromos_store::{Op, Store, StoreError, ZkStore};

const SESSION: Duration = Duration::from_secs(4);

/// A root path of its own on the shared server.
struct Root {
    url: String,
}

impl Location for Root {
    fn open(&self) -> Result<Box<dyn Store>, StoreError> {
        Ok(Box::new(ZkStore::connect(&self.url, SESSION)?))
    }
}

fn connect(server: &ZooKeeperServer, root: &str) -> ZkStore {
    ZkStore::connect(&server.url(root), SESSION).expect("connects")
}

/// Node names and data as a plain client sees them.
fn raw_children(server: &ZooKeeperServer, path: &str) -> Vec<(String, Vec<u8>)> {
    let url = ZkUrl::parse(&server.url("/x")).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = open_session(&url, SESSION).await.unwrap();
        let mut names = client.list_children(path).await.unwrap();
        names.sort();
        let mut out = Vec::new();
        for name in names {
            let (data, _) = client.get_data(&format!("{path}/{name}")).await.unwrap();
            out.push((name, data));
        }
        out
    })
}

#[test]
fn zookeeper_store_behaviour() {
    let Some(mut server) = ZooKeeperServer::start() else {
        return;
    };
    conformance_suite_passes_with_a_fresh_root_per_case(&server);
    layout_is_one_escaped_node_per_key_under_state(&server);
    large_values_are_compressed_and_incompressible_ones_fit(&server);
    requests_over_the_wire_limit_are_refused_before_writing(&server);
    concurrent_guarded_increments_lose_no_update(&server);
    calls_work_from_spawn_blocking_and_async_contexts(&server);
    apply_latency_of_a_2kb_batch(&server);
    outage_gives_unavailable_and_the_store_recovers(&mut server);
}

fn conformance_suite_passes_with_a_fresh_root_per_case(server: &ZooKeeperServer) {
    let counter = AtomicUsize::new(0);
    let fresh = || -> Box<dyn Location> {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        Box::new(Root { url: server.url(&format!("/conformance/case-{n}")) })
    };
    run_all(&fresh);
}

fn layout_is_one_escaped_node_per_key_under_state(server: &ZooKeeperServer) {
    let store = connect(server, "/layout");
    store
        .apply(&[Op::put("apps", "/web@1", "v1"), Op::put("apps", "", "empty"), Op::put("apps", "..", "up")])
        .unwrap();
    let nodes = raw_children(server, "/layout/state/apps");
    let want: Vec<(String, Vec<u8>)> = vec![
        ("=".into(), b"\0empty".to_vec()),
        ("=%2Fweb@1".into(), b"\0v1".to_vec()),
        ("=..".into(), b"\0up".to_vec()),
    ];
    assert_eq!(nodes, want);
}

fn large_values_are_compressed_and_incompressible_ones_fit(server: &ZooKeeperServer) {
    let store = connect(server, "/compression");
    let json: Vec<u8> = "{\"id\":\"/web\",\"cmd\":\"sleep 1\"}".repeat(2000).into_bytes();
    let mut noise = Vec::with_capacity(store.limits().max_value_size);
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    while noise.len() < store.limits().max_value_size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        noise.extend_from_slice(&state.to_le_bytes());
    }
    noise.truncate(store.limits().max_value_size);
    store.apply(&[Op::put("apps", "json", json.clone())]).unwrap();
    store.apply(&[Op::put("apps", "noise", noise.clone())]).unwrap();
    let nodes = raw_children(server, "/compression/state/apps");
    let stored: Vec<(&str, u8, usize)> = nodes.iter().map(|(n, d)| (n.as_str(), d[0], d.len())).collect();
    assert_eq!(stored[0].0, "=json");
    assert_eq!(stored[0].1, 1, "deflated");
    assert!(stored[0].2 < json.len() / 10, "compressed to {} of {} bytes", stored[0].2, json.len());
    assert_eq!((stored[1].1, stored[1].2), (0, noise.len() + 1), "noise stored raw");
    assert_eq!(store.get("apps", "json").unwrap(), Some(json));
    assert_eq!(store.get("apps", "noise").unwrap(), Some(noise));
}

fn requests_over_the_wire_limit_are_refused_before_writing(server: &ZooKeeperServer) {
    let store = connect(server, "/wire");
    // 300 keys of 1000 non-ASCII bytes: under max_batch_bytes, but each
    // escapes to 3,000 characters, 900 KB of paths plus 300 KB of values.
    let key = |i: usize| format!("{i:04}{}", "é".repeat(498));
    let ops: Vec<Op> = (0..300).map(|i| Op::put("apps", key(i), vec![1u8; 1000])).collect();
    match store.apply(&ops) {
        Err(StoreError::BatchTooLarge { size, limit }) => assert!(size > limit && limit == WIRE_LIMIT),
        other => panic!("expected BatchTooLarge, got {other:?}"),
    }
    assert_eq!(store.keys("apps", "").unwrap(), Vec::<String>::new(), "nothing written");
    store.apply(&ops[..100]).unwrap();
    assert_eq!(store.keys("apps", "").unwrap().len(), 100, "a third of it fits");
}

/// Two stores (two sessions) increment one counter with Expect-guarded
/// read-modify-write batches: every acknowledged increment is counted once.
fn concurrent_guarded_increments_lose_no_update(server: &ZooKeeperServer) {
    let stores: Vec<Arc<ZkStore>> = (0..2).map(|_| Arc::new(connect(server, "/counter"))).collect();
    stores[0].apply(&[Op::put("meta", "n", 0u32.to_be_bytes().to_vec())]).unwrap();
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = stores
        .iter()
        .map(|store| {
            let (store, acknowledged) = (Arc::clone(store), Arc::clone(&acknowledged));
            std::thread::spawn(move || {
                for _ in 0..25 {
                    let current = store.get("meta", "n").unwrap().unwrap();
                    let n = u32::from_be_bytes(current.clone().try_into().unwrap());
                    let batch = [
                        Op::expect("meta", "n", Some(current)),
                        Op::put("meta", "n", (n + 1).to_be_bytes().to_vec()),
                        Op::put("log", format!("{:04}", n + 1), "x"),
                    ];
                    match store.apply(&batch) {
                        Ok(()) => {
                            acknowledged.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(StoreError::Conflict { .. }) => {}
                        Err(other) => panic!("unexpected {other}"),
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let n = u32::from_be_bytes(stores[0].get("meta", "n").unwrap().unwrap().try_into().unwrap());
    assert_eq!(n as usize, acknowledged.load(Ordering::Relaxed));
    assert_eq!(stores[1].keys("log", "").unwrap().len(), n as usize, "one log entry per increment");
}

fn calls_work_from_spawn_blocking_and_async_contexts(server: &ZooKeeperServer) {
    let store = Arc::new(connect(server, "/async"));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let writer = Arc::clone(&store);
        tokio::task::spawn_blocking(move || writer.apply(&[Op::put("apps", "a", "1")]))
            .await
            .unwrap()
            .unwrap();
        // Misuse, but must not panic: a blocking call right on the runtime thread.
        assert_eq!(store.get("apps", "a").unwrap(), Some(b"1".to_vec()));
    });
    // Dropping the store inside async code must not panic either.
    runtime.block_on(async move { drop(store) });
}

fn apply_latency_of_a_2kb_batch(server: &ZooKeeperServer) {
    let store = connect(server, "/latency");
    let value = vec![b'x'; 2048 - 16];
    let mut micros: Vec<u128> = (0..300)
        .map(|i| {
            let started = Instant::now();
            store.apply(&[Op::put("apps", format!("/bench/app-{i:04}@1"), value.clone())]).unwrap();
            started.elapsed().as_micros()
        })
        .collect();
    micros.sort_unstable();
    let (p50, p99) = (micros[micros.len() / 2], micros[micros.len() * 99 / 100]);
    println!("zk_store: apply_2kb p50_us={p50} p99_us={p99} (n=300)");
    assert!(p50 < 100_000, "p50 {p50} us");
}

fn outage_gives_unavailable_and_the_store_recovers(server: &mut ZooKeeperServer) {
    let store = connect(server, "/outage");
    store.apply(&[Op::put("meta", "before", "1")]).unwrap();
    server.stop();
    let started = Instant::now();
    let result = store.apply(&[Op::put("meta", "during", "1")]);
    assert!(matches!(result, Err(StoreError::Unavailable { .. })), "{result:?}");
    assert!(started.elapsed() <= 2 * SESSION + Duration::from_secs(1), "bounded: {:?}", started.elapsed());
    server.restart();
    let deadline = Instant::now() + Duration::from_secs(30);
    let keys = loop {
        match store.keys("meta", "") {
            Ok(keys) => break keys,
            Err(StoreError::Unavailable { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(200))
            }
            Err(other) => panic!("store did not recover: {other}"),
        }
    };
    assert_eq!(keys, vec!["before".to_owned()], "the failed batch left nothing");
    store.apply(&[Op::put("meta", "after", "1")]).unwrap();
}
