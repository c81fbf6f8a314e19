//! High availability (`--zk`): several dromos instances share one
//! ZooKeeper store and elect one leader; only the leader schedules, the
//! others serve the console locally and proxy the API to the leader.
//!
//! # Pieces
//!
//! - [`Ha`] (here): this instance's seat in the election
//!   (`dromos_store::election`), shared with the `/v2/leader` and
//!   `/v2/info` handlers (as an axum `Extension`) for abdication and the
//!   ZooKeeper settings.
//! - [`office`]: the loop that follows the election and turns it into
//!   the service's [`Standing`](crate::service::Standing) and the leader's
//!   work (the scheduler run loop), started on election and stopped at once
//!   on any loss.
//! - [`proxy`]: the middleware that forwards API requests from a follower
//!   to the leader (and redirects `/v2/events`).
//!
//! # Who owns what
//!
//! The election task (in `dromos_store`) owns the ZooKeeper session and
//! publishes a `watch` of [`LeadershipState`]. [`office::run`] is the only
//! reader that acts on it; handlers read the service's standing, which the
//! office loop keeps current. With `--master local` every instance starts
//! its own embedded cluster, but only the leader's receives a scheduler, so
//! tasks run where the current leader runs (fine for trying HA on one
//! machine; use a real Mesos master for anything else).

pub mod office;
pub mod proxy;

use std::sync::Arc;
use std::time::Duration;

use dromos_store::election::{Election, ElectionError, LeadershipState};
use dromos_store::ZkUrl;
use tokio::sync::{watch, Mutex};

/// Why HA could not start or an election request failed.
#[derive(Debug, thiserror::Error)]
pub enum HaError {
    /// `--zk` is not a valid `zk://host:port[,host:port]/root` URL.
    #[error("invalid --zk URL: {0}")]
    Url(#[from] dromos_store::zookeeper::ZkUrlError),
    /// ZooKeeper refused or could not be reached.
    #[error(transparent)]
    Election(#[from] ElectionError),
}

/// This instance's seat in the election.
#[derive(Debug)]
pub struct Ha {
    /// `None` once closed.
    election: Mutex<Option<Election>>,
    zk: String,
    session_timeout: Duration,
}

impl Ha {
    /// Joins the election under `zk`'s root as `advertised` (`host:port`).
    /// Returns the seat and the election's state channel, to be handed to
    /// [`office::run`].
    pub async fn join(
        zk: &str,
        session_timeout: Duration,
        advertised: &str,
    ) -> Result<(Arc<Ha>, watch::Receiver<LeadershipState>), HaError> {
        let url = ZkUrl::parse(zk)?;
        let (election, states) = Election::join(&url, session_timeout, advertised).await?;
        tracing::info!(zk, participant = advertised, "joined the leader election");
        let ha = Ha { election: Mutex::new(Some(election)), zk: zk.to_owned(), session_timeout };
        Ok((Arc::new(ha), states))
    }

    /// Hands leadership over: our election node goes to the back of the
    /// queue, so another instance leads if there is one. The office loop
    /// sees the change and stops the leader's work.
    pub async fn abdicate(&self) -> Result<(), HaError> {
        let election = self.election.lock().await;
        let election = election.as_ref().ok_or(ElectionError::Closed)?;
        election.abdicate().await?;
        Ok(())
    }

    /// Leaves the election at once (graceful shutdown): the next instance
    /// takes over without waiting for our session to expire.
    pub async fn close(&self) {
        if let Some(election) = self.election.lock().await.take() {
            election.close().await;
        }
    }

    /// The `--zk` URL.
    pub fn zk_url(&self) -> &str {
        &self.zk
    }

    /// The ZooKeeper session timeout.
    pub fn session_timeout(&self) -> Duration {
        self.session_timeout
    }
}
