//! Long-lived responses end with the credentials that opened them.
//!
//! An event stream (`GET /v2/events`) or a task log follow is authorised
//! once, when it opens, and may then run for hours. The authentication
//! middleware hands every `text/event-stream` response to
//! [`Access::bind_stream`], which finishes its body cleanly the moment
//! its [`Grant`] stops holding:
//!
//! - a console session: when the session ends (sign-out, expiry, its user
//!   removed or given a new password). Pushed: each session owns a `watch`
//!   channel that [`super::Sessions`] fires as it removes it; expiry is a
//!   timer at the session's fixed end;
//! - a bearer token: when it is revoked (or its user removed);
//! - HTTP Basic: when its user is removed or its password changes;
//! - open mode: when the first user is added and sign-in becomes required.
//!
//! The last three wake on every directory change (the directory is a
//! `watch` in [`Access`]), so a change made on another instance and picked
//! up by `reload` ends them too. Nothing polls. Each ended stream is one
//! log line and one `dromos.access.streams-ended.counter`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::header;
use axum::response::Response;
use dromos_access::Directory;
use futures_util::StreamExt;
use tokio::sync::watch;

use super::sessions::SessionGrant;
use super::Access;

/// Counter of streams ended because their credentials stopped holding.
pub const STREAMS_ENDED: &str = "dromos.access.streams-ended.counter";

/// Why a session or a stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// The session was signed out.
    SignedOut,
    /// The session reached its end of life.
    Expired,
    /// The session was dropped to make room for newer ones.
    Evicted,
    /// The user was removed.
    UserRemoved,
    /// The user's password was changed.
    PasswordChanged,
    /// The bearer token was revoked.
    TokenRevoked,
    /// Users exist now: anonymous access is over.
    OpenModeEnded,
    /// dromos is stopping.
    Shutdown,
}

impl EndReason {
    /// The name in log lines.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::SignedOut => "signed-out",
            EndReason::Expired => "session-expired",
            EndReason::Evicted => "session-evicted",
            EndReason::UserRemoved => "user-removed",
            EndReason::PasswordChanged => "password-changed",
            EndReason::TokenRevoked => "token-revoked",
            EndReason::OpenModeEnded => "sign-in-required",
            EndReason::Shutdown => "shutdown",
        }
    }
}

/// What authenticated a request, and so for how long its streams may run.
#[derive(Debug)]
pub enum Grant {
    /// A console session cookie.
    Session(SessionGrant),
    /// A bearer token (by its public id) of `user`.
    Token {
        /// The token's user.
        user: String,
        /// The token's public id.
        id: String,
    },
    /// HTTP Basic: valid while `user` keeps the password hash it had.
    Password {
        /// The user.
        user: String,
        /// Its hash when the request was authenticated.
        hash: Option<String>,
    },
    /// Open mode (no users): valid while nobody is configured.
    Open,
}

impl Grant {
    /// How the request was authenticated, for log lines.
    fn kind(&self) -> &'static str {
        match self {
            Grant::Session(_) => "session",
            Grant::Token { .. } => "token",
            Grant::Password { .. } => "basic",
            Grant::Open => "open",
        }
    }

    fn user(&self) -> &str {
        match self {
            Grant::Session(session) => &session.user,
            Grant::Token { user, .. } | Grant::Password { user, .. } => user,
            Grant::Open => "anonymous",
        }
    }

    /// Resolves when the grant no longer holds, with the reason.
    async fn ended(self, mut directory: watch::Receiver<Arc<Directory>>) -> EndReason {
        let gone = |d: &Directory, user: &str| d.user(user).is_none();
        let outcome = match self {
            Grant::Session(session) => return session_ended(session).await,
            Grant::Token { user, id } => directory.wait_for(|d| d.token(&id).is_none()).await.map(|d| {
                if gone(&d, &user) {
                    EndReason::UserRemoved
                } else {
                    EndReason::TokenRevoked
                }
            }),
            Grant::Password { user, hash } => directory
                .wait_for(|d| d.user(&user).map(|u| &u.password_hash) != Some(&hash))
                .await
                .map(|d| if gone(&d, &user) { EndReason::UserRemoved } else { EndReason::PasswordChanged }),
            Grant::Open => directory.wait_for(|d| !d.is_open()).await.map(|_| EndReason::OpenModeEnded),
        };
        outcome.unwrap_or(EndReason::Shutdown)
    }
}

/// Resolves when the session expires or is closed before that.
async fn session_ended(session: SessionGrant) -> EndReason {
    let mut ended = session.ended;
    let expiry = tokio::time::Instant::from_std(session.expires);
    tokio::select! {
        () = tokio::time::sleep_until(expiry) => EndReason::Expired,
        reason = ended.wait_for(Option::is_some) => reason.ok().and_then(|r| *r).unwrap_or(EndReason::Shutdown),
    }
}

/// Whether a response is an event stream (events, log follows).
fn is_event_stream(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

impl Access {
    /// `response` with its body ended once `grant` stops holding, if it
    /// is an event stream; other responses are returned as they are.
    pub(super) fn bind_stream(&self, response: Response, grant: Grant, path: &str) -> Response {
        if !is_event_stream(&response) {
            return response;
        }
        let directory = self.directory.subscribe();
        let service = self.service.clone();
        let path = path.to_owned();
        let ended = async move {
            let (auth, user) = (grant.kind(), grant.user().to_owned());
            let reason = grant.ended(directory).await;
            tracing::info!(
                user = %user,
                path = %path,
                auth,
                reason = reason.as_str(),
                "stream ended: the credentials that opened it no longer hold"
            );
            service.metrics().increment(STREAMS_ENDED);
        };
        let (parts, body) = response.into_parts();
        Response::from_parts(parts, Body::from_stream(body.into_data_stream().take_until(ended)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use dromos_access::Directory;

    use super::{EndReason, Grant};
    use crate::access::Sessions;

    fn directory() -> Directory {
        let mut directory = Directory::default();
        directory.put_user("root", Some("root-password"), true, vec![]).unwrap();
        directory.put_user("alice", Some("alice-password"), false, vec![]).unwrap();
        directory
    }

    #[tokio::test]
    async fn a_session_grant_ends_at_expiry() {
        let sessions = Sessions::with_ttl(Duration::from_millis(50));
        let id = sessions.open("alice").unwrap();
        let grant = Grant::Session(sessions.grant(&id).unwrap());
        let (_keep, directory) = tokio::sync::watch::channel(std::sync::Arc::new(directory()));
        let reason = tokio::time::timeout(Duration::from_secs(2), grant.ended(directory)).await;
        assert_eq!(reason.unwrap(), EndReason::Expired);
    }

    #[tokio::test]
    async fn directory_grants_end_when_their_credentials_go() {
        let mut current = directory();
        let (_, token) = current.create_token("alice", "ci", "now").unwrap();
        let (sender, receiver) = tokio::sync::watch::channel(std::sync::Arc::new(current.clone()));
        let hash = current.user("alice").unwrap().password_hash.clone();
        let password = tokio::spawn(Grant::Password { user: "alice".into(), hash }.ended(receiver.clone()));
        let revoked =
            tokio::spawn(Grant::Token { user: "alice".into(), id: token.id.clone() }.ended(receiver));

        current.put_user("root", Some("new-password"), true, vec![]).unwrap();
        sender.send_replace(std::sync::Arc::new(current.clone()));
        tokio::task::yield_now().await;
        assert!(!password.is_finished() && !revoked.is_finished(), "another user's change ends nothing");

        current.revoke_token(&token.id).unwrap();
        sender.send_replace(std::sync::Arc::new(current.clone()));
        assert_eq!(revoked.await.unwrap(), EndReason::TokenRevoked);
        current.put_user("alice", Some("changed-password"), false, vec![]).unwrap();
        sender.send_replace(std::sync::Arc::new(current));
        assert_eq!(password.await.unwrap(), EndReason::PasswordChanged);
    }
}
