//! Settings for [`super::SqliteStore::open`].

use std::time::Duration;

use crate::op::Limits;

/// How hard SQLite flushes a commit to the disk before `apply` returns.
///
/// The store always runs in WAL mode. In both settings a committed batch is
/// in the WAL file before `apply` returns, so `kill -9` of dromos (or a
/// panic) loses nothing that was acknowledged; they differ on power loss
/// and kernel crashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// `fsync` the WAL on every commit: an acknowledged batch survives power
    /// loss too. Costs one `fsync` per `apply` (see the crate's benchmark).
    #[default]
    Full,
    /// `fsync` only at checkpoints: an acknowledged batch survives process
    /// crashes, but the last commits before a power loss or kernel crash may
    /// roll back (the database stays consistent). For laptops and tests.
    Normal,
}

impl Synchronous {
    /// The value of SQLite's `PRAGMA synchronous`.
    pub(crate) fn pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

/// Options of a [`super::SqliteStore`]; `Default` is what production uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Flushing policy, see [`Synchronous`].
    pub synchronous: Synchronous,
    /// How long to wait for a lock held by another connection before failing.
    pub busy_timeout: Duration,
    /// Sizes accepted by `apply`; checked before anything is written.
    pub limits: Limits,
    /// Hold an exclusive lock on the database for the life of the store, so a
    /// second dromos pointed at the same `--data-dir` fails to open it with
    /// [`crate::StoreError::Locked`] instead of scheduling the same apps twice.
    /// The OS drops the lock when the process dies, even on `kill -9`.
    pub exclusive: bool,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(5),
            limits: Limits::default(),
            exclusive: true,
        }
    }
}
