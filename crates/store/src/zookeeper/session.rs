//! Opening ZooKeeper sessions for a [`ZkUrl`], and classifying client
//! errors into [`StoreError`]s.

use std::time::Duration;

use zookeeper_client::{Acls, Client, CreateMode, CreateOptions, Error as ZkError, SessionState};

use super::url::ZkUrl;
use crate::error::StoreError;

/// Opens a session on `url`'s ensemble (not chrooted: callers use full
/// paths under [`ZkUrl::root`]). Fails after about `session_timeout` if no
/// server accepts it.
pub async fn open_session(url: &ZkUrl, session_timeout: Duration) -> Result<Client, ZkError> {
    let mut connector = Client::connector().with_session_timeout(session_timeout);
    if let Some(credentials) = &url.credentials {
        connector = connector.with_auth("digest", credentials.as_bytes());
    }
    connector.connect(&url.servers).await
}

/// Options of the persistent nodes dromos creates: open ACL, as Marathon
/// does; access control is the ensemble's network and `digest` auth.
pub(crate) fn persistent() -> CreateOptions<'static> {
    CreateMode::Persistent.with_acls(Acls::anyone_all())
}

/// Creates `path` and its missing ancestors.
pub(crate) async fn ensure_path(client: &Client, path: &str) -> Result<(), ZkError> {
    match client.mkdir(path, &persistent()).await {
        Ok(()) | Err(ZkError::NodeExists) => Ok(()),
        Err(err) => Err(err),
    }
}

/// Whether a session in `state` can never serve requests again.
pub(crate) fn is_terminal(state: SessionState) -> bool {
    matches!(state, SessionState::Expired | SessionState::Closed | SessionState::AuthFailed)
}

/// Maps a client error: connectivity problems are transient
/// ([`StoreError::Unavailable`]), everything else is a refusal.
pub(crate) fn store_error(err: ZkError) -> StoreError {
    match err {
        ZkError::ConnectionLoss
        | ZkError::Timeout
        | ZkError::SessionExpired
        | ZkError::SessionMoved
        | ZkError::NoHosts
        | ZkError::ClientClosed
        | ZkError::Throttled => StoreError::Unavailable { detail: format!("ZooKeeper: {err}") },
        other => StoreError::Backend { detail: format!("ZooKeeper: {other}") },
    }
}

/// Whether a request that failed with `err` may still have been applied
/// by the server (the answer was lost, not refused).
pub(crate) fn outcome_unknown(err: &ZkError) -> bool {
    matches!(err, ZkError::ConnectionLoss | ZkError::Timeout | ZkError::SessionMoved | ZkError::ClientClosed)
}
