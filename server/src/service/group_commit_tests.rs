//! Group commit against a real SQLite store in a temp dir, counting the
//! store batches it makes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use dromos_store::{Limits, Op, SqliteOptions, SqliteStore, Store, StoreError};
use futures_util::future::join_all;

use super::GroupCommit;

/// A SQLite store that counts the batches applied to it.
struct Counted {
    store: SqliteStore,
    batches: AtomicUsize,
    limits: Limits,
}

impl Store for Counted {
    fn get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.store.get(ns, key)
    }
    fn list(&self, ns: &str, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.store.list(ns, prefix)
    }
    fn keys(&self, ns: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.store.keys(ns, prefix)
    }
    fn apply(&self, ops: &[Op]) -> Result<(), StoreError> {
        self.batches.fetch_add(1, Ordering::SeqCst);
        self.store.apply(ops)
    }
    fn limits(&self) -> Limits {
        self.limits
    }
}

fn counted(dir: &std::path::Path, limits: Limits) -> Arc<Counted> {
    let store = SqliteStore::open(dir, SqliteOptions::default()).expect("store opens");
    Arc::new(Counted { store, batches: AtomicUsize::new(0), limits })
}

fn entry(i: usize) -> Vec<Op> {
    vec![Op::put("audit", format!("{i:04}"), format!("entry {i}")), Op::put("seen", format!("{i:04}"), "1")]
}

// A current-thread runtime: the first write of each test commits alone at
// once, every later one is queued before that commit ends, so the counts
// are exact.
#[tokio::test]
async fn concurrent_writes_are_all_stored_in_one_store_batch() {
    let dir = tempfile::tempdir().unwrap();
    let store = counted(dir.path(), Limits::default());
    let commits = GroupCommit::new(store.clone());
    let results = join_all((0..50).map(|i| commits.write(entry(i)))).await;

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(store.batches.load(Ordering::SeqCst), 2, "the first write, then the 49 queued behind it");
    assert_eq!(store.list("audit", "").unwrap().len(), 50);
    assert_eq!(store.get("audit", "0042").unwrap(), Some(b"entry 42".to_vec()));
    assert_eq!(store.keys("seen", "").unwrap().len(), 50);
}

#[tokio::test]
async fn a_refused_batch_fails_alone_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let store = counted(dir.path(), Limits::default());
    let commits = GroupCommit::new(store.clone());
    let mut refused = vec![Op::expect("fence", "epoch", Some(b"7".to_vec()))];
    refused.extend(entry(99));
    let writes = (0..10).map(|i| commits.write(entry(i)));
    let (good, bad) = tokio::join!(join_all(writes), commits.write(refused));

    assert!(good.iter().all(Result::is_ok), "{good:?}");
    assert!(bad.is_err(), "the fence expects an epoch that is not stored");
    assert_eq!(store.keys("audit", "").unwrap().len(), 10);
    assert_eq!(store.get("audit", "0099").unwrap(), None, "none of the refused batch");
    assert_eq!(store.get("seen", "0099").unwrap(), None, "none of the refused batch");
}

#[tokio::test]
async fn writes_that_together_exceed_the_batch_limit_are_split_in_order() {
    let dir = tempfile::tempdir().unwrap();
    // `entry` is 16 payload bytes (two 4-byte keys, values of 7 and 1),
    // `same_key` 11 (a 4-byte key, a 7-byte value).
    let limits = Limits { max_batch_bytes: 40, ..Limits::default() };
    let store = counted(dir.path(), limits);
    let commits = GroupCommit::new(store.clone());
    let same_key = |i: usize| vec![Op::put("audit", "last", format!("entry {i}"))];
    let results = join_all((0..6).map(|i| commits.write([entry(i), same_key(i)].concat()))).await;

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(store.batches.load(Ordering::SeqCst), 6, "each write is 27 bytes: one per store batch");
    assert_eq!(store.get("audit", "last").unwrap(), Some(b"entry 5".to_vec()), "applied in call order");

    let dir = tempfile::tempdir().unwrap();
    let store = counted(dir.path(), limits);
    let commits = GroupCommit::new(store.clone());
    let results = join_all((0..6).map(|i| commits.write(entry(i)))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        store.batches.load(Ordering::SeqCst),
        4,
        "the first alone, then two 16-byte writes per 40-byte batch"
    );
}
