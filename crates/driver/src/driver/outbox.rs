//! The outbox: one task that sends Mesos calls in the order the loop
//! decided them, so a slow master never stalls the loop. A call that fails
//! is logged and dropped: offers come back (declined or expired), kills are
//! retried by housekeeping, unacknowledged updates are resent by the agent,
//! and reconciliation repairs everything else.

use dromos_mesos::client::Scheduler;
use dromos_mesos::v1::CallBody;
use tokio::sync::mpsc;
use tracing::{debug, warn};

/// Sender side of the outbox.
#[derive(Debug, Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<CallBody>,
}

impl Outbox {
    /// Spawns the sending task; it ends when every `Outbox` is dropped.
    pub fn spawn(scheduler: Scheduler) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<CallBody>();
        tokio::spawn(async move {
            while let Some(call) = rx.recv().await {
                let kind = call.call_type();
                match scheduler.call(call).await {
                    Ok(()) => debug!(call = ?kind, "call accepted by the master"),
                    Err(e) => warn!(call = ?kind, error = %e, "call failed"),
                }
            }
        });
        Self { tx }
    }

    /// Queues a call.
    pub fn send(&self, call: CallBody) {
        // The receiver lives as long as the task, which outlives every sender.
        let _ = self.tx.send(call);
    }
}
