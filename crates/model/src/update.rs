//! `AppUpdate`: an app as it arrives on the wire, every field optional.
//!
//! It is both Marathon's create body (before defaults) and its partial
//! update body (`PATCH /v2/apps/{id}`, `PUT ...?partialUpdate=true`):
//! [`AppUpdate::into_app`] fills defaults, [`AppUpdate::apply_to`] merges
//! into an existing definition (present fields replace, absent fields keep).
//! Both then normalize (see [`crate::app`]) and validate.
//!
//! Unknown fields are refused (`deny_unknown_fields`), except the read-only
//! status fields of Marathon's `AppInfo` (`tasksRunning`, `deployments`...):
//! clients that GET an app, edit it and PUT it back send those, and they
//! carry no configuration, so they are accepted and dropped.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::app::{AppDefinition, VersionInfo};
use crate::check::AppCheck;
use crate::container::Container;
use crate::env::{EnvValue, SecretDef};
use crate::error::{ModelError, Violation};
use crate::fetch::FetchUri;
use crate::health::HealthCheck;
use crate::network::Network;
use crate::path_id::PathId;
use crate::ports::PortDefinition;
use crate::readiness::ReadinessCheck;
use crate::resources::ResourceLimits;
use crate::strategy::{KillSelection, UnreachableStrategy, UpgradeStrategy};
use crate::timestamp::Timestamp;

/// Wire form of an app; see the module docs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)] // the fields are AppDefinition's, documented there
pub struct AppUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, EnvValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<BTreeMap<String, SecretDef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpus: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor: Option<String>,
    /// Raw `[field, OPERATOR(, value)]` arrays, checked when building.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_resource_roles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch: Option<Vec<FetchUri>>,
    /// Deprecated: becomes `fetch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uris: Option<Vec<String>>,
    /// Long-removed Marathon field; rejected when non-empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_urls: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_seconds: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_factor: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_launch_delay_seconds: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_checks: Option<Vec<HealthCheck>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<AppCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_checks: Option<Vec<ReadinessCheck>>,
    /// Raw ids, resolved against the app's parent group when building.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade_strategy: Option<UpgradeStrategy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// IP-per-task: not supported by dromos (rejected when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networks: Option<Vec<Network>>,
    /// Resident tasks: not supported by dromos (rejected when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residency: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_definitions: Option<Vec<PortDefinition>>,
    /// Deprecated: becomes `portDefinitions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<i32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_ports: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_kill_grace_period_seconds: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreachable_strategy: Option<UnreachableStrategy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kill_selection: Option<KillSelection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_limits: Option<ResourceLimits>,
    /// Custom executor resources: not supported by dromos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor_resources: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_info: Option<VersionInfo>,
    #[serde(default, skip_serializing)]
    tasks_staged: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    tasks_running: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    tasks_healthy: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    tasks_unhealthy: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    deployments: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    readiness_check_results: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    tasks: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    last_task_failure: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    tasks_stats: Option<IgnoredAny>,
}

impl AppUpdate {
    /// A complete new app from this body: relative `id` resolved against
    /// `group` (the root for `/v2/apps`), Marathon's defaults for absent
    /// fields, then validated.
    ///
    /// A missing `id` is `InvalidJson` (`/id`, `error.path.missing`), like
    /// any other missing required field.
    pub fn into_app(self, group: &PathId) -> Result<AppDefinition, ModelError> {
        let Some(raw_id) = self.id.clone() else {
            return Err(ModelError::InvalidJson(vec![Violation::new("/id", "error.path.missing")]));
        };
        crate::normalize::build(self, crate::normalize::Base::New { raw_id, group })
    }

    /// Merges this partial update into `current` (the id in the body is
    /// ignored: the URL names the app), then normalizes and validates.
    ///
    /// Besides "present replaces": giving `cmd` clears `args` and vice
    /// versa, and switching networks away from host drops the old
    /// `portDefinitions` (and to host the old port mappings) unless the
    /// update sets them, so a valid app stays valid.
    pub fn apply_to(self, current: &AppDefinition) -> Result<AppDefinition, ModelError> {
        crate::normalize::build(self, crate::normalize::Base::Existing(current))
    }

    /// True when only `id` and `version` are set: Marathon's "roll back to
    /// that version" request.
    pub fn is_version_rollback(&self) -> bool {
        self.version.is_some()
            && AppUpdate { id: None, version: None, ..self.clone() } == AppUpdate::default()
    }

    /// Conversion without validation, for reading stored definitions.
    pub(crate) fn build_unvalidated(self) -> Result<AppDefinition, ModelError> {
        let raw_id = self.id.clone().unwrap_or_default();
        crate::normalize::build_unchecked(self, raw_id)
    }
}
