//! dromos-access: who may do what, and how much.
//!
//! dromos is used for team self-service: each team deploys its own services
//! under the group paths it owns and must not touch another team's. This
//! crate holds the rules and nothing else — no I/O, no clock, no HTTP — so
//! that the service layer can apply exactly the same rules to the REST API,
//! the console and the CLI, and so the rules can be tested exhaustively.
//!
//! | module | job |
//! | --- | --- |
//! | [`identity`] | users, argon2 password hashes, API tokens (random, stored as SHA-256) |
//! | [`directory`] | the set of users, teams and tokens; authentication to a [`Caller`] |
//! | [`caller`] | [`Caller`] and [`Action`]: the permission decision by group path |
//! | [`quota`] | per-team limits on cpus, mem, disk, instances; the check of a change |
//! | [`audit`] | [`AuditEntry`]: who did what, when, from where, with what result |
//!
//! # The rules
//!
//! - With no users at all dromos runs *open* ([`Caller::Open`]): everything
//!   is allowed, and the server refuses to listen beyond loopback unless
//!   told `--insecure`.
//! - Admins may do everything, including managing users, teams and tokens
//!   and reading the audit log.
//! - A member of a team may *write* (create, change, scale, restart,
//!   destroy) apps and groups at or under the team's paths, and *read* those
//!   plus the team's extra read paths. The groups above a readable path are
//!   visible as containers only (so the tree can be walked down to it).
//! - Anonymous callers may do nothing once users exist.
//! - The scheduler's own changes ([`Caller::System`]) are always allowed.

pub mod audit;
pub mod caller;
pub mod directory;
pub mod error;
pub mod identity;
pub mod quota;

pub use audit::AuditEntry;
pub use caller::{Action, Caller, Principal};
pub use directory::{Credentials, Directory, Team};
pub use error::AccessError;
pub use identity::{TokenRecord, User};
pub use quota::{Quota, QuotaExceeded, Usage};
