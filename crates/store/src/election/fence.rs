//! Fencing: making sure a deposed leader cannot write, even if it has not
//! noticed yet (a long GC-like pause, a partition it has not detected).
//!
//! Each leadership has an *epoch*: the sequence number of the leader's
//! election node. Sequences only grow, and a leader's node is the lowest
//! alive, so every later leader has a larger epoch. On taking office the
//! leader [`Fence::claim`]s its epoch: it writes it to `meta/leader-epoch`,
//! guarded so the stored epoch only ever grows. Then every batch it writes
//! goes through [`Fence::guard`], which prepends
//! `Expect(meta/leader-epoch == ours)`: once a newer leader has claimed, the
//! old leader's batches fail with [`StoreError::Conflict`] and write nothing.
//! This works with any [`Store`] backend, since `Expect` is part of the
//! trait and checked inside the same atomic batch.

use crate::error::StoreError;
use crate::op::Op;
use crate::store::Store;

/// Namespace of the stored epoch.
pub const EPOCH_NS: &str = "meta";
/// Key of the stored epoch (8 bytes, big-endian).
pub const EPOCH_KEY: &str = "leader-epoch";

/// Tries before giving up when claims race.
const CLAIM_ATTEMPTS: usize = 5;

/// Why an epoch could not be claimed.
#[derive(Debug, thiserror::Error)]
pub enum FenceError {
    /// A newer leader has already claimed: we are deposed.
    #[error("leader epoch {ours} is stale: epoch {stored} has been claimed")]
    Stale {
        /// Our epoch.
        ours: u64,
        /// The epoch in the store.
        stored: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The right to write, for one leadership epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fence {
    epoch: u64,
}

impl Fence {
    /// Records `epoch` as the one allowed to write, unless a newer one is
    /// already recorded. Claiming the current epoch again is allowed.
    pub fn claim(store: &dyn Store, epoch: u64) -> Result<Fence, FenceError> {
        for _ in 0..CLAIM_ATTEMPTS {
            let current = store.get(EPOCH_NS, EPOCH_KEY)?;
            let stored = current.as_deref().map(decode_epoch).transpose()?;
            match stored {
                Some(stored) if stored > epoch => return Err(FenceError::Stale { ours: epoch, stored }),
                Some(stored) if stored == epoch => return Ok(Fence { epoch }),
                _ => {}
            }
            let batch =
                [Op::expect(EPOCH_NS, EPOCH_KEY, current), Op::put(EPOCH_NS, EPOCH_KEY, epoch.to_be_bytes())];
            match store.apply(&batch) {
                Ok(()) => return Ok(Fence { epoch }),
                Err(StoreError::Conflict { .. }) => continue,
                Err(err) => return Err(err.into()),
            }
        }
        Err(StoreError::Conflict { ns: EPOCH_NS.to_owned(), key: EPOCH_KEY.to_owned() }.into())
    }

    /// The epoch this fence stands for.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// `ops`, guarded: applied only while this epoch is the claimed one.
    pub fn guard(&self, ops: impl IntoIterator<Item = Op>) -> Vec<Op> {
        let mut guarded = vec![Op::expect(EPOCH_NS, EPOCH_KEY, Some(self.epoch.to_be_bytes().to_vec()))];
        guarded.extend(ops);
        guarded
    }
}

fn decode_epoch(bytes: &[u8]) -> Result<u64, StoreError> {
    let bytes: [u8; 8] = bytes.try_into().map_err(|_| StoreError::Corrupt {
        detail: format!("{EPOCH_NS}/{EPOCH_KEY} holds {} bytes, not an 8-byte epoch", bytes.len()),
    })?;
    Ok(u64::from_be_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::{Fence, FenceError};
    use crate::error::StoreError;
    use crate::op::Op;
    use crate::sqlite::{SqliteOptions, SqliteStore};
    use crate::store::Store;

    #[test]
    fn a_newer_claim_fences_off_the_older_leader() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(dir.path(), SqliteOptions::default()).expect("store opens");
        let old = Fence::claim(&store, 3).expect("first claim");
        store.apply(&old.guard([Op::put("apps", "a", "old")])).expect("old leader writes while in office");
        let new = Fence::claim(&store, 7).expect("newer epoch claims");
        let refused = store.apply(&old.guard([Op::put("apps", "a", "stale")]));
        assert!(matches!(refused, Err(StoreError::Conflict { .. })), "{refused:?}");
        store.apply(&new.guard([Op::put("apps", "a", "new")])).expect("new leader writes");
        assert_eq!(store.get("apps", "a").expect("read"), Some(b"new".to_vec()));
        assert!(matches!(Fence::claim(&store, 3), Err(FenceError::Stale { ours: 3, stored: 7 })));
        assert_eq!(Fence::claim(&store, 7).expect("re-claim").epoch(), 7);
    }
}
