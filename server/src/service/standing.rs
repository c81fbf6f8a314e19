//! Where this instance stands among several dromos sharing one store
//! (`--zk`), and what that lets the service write.
//!
//! The HA loop (`crate::ha`) owns the transitions; the service only keeps
//! the current [`Standing`] and applies it to every store batch:
//!
//! | standing | store batches |
//! |---|---|
//! | [`Standing::Single`] (no `--zk`) | written as they are |
//! | [`Standing::Leader`] | guarded by the leadership's [`Fence`], so a deposed leader writes nothing |
//! | [`Standing::Follower`] | refused: followers proxy every change to the leader |
//!
//! Becoming leader ([`Service::take_office`]) claims the fence and reloads
//! the state from the store in one step under the writer lock, so the run
//! loop started afterwards sees everything the previous leader wrote.

use std::sync::{Arc, PoisonError};

use dromos_store::election::{Fence, FenceError};
use dromos_store::Op;

use super::error::ServiceError;
use super::{persist, Service};

/// This instance's place in the cluster of dromos instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Running alone (no `--zk`): always the leader, writes unfenced.
    Single,
    /// The elected leader of this `epoch`.
    Leader {
        /// The leadership's fencing epoch.
        epoch: u64,
    },
    /// Not leading; `leader` is the leader's advertised `host:port` when
    /// known (unknown while the election is in flux).
    Follower {
        /// The leader's address.
        leader: Option<String>,
    },
}

impl Standing {
    /// Whether this instance may act (schedule, write) now.
    pub fn is_leader(&self) -> bool {
        matches!(self, Standing::Single | Standing::Leader { .. })
    }

    /// The leader's `host:port` (`advertised` when this instance leads).
    pub fn leader<'a>(&'a self, advertised: &'a str) -> Option<&'a str> {
        match self {
            Standing::Single | Standing::Leader { .. } => Some(advertised),
            Standing::Follower { leader } => leader.as_deref(),
        }
    }
}

/// The standing and, when leading, its fence (always set together).
#[derive(Debug, Clone)]
pub(super) struct WriteGate {
    standing: Standing,
    fence: Option<Fence>,
}

impl WriteGate {
    /// The gate of a single instance.
    pub(super) fn single() -> Self {
        WriteGate { standing: Standing::Single, fence: None }
    }
}

impl Service {
    /// This instance's standing now.
    pub fn standing(&self) -> Standing {
        self.gate.read().unwrap_or_else(PoisonError::into_inner).standing.clone()
    }

    /// Steps down, or records who leads while following: from now on
    /// every batch is refused. Synchronous, so it takes effect at once.
    pub fn stand_down(&self, leader: Option<String>) {
        let mut gate = self.gate.write().unwrap_or_else(PoisonError::into_inner);
        *gate = WriteGate { standing: Standing::Follower { leader }, fence: None };
    }

    /// Becomes the leader of `epoch`: claims the fence in the store, then
    /// reloads the state from it (both under the writer lock) and bumps
    /// the target generation. Fails if a newer leader has claimed already.
    pub async fn take_office(&self, epoch: u64) -> Result<(), ServiceError> {
        let _writer = self.writer.lock().await;
        let store = self.store.clone();
        let (fence, state) = tokio::task::spawn_blocking(move || {
            let fence = Fence::claim(store.as_ref(), epoch).map_err(|e| match e {
                FenceError::Store(e) => ServiceError::Store(e),
                stale @ FenceError::Stale { .. } => ServiceError::Internal(stale.to_string()),
            })?;
            Ok::<_, ServiceError>((fence, persist::load(store.as_ref())?))
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("take-office task failed: {e}")))??;
        *self.gate.write().unwrap_or_else(PoisonError::into_inner) =
            WriteGate { standing: Standing::Leader { epoch }, fence: Some(fence) };
        self.install(state);
        Ok(())
    }

    /// Re-reads the whole state from the store and installs it (a
    /// follower keeping its read-only views current). Tasks and the queue
    /// are whatever the store holds.
    pub async fn reload(&self) -> Result<(), ServiceError> {
        let _writer = self.writer.lock().await;
        let store = self.store.clone();
        let state = tokio::task::spawn_blocking(move || persist::load(store.as_ref()))
            .await
            .map_err(|e| ServiceError::Internal(format!("reload task failed: {e}")))??;
        self.install(state);
        Ok(())
    }

    /// Installs a loaded state (caller holds the writer lock).
    fn install(&self, state: super::state::State) {
        tracing::debug!(apps = state.apps.len(), deployments = state.deployments.len(), "state reloaded");
        *self.state.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(state);
        self.generation.send_modify(|g| *g += 1);
    }

    /// `ops` as this standing may write them; see the module docs.
    pub(super) fn gate_ops(&self, ops: Vec<Op>) -> Result<Vec<Op>, ServiceError> {
        let gate = self.gate.read().unwrap_or_else(PoisonError::into_inner);
        match (&gate.standing, gate.fence) {
            (Standing::Single, _) => Ok(ops),
            (Standing::Leader { .. }, Some(fence)) => Ok(fence.guard(ops)),
            _ => Err(ServiceError::Internal("this instance is not the leader; refusing to write".into())),
        }
    }
}
