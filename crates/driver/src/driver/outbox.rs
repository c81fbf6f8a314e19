//! The outbox: one task that sends Mesos calls in the order the loop
//! decided them, so a slow master never stalls the loop. A call that fails
//! is logged and dropped: offers come back (declined or expired), kills are
//! retried by housekeeping, unacknowledged updates are resent by the agent,
//! and reconciliation repairs everything else. A failed ACCEPT is also
//! handed back to the loop, which asks the master about its tasks at once
//! (they may or may not have been launched) instead of leaving them staged
//! until the launch timeout.

use dromos_mesos::client::Scheduler;
use dromos_mesos::v1::{Accept, CallBody};
use tokio::sync::mpsc;
use tracing::{debug, warn};

/// Sender side of the outbox.
#[derive(Debug, Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<CallBody>,
}

impl Outbox {
    /// Spawns the sending task; it ends when every `Outbox` is dropped.
    /// The receiver gets the ACCEPTs the master did not take.
    pub fn spawn(scheduler: Scheduler) -> (Self, mpsc::UnboundedReceiver<Accept>) {
        let (tx, mut rx) = mpsc::unbounded_channel::<CallBody>();
        let (failed_tx, failed) = mpsc::unbounded_channel::<Accept>();
        tokio::spawn(async move {
            while let Some(call) = rx.recv().await {
                let kind = call.call_type();
                let accept = match &call {
                    CallBody::Accept(accept) => Some(accept.clone()),
                    _ => None,
                };
                match scheduler.call(call).await {
                    Ok(()) => debug!(call = ?kind, "call accepted by the master"),
                    Err(e) => {
                        warn!(call = ?kind, error = %e, "call failed");
                        if let Some(accept) = accept {
                            // The loop may be gone (shutdown): nothing to repair then.
                            let _ = failed_tx.send(accept);
                        }
                    }
                }
            }
        });
        (Self { tx }, failed)
    }

    /// Queues a call.
    pub fn send(&self, call: CallBody) {
        // The receiver lives as long as the task, which outlives every sender.
        let _ = self.tx.send(call);
    }
}
