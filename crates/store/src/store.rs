//! The [`Store`] trait: the promises every backend keeps.

use crate::error::StoreError;
use crate::op::{Limits, Op};

/// A durable, namespaced key/value store of byte values.
///
/// Keys are UTF-8 strings ordered by their bytes; values are opaque bytes.
/// What keys and values mean is decided by the service layer above.
///
/// Promises (checked for every backend by the `conformance` module):
/// - [`Store::apply`] is atomic and durable: when it returns `Ok`, every step
///   of the batch is on stable storage and survives `kill -9` of the process;
///   when it returns `Err`, nothing of the batch is visible, now or after a
///   restart.
/// - Reads see every batch that returned `Ok` before the read started.
/// - Namespaces are isolated: no operation in one touches another.
/// - Invalid input (see [`crate::validate_batch`]) is rejected before
///   anything is written.
///
/// Calls are synchronous and may block on disk or network: async callers
/// use `spawn_blocking` or a dedicated thread. Implementations are safe to
/// share across threads and serialise their own writes.
pub trait Store: Send + Sync {
    /// The value of `ns`/`key`, or `None` if absent.
    fn get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Every entry of `ns` whose key starts with `prefix`, in key order.
    fn list(&self, ns: &str, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError>;

    /// The keys [`Store::list`] would return, without loading the values.
    fn keys(&self, ns: &str, prefix: &str) -> Result<Vec<String>, StoreError>;

    /// Commits `ops` atomically and durably, in order; see the trait docs.
    /// An empty batch is a successful no-op.
    fn apply(&self, ops: &[Op]) -> Result<(), StoreError>;

    /// The sizes this backend accepts.
    fn limits(&self) -> Limits;
}
