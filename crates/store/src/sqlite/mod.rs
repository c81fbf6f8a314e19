//! The embedded default backend: one SQLite file, `dromos.sqlite3`, in the
//! data directory.
//!
//! The file runs in WAL mode with `synchronous = FULL` unless
//! [`SqliteOptions::synchronous`] says otherwise; every [`Store::apply`] is one
//! immediate transaction. One connection serves all calls, behind a mutex:
//! calls are serialised, which at dromos' scale (a handful of writes per
//! deployment, reads served from memory above) costs nothing and keeps the
//! single-writer reasoning trivial. Prepared statements are cached on it.

mod options;
mod query;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::StoreError;
use crate::op::{validate_batch, validate_key, validate_namespace, Limits, Op};
use crate::store::Store;

pub use options::{SqliteOptions, Synchronous};
pub use schema::SCHEMA_VERSION;

/// The database file's name inside the data directory.
pub const DB_FILE_NAME: &str = "dromos.sqlite3";

/// Statements kept prepared; a few more than the store issues.
const STATEMENT_CACHE_CAPACITY: usize = 32;

/// A [`Store`] in a SQLite file under a data directory.
#[derive(Debug)]
pub struct SqliteStore {
    /// `None` once [`SqliteStore::close`] ran; calls then fail with `Closed`.
    conn: Mutex<Option<Connection>>,
    limits: Limits,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `dir`: creates the directory,
    /// configures the connection, checks the file's integrity and applies
    /// pending migrations. Refuses a corrupt file ([`StoreError::Corrupt`]),
    /// a newer schema ([`StoreError::SchemaTooNew`]) and, with
    /// [`SqliteOptions::exclusive`], a file in use ([`StoreError::Locked`]).
    pub fn open(dir: &Path, options: SqliteOptions) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io { path: dir.to_owned(), source })?;
        let path = dir.join(DB_FILE_NAME);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(&path, flags)?;
        configure(&conn, &options)?;
        check_integrity(&conn)?;
        schema::migrate(&mut conn)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
        tracing::debug!(path = %path.display(), synchronous = options.synchronous.pragma(), "store opened");
        Ok(SqliteStore { conn: Mutex::new(Some(conn)), limits: options.limits, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the database (checkpointing the WAL and releasing the lock).
    /// Later calls fail with [`StoreError::Closed`]; closing twice is a no-op.
    /// Dropping the store closes it too, ignoring errors.
    pub fn close(&self) -> Result<(), StoreError> {
        match self.lock().take() {
            Some(conn) => conn.close().map_err(|(_, err)| StoreError::from(err)),
            None => Ok(()),
        }
    }

    /// The connection guard. A poisoned mutex is recovered: a panic inside a
    /// call dropped its transaction, which rolled it back.
    fn lock(&self) -> MutexGuard<'_, Option<Connection>> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `read` on the open connection after validating `ns` and `key`.
    fn read<T>(
        &self,
        ns: &str,
        key: &str,
        read: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        validate_namespace(ns)?;
        validate_key(ns, key, &self.limits)?;
        let guard = self.lock();
        let conn = guard.as_ref().ok_or(StoreError::Closed)?;
        read(conn)
    }
}

impl Store for SqliteStore {
    fn get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(ns, key, |conn| query::get(conn, ns, key))
    }

    fn list(&self, ns: &str, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.read(ns, prefix, |conn| query::list(conn, ns, prefix))
    }

    fn keys(&self, ns: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.read(ns, prefix, |conn| query::keys(conn, ns, prefix))
    }

    fn apply(&self, ops: &[Op]) -> Result<(), StoreError> {
        validate_batch(ops, &self.limits)?;
        let mut guard = self.lock();
        let conn = guard.as_mut().ok_or(StoreError::Closed)?;
        if ops.is_empty() {
            return Ok(());
        }
        // Dropping `tx` on any error rolls the whole batch back.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for op in ops {
            query::apply_op(&tx, op)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn limits(&self) -> Limits {
        self.limits
    }
}

/// Connection settings; order matters: the locking mode must be set before
/// WAL is first used so that no shared-memory index is created.
fn configure(conn: &Connection, options: &SqliteOptions) -> Result<(), StoreError> {
    conn.busy_timeout(options.busy_timeout)?;
    if options.exclusive {
        let mode: String = conn.query_row("PRAGMA locking_mode = EXCLUSIVE", [], |row| row.get(0))?;
        expect_pragma("locking_mode", &mode, "exclusive")?;
    }
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    expect_pragma("journal_mode", &mode, "wal")?;
    conn.pragma_update(None, "synchronous", options.synchronous.pragma())?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// SQLite answers a pragma it could not apply with the mode it kept.
fn expect_pragma(name: &str, got: &str, want: &str) -> Result<(), StoreError> {
    if got.eq_ignore_ascii_case(want) {
        Ok(())
    } else {
        Err(StoreError::Unsupported { detail: format!("PRAGMA {name}: wanted {want}, SQLite kept {got}") })
    }
}

/// `PRAGMA quick_check`: linear in the file size (milliseconds for a
/// dromos-sized store), and it turns a damaged file into a clear refusal
/// instead of a state half-read at run time.
fn check_integrity(conn: &Connection) -> Result<(), StoreError> {
    let verdict: String = conn.query_row("PRAGMA quick_check", [], |row| row.get(0))?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(StoreError::Corrupt { detail: verdict })
    }
}

#[cfg(test)]
mod tests;
