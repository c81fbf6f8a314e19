//! The ZooKeeper backend: [`ZkStore`], for several dromos instances that
//! share state and elect a leader (see [`crate::election`]).
//!
//! # Layout
//!
//! Under the URL's root (`zk://…/dromos`), Marathon-style sub-paths keep
//! data and election apart, so no namespace can collide with the election:
//!
//! ```text
//! /dromos/state                 state root: its data is the last batch id, its version guards every commit
//! /dromos/state/<ns>            one node per namespace
//! /dromos/state/<ns>/=<key>     one node per key, key escaped (keys.rs), value with a codec header (values.rs)
//! /dromos/leader/member-<seq>   election participants (crate::election)
//! ```
//!
//! # Files
//!
//! - `url.rs`: [`ZkUrl`], the `zk://` URL.
//! - `session.rs`: opening sessions, classifying client errors.
//! - `bridge.rs`: the private runtime that runs the async client for the
//!   synchronous [`Store`] trait.
//! - `keys.rs`, `values.rs`: key ↔ znode name, value ↔ znode data.
//! - `plan.rs`: a batch → the writes of one `multi` (pure).
//! - `read.rs`, `write.rs`: the reads and the commit protocol.
//!
//! # Limits
//!
//! A batch is one ZooKeeper request, so the whole `multi` must fit in the
//! server's `jute.maxbuffer` (default 1 MiB − 1). [`ZkStore::limits`] says
//! 960 KiB per value and 990,000 bytes per batch payload; `apply` also
//! measures the encoded request (escaped paths, headers) and refuses one
//! over [`WIRE_LIMIT`] with [`StoreError::BatchTooLarge`] before sending.
//! Values of 16 KiB and more are deflated when that makes them smaller, so
//! large app definitions cost less, but limits never count on compression.

mod bridge;
mod keys;
mod plan;
mod read;
mod session;
mod url;
mod values;
mod write;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::Duration;

use zookeeper_client::Client;

use self::bridge::Bridge;
pub use self::session::open_session;
use self::session::store_error;
pub(crate) use self::session::{ensure_path, is_terminal};
pub use self::url::{ZkUrl, ZkUrlError, MAX_ROOT_LEN};
pub use self::write::WIRE_LIMIT;
use crate::error::StoreError;
use crate::op::{validate_batch, validate_key, validate_namespace, Limits, Op};
use crate::store::Store;

/// The sizes [`ZkStore`] accepts; see the module docs.
pub const ZK_LIMITS: Limits =
    Limits { max_key_len: 1024, max_value_size: 960 * 1024, max_batch_bytes: 990_000 };

/// A [`Store`] kept in ZooKeeper; see the module docs for the layout and
/// the commit protocol.
///
/// One session per store. A session that expires is replaced on the next
/// call (the store holds no ephemeral nodes, so nothing is lost). Every
/// call is bounded by twice the session timeout and then fails with
/// [`StoreError::Unavailable`].
pub struct ZkStore {
    url: ZkUrl,
    session_timeout: Duration,
    /// `<root>/state`.
    base: String,
    /// The current session; replaced when it has expired.
    client: RwLock<Client>,
    /// Numbers this store's batches, for unique batch ids.
    batches: AtomicU64,
    bridge: Bridge,
}

impl std::fmt::Debug for ZkStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZkStore").field("url", &self.url).field("base", &self.base).finish_non_exhaustive()
    }
}

impl ZkStore {
    /// Connects to `url` (`zk://host1:2181,host2:2181/dromos`), creates the
    /// state root if needed and syncs with the leader of the ensemble, so
    /// the first read sees every batch acknowledged before.
    pub fn connect(url: &str, session_timeout: Duration) -> Result<Self, StoreError> {
        let url = ZkUrl::parse(url).map_err(|err| StoreError::Backend { detail: err.to_string() })?;
        let bridge = Bridge::new()?;
        let base = url.child("state");
        let client =
            bridge.run(2 * session_timeout, connect_session(url.clone(), session_timeout, base.clone()))?;
        Ok(ZkStore {
            url,
            session_timeout,
            base,
            client: RwLock::new(client),
            batches: AtomicU64::new(0),
            bridge,
        })
    }

    /// The current session, reopened first if it has expired.
    fn client(&self) -> Result<Client, StoreError> {
        let current = self.client.read().map_err(|_| StoreError::Closed)?.clone();
        if !is_terminal(current.state()) {
            return Ok(current);
        }
        tracing::warn!(url = %self.url, "ZooKeeper session ended; opening a new one");
        let fresh = self.bridge.run(
            2 * self.session_timeout,
            connect_session(self.url.clone(), self.session_timeout, self.base.clone()),
        )?;
        *self.client.write().map_err(|_| StoreError::Closed)? = fresh.clone();
        Ok(fresh)
    }

    /// Runs `call` with the current session on the store's runtime.
    fn run<T, F, Fut>(&self, call: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(Client) -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let client = self.client()?;
        self.bridge.run(2 * self.session_timeout, call(client))
    }

    fn ns_path(&self, ns: &str) -> String {
        format!("{}/{ns}", self.base)
    }

    /// A batch id no other batch of any writer has: session id and counter.
    fn next_batch_id(&self, client: &Client) -> [u8; 16] {
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&client.session_id().0.to_be_bytes());
        id[8..].copy_from_slice(&self.batches.fetch_add(1, Ordering::Relaxed).to_be_bytes());
        id
    }
}

/// Opens a session, makes sure the state root exists, and syncs.
async fn connect_session(url: ZkUrl, timeout: Duration, base: String) -> Result<Client, StoreError> {
    let client = open_session(&url, timeout).await.map_err(store_error)?;
    ensure_path(&client, &base).await.map_err(store_error)?;
    client.sync(&base).await.map_err(store_error)?;
    Ok(client)
}

impl Store for ZkStore {
    fn get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        validate_namespace(ns)?;
        validate_key(ns, key, &ZK_LIMITS)?;
        let path = format!("{}/{}", self.ns_path(ns), keys::encode_key(key));
        self.run(|client| async move { read::get(&client, &path, ZK_LIMITS.max_value_size).await })
    }

    fn list(&self, ns: &str, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        validate_namespace(ns)?;
        validate_key(ns, prefix, &ZK_LIMITS)?;
        let (path, prefix) = (self.ns_path(ns), prefix.to_owned());
        self.run(|client| async move { read::list(&client, &path, &prefix, ZK_LIMITS.max_value_size).await })
    }

    fn keys(&self, ns: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        validate_namespace(ns)?;
        validate_key(ns, prefix, &ZK_LIMITS)?;
        let (path, prefix) = (self.ns_path(ns), prefix.to_owned());
        self.run(|client| async move { read::keys(&client, &path, &prefix).await })
    }

    fn apply(&self, ops: &[Op]) -> Result<(), StoreError> {
        validate_batch(ops, &ZK_LIMITS)?;
        if ops.is_empty() {
            return Ok(());
        }
        let (base, ops) = (self.base.clone(), ops.to_vec());
        self.run(|client| {
            let id = self.next_batch_id(&client);
            async move {
                let batch =
                    write::Batch { base: &base, ops: &ops, id, value_limit: ZK_LIMITS.max_value_size };
                write::apply(&client, &batch).await
            }
        })
    }

    fn limits(&self) -> Limits {
        ZK_LIMITS
    }
}

/// Bytes of one request around the largest value: root guard and create
/// with 64 bytes of framing each, the state root path twice, the batch id,
/// the longest escaped key and the value header.
const LARGEST_PUT_OVERHEAD: usize =
    2 * 64 + 2 * (MAX_ROOT_LEN + 6) + 16 + keys::max_encoded_len(ZK_LIMITS.max_key_len) + 1;
// The largest single put fits one request.
const _: () = assert!(ZK_LIMITS.max_value_size + LARGEST_PUT_OVERHEAD <= WIRE_LIMIT);
// A value at the limit, with its key, fits in a batch.
const _: () = assert!(ZK_LIMITS.max_batch_bytes >= ZK_LIMITS.max_value_size + ZK_LIMITS.max_key_len);
