//! dromos' shared vocabulary: the Marathon-compatible app definition, groups,
//! path ids and their validation.
//!
//! This crate is pure (no I/O, no clock, no threads) and compiles both
//! natively and to WASM, so the web console validates as the user types with
//! exactly the code the server runs. `app` re-exports it as `app::model`.
//!
//! # Map
//!
//! | module | what it holds |
//! |---|---|
//! | [`parse`] | **the entry points**: [`parse_app`], [`parse_apps`], [`parse_app_update`], [`parse_app_updates`], [`parse_group`], [`parse_group_update`], [`parse_group_partial_update`] |
//! | [`error`] | [`ModelError`] (`InvalidJson` → 400, `Invalid` → 422), [`Violation`] `{path, errors}` |
//! | [`path_id`] | [`PathId`]: `/a/b` ids, relative resolution, reserved suffixes |
//! | [`app`] | [`AppDefinition`]: every Marathon app field, normalized, with defaults |
//! | [`update`] | [`AppUpdate`]: the wire form, all fields optional; create and partial update |
//! | [`group`] | [`Group`], [`GroupUpdate`]: trees of apps, rollback / scaleBy / definition; [`GroupPartialUpdate`] |
//! | [`constraint`] | [`Constraint`], [`ConstraintOperator`]: `["hostname","UNIQUE"]` |
//! | [`container`] | [`Container`], Docker settings, volumes |
//! | [`network`], [`ports`] | `networks`, `portDefinitions`, `portMappings` |
//! | [`health`], [`check`], [`readiness`] | health checks, Mesos checks, readiness checks |
//! | [`strategy`], [`resources`], [`fetch`], [`env`], [`timestamp`] | policies, limits, artifacts, env/secrets, versions |
//! | [`validation`] | every semantic rule and the documented bounds (`MAX_INSTANCES`...) |
//!
//! Internals: `normalize` turns an [`AppUpdate`] into an [`AppDefinition`]
//! (defaults, deprecated-field migration, constraint parsing); `json_error`
//! maps serde errors to Marathon's error codes and JSON pointers.
//!
//! # Flow
//!
//! ```text
//! bytes ──json_error──► AppUpdate ──normalize──► AppDefinition ──validation──► Ok / Invalid
//!          (400)                     (422: ids, constraints,       (422: every rule)
//!                                     unsupported features)
//! ```
//!
//! # Not supported by dromos (422 naming the field, never silently ignored)
//!
//! Pods, persistent and external volumes, `residency`, custom executors,
//! `executorResources`, IP-per-task `ipAddress` (and `docker.network` USER /
//! NONE), `container.type` MESOS with a docker image, `docker.pullConfig`,
//! `docker.credential`, `storeUrls`.

pub mod app;
pub mod check;
pub mod constraint;
pub mod container;
pub mod env;
pub mod error;
pub mod fetch;
pub mod group;
pub mod health;
mod json_error;
pub mod network;
mod normalize;
pub mod parse;
pub mod path_id;
pub mod ports;
pub mod readiness;
pub mod resources;
pub mod strategy;
pub mod timestamp;
pub mod update;
pub mod validation;

pub use app::{AppDefinition, VersionInfo};
pub use constraint::{Constraint, ConstraintOperator};
pub use container::{Container, ContainerType, DockerContainer, Volume, VolumeMode};
pub use env::{EnvValue, SecretDef};
pub use error::{ModelError, Violation};
pub use group::{Group, GroupPartialUpdate, GroupUpdate, GroupUpdateKind};
pub use health::{HealthCheck, HealthCheckProtocol};
pub use network::{Network, NetworkMode};
pub use parse::{
    parse_app, parse_app_update, parse_app_updates, parse_apps, parse_group, parse_group_partial_update,
    parse_group_update,
};
pub use path_id::{PathId, PathIdError};
pub use ports::{PortDefinition, PortMapping, Protocol};
pub use strategy::{KillSelection, UnreachableStrategy, UpgradeStrategy};
pub use timestamp::Timestamp;
pub use update::AppUpdate;
