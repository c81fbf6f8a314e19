//! Why the driver stopped. Everything short of these (a declined offer, a
//! failed call, a task that cannot be placed) is logged and retried, never
//! returned.

use dromos_mesos::client::ClientError;
use thiserror::Error;

use crate::target::TargetError;

/// A fault that ends [`crate::Driver::run`].
#[derive(Debug, Error)]
pub enum DriverError {
    /// The Mesos client could not start or stopped for good (a refused
    /// SUBSCRIBE, an ERROR event such as "Framework failed over").
    #[error("mesos client: {0}")]
    Client(#[from] ClientError),
    /// Persisting the framework id failed: continuing would risk orphaning
    /// every task on the next restart.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// The client's event stream ended without an error.
    #[error("mesos client stopped")]
    ClientStopped,
}
