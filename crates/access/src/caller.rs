//! Who is asking, and whether they may.

use dromos_model::PathId;
use serde::{Deserialize, Serialize};

use crate::error::AccessError;

/// What a request wants to do to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// See the app or group, its tasks, versions, deployments and events.
    Read,
    /// Create, change, scale, restart, kill, destroy.
    Write,
}

/// A signed-in user with the paths its teams grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The user name.
    pub name: String,
    /// Admins may do everything.
    pub admin: bool,
    /// The user's teams.
    pub teams: Vec<String>,
    /// Paths the user may write (and read), from its teams.
    pub write: Vec<PathId>,
    /// Extra paths the user may only read.
    pub read: Vec<PathId>,
}

/// The party a request or a change acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No users are configured: dromos runs open (loopback only).
    Open,
    /// dromos itself (the scheduler's changes, start-up, housekeeping).
    System,
    /// A request without (valid) credentials while users exist.
    Anonymous,
    /// A signed-in user.
    User(Principal),
}

impl Caller {
    /// The name written to logs and the audit log.
    pub fn name(&self) -> &str {
        match self {
            Caller::Open => "(open)",
            Caller::System => "(dromos)",
            Caller::Anonymous => "(anonymous)",
            Caller::User(p) => &p.name,
        }
    }

    /// Whether the caller may do everything (open mode, dromos, admins).
    pub fn is_admin(&self) -> bool {
        match self {
            Caller::Open | Caller::System => true,
            Caller::Anonymous => false,
            Caller::User(p) => p.admin,
        }
    }

    /// Whether the caller may do `action` to the app or group at `path`.
    pub fn may(&self, action: Action, path: &PathId) -> bool {
        match self {
            Caller::Anonymous => false,
            Caller::User(p) if !p.admin => {
                let covers = |granted: &PathId| granted == path || granted.is_ancestor_of(path);
                match action {
                    Action::Write => p.write.iter().any(covers),
                    Action::Read => p.write.iter().chain(&p.read).any(covers),
                }
            }
            _ => true,
        }
    }

    /// Whether the group at `path` must be shown as a container because a
    /// readable path lies below it (the way down the tree to one's own).
    pub fn may_traverse(&self, path: &PathId) -> bool {
        match self {
            Caller::User(p) if !p.admin => {
                self.may(Action::Read, path) || p.write.iter().chain(&p.read).any(|g| path.is_ancestor_of(g))
            }
            other => other.may(Action::Read, path),
        }
    }

    /// `Ok` when [`Caller::may`], else the error to answer: 401 for the
    /// anonymous, 403 naming the path for users.
    pub fn check(&self, action: Action, path: &PathId) -> Result<(), AccessError> {
        if self.may(action, path) {
            return Ok(());
        }
        Err(self.denied(match action {
            Action::Read => format!("may not read {path}"),
            Action::Write => format!("may not change {path}"),
        }))
    }

    /// `Ok` for admins, else 401/403 with `what`.
    pub fn check_admin(&self, what: &str) -> Result<(), AccessError> {
        if self.is_admin() {
            return Ok(());
        }
        Err(self.denied(format!("only admins may {what}")))
    }

    fn denied(&self, message: String) -> AccessError {
        match self {
            Caller::Anonymous => AccessError::Unauthenticated("credentials required".into()),
            _ => AccessError::Forbidden(format!("{} {message}", self.name())),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn id(s: &str) -> PathId {
        PathId::parse(s).unwrap()
    }

    fn member(write: &[&str], read: &[&str]) -> Caller {
        Caller::User(Principal {
            name: "alice".into(),
            admin: false,
            teams: vec!["a".into()],
            write: write.iter().map(|p| id(p)).collect(),
            read: read.iter().map(|p| id(p)).collect(),
        })
    }

    #[test]
    fn members_write_only_at_or_under_their_paths() {
        let alice = member(&["/team-a"], &["/shared"]);
        assert!(alice.may(Action::Write, &id("/team-a")));
        assert!(alice.may(Action::Write, &id("/team-a/web")));
        assert!(alice.may(Action::Write, &id("/team-a/x/y")));
        assert!(!alice.may(Action::Write, &id("/team-ab")), "a prefix of a name is not a parent");
        assert!(!alice.may(Action::Write, &id("/team-b/web")));
        assert!(!alice.may(Action::Write, &id("/")));
        assert!(!alice.may(Action::Write, &id("/shared/db")), "read-only path");
        assert!(alice.may(Action::Read, &id("/shared/db")));
        assert!(!alice.may(Action::Read, &id("/team-b")));
    }

    #[test]
    fn the_tree_above_ones_paths_is_traversable_but_not_readable() {
        let alice = member(&["/org/team-a"], &[]);
        assert!(alice.may_traverse(&id("/")));
        assert!(alice.may_traverse(&id("/org")));
        assert!(!alice.may(Action::Read, &id("/org")));
        assert!(!alice.may_traverse(&id("/org/team-b")));
    }

    #[test]
    fn anonymous_gets_401_users_403_and_admins_everything() {
        assert!(matches!(
            Caller::Anonymous.check(Action::Read, &id("/x")),
            Err(AccessError::Unauthenticated(_))
        ));
        let err = member(&["/a"], &[]).check(Action::Write, &id("/b")).unwrap_err();
        assert_eq!(err, AccessError::Forbidden("alice may not change /b".into()));
        let admin = Caller::User(Principal {
            admin: true,
            ..match member(&[], &[]) {
                Caller::User(p) => p,
                _ => unreachable!(),
            }
        });
        for caller in [admin, Caller::Open, Caller::System] {
            assert!(caller.check(Action::Write, &id("/anything")).is_ok());
            assert!(caller.check_admin("manage users").is_ok());
        }
        assert!(member(&["/"], &[]).check_admin("manage users").is_err(), "owning / is not being admin");
    }
}
