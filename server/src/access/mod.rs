//! Authentication, permissions by group path, quotas and the audit log.
//!
//! The rules live in `dromos-access`; this module applies them:
//!
//! - [`Access`] keeps the [`Directory`] (users, teams, tokens) in memory,
//!   persists every change in the store (namespace `access`) and rebuilds
//!   it on start; it also keeps console sessions and the audit log
//!   (namespace `audit`, the newest [`AUDIT_KEEP`] entries).
//! - [`streams`] ends event streams and log follows when the session,
//!   token or password that opened them stops being valid.
//! - [`http`] authenticates every request (HTTP Basic, `Bearer` token or a
//!   session cookie) *before* routing, and runs the rest of the request in
//!   a task-local [`RequestAccess`] scope; mutations are audited after the
//!   answer. It also serves the `/v2/access/...` endpoints and the login
//!   page.
//! - [`enforce`] is called by the service layer itself: every state change
//!   (`Service::mutate`) is checked against the scope's caller — each app,
//!   group or deployment that changes must be writable by it, and the
//!   quotas of the teams owning changed apps must hold — and every read is
//!   filtered to what the caller may see. REST, console server functions
//!   and the CLI all arrive through the HTTP layer, so they meet exactly
//!   the same rules. Work dromos does on its own (the scheduler, start-up)
//!   runs outside any request scope and is [`Caller::System`].
//!
//! The scope is a `tokio::task_local!`: it covers the request's own task,
//! not tasks it spawns; the service checks before it spawns anything.

pub mod console;
pub mod enforce;
pub mod http;
mod login;
mod sessions;
pub mod streams;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use dromos_access::{AccessError, AuditEntry, Caller, Credentials, Directory, Team, TokenRecord, User};
use dromos_store::{Op, Store};
use tokio::sync::watch;

use crate::service::{clock, Service, ServiceError};

pub use sessions::Sessions;
use streams::EndReason;

/// Audit entries kept (older ones are deleted as new ones arrive).
pub const AUDIT_KEEP: u64 = 10_000;
/// Store namespace of users, teams and tokens.
const ACCESS: &str = "access";
/// Store namespace of the audit log.
const AUDIT: &str = "audit";

tokio::task_local! {
    static SCOPE: Arc<RequestAccess>;
}

/// Who a request acts for, with the directory it was authenticated against.
#[derive(Debug)]
pub struct RequestAccess {
    /// The caller.
    pub caller: Caller,
    /// The directory at authentication time (teams and quotas).
    pub directory: Arc<Directory>,
}

/// The caller of the current request scope; `None` outside any request
/// (dromos' own work, which is [`Caller::System`]).
pub fn current() -> Option<Arc<RequestAccess>> {
    SCOPE.try_with(Arc::clone).ok()
}

/// The caller of the current scope, [`Caller::System`] outside requests.
pub fn current_caller() -> Caller {
    current().map_or(Caller::System, |scope| scope.caller.clone())
}

/// Runs `future` as `access`.
pub async fn scope<F: std::future::Future>(access: Arc<RequestAccess>, future: F) -> F::Output {
    SCOPE.scope(access, future).await
}

/// A service error for an access refusal.
pub fn refusal(error: AccessError) -> ServiceError {
    match error {
        AccessError::Unauthenticated(m) => ServiceError::Unauthenticated(m),
        AccessError::Forbidden(m) => ServiceError::Forbidden(m),
        AccessError::Invalid { field, message } => ServiceError::Model(dromos_model::ModelError::Invalid(
            vec![dromos_model::Violation::new(field, message)],
        )),
        AccessError::NotFound(what) => ServiceError::NotFound(format!("{what} does not exist")),
        AccessError::Conflict(m) => ServiceError::Conflict(m),
        AccessError::Internal(m) => ServiceError::Internal(m),
    }
}

/// The directory, sessions and audit log of one dromos.
pub struct Access {
    service: Arc<Service>,
    /// The current directory; a `watch` so that open streams learn of
    /// every change (see [`streams`]).
    directory: watch::Sender<Arc<Directory>>,
    sessions: Sessions,
    /// Basic credentials already verified: digest of `user:password` →
    /// the PHC hash it was verified against (argon2 is deliberately slow).
    verified: Mutex<HashMap<String, String>>,
    audit_seq: AtomicU64,
    /// Serialises directory changes (read, change, persist, install).
    writer: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access").finish_non_exhaustive()
    }
}

impl Access {
    /// Loads the directory and the audit sequence from the service's store
    /// (blocking reads: call at start-up).
    pub fn load(service: Arc<Service>) -> Result<Arc<Access>, ServiceError> {
        let store = service.store();
        let directory = read_directory(store.as_ref())?;
        let last_seq =
            store.list(AUDIT, "")?.last().and_then(|(key, _)| key.parse::<u64>().ok()).unwrap_or(0);
        Ok(Arc::new(Access {
            service,
            directory: watch::Sender::new(Arc::new(directory)),
            sessions: Sessions::default(),
            verified: Mutex::new(HashMap::new()),
            audit_seq: AtomicU64::new(last_seq),
            writer: tokio::sync::Mutex::new(()),
        }))
    }

    /// The current directory.
    pub fn directory(&self) -> Arc<Directory> {
        self.directory.borrow().clone()
    }

    /// Installs a new directory; sessions of users it removes or gives a
    /// new password end.
    fn install(&self, after: Directory) {
        let before = self.directory.send_replace(Arc::new(after));
        let after = self.directory();
        for user in before.users() {
            match after.user(&user.name) {
                None => self.sessions.close_user(&user.name, EndReason::UserRemoved),
                Some(now) if now.password_hash != user.password_hash => {
                    self.sessions.close_user(&user.name, EndReason::PasswordChanged);
                }
                Some(_) => {}
            }
        }
    }

    /// Reloads the directory from the store (another instance may have
    /// changed it, with `--zk`).
    pub async fn reload(&self) -> Result<(), ServiceError> {
        let store = self.service.store();
        let directory = tokio::task::spawn_blocking(move || read_directory(store.as_ref()))
            .await
            .map_err(|e| ServiceError::Internal(format!("directory reload failed: {e}")))??;
        self.install(directory);
        Ok(())
    }

    /// Console sessions.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// The caller `credentials` stand for; verified Basic credentials are
    /// remembered so argon2 runs once per password, not once per request.
    pub fn authenticate(&self, credentials: &Credentials) -> Result<Caller, AccessError> {
        let directory = self.directory();
        if let Credentials::Basic { user, password } = credentials {
            let key = dromos_access::identity::digest(&format!("{user}:{password}"));
            let hash = directory.user(user).and_then(|u| u.password_hash.clone());
            let cached = self.verified.lock().unwrap_or_else(PoisonError::into_inner).get(&key).cloned();
            if let (Some(hash), Some(cached)) = (&hash, cached) {
                if *hash == cached {
                    return directory
                        .caller_for(user)
                        .ok_or_else(|| AccessError::Unauthenticated("invalid credentials".into()));
                }
            }
            let caller = directory.authenticate(credentials)?;
            if let (Some(hash), Caller::User(_)) = (hash, &caller) {
                let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
                if verified.len() > 10_000 {
                    verified.clear();
                }
                verified.insert(key, hash);
            }
            return Ok(caller);
        }
        directory.authenticate(credentials)
    }

    /// Applies `change` to a copy of the directory, persists the records
    /// it touched and installs it. The change returns what to answer.
    pub async fn change<T>(
        &self,
        change: impl FnOnce(&mut Directory) -> Result<T, AccessError>,
    ) -> Result<T, ServiceError> {
        let _writer = self.writer.lock().await;
        let before = self.directory();
        let mut after = Directory::clone(&before);
        let out = change(&mut after).map_err(refusal)?;
        let ops = directory_diff(&before, &after)?;
        if !ops.is_empty() {
            self.service.write_ops(ops).await?;
        }
        self.install(after);
        Ok(out)
    }

    /// Appends an entry to the audit log (and the log line); failures to
    /// store it are logged, never turned into a failed request.
    pub async fn audit(&self, mut entry: AuditEntry) {
        let seq = self.audit_seq.fetch_add(1, Ordering::SeqCst) + 1;
        entry.seq = seq;
        tracing::info!(
            target: "dromos::audit",
            seq,
            who = %entry.who,
            from = %entry.from,
            action = %entry.action,
            target_id = %entry.target,
            status = entry.status,
            error = entry.error.as_deref().unwrap_or(""),
            "audit"
        );
        self.service.metrics().increment("dromos.audit.entries.counter");
        let mut ops = match serde_json::to_vec(&entry) {
            Ok(bytes) => vec![Op::put(AUDIT, AuditEntry::key(seq), bytes)],
            Err(_) => return,
        };
        if seq > AUDIT_KEEP {
            ops.push(Op::delete(AUDIT, AuditEntry::key(seq - AUDIT_KEEP)));
        }
        if let Err(err) = self.service.write_ops(ops).await {
            tracing::error!(error = %err, seq, "storing an audit entry failed");
        }
    }

    /// The newest `limit` audit entries, newest first.
    pub async fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, ServiceError> {
        let store = self.service.store();
        let entries = tokio::task::spawn_blocking(move || store.list(AUDIT, ""))
            .await
            .map_err(|e| ServiceError::Internal(format!("audit read failed: {e}")))??;
        Ok(entries
            .iter()
            .rev()
            .take(limit)
            .filter_map(|(_, bytes)| serde_json::from_slice(bytes).ok())
            .collect())
    }

    /// Now, as a version-style stamp.
    pub fn now() -> String {
        clock::format_time(chrono::Utc::now()).to_string()
    }
}

fn read_directory(store: &dyn Store) -> Result<Directory, ServiceError> {
    let mut users = Vec::new();
    let mut teams = Vec::new();
    let mut tokens = Vec::new();
    for (key, bytes) in store.list(ACCESS, "")? {
        let bad =
            |e: serde_json::Error| ServiceError::Internal(format!("stored access/{key} is unreadable: {e}"));
        if key.starts_with("user/") {
            users.push(serde_json::from_slice::<User>(&bytes).map_err(bad)?);
        } else if key.starts_with("team/") {
            teams.push(serde_json::from_slice::<Team>(&bytes).map_err(bad)?);
        } else if key.starts_with("token/") {
            tokens.push(serde_json::from_slice::<TokenRecord>(&bytes).map_err(bad)?);
        }
    }
    Ok(Directory::from_records(users, teams, tokens))
}

fn directory_diff(before: &Directory, after: &Directory) -> Result<Vec<Op>, ServiceError> {
    fn diff<'a, T: serde::Serialize + PartialEq + 'a>(
        prefix: &str,
        before: impl Iterator<Item = (&'a str, &'a T)>,
        after: impl Iterator<Item = (&'a str, &'a T)>,
        ops: &mut Vec<Op>,
    ) -> Result<(), ServiceError> {
        let before: HashMap<&str, &T> = before.collect();
        let after: HashMap<&str, &T> = after.collect();
        for (key, value) in &after {
            if before.get(key) != Some(value) {
                let bytes = serde_json::to_vec(value)
                    .map_err(|e| ServiceError::Internal(format!("encoding access/{prefix}{key}: {e}")))?;
                ops.push(Op::put(ACCESS, format!("{prefix}{key}"), bytes));
            }
        }
        for key in before.keys().filter(|k| !after.contains_key(*k)) {
            ops.push(Op::delete(ACCESS, format!("{prefix}{key}")));
        }
        Ok(())
    }
    let mut ops = Vec::new();
    diff(
        "user/",
        before.users().map(|u| (u.name.as_str(), u)),
        after.users().map(|u| (u.name.as_str(), u)),
        &mut ops,
    )?;
    diff(
        "team/",
        before.teams().map(|t| (t.name.as_str(), t)),
        after.teams().map(|t| (t.name.as_str(), t)),
        &mut ops,
    )?;
    diff(
        "token/",
        before.tokens().map(|t| (t.id.as_str(), t)),
        after.tokens().map(|t| (t.id.as_str(), t)),
        &mut ops,
    )?;
    Ok(ops)
}
