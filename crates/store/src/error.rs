//! The one error type of every store backend.
//!
//! Validation errors ([`StoreError::InvalidNamespace`], [`StoreError::InvalidKey`],
//! [`StoreError::TooLarge`], [`StoreError::BatchTooLarge`]) are raised before
//! anything is written, and [`StoreError::Conflict`] aborts the whole batch: in
//! every case the store is left exactly as it was.

use std::path::PathBuf;

/// Everything that can go wrong in a [`crate::Store`] call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created or read.
    #[error("store I/O error at {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// The SQLite engine failed (disk full, I/O error, ...).
    #[error("sqlite error: {0}")]
    Sqlite(#[source] rusqlite::Error),

    /// The stored data is damaged or is not a dromos store; dromos refuses
    /// to run on it rather than act on a partial state.
    #[error("store is corrupt: {detail}")]
    Corrupt {
        /// What was found wrong.
        detail: String,
    },

    /// The database was written by a newer dromos; opening it with this
    /// version could silently drop data it does not understand.
    #[error("store schema version {found} is newer than this dromos supports ({supported}); upgrade dromos")]
    SchemaTooNew {
        /// The version found on disk.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },

    /// The engine refused a setting the durability promise depends on
    /// (e.g. WAL mode on a file system that cannot support it).
    #[error("store setting refused: {detail}")]
    Unsupported {
        /// Which setting, and what the engine kept instead.
        detail: String,
    },

    /// Another process (usually another dromos) holds the data directory.
    #[error("store is locked by another process: {detail}")]
    Locked {
        /// What the backend reported.
        detail: String,
    },

    /// A namespace is empty, too long, or has characters outside `[a-z0-9_-]`.
    #[error("invalid namespace {ns:?}: must be 1..=64 characters of [a-z0-9_-]")]
    InvalidNamespace {
        /// The rejected namespace.
        ns: String,
    },

    /// A key is longer than the backend's limit.
    #[error("invalid key in namespace {ns:?}: {len} bytes, limit {limit}")]
    InvalidKey {
        /// The namespace of the rejected key.
        ns: String,
        /// The key's length in bytes.
        len: usize,
        /// The backend's key length limit.
        limit: usize,
    },

    /// A value is larger than the backend's limit; rejected before writing.
    #[error("value for {ns}/{key} is {size} bytes, limit {limit}")]
    TooLarge {
        /// The namespace of the rejected value.
        ns: String,
        /// The key of the rejected value.
        key: String,
        /// The value's size in bytes.
        size: usize,
        /// The backend's value size limit.
        limit: usize,
    },

    /// A batch's total payload is larger than the backend's limit.
    #[error("batch payload is {size} bytes, limit {limit}")]
    BatchTooLarge {
        /// The batch's payload (keys and values) in bytes.
        size: usize,
        /// The backend's batch limit.
        limit: usize,
    },

    /// An [`crate::Op::Expect`] did not hold; nothing of the batch was applied.
    #[error("conflict: {ns}/{key} does not hold the expected value")]
    Conflict {
        /// The namespace of the failed expectation.
        ns: String,
        /// The key of the failed expectation.
        key: String,
    },

    /// The backend's server could not be reached in time (connection lost,
    /// session expired, no server answering). Transient: retry later. For
    /// [`crate::Store::apply`], the backend documents what is known about the
    /// batch (the ZooKeeper backend resolves it whenever it can reconnect).
    #[error("store unavailable: {detail}")]
    Unavailable {
        /// What failed.
        detail: String,
    },

    /// The backend's server refused a request for a reason not listed above
    /// (permissions, a misconfigured server, a node written by someone else).
    #[error("store backend error: {detail}")]
    Backend {
        /// What the server reported.
        detail: String,
    },

    /// The store was closed; no further calls are served.
    #[error("store is closed")]
    Closed,
}

impl From<rusqlite::Error> for StoreError {
    /// Classifies engine errors so callers can tell a damaged file or a
    /// second process from a transient fault.
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match err.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                StoreError::Corrupt { detail: err.to_string() }
            }
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                StoreError::Locked { detail: err.to_string() }
            }
            _ => StoreError::Sqlite(err),
        }
    }
}
