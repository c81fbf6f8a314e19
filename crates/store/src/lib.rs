//! dromos' durable store: everything dromos has accepted, kept so that a
//! restart (or `kill -9`) loses nothing that was acknowledged.
//!
//! The service layer writes app and group versions, deployment plans,
//! instance intents and the framework id here *before* acting on them or
//! answering the client. This crate does not know what those are: it is a
//! namespaced key/value store of byte values, and the service decides the
//! namespaces (`apps`, `groups`, `deployments`, `instances`, `meta`, ...) and
//! the key and value encodings.
//!
//! # Layout
//!
//! - [`Store`] (`store.rs`): the trait and its promises. Backends: SQLite
//!   now, ZooKeeper later (one znode per key, a batch as one `multi`).
//! - [`Op`], [`Limits`], [`validate_batch`] (`op.rs`): batch steps
//!   (`Put`, `Delete`, `DeletePrefix`, and the `Expect` guard for fencing)
//!   and the size limits every backend checks before writing.
//! - [`SqliteStore`] (`sqlite/`): the embedded default, one WAL-mode file
//!   `dromos.sqlite3` under `--data-dir`, versioned migrations.
//! - [`ZkStore`] (`zookeeper/`, feature `zookeeper`, on by default): the HA
//!   backend, one znode per key under `<root>/state`, a batch as one `multi`.
//! - `election` (feature `zookeeper`): ZooKeeper leader election among
//!   dromos instances, with epoch fencing of store writes.
//! - [`StoreError`] (`error.rs`).
//! - `conformance` (feature `conformance`): the test suite every backend
//!   must pass; the SQLite tests run it.
//! - `testing` (feature `testing`): a real ZooKeeper server (Debian's
//!   package) started on a free loopback port, for this crate's and the
//!   server's integration tests.
//!
//! # Durability
//!
//! [`Store::apply`] commits a batch atomically and durably before returning:
//! after `Ok`, the whole batch survives a crash of the process at any later
//! moment; after `Err`, or a crash during the call, none of it is visible.
//! With SQLite's default `synchronous = FULL` this holds for power loss too;
//! [`Synchronous::Normal`] keeps it for process crashes only. The crash test
//! in `tests/crash.rs` kills a writer with SIGKILL mid-burst and checks this.
//!
//! # Concurrency
//!
//! Every call is synchronous and may block on I/O: async callers wrap them
//! in `spawn_blocking` or own the store from a dedicated thread. A store is
//! `Send + Sync`; [`SqliteStore`] serialises calls on one connection behind
//! a mutex (never held across an `.await`, this crate has none) and holds an
//! exclusive lock on the file so that a second dromos cannot open the same
//! data directory.

mod error;
mod op;
mod sqlite;
mod store;

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
#[cfg(feature = "zookeeper")]
pub mod election;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(feature = "zookeeper")]
pub mod zookeeper;

pub use error::StoreError;
pub use op::{validate_batch, validate_key, validate_namespace, Limits, Op, MAX_NAMESPACE_LEN};
pub use sqlite::{SqliteOptions, SqliteStore, Synchronous, DB_FILE_NAME, SCHEMA_VERSION};
pub use store::Store;
#[cfg(feature = "zookeeper")]
pub use zookeeper::{ZkStore, ZkUrl};
