//! SQLite backend: the conformance suite in both flushing modes, plus what
//! only this backend promises (file settings, locking, migrations, refusals).

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use tempfile::TempDir;

use super::{SqliteOptions, SqliteStore, Synchronous, DB_FILE_NAME, SCHEMA_VERSION};
use crate::conformance::{run_all, Location};
use crate::error::StoreError;
use crate::op::Op;
use crate::store::Store;

/// A temp dir holding one store, opened with fixed options.
struct TempLocation {
    dir: TempDir,
    options: SqliteOptions,
}

impl Location for TempLocation {
    fn open(&self) -> Result<Box<dyn Store>, StoreError> {
        Ok(Box::new(SqliteStore::open(self.dir.path(), self.options.clone())?))
    }
}

fn fixture(options: SqliteOptions) -> impl Fn() -> Box<dyn Location> {
    move || Box::new(TempLocation { dir: TempDir::new().unwrap(), options: options.clone() })
}

#[test]
fn conformance_with_synchronous_full_and_exclusive_lock() {
    run_all(&fixture(SqliteOptions::default()));
}

#[test]
fn conformance_with_synchronous_normal_and_small_limits_without_lock() {
    let mut options =
        SqliteOptions { synchronous: Synchronous::Normal, exclusive: false, ..SqliteOptions::default() };
    options.limits.max_value_size = 4096;
    options.limits.max_batch_bytes = 64 * 1024;
    options.limits.max_key_len = 300;
    run_all(&fixture(options));
}

fn pragma(store: &SqliteStore, name: &str) -> String {
    let guard = store.lock();
    let conn = guard.as_ref().unwrap();
    conn.query_row(&format!("PRAGMA {name}"), [], |row| row.get::<_, rusqlite::types::Value>(0))
        .map(|v| match v {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
        .unwrap()
}

#[test]
fn open_applies_the_durability_settings() {
    let cases = [(Synchronous::Full, true, "2", "exclusive"), (Synchronous::Normal, false, "1", "normal")];
    for (synchronous, exclusive, want_sync, want_locking) in cases {
        let dir = TempDir::new().unwrap();
        let options = SqliteOptions { synchronous, exclusive, ..SqliteOptions::default() };
        let store = SqliteStore::open(dir.path(), options).unwrap();
        assert_eq!(pragma(&store, "journal_mode"), "wal");
        assert_eq!(pragma(&store, "synchronous"), want_sync, "{synchronous:?}");
        assert_eq!(pragma(&store, "locking_mode"), want_locking);
        assert_eq!(pragma(&store, "foreign_keys"), "1");
        assert_eq!(pragma(&store, "user_version"), SCHEMA_VERSION.to_string());
        assert_eq!(store.path(), dir.path().join(DB_FILE_NAME));
    }
}

#[test]
fn open_creates_missing_parent_directories() {
    let dir = TempDir::new().unwrap();
    let nested = dir.path().join("a/b/data");
    let store = SqliteStore::open(&nested, SqliteOptions::default()).unwrap();
    store.apply(&[Op::put("meta", "framework-id", b"f1".to_vec())]).unwrap();
    assert!(nested.join(DB_FILE_NAME).is_file());
}

#[test]
fn open_on_a_file_instead_of_a_directory_is_an_io_error() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let result = SqliteStore::open(&file, SqliteOptions::default());
    assert!(matches!(result, Err(StoreError::Io { .. })), "{result:?}");
}

#[test]
fn second_store_on_a_locked_data_dir_is_refused_until_the_first_closes() {
    let options = SqliteOptions { busy_timeout: Duration::from_millis(50), ..SqliteOptions::default() };
    // The lock is taken at open, not at the first write: a dromos that has
    // not written yet still owns its data dir.
    for first_writes in [true, false] {
        let dir = TempDir::new().unwrap();
        SqliteStore::open(dir.path(), options.clone())
            .unwrap()
            .apply(&[Op::put("meta", "owner", b"earlier".to_vec())])
            .unwrap();
        let first = SqliteStore::open(dir.path(), options.clone()).unwrap();
        if first_writes {
            first.apply(&[Op::put("meta", "owner", b"first".to_vec())]).unwrap();
        }
        let second = SqliteStore::open(dir.path(), options.clone());
        assert!(matches!(second, Err(StoreError::Locked { .. })), "first_writes={first_writes}: {second:?}");
        first.close().unwrap();
        let second = SqliteStore::open(dir.path(), options.clone()).unwrap();
        let want: &[u8] = if first_writes { b"first" } else { b"earlier" };
        assert_eq!(second.get("meta", "owner").unwrap().as_deref(), Some(want));
    }
}

#[test]
fn store_and_error_types_can_cross_threads_and_hide_behind_dyn() {
    fn assert_send_sync_static<T: Send + Sync + 'static>() {}
    assert_send_sync_static::<SqliteStore>();
    assert_send_sync_static::<StoreError>();
    let dir = TempDir::new().unwrap();
    let store: std::sync::Arc<dyn Store> =
        std::sync::Arc::new(SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap());
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    store.apply(&[Op::put("instances", format!("t{t}-{i:02}"), vec![t])]).unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    assert_eq!(store.keys("instances", "").unwrap().len(), 100);
    assert_eq!(store.keys("instances", "t3-").unwrap().len(), 25);
}

#[test]
fn closed_store_refuses_every_call_and_closing_twice_is_fine() {
    let dir = TempDir::new().unwrap();
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    store.close().unwrap();
    store.close().unwrap();
    let results: [(&str, Result<(), StoreError>); 4] = [
        ("get", store.get("apps", "k").map(drop)),
        ("list", store.list("apps", "").map(drop)),
        ("keys", store.keys("apps", "").map(drop)),
        ("apply", store.apply(&[Op::put("apps", "k", b"v".to_vec())])),
    ];
    for (what, result) in results {
        assert!(matches!(result, Err(StoreError::Closed)), "{what}: {result:?}");
    }
}

fn raw_with_user_version(dir: &Path, version: i64) {
    let conn = Connection::open(dir.join(DB_FILE_NAME)).unwrap();
    conn.pragma_update(None, "user_version", version).unwrap();
}

#[test]
fn database_from_a_newer_schema_is_refused_untouched() {
    let dir = TempDir::new().unwrap();
    raw_with_user_version(dir.path(), SCHEMA_VERSION + 7);
    let result = SqliteStore::open(dir.path(), SqliteOptions::default());
    match result {
        Err(StoreError::SchemaTooNew { found, supported }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 7, SCHEMA_VERSION));
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    let conn = Connection::open(dir.path().join(DB_FILE_NAME)).unwrap();
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'entries'", [], |row| row.get(0))
        .unwrap();
    assert_eq!(tables, 0, "a refused database is not migrated");
}

#[test]
fn reopening_a_current_database_migrates_nothing_and_keeps_data() {
    let dir = TempDir::new().unwrap();
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    store.apply(&[Op::put("groups", "/", b"root".to_vec())]).unwrap();
    drop(store);
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    assert_eq!(pragma(&store, "user_version"), SCHEMA_VERSION.to_string());
    assert_eq!(store.get("groups", "/").unwrap().as_deref(), Some(&b"root"[..]));
}

#[test]
fn files_that_are_not_a_healthy_store_are_refused_as_corrupt() {
    let garbage: Vec<u8> = (0..16384u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8).collect();
    let cases: [(&str, Vec<u8>); 2] =
        [("random bytes", garbage), ("text file", b"this is not a database\n".repeat(400))];
    for (name, content) in cases {
        let dir = TempDir::new().unwrap();
        std::fs::write(dir.path().join(DB_FILE_NAME), content).unwrap();
        let result = SqliteStore::open(dir.path(), SqliteOptions::default());
        assert!(matches!(result, Err(StoreError::Corrupt { .. })), "{name}: {result:?}");
    }
}

#[test]
fn damaged_pages_are_refused_as_corrupt() {
    let dir = TempDir::new().unwrap();
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    let ops: Vec<Op> = (0..500).map(|i| Op::put("apps", format!("/app-{i}"), vec![b'x'; 300])).collect();
    store.apply(&ops).unwrap();
    store.close().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 3 * 4096, "store spans several pages");
    let page_size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    for byte in &mut bytes[page_size..page_size * 3] {
        *byte = 0xa5;
    }
    std::fs::write(&path, bytes).unwrap();
    let result = SqliteStore::open(dir.path(), SqliteOptions::default());
    assert!(matches!(result, Err(StoreError::Corrupt { .. })), "{result:?}");
}
