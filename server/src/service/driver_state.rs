//! What the scheduler run loop must find again after a restart, kept in
//! the service's store beside the apps: the Mesos framework id and the
//! instance intents (one per task launched and not yet forgotten).
//!
//! | namespace | key | value |
//! |---|---|---|
//! | `framework` | `id` | the framework id (UTF-8) |
//! | `intents` | instance id | the run loop's intent, opaque bytes (JSON) |
//!
//! The values are the run loop's own encoding; the service only stores
//! them. Every write is durable before it returns (the run loop launches a
//! task only after its intent is stored). These writes do not change the
//! target and therefore do not bump [`Service::watch_target`].
//!
//! Also here: handing the API command channel back when a run loop stops,
//! so the next one (after a restart of the loop, or a new leadership) can
//! take it again with [`Service::take_commands`].

use std::sync::PoisonError;

use dromos_store::Op;
use tokio::sync::mpsc;

use super::error::ServiceError;
use super::run_loop::RunLoopCommand;
use super::Service;

const FRAMEWORK: &str = "framework";
const FRAMEWORK_KEY: &str = "id";
const INTENTS: &str = "intents";

/// The run loop's durable state as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DriverState {
    /// The framework id, once the master assigned one.
    pub framework_id: Option<String>,
    /// Stored intents: `(instance id, encoded intent)`.
    pub intents: Vec<(String, Vec<u8>)>,
}

impl Service {
    /// Reads the framework id and every stored intent.
    pub async fn load_driver_state(&self) -> Result<DriverState, ServiceError> {
        let store = self.store.clone();
        let read = tokio::task::spawn_blocking(move || {
            let framework_id = store
                .get(FRAMEWORK, FRAMEWORK_KEY)?
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
            let intents = store.list(INTENTS, "")?;
            Ok::<_, dromos_store::StoreError>(DriverState { framework_id, intents })
        });
        let state =
            read.await.map_err(|e| ServiceError::Internal(format!("store reader task failed: {e}")))??;
        Ok(state)
    }

    /// Stores the framework id; durable when it returns.
    pub async fn persist_framework_id(&self, id: &str) -> Result<(), ServiceError> {
        self.write(vec![Op::put(FRAMEWORK, FRAMEWORK_KEY, id.as_bytes().to_vec())]).await
    }

    /// Stores instance intents `(instance id, encoded intent)`, in as few
    /// store batches as the store's batch limit allows (one, but for
    /// thousands at once); durable when it returns. On an error some
    /// batches may be written: the caller forgets them all.
    pub async fn put_instance_intents(&self, intents: Vec<(String, Vec<u8>)>) -> Result<(), ServiceError> {
        let ops = intents.into_iter().map(|(id, intent)| Op::put(INTENTS, id, intent)).collect();
        self.write_in_pieces(ops).await
    }

    /// Forgets instance intents, in as few store batches as allowed.
    pub async fn delete_instance_intents(&self, instance_ids: &[String]) -> Result<(), ServiceError> {
        self.write_in_pieces(instance_ids.iter().map(|id| Op::delete(INTENTS, id.as_str())).collect()).await
    }

    /// Writes `ops` in batches of at most half the store's batch limit.
    async fn write_in_pieces(&self, ops: Vec<Op>) -> Result<(), ServiceError> {
        let budget = self.store.limits().max_batch_bytes / 2;
        let mut piece = Vec::new();
        let mut bytes = 0;
        for op in ops {
            let size = op.payload_len();
            if !piece.is_empty() && bytes + size > budget {
                self.write(std::mem::take(&mut piece)).await?;
                bytes = 0;
            }
            bytes += size;
            piece.push(op);
        }
        self.write(piece).await
    }

    /// Gives back the command channel taken with [`Service::take_commands`]
    /// when its run loop stops.
    pub fn return_commands(&self, inbox: mpsc::Receiver<RunLoopCommand>) {
        *self.command_inbox.lock().unwrap_or_else(PoisonError::into_inner) = Some(inbox);
    }
}
