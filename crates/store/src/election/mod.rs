//! Leader election among dromos instances, on ZooKeeper: the classic
//! recipe, as Marathon did with Curator's `LeaderLatch`.
//!
//! # Recipe
//!
//! Each participant creates an ephemeral sequential node
//! `<root>/leader/member-<seq>` holding its advertised `host:port`. The
//! lowest sequence leads. Every other participant watches only the node just
//! before its own (no herd effect when the leader goes: one participant is
//! woken per departure); it also reads, and watches, the leader's node to
//! keep [`LeadershipState::Follower::leader`] current for proxying.
//!
//! # Loss of leadership
//!
//! A leader steps down *at once* when its session is disconnected, expired
//! or closed: [`LeadershipState::Lost`] is published before the loop does
//! anything else. The client declares a silent server gone after 2/5 of the
//! session timeout, and the server expires the session (deleting our node,
//! and only then letting the next participant lead) after the full timeout,
//! so in the absence of process pauses two participants never both believe
//! they lead. `Lost` is not final: the loop reconnects (same session if it
//! survived, else a new session and a new node at the back of the queue)
//! and publishes `Leader` or `Follower` again. Callers stop all leader work
//! on any state other than `Leader`, and treat a closed channel as `Lost`.
//!
//! # Fencing
//!
//! Pauses happen (GC-like stalls, a stopped VM), so leader writes are also
//! fenced in the store: see [`Fence`]. `Leader { epoch }` carries the epoch
//! (our node's sequence, which grows with every new leader); the new leader
//! claims it in the store before acting, and guards every batch with it.
//!
//! # Concurrency
//!
//! [`Election::join`] spawns one task on the caller's tokio runtime (see
//! `participant.rs`); the handle talks to it over a channel. Dropping the
//! handle leaves the election like [`Election::close`], without waiting.

mod fence;
mod members;
mod participant;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use zookeeper_client::{Client, Error as ZkError};

pub use self::fence::{Fence, FenceError, EPOCH_KEY, EPOCH_NS};
use self::members::lowest;
use self::participant::{create_member, Command, Participant};
use crate::zookeeper::{ensure_path, open_session, ZkUrl};

/// Where this participant stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadershipState {
    /// Not leading; `leader` is the current leader's advertised `host:port`
    /// when known (for proxying requests to it).
    Follower {
        /// The leader's address.
        leader: Option<String>,
    },
    /// Leading. `epoch` grows with every new leader; see [`Fence`].
    Leader {
        /// This leadership's fencing epoch.
        epoch: u64,
    },
    /// The session is disconnected or gone: not leading, and not knowing
    /// who does. The election is reconnecting.
    Lost,
}

impl LeadershipState {
    /// Whether this participant may act as leader now.
    pub fn is_leader(&self) -> bool {
        matches!(self, LeadershipState::Leader { .. })
    }
}

/// What can go wrong in the election's requests.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ElectionError {
    /// ZooKeeper failed or could not be reached.
    #[error("election: ZooKeeper: {0}")]
    ZooKeeper(String),
    /// The participant has left the election.
    #[error("election: closed")]
    Closed,
}

impl From<ZkError> for ElectionError {
    fn from(err: ZkError) -> Self {
        ElectionError::ZooKeeper(err.to_string())
    }
}

/// One participant in the election; see the module docs.
#[derive(Debug)]
pub struct Election {
    commands: mpsc::UnboundedSender<Command>,
    /// The participant's current session (`None` while reconnecting).
    session: Arc<Mutex<Option<Client>>>,
    /// `<root>/leader`.
    dir: String,
}

impl Election {
    /// Joins the election under `url`'s root as `participant` (its
    /// advertised `host:port`). Returns once our node exists; the first
    /// state is `Follower { leader: None }` until the standing is known.
    pub async fn join(
        url: &ZkUrl,
        session_timeout: Duration,
        participant: impl Into<String>,
    ) -> Result<(Election, watch::Receiver<LeadershipState>), ElectionError> {
        let data = participant.into();
        let dir = url.child("leader");
        let client = open_session(url, session_timeout).await?;
        ensure_path(&client, &dir).await?;
        let node = create_member(&client, &dir, &data).await?;
        let (state, receiver) = watch::channel(LeadershipState::Follower { leader: None });
        let (commands, command_receiver) = mpsc::unbounded_channel();
        let session = Arc::new(Mutex::new(Some(client.clone())));
        let participant = Participant {
            url: url.clone(),
            session_timeout,
            dir: dir.clone(),
            data,
            state,
            commands: command_receiver,
            session: Arc::clone(&session),
        };
        tokio::spawn(participant.run(client, node));
        Ok((Election { commands, session, dir }, receiver))
    }

    /// Gives up leadership (or our place in the queue): deletes our node
    /// and queues again at the back, so another participant leads if there
    /// is one. Returns once our new node exists.
    pub async fn abdicate(&self) -> Result<(), ElectionError> {
        let (reply, answer) = oneshot::channel();
        self.commands.send(Command::Abdicate(reply)).map_err(|_| ElectionError::Closed)?;
        answer.await.map_err(|_| ElectionError::Closed)?
    }

    /// The leader's advertised address as ZooKeeper has it now: the data
    /// of the lowest member node, or `None` if there are no members.
    pub async fn current_leader(&self) -> Result<Option<String>, ElectionError> {
        let client = self.session.lock().map_err(|_| ElectionError::Closed)?.clone();
        let client = client.ok_or(ElectionError::ZooKeeper("reconnecting".to_owned()))?;
        loop {
            let children = client.list_children(&self.dir).await?;
            let Some(leader) = lowest(&children) else {
                return Ok(None);
            };
            match client.get_data(&format!("{}/{leader}", self.dir)).await {
                Ok((data, _)) => return Ok(Some(String::from_utf8_lossy(&data).into_owned())),
                // The leader left between the two reads: look again.
                Err(ZkError::NoNode) => continue,
                Err(err) => return Err(err.into()),
            }
        }
    }

    /// Leaves the election: publishes `Lost`, deletes our node (handing
    /// over at once) and closes the session. Returns when done.
    pub async fn close(self) {
        let (reply, done) = oneshot::channel();
        if self.commands.send(Command::Close(reply)).is_ok() {
            let _ = done.await;
        }
    }
}
