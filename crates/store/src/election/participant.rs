//! The participant loop: one task per [`super::Election`], owning its
//! ZooKeeper session and publishing [`LeadershipState`] changes.
//!
//! Woken by: a watch on our predecessor (and on the leader's node, only to
//! keep the leader's address current), a session state change, or a command
//! from the handle. It never leads while the session is not connected:
//! a disconnect publishes [`LeadershipState::Lost`] before anything else,
//! and the client notices a silent server after 2/5 of the session timeout,
//! well before the server can expire the session and let another lead.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use zookeeper_client::{
    Acls, Client, CreateMode, Error as ZkError, OneshotWatcher, SessionState, StateWatcher,
};

use super::members::{sequence, standing, Standing, MEMBER_PREFIX};
use super::{ElectionError, LeadershipState};
use crate::zookeeper::{ensure_path, is_terminal, open_session, ZkUrl};

/// Requests from the handle.
pub(crate) enum Command {
    /// Delete our node and queue again at the back.
    Abdicate(oneshot::Sender<Result<(), ElectionError>>),
    /// Leave the election and close the session.
    Close(oneshot::Sender<()>),
}

/// Everything the loop owns.
pub(crate) struct Participant {
    pub url: ZkUrl,
    pub session_timeout: Duration,
    /// `<root>/leader`.
    pub dir: String,
    /// What our node holds: the advertised `host:port`.
    pub data: String,
    pub state: watch::Sender<LeadershipState>,
    pub commands: mpsc::UnboundedReceiver<Command>,
    /// The current session, shared with the handle for `current_leader`.
    pub session: Arc<Mutex<Option<Client>>>,
}

/// Why serving one session stopped.
enum Exit {
    SessionEnded,
    Abdicate(oneshot::Sender<Result<(), ElectionError>>),
    /// `None` when the handle was dropped.
    Close(Option<oneshot::Sender<()>>),
}

/// What woke a waiting participant.
enum Wake {
    Recheck,
    Exit(Exit),
}

/// Creates our ephemeral sequential node; returns its name.
pub(crate) async fn create_member(client: &Client, dir: &str, data: &str) -> Result<String, ZkError> {
    let options = CreateMode::EphemeralSequential.with_acls(Acls::anyone_all());
    let (_stat, seq) = client.create(&format!("{dir}/{MEMBER_PREFIX}"), data.as_bytes(), &options).await?;
    Ok(format!("{MEMBER_PREFIX}{seq}"))
}

impl Participant {
    /// Runs until the handle closes or is dropped.
    pub(crate) async fn run(mut self, mut client: Client, mut node: String) {
        loop {
            match self.serve(&client, &mut node).await {
                Exit::Close(reply) => {
                    self.publish(LeadershipState::Lost);
                    // Deleting first hands over at once, without waiting for the
                    // session to close; bounded, since the server may be gone.
                    let delete = client.delete(&self.path(&node), None);
                    let _ = tokio::time::timeout(self.session_timeout, delete).await;
                    self.set_session(None);
                    drop(client);
                    if let Some(reply) = reply {
                        let _ = reply.send(());
                    }
                    return;
                }
                Exit::Abdicate(reply) => {
                    self.publish(LeadershipState::Follower { leader: None });
                    let result = self.requeue(&client, &mut node).await;
                    let _ = reply.send(result);
                }
                Exit::SessionEnded => {
                    self.publish(LeadershipState::Lost);
                    self.set_session(None);
                    match self.rejoin().await {
                        Some((fresh, fresh_node)) => (client, node) = (fresh, fresh_node),
                        None => return,
                    }
                }
            }
        }
    }

    /// Deletes our node and creates a new one at the back of the queue.
    async fn requeue(&self, client: &Client, node: &mut String) -> Result<(), ElectionError> {
        match client.delete(&self.path(node), None).await {
            Ok(()) | Err(ZkError::NoNode) => {}
            Err(err) => return Err(err.into()),
        }
        *node = create_member(client, &self.dir, &self.data).await?;
        Ok(())
    }

    /// Serves one session until it ends or a command arrives.
    async fn serve(&mut self, client: &Client, node: &mut String) -> Exit {
        let mut states = client.state_watcher();
        loop {
            let state = client.state();
            if is_terminal(state) {
                return Exit::SessionEnded;
            }
            let wake = if state == SessionState::SyncConnected {
                match self.step(client, node, &mut states).await {
                    Ok(wake) => wake,
                    Err(err) => {
                        tracing::warn!(error = %err, "election: ZooKeeper request failed; not leading");
                        self.publish(LeadershipState::Lost);
                        self.wait(&mut states, None, None, Some(Duration::from_millis(200))).await
                    }
                }
            } else {
                self.publish(LeadershipState::Lost);
                self.wait(&mut states, None, None, None).await
            };
            if let Wake::Exit(exit) = wake {
                return exit;
            }
        }
    }

    /// Reads the members once, publishes our standing and waits for the
    /// next thing that may change it.
    async fn step(
        &mut self,
        client: &Client,
        node: &mut String,
        states: &mut StateWatcher,
    ) -> Result<Wake, ZkError> {
        let children = client.list_children(&self.dir).await?;
        match standing(&children, node) {
            Standing::Absent => {
                tracing::warn!(node = %node, "election: our node is gone; queueing again");
                *node = create_member(client, &self.dir, &self.data).await?;
                Ok(Wake::Recheck)
            }
            Standing::Leading => {
                let (stat, own) = client.check_and_watch_stat(&self.path(node)).await?;
                if stat.is_none() {
                    return Ok(Wake::Recheck);
                }
                self.publish(LeadershipState::Leader { epoch: sequence(node).unwrap_or_default() });
                Ok(self.wait(states, Some(own), None, None).await)
            }
            Standing::Following { leader, predecessor } => {
                let (data, _, on_leader) = match client.get_and_watch_data(&self.path(&leader)).await {
                    Ok(found) => found,
                    Err(ZkError::NoNode) => return Ok(Wake::Recheck),
                    Err(err) => return Err(err),
                };
                let (stat, on_predecessor) = client.check_and_watch_stat(&self.path(&predecessor)).await?;
                if stat.is_none() {
                    return Ok(Wake::Recheck);
                }
                let leader = String::from_utf8_lossy(&data).into_owned();
                self.publish(LeadershipState::Follower { leader: Some(leader) });
                Ok(self.wait(states, Some(on_predecessor), Some(on_leader), None).await)
            }
        }
    }

    /// Waits for a watch, a session change, a command or the `pause`.
    async fn wait(
        &mut self,
        states: &mut StateWatcher,
        first: Option<OneshotWatcher>,
        second: Option<OneshotWatcher>,
        pause: Option<Duration>,
    ) -> Wake {
        let watch = |watcher: Option<OneshotWatcher>| async move {
            match watcher {
                Some(watcher) => drop(watcher.changed().await),
                None => std::future::pending().await,
            }
        };
        let sleep = async move {
            match pause {
                Some(pause) => tokio::time::sleep(pause).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            // A disconnect must be seen before any other news.
            biased;
            _ = states.changed() => Wake::Recheck,
            command = self.commands.recv() => Wake::Exit(match command {
                Some(Command::Abdicate(reply)) => Exit::Abdicate(reply),
                Some(Command::Close(reply)) => Exit::Close(Some(reply)),
                None => Exit::Close(None),
            }),
            _ = watch(first) => Wake::Recheck,
            _ = watch(second) => Wake::Recheck,
            _ = sleep => Wake::Recheck,
        }
    }

    /// Opens a new session and queues again, retrying with backoff until
    /// it works; `None` if the handle closes meanwhile.
    async fn rejoin(&mut self) -> Option<(Client, String)> {
        let mut pause = Duration::from_millis(100);
        loop {
            match self.join_once().await {
                Ok((client, node)) => {
                    self.set_session(Some(client.clone()));
                    return Some((client, node));
                }
                Err(err) => tracing::warn!(error = %err, "election: cannot rejoin yet"),
            }
            tokio::select! {
                command = self.commands.recv() => match command {
                    Some(Command::Abdicate(reply)) => drop(reply.send(Ok(()))),
                    Some(Command::Close(reply)) => {
                        let _ = reply.send(());
                        return None;
                    }
                    None => return None,
                },
                _ = tokio::time::sleep(pause) => {}
            }
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }

    async fn join_once(&self) -> Result<(Client, String), ZkError> {
        let client = open_session(&self.url, self.session_timeout).await?;
        ensure_path(&client, &self.dir).await?;
        let node = create_member(&client, &self.dir, &self.data).await?;
        Ok((client, node))
    }

    fn path(&self, name: &str) -> String {
        format!("{}/{name}", self.dir)
    }

    fn set_session(&self, client: Option<Client>) {
        if let Ok(mut slot) = self.session.lock() {
            *slot = client;
        }
    }

    /// Publishes `next` if it differs from the current state.
    fn publish(&self, next: LeadershipState) {
        self.state.send_if_modified(|current| {
            if *current == next {
                return false;
            }
            tracing::info!(from = ?current, to = ?next, participant = %self.data, "election state");
            *current = next;
            true
        });
    }
}
