//! Group commit: store batches written at the same time share one store
//! transaction.
//!
//! Every accepted API change is durable before it is answered, and so is
//! the audit entry of every mutating request (written after the handler
//! answers, before the response leaves). The store serialises its writes
//! and each one costs a synchronous commit (an fsync with SQLite's
//! `synchronous = FULL`), so one batch per request made concurrent
//! requests, such as a script killing a hundred tasks one `DELETE` each,
//! queue behind each other at one commit apiece.
//!
//! [`GroupCommit::write`] queues the caller's batch and waits for the turn.
//! The caller that gets it takes every batch queued so far (its own or,
//! when an earlier turn took that along, none) and
//! applies them, in queue order, as one store batch (split only where
//! [`Limits::max_batch_bytes`] demands), while later batches queue for the
//! next turn. So a burst of N writes costs a few commits, not N. Each
//! caller's batch is still all-or-nothing and durable before its `write`
//! returns: if a combined batch fails, each of its batches is applied again
//! alone, so a batch that cannot apply (a failed fence `Expect`, a value
//! too large) fails only its own caller. The commit runs on a blocking
//! thread of its own: a caller that goes away (a dropped request) does not
//! stop the commit the others wait for.

use std::sync::{Arc, Mutex, PoisonError};

use dromos_store::{Limits, Op, Store, StoreError};
use tokio::sync::oneshot;

use super::error::ServiceError;

/// One caller's batch and where its result goes.
struct Queued {
    ops: Vec<Op>,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// The queue of batches waiting for a commit into one store.
pub struct GroupCommit {
    store: Arc<dyn Store>,
    /// Batches in the order their `write` was called.
    queued: Mutex<Vec<Queued>>,
    /// Held from taking the queue until the commit is done.
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl GroupCommit {
    /// Commits into `store`, which no one else writes to.
    pub fn new(store: Arc<dyn Store>) -> Self {
        GroupCommit { store, queued: Mutex::default(), turn: Arc::default() }
    }

    /// Applies `ops` as one all-or-nothing batch, together with whatever
    /// other batches are queued when the commit starts. Batches of calls
    /// that returned before this one was made are already applied; a batch
    /// whose caller went away before its commit started is not applied.
    pub async fn write(&self, ops: Vec<Op>) -> Result<(), ServiceError> {
        let (done, result) = oneshot::channel();
        lock(&self.queued).push(Queued { ops, done });
        let turn = Arc::clone(&self.turn).lock_owned().await;
        let batches = std::mem::take(&mut *lock(&self.queued));
        if !batches.is_empty() {
            let store = Arc::clone(&self.store);
            // The commit and the end of the turn happen on the blocking
            // thread whatever becomes of this caller: others wait for it.
            tokio::task::spawn_blocking(move || {
                let outcomes = commit(store.as_ref(), batches);
                // Let go of the store before anyone hears back, as a
                // plain `apply` would: a caller may close and reopen it.
                drop(store);
                drop(turn);
                for (done, outcome) in outcomes {
                    let _ = done.send(outcome);
                }
            });
        }
        match result.await {
            Ok(outcome) => Ok(outcome?),
            Err(_) => Err(ServiceError::Internal("store writer task failed".into())),
        }
    }
}

type Outcome = (oneshot::Sender<Result<(), StoreError>>, Result<(), StoreError>);

/// Applies `batches` in order, as few store batches as the store's limits
/// allow; returns how each caller's batch went.
fn commit(store: &dyn Store, batches: Vec<Queued>) -> Vec<Outcome> {
    let live = batches.into_iter().filter(|q| !q.done.is_closed()).collect();
    let mut outcomes = Vec::new();
    for group in groups(live, store.limits()) {
        if group.len() > 1 {
            let combined: Vec<Op> = group.iter().flat_map(|q| q.ops.iter().cloned()).collect();
            match store.apply(&combined) {
                Ok(()) => {
                    outcomes.extend(group.into_iter().map(|q| (q.done, Ok(()))));
                    continue;
                }
                Err(e) => {
                    tracing::debug!(error = %e, batches = group.len(), "combined store batch refused; applying its batches one by one");
                }
            }
        }
        outcomes.extend(group.into_iter().map(|q| {
            let outcome = store.apply(&q.ops);
            (q.done, outcome)
        }));
    }
    outcomes
}

/// Splits `batches` into runs whose combined payload stays within the
/// store's batch limit (a batch over the limit on its own stays alone and
/// gets the store's own refusal).
fn groups(batches: Vec<Queued>, limits: Limits) -> Vec<Vec<Queued>> {
    let mut groups: Vec<Vec<Queued>> = Vec::new();
    let mut bytes = 0usize;
    for batch in batches {
        let size: usize = batch.ops.iter().map(Op::payload_len).sum();
        match groups.last_mut() {
            Some(group) if bytes.saturating_add(size) <= limits.max_batch_bytes => {
                bytes += size;
                group.push(batch);
            }
            _ => {
                bytes = size;
                groups.push(vec![batch]);
            }
        }
    }
    groups
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
#[path = "group_commit_tests.rs"]
mod tests;
