//! Console sessions: a random id in an `HttpOnly`, `SameSite=Strict`
//! cookie, mapped in memory to the user it was opened for. Sessions end
//! after [`SESSION_TTL`], at logout, when their user is removed or changes
//! password, or when dromos restarts.
//!
//! Each session owns a `watch` channel that says why it ended; the event
//! streams and log follows a session opened hold a receiver (see
//! [`super::streams`]) and finish the moment it fires, or when the sender
//! is dropped with the session.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use tokio::sync::watch;

use super::streams::EndReason;

/// Cookie name.
pub const COOKIE: &str = "dromos_session";
/// A second cookie set beside the session's, readable by the console's
/// scripts: a random tag that names the session without being it (it opens
/// nothing). Console tabs key their shared event stream by it and reload
/// when it changes, so no tab shows an ended or replaced session's data.
pub const TAG_COOKIE: &str = "dromos_session_tag";
/// How long a session lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Sessions kept at most (the oldest are dropped beyond it).
const MAX_SESSIONS: usize = 10_000;

/// One open session.
#[derive(Debug)]
struct Session {
    user: String,
    expires: Instant,
    /// `None` while the session lives; set once, just before it is removed.
    ended: watch::Sender<Option<EndReason>>,
}

impl Session {
    fn end(&self, reason: EndReason) {
        self.ended.send_replace(Some(reason));
    }
}

/// A live session as an authenticated request sees it.
#[derive(Debug, Clone)]
pub struct SessionGrant {
    /// The user it was opened for.
    pub user: String,
    /// When it expires (sessions are not extended by use).
    pub expires: Instant,
    /// Fires (or closes) when the session ends before `expires`.
    pub ended: watch::Receiver<Option<EndReason>>,
}

/// Open sessions.
#[derive(Debug)]
pub struct Sessions {
    open: Mutex<HashMap<String, Session>>,
    ttl: Duration,
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions::with_ttl(SESSION_TTL)
    }
}

impl Sessions {
    /// Sessions that last `ttl`.
    pub fn with_ttl(ttl: Duration) -> Self {
        Sessions { open: Mutex::new(HashMap::new()), ttl }
    }

    /// Opens a session for `user`; the cookie value.
    pub fn open(&self, user: &str) -> Option<String> {
        let id = random_text::<32>()?;
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        open.retain(|_, session| {
            let live = session.expires > now;
            if !live {
                session.end(EndReason::Expired);
            }
            live
        });
        if open.len() >= MAX_SESSIONS {
            if let Some(oldest) = open.iter().min_by_key(|(_, s)| s.expires).map(|(k, _)| k.clone()) {
                if let Some(session) = open.remove(&oldest) {
                    session.end(EndReason::Evicted);
                }
            }
        }
        let (ended, _) = watch::channel(None);
        open.insert(id.clone(), Session { user: user.to_owned(), expires: now + self.ttl, ended });
        Some(id)
    }

    /// The user of a live session.
    pub fn user(&self, id: &str) -> Option<String> {
        self.grant(id).map(|grant| grant.user)
    }

    /// A live session, with what tells its streams when it ends.
    pub fn grant(&self, id: &str) -> Option<SessionGrant> {
        let open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.get(id).filter(|s| s.expires > Instant::now()).map(|s| SessionGrant {
            user: s.user.clone(),
            expires: s.expires,
            ended: s.ended.subscribe(),
        })
    }

    /// Ends a session (sign-out).
    pub fn close(&self, id: &str) {
        if let Some(session) = self.open.lock().unwrap_or_else(PoisonError::into_inner).remove(id) {
            session.end(EndReason::SignedOut);
        }
    }

    /// Ends every session of `user` (removed, or password changed).
    pub fn close_user(&self, user: &str, reason: EndReason) {
        self.open.lock().unwrap_or_else(PoisonError::into_inner).retain(|_, session| {
            let keep = session.user != user;
            if !keep {
                session.end(reason);
            }
            keep
        });
    }
}

/// A fresh value for [`TAG_COOKIE`], unrelated to the session id.
pub fn new_tag() -> Option<String> {
    random_text::<12>()
}

/// `N` random bytes as URL-safe text.
fn random_text<const N: usize>() -> Option<String> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).ok()?;
    Some(URL_SAFE_NO_PAD.encode(bytes))
}

/// The session id in a `Cookie` header, if any.
pub fn from_cookie_header(value: &str) -> Option<&str> {
    value.split(';').map(str::trim).find_map(|pair| pair.strip_prefix(COOKIE)?.strip_prefix('='))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sessions_open_resolve_and_close() {
        let sessions = Sessions::default();
        let id = sessions.open("alice").unwrap();
        assert_eq!(sessions.user(&id).as_deref(), Some("alice"));
        assert_eq!(sessions.user("forged"), None);
        sessions.close_user("alice", EndReason::UserRemoved);
        assert_eq!(sessions.user(&id), None);
    }

    #[test]
    fn an_ending_session_tells_its_holders_why_and_spares_the_others() {
        let sessions = Sessions::default();
        let first = sessions.open("alice").unwrap();
        let second = sessions.open("alice").unwrap();
        let other = sessions.open("bob").unwrap();
        let (a, b, c) = (
            sessions.grant(&first).unwrap(),
            sessions.grant(&second).unwrap(),
            sessions.grant(&other).unwrap(),
        );
        sessions.close(&first);
        assert_eq!(*a.ended.borrow(), Some(EndReason::SignedOut));
        assert_eq!(*b.ended.borrow(), None, "another session of the same user lives on");
        sessions.close_user("alice", EndReason::PasswordChanged);
        assert_eq!(*b.ended.borrow(), Some(EndReason::PasswordChanged));
        assert_eq!(*c.ended.borrow(), None);
        assert_eq!(sessions.user(&other).as_deref(), Some("bob"));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        assert_eq!(from_cookie_header("a=1; dromos_session=xyz; b=2"), Some("xyz"));
        assert_eq!(from_cookie_header("dromos_sessionx=1"), None);
        assert_eq!(from_cookie_header("dromos_session_tag=t; dromos_session=xyz"), Some("xyz"));
    }
}
