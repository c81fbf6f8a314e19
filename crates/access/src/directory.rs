//! The users, teams and tokens of one dromos, and authentication.
//!
//! The server keeps a [`Directory`] in memory, persists its records in the
//! store and rebuilds it on start. Every change goes through a method here
//! that validates first, so the stored directory is always consistent
//! (a user's teams exist, a token's user exists).

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use dromos_model::PathId;
use serde::{Deserialize, Serialize};

use crate::caller::{Caller, Principal};
use crate::error::AccessError;
use crate::identity::{self, TokenRecord, User};
use crate::quota::Quota;

/// A team: its members own its paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Team {
    /// Unique name.
    pub name: String,
    /// Group paths the members may write.
    pub paths: Vec<PathId>,
    /// Extra group paths the members may read.
    #[serde(default)]
    pub read: Vec<PathId>,
    /// Limits on what the team's apps allocate.
    #[serde(default)]
    pub quota: Quota,
}

/// Credentials as presented in an `Authorization` header or a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// None presented.
    None,
    /// HTTP Basic.
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// `Authorization: Bearer <token>` (also `token=` for `/v2/events`).
    Bearer(String),
}

impl Credentials {
    /// Parses an `Authorization` header value; anything unparseable is an
    /// error (a client that sends a broken header should learn it).
    pub fn from_header(value: &str) -> Result<Credentials, AccessError> {
        let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = STANDARD
                .decode(rest)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| AccessError::Unauthenticated("malformed Basic credentials".into()))?;
            let (user, password) = decoded
                .split_once(':')
                .ok_or_else(|| AccessError::Unauthenticated("malformed Basic credentials".into()))?;
            Ok(Credentials::Basic { user: user.to_owned(), password: password.to_owned() })
        } else if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
            Ok(Credentials::Bearer(rest.to_owned()))
        } else {
            Err(AccessError::Unauthenticated("unsupported Authorization scheme (use Basic or Bearer)".into()))
        }
    }
}

/// Users, teams and tokens.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Directory {
    users: BTreeMap<String, User>,
    teams: BTreeMap<String, Team>,
    tokens: BTreeMap<String, TokenRecord>,
}

impl Directory {
    /// Rebuilds a directory from stored records, dropping references to
    /// teams or users that are gone.
    pub fn from_records(users: Vec<User>, teams: Vec<Team>, tokens: Vec<TokenRecord>) -> Self {
        let teams: BTreeMap<_, _> = teams.into_iter().map(|t| (t.name.clone(), t)).collect();
        let users: BTreeMap<_, _> = users
            .into_iter()
            .map(|mut u| {
                u.teams.retain(|t| teams.contains_key(t));
                (u.name.clone(), u)
            })
            .collect();
        let tokens =
            tokens.into_iter().filter(|t| users.contains_key(&t.user)).map(|t| (t.id.clone(), t)).collect();
        Directory { users, teams, tokens }
    }

    /// No users: dromos runs open.
    pub fn is_open(&self) -> bool {
        self.users.is_empty()
    }

    /// All users, by name.
    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.users.values()
    }

    /// All teams, by name.
    pub fn teams(&self) -> impl Iterator<Item = &Team> {
        self.teams.values()
    }

    /// All token records, by id.
    pub fn tokens(&self) -> impl Iterator<Item = &TokenRecord> {
        self.tokens.values()
    }

    /// One user.
    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.get(name)
    }

    /// One team.
    pub fn team(&self, name: &str) -> Option<&Team> {
        self.teams.get(name)
    }

    /// One token record.
    pub fn token(&self, id: &str) -> Option<&TokenRecord> {
        self.tokens.get(id)
    }

    /// The caller `credentials` stand for. In open mode every request is
    /// [`Caller::Open`], whatever it presents.
    pub fn authenticate(&self, credentials: &Credentials) -> Result<Caller, AccessError> {
        if self.is_open() {
            return Ok(Caller::Open);
        }
        let wrong = || AccessError::Unauthenticated("invalid credentials".into());
        match credentials {
            Credentials::None => Ok(Caller::Anonymous),
            Credentials::Basic { user, password } => {
                let user = self.users.get(user).ok_or_else(wrong)?;
                let hash = user.password_hash.as_deref().ok_or_else(wrong)?;
                if !identity::verify_password(hash, password) {
                    return Err(wrong());
                }
                Ok(Caller::User(self.principal(user)))
            }
            Credentials::Bearer(text) => {
                let record = identity::token_id(text).and_then(|id| self.tokens.get(id)).ok_or_else(wrong)?;
                if !identity::token_matches(record, text) {
                    return Err(wrong());
                }
                let user = self.users.get(&record.user).ok_or_else(wrong)?;
                Ok(Caller::User(self.principal(user)))
            }
        }
    }

    /// The caller for a user already authenticated (e.g. by a session).
    pub fn caller_for(&self, name: &str) -> Option<Caller> {
        self.users.get(name).map(|u| Caller::User(self.principal(u)))
    }

    /// `user` with the paths its teams grant.
    pub fn principal(&self, user: &User) -> Principal {
        let teams: Vec<&Team> = user.teams.iter().filter_map(|t| self.teams.get(t)).collect();
        Principal {
            name: user.name.clone(),
            admin: user.admin,
            teams: teams.iter().map(|t| t.name.clone()).collect(),
            write: teams.iter().flat_map(|t| t.paths.iter().cloned()).collect(),
            read: teams.iter().flat_map(|t| t.read.iter().cloned()).collect(),
        }
    }

    /// Teams owning `path` (at or above it).
    pub fn teams_owning<'a>(&'a self, path: &'a PathId) -> impl Iterator<Item = &'a Team> + 'a {
        self.teams.values().filter(move |t| t.paths.iter().any(|p| p == path || p.is_ancestor_of(path)))
    }

    /// Adds or replaces a user. `password` is hashed here; `None` keeps the
    /// existing hash (or none for a new, token-only user).
    pub fn put_user(
        &mut self,
        name: &str,
        password: Option<&str>,
        admin: bool,
        teams: Vec<String>,
    ) -> Result<&User, AccessError> {
        identity::validate_name("/name", name)?;
        for (i, team) in teams.iter().enumerate() {
            if !self.teams.contains_key(team) {
                return Err(AccessError::invalid(
                    &format!("/teams/{i}"),
                    format!("team '{team}' does not exist"),
                ));
            }
        }
        if self.users.is_empty() && !admin {
            return Err(AccessError::invalid(
                "/admin",
                "the first user must be an admin, or nobody could manage users",
            ));
        }
        let password_hash = match password {
            Some(p) => Some(identity::hash_password(p)?),
            None => self.users.get(name).and_then(|u| u.password_hash.clone()),
        };
        let user = User { name: name.to_owned(), password_hash, admin, teams };
        self.users.insert(name.to_owned(), user);
        self.users.get(name).ok_or_else(|| AccessError::Internal("user vanished".into()))
    }

    /// Removes a user and its tokens; refuses to remove the last admin
    /// while other users remain.
    pub fn remove_user(&mut self, name: &str) -> Result<User, AccessError> {
        let user = self.users.get(name).ok_or_else(|| AccessError::NotFound(format!("user '{name}'")))?;
        let admins = self.users.values().filter(|u| u.admin).count();
        if user.admin && admins == 1 && self.users.len() > 1 {
            return Err(AccessError::Conflict("the last admin cannot be removed while other users".into()));
        }
        self.tokens.retain(|_, t| t.user != name);
        self.users.remove(name).ok_or_else(|| AccessError::NotFound(format!("user '{name}'")))
    }

    /// Adds or replaces a team after checking its name, paths and quota.
    pub fn put_team(&mut self, team: Team) -> Result<&Team, AccessError> {
        identity::validate_name("/name", &team.name)?;
        if team.paths.is_empty() {
            return Err(AccessError::invalid("/paths", "a team must own at least one group path"));
        }
        for (i, path) in team.paths.iter().enumerate() {
            if path.is_root() {
                return Err(AccessError::invalid(
                    &format!("/paths/{i}"),
                    "a team cannot own the root group; make its members admins instead",
                ));
            }
        }
        team.quota.validate()?;
        let name = team.name.clone();
        self.teams.insert(name.clone(), team);
        self.teams.get(&name).ok_or_else(|| AccessError::Internal("team vanished".into()))
    }

    /// Removes a team and its memberships.
    pub fn remove_team(&mut self, name: &str) -> Result<Team, AccessError> {
        let team = self.teams.remove(name).ok_or_else(|| AccessError::NotFound(format!("team '{name}'")))?;
        for user in self.users.values_mut() {
            user.teams.retain(|t| t != name);
        }
        Ok(team)
    }

    /// Creates a token for `user`; returns the text (shown once) and record.
    pub fn create_token(
        &mut self,
        user: &str,
        description: &str,
        now: &str,
    ) -> Result<(String, TokenRecord), AccessError> {
        if !self.users.contains_key(user) {
            return Err(AccessError::invalid("/user", format!("user '{user}' does not exist")));
        }
        if description.len() > 256 {
            return Err(AccessError::invalid("/description", "must be at most 256 bytes"));
        }
        let (text, record) = identity::generate_token(user, description, now)?;
        self.tokens.insert(record.id.clone(), record.clone());
        Ok((text, record))
    }

    /// Revokes a token by id.
    pub fn revoke_token(&mut self, id: &str) -> Result<TokenRecord, AccessError> {
        self.tokens.remove(id).ok_or_else(|| AccessError::NotFound(format!("token '{id}'")))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::caller::Action;

    fn id(s: &str) -> PathId {
        PathId::parse(s).unwrap()
    }

    fn directory() -> Directory {
        let mut d = Directory::default();
        d.put_team(Team {
            name: "a".into(),
            paths: vec![id("/team-a")],
            read: vec![],
            quota: Quota::default(),
        })
        .unwrap();
        d.put_user("root", Some("rootroot"), true, vec![]).unwrap();
        d.put_user("alice", Some("alicealice"), false, vec!["a".into()]).unwrap();
        d
    }

    fn basic(user: &str, password: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
    }

    #[test]
    fn open_until_the_first_user_and_that_one_must_be_admin() {
        let mut d = Directory::default();
        assert_eq!(d.authenticate(&Credentials::None).unwrap(), Caller::Open);
        assert!(d.put_user("bob", Some("bobbobbob"), false, vec![]).is_err());
        d.put_user("root", Some("rootroot"), true, vec![]).unwrap();
        assert_eq!(d.authenticate(&Credentials::None).unwrap(), Caller::Anonymous);
    }

    #[test]
    fn basic_and_bearer_authenticate_to_the_user_with_team_paths() {
        let mut d = directory();
        let creds = Credentials::from_header(&basic("alice", "alicealice")).unwrap();
        let alice = d.authenticate(&creds).unwrap();
        assert!(alice.may(Action::Write, &id("/team-a/web")));
        assert!(!alice.may(Action::Write, &id("/team-b/web")));
        let wrong = Credentials::from_header(&basic("alice", "nope")).unwrap();
        assert!(matches!(d.authenticate(&wrong), Err(AccessError::Unauthenticated(_))));
        let ghost = Credentials::from_header(&basic("ghost", "alicealice")).unwrap();
        assert!(matches!(d.authenticate(&ghost), Err(AccessError::Unauthenticated(_))));

        let (text, record) = d.create_token("alice", "ci", "2026-11-26T00:00:00.000Z").unwrap();
        let bearer = Credentials::from_header(&format!("Bearer {text}")).unwrap();
        assert_eq!(d.authenticate(&bearer).unwrap(), alice);
        d.revoke_token(&record.id).unwrap();
        assert!(d.authenticate(&bearer).is_err(), "a revoked token stops working");
    }

    #[test]
    fn malformed_headers_are_refused() {
        for bad in ["Basic !!!", "Basic dXNlcg==", "Digest abc", "Bearer", ""] {
            assert!(Credentials::from_header(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn removing_things_keeps_the_directory_consistent() {
        let mut d = directory();
        let (_, token) = d.create_token("alice", "", "t").unwrap();
        assert!(d.remove_user("root").is_err(), "the last admin stays while alice exists");
        d.remove_team("a").unwrap();
        assert!(d.user("alice").unwrap().teams.is_empty());
        d.remove_user("alice").unwrap();
        assert!(d.token(&token.id).is_none(), "tokens go with their user");
        d.remove_user("root").unwrap();
        assert!(d.is_open());
    }

    #[test]
    fn invalid_teams_name_the_field() {
        let mut d = directory();
        let err = d.put_team(Team {
            name: "b".into(),
            paths: vec![id("/")],
            read: vec![],
            quota: Quota::default(),
        });
        assert!(matches!(err, Err(AccessError::Invalid { field, .. }) if field == "/paths/0"));
        let err = d.put_user("carol", None, false, vec!["nope".into()]).unwrap_err();
        assert!(matches!(err, AccessError::Invalid { field, .. } if field == "/teams/0"));
        let mut users = vec![d.user("alice").unwrap().clone()];
        users[0].teams.push("gone".into());
        let rebuilt = Directory::from_records(users, vec![], vec![]);
        assert!(rebuilt.user("alice").unwrap().teams.is_empty());
    }
}
