//! The bridge from the synchronous [`crate::Store`] trait to the async
//! ZooKeeper client.
//!
//! [`Bridge`] owns a one-worker tokio runtime that also drives the client's
//! session task (pings, reconnects, watches). A call spawns its future on
//! that runtime and waits on a plain channel for the answer, so it works
//! from any thread: a `spawn_blocking` thread, a plain thread, or even (if
//! misused) a runtime worker, which it blocks but never panics. Every call
//! has a deadline, so a ZooKeeper that stops answering becomes
//! [`StoreError::Unavailable`] instead of a hang.

use std::future::Future;
use std::sync::mpsc;
use std::time::Duration;

use tokio::runtime::{Builder, Runtime};

use crate::error::StoreError;

/// A private runtime and the way to run futures on it synchronously.
#[derive(Debug)]
pub(crate) struct Bridge {
    /// Always `Some` until dropped; taken so `Drop` can shut it down
    /// without blocking (dropping a runtime inside async code panics).
    runtime: Option<Runtime>,
}

impl Bridge {
    /// Starts the runtime thread.
    pub(crate) fn new() -> Result<Self, StoreError> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("dromos-zk-store")
            .enable_all()
            .build()
            .map_err(|err| StoreError::Backend {
                detail: format!("cannot start the ZooKeeper runtime: {err}"),
            })?;
        Ok(Bridge { runtime: Some(runtime) })
    }

    /// Runs `future` on the runtime and waits for it, at most `deadline`.
    pub(crate) fn run<T, F>(&self, deadline: Duration, future: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let runtime = self.runtime.as_ref().ok_or(StoreError::Closed)?;
        let (tx, rx) = mpsc::sync_channel(1);
        runtime.spawn(async move {
            let result = match tokio::time::timeout(deadline, future).await {
                Ok(result) => result,
                Err(_) => Err(StoreError::Unavailable {
                    detail: format!("no answer from ZooKeeper within {} ms", deadline.as_millis()),
                }),
            };
            // The caller may be gone only if its thread died; nothing to do then.
            let _ = tx.send(result);
        });
        rx.recv().map_err(|_| StoreError::Closed)?
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
