//! The office loop: follows the election and turns it into this
//! instance's [`Standing`](crate::service::Standing) and the leader's work.
//!
//! Owned by one task spawned in `lib.rs`; woken by a change of the
//! election state, by shutdown, by a retry timer (taking office failed) and,
//! while following, by a refresh timer.
//!
//! - **Elected**: [`Service::take_office`] claims the fencing epoch and
//!   reloads the state from the store; then the leader's work is started
//!   with a fresh child token (the run loop re-subscribes with the stored
//!   framework id and resumes the stored deployments).
//! - **Anything else** (follower, session lost, election gone): the service
//!   stands down *first* (its store writes are refused from that instant),
//!   the work's token is cancelled, and only then does the loop wait for the
//!   work to finish. No step in between awaits, so two leaders never act.
//! - **Following**: the state is reloaded every [`FOLLOWER_REFRESH`], so the
//!   console pages a follower renders itself stay close to the leader's.

use std::sync::Arc;
use std::time::Duration;

use dromos_store::election::LeadershipState;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::service::Service;

/// How often a follower re-reads the state from the store.
pub const FOLLOWER_REFRESH: Duration = Duration::from_secs(2);
/// Pause before trying again to take office after a failure.
const TAKE_OFFICE_RETRY: Duration = Duration::from_secs(1);

/// Starts the leader's work; it must stop when the token is cancelled.
pub type StartWork = Box<dyn FnMut(CancellationToken) -> JoinHandle<()> + Send>;

/// The leader's running work and its stop switch.
struct Term {
    token: CancellationToken,
    work: JoinHandle<()>,
}

/// Runs until `shutdown`; see the module docs. On return the service has
/// stood down and the leader's work has stopped.
pub async fn run(
    service: Arc<Service>,
    states: watch::Receiver<LeadershipState>,
    start_work: StartWork,
    shutdown: CancellationToken,
) {
    let mut office = Office { service, states, start_work, shutdown, term: None, retry: false };
    let mut election_open = true;
    let mut acted: Option<LeadershipState> = None;
    loop {
        let state =
            if election_open { office.states.borrow_and_update().clone() } else { LeadershipState::Lost };
        if acted.as_ref() != Some(&state) {
            acted = Some(state.clone());
            office.act(state).await;
            if office.retry {
                acted = None;
            }
        }
        let following = office.term.is_none() && !office.retry;
        tokio::select! {
            () = office.shutdown.cancelled() => break,
            changed = office.states.changed(), if election_open => {
                if changed.is_err() {
                    tracing::error!("the election task has ended; this instance can no longer lead");
                    election_open = false;
                }
            }
            () = tokio::time::sleep(TAKE_OFFICE_RETRY), if office.retry => {}
            () = tokio::time::sleep(FOLLOWER_REFRESH), if following => {
                if let Err(err) = office.service.reload().await {
                    tracing::warn!(error = %err, "follower could not refresh its state");
                }
            }
        }
    }
    office.step_down(None).await;
}

/// The loop's state.
struct Office {
    service: Arc<Service>,
    states: watch::Receiver<LeadershipState>,
    start_work: StartWork,
    shutdown: CancellationToken,
    /// The leader's work while leading.
    term: Option<Term>,
    /// Taking office failed: try again after [`TAKE_OFFICE_RETRY`].
    retry: bool,
}

impl Office {
    /// Acts on a new election state.
    async fn act(&mut self, state: LeadershipState) {
        self.retry = false;
        match state {
            LeadershipState::Leader { epoch } if self.term.is_none() => self.take_office(epoch).await,
            LeadershipState::Leader { .. } => {}
            LeadershipState::Follower { leader } => {
                tracing::info!(leader = leader.as_deref().unwrap_or("unknown"), "following");
                self.step_down(leader).await;
            }
            LeadershipState::Lost => {
                tracing::warn!("leadership state unknown (ZooKeeper session lost); not scheduling");
                self.step_down(None).await;
            }
        }
    }

    /// Claims the epoch, reloads the state, starts the leader's work.
    async fn take_office(&mut self, epoch: u64) {
        // The leader is unknown until the office is taken: requests wait.
        self.service.stand_down(None);
        match self.service.take_office(epoch).await {
            // Should the election have moved on meanwhile, the loop steps
            // down again at once on its next turn.
            Ok(()) => {
                tracing::info!(epoch, "elected leader: state reloaded, starting the scheduler");
                let token = self.shutdown.child_token();
                self.term = Some(Term { work: (self.start_work)(token.clone()), token });
            }
            Err(err) => {
                tracing::error!(epoch, error = %err, "cannot take office; retrying");
                self.retry = true;
            }
        }
    }

    /// Stands the service down and stops the leader's work, in that order
    /// and without awaiting in between.
    async fn step_down(&mut self, leader: Option<String>) {
        self.service.stand_down(leader);
        if let Some(Term { token, work }) = self.term.take() {
            token.cancel();
            tracing::warn!("leadership lost: scheduler stopped");
            if let Err(err) = work.await {
                tracing::error!(error = %err, "the leader's work ended abnormally");
            }
        }
    }
}
