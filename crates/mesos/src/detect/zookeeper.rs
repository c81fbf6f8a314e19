//! Live master detection through ZooKeeper.
//!
//! Each lookup opens a short ZooKeeper session, lists the group's children, reads
//! the leader's MasterInfo and closes the session. Lookups happen only before a
//! connection attempt of the scheduler client (startup and after a lost
//! subscription), so a long-lived session with watches would buy nothing but
//! another reconnect loop to maintain.

use std::time::Duration;

use super::{leader_node, master_address, DetectError, MasterAddress, ZkUrl};
use crate::client::{ClientError, MasterResolver, ResolveFuture};

/// Finds the leading Mesos master registered under a `zk://` URL.
#[derive(Debug, Clone)]
pub struct ZooKeeperDetector {
    url: ZkUrl,
    session_timeout: Duration,
}

impl ZooKeeperDetector {
    /// A detector for `url` with Mesos' default 10 s session timeout.
    pub fn new(url: ZkUrl) -> Self {
        Self { url, session_timeout: Duration::from_secs(10) }
    }

    /// Changes the session timeout, which also bounds how long connecting may take.
    pub fn with_session_timeout(mut self, timeout: Duration) -> Self {
        self.session_timeout = timeout;
        self
    }

    /// The leader's address as of now.
    pub async fn leader(&self) -> Result<MasterAddress, DetectError> {
        let zk_error = |e: zookeeper_client::Error| DetectError::ZooKeeper(e.to_string());
        let mut connector = zookeeper_client::Client::connector()
            .with_session_timeout(self.session_timeout)
            .with_fail_eagerly();
        if let Some(credentials) = &self.url.credentials {
            let auth = format!("{}:{}", credentials.user, credentials.password);
            connector = connector.with_auth("digest", auth.as_bytes());
        }
        let zk = connector.connect(&self.url.connect_string()).await.map_err(zk_error)?;
        let children = zk.list_children(&self.url.path).await.map_err(zk_error)?;
        let leader = leader_node(&children).ok_or(DetectError::NoLeader)?;
        // The leader may vanish between the two reads; the caller retries.
        let (data, _stat) = zk.get_data(&self.url.child_path(leader)).await.map_err(zk_error)?;
        master_address(&data)
    }
}

impl MasterResolver for ZooKeeperDetector {
    fn resolve(&self) -> ResolveFuture<'_> {
        Box::pin(async move {
            let leader = self.leader().await;
            leader.and_then(|address| address.url()).map_err(|e| ClientError::Master(e.to_string()))
        })
    }
}
