//! Versioned schema migrations.
//!
//! The schema version is SQLite's `PRAGMA user_version`: 0 for a new file,
//! N after migration N. Missing migrations are applied in one immediate
//! transaction together with the version bump, so a crash mid-migration
//! leaves the previous version intact. A file from a newer dromos is refused.
//!
//! Migrations are append-only: never edit a released one, add the next.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::StoreError;

/// Migration N (1-based) is `MIGRATIONS[N - 1]`.
const MIGRATIONS: &[&str] = &[
    // 1: the key/value table. Keys are BLOBs so that range scans compare raw
    // UTF-8 bytes, the same order every backend promises.
    "CREATE TABLE entries (
        ns    TEXT NOT NULL,
        key   BLOB NOT NULL,
        value BLOB NOT NULL,
        PRIMARY KEY (ns, key)
    ) WITHOUT ROWID;",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database to [`SCHEMA_VERSION`], or refuses a newer one.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew { found, supported: SCHEMA_VERSION });
    }
    if found < 0 {
        return Err(StoreError::Corrupt { detail: format!("negative schema version {found}") });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tracing::info!(version = index + 1, "applying store migration");
        tx.execute_batch(sql)?;
    }
    if found < SCHEMA_VERSION {
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    tx.commit()?;
    Ok(())
}
