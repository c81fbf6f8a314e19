//! Console sessions: a random id in an `HttpOnly`, `SameSite=Strict`
//! cookie, mapped in memory to the user it was opened for. Sessions end
//! after [`SESSION_TTL`], at logout, or when dromos restarts.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Cookie name.
pub const COOKIE: &str = "dromos_session";
/// How long a session lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Sessions kept at most (the oldest are dropped beyond it).
const MAX_SESSIONS: usize = 10_000;

/// Open sessions.
#[derive(Debug, Default)]
pub struct Sessions {
    open: Mutex<HashMap<String, (String, Instant)>>,
}

impl Sessions {
    /// Opens a session for `user`; the cookie value.
    pub fn open(&self, user: &str) -> Option<String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).ok()?;
        let id = URL_SAFE_NO_PAD.encode(bytes);
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        open.retain(|_, (_, expires)| *expires > now);
        if open.len() >= MAX_SESSIONS {
            if let Some(oldest) = open.iter().min_by_key(|(_, (_, e))| *e).map(|(k, _)| k.clone()) {
                open.remove(&oldest);
            }
        }
        open.insert(id.clone(), (user.to_owned(), now + SESSION_TTL));
        Some(id)
    }

    /// The user of a live session.
    pub fn user(&self, id: &str) -> Option<String> {
        let open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.get(id).filter(|(_, expires)| *expires > Instant::now()).map(|(user, _)| user.clone())
    }

    /// Ends a session.
    pub fn close(&self, id: &str) {
        self.open.lock().unwrap_or_else(PoisonError::into_inner).remove(id);
    }

    /// Ends every session of `user` (removed, or password changed).
    pub fn close_user(&self, user: &str) {
        self.open.lock().unwrap_or_else(PoisonError::into_inner).retain(|_, (u, _)| u != user);
    }
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
        sessions.close_user("alice");
        assert_eq!(sessions.user(&id), None);
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        assert_eq!(from_cookie_header("a=1; dromos_session=xyz; b=2"), Some("xyz"));
        assert_eq!(from_cookie_header("dromos_sessionx=1"), None);
    }
}
