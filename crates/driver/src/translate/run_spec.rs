//! `AppDefinition` → [`RunSpec`]: what the scheduler core needs of an app.
//!
//! `version` is the app's `version`; `config_version` is
//! `versionInfo.lastConfigChangeAt` (falling back to `version`), so a change
//! of `instances` alone keeps `config_version` and is a scale, not a restart.
//! Ports follow the networking mode: `portDefinitions` for host networking
//! (literal host ports only with `requirePorts`), `container.portMappings`
//! otherwise (Docker BRIDGE: `hostPort` 0 is dynamic, absent means none).

use dromos_model::{AppDefinition, HealthCheckProtocol};
use dromos_scheduler::{
    BackoffPolicy, Constraint, KillSelection, PortRequest, Resources, RunSpec, UnreachableStrategy,
    UpgradeStrategy,
};

use super::TranslateError;

/// Marathon's default `maxConsecutiveFailures`, used when an app has no
/// health check that sets one.
const DEFAULT_MAX_HEALTH_FAILURES: u32 = 3;

/// The run spec of `app` at its current version.
pub fn to_run_spec(app: &AppDefinition) -> Result<RunSpec, TranslateError> {
    let app_id = app.id.to_string();
    let version = app.version.as_ref().ok_or_else(|| TranslateError::MissingVersion(app_id.clone()))?;
    let mut spec = RunSpec::new(app_id, version.as_str());
    spec.config_version = app
        .version_info
        .as_ref()
        .map_or_else(|| version.to_string(), |vi| vi.last_config_change_at.to_string());
    spec.instances = u32::try_from(app.instances).unwrap_or(0);
    spec.resources =
        Resources { cpus: app.cpus, mem: app.mem, disk: app.disk, gpus: f64::from(app.gpus.max(0)) };
    spec.ports = port_requests(app);
    spec.accepted_roles.clone_from(&app.accepted_resource_roles);
    spec.constraints = constraints(app)?;
    spec.dependencies = app.dependencies.iter().map(ToString::to_string).collect();
    spec.backoff = BackoffPolicy {
        backoff_seconds: f64::from(app.backoff_seconds),
        factor: app.backoff_factor,
        max_launch_delay_seconds: f64::from(app.max_launch_delay_seconds),
    };
    spec.upgrade = UpgradeStrategy {
        minimum_health_capacity: app.upgrade_strategy.minimum_health_capacity,
        maximum_over_capacity: app.upgrade_strategy.maximum_over_capacity,
    };
    spec.kill_selection = match app.kill_selection {
        dromos_model::KillSelection::YoungestFirst => KillSelection::YoungestFirst,
        dromos_model::KillSelection::OldestFirst => KillSelection::OldestFirst,
    };
    spec.unreachable = unreachable(app.unreachable_strategy);
    spec.has_health_checks = app.health_checks.iter().any(|h| is_evaluated(h.protocol));
    spec.max_consecutive_health_failures = app
        .health_checks
        .iter()
        .filter(|h| is_evaluated(h.protocol))
        .map(|h| u32::try_from(h.max_consecutive_failures).unwrap_or(0))
        .min()
        .unwrap_or(DEFAULT_MAX_HEALTH_FAILURES);
    Ok(spec)
}

/// Whether dromos evaluates checks of this protocol: HTTP and TCP in the
/// driver, COMMAND and `MESOS_*` on the agent. Scheduler-side HTTPS is not
/// available (no TLS stack in the driver), so such a check must not hold an
/// instance in "health pending" forever.
pub fn is_evaluated(protocol: HealthCheckProtocol) -> bool {
    protocol != HealthCheckProtocol::Https
}

fn port_requests(app: &AppDefinition) -> Vec<PortRequest> {
    let port = |p: i32| u16::try_from(p).unwrap_or(0);
    if app.is_host_networking() {
        app.port_definitions
            .iter()
            .map(|d| PortRequest {
                name: d.name.clone(),
                ..PortRequest::host(port(d.port), app.require_ports)
            })
            .collect()
    } else {
        app.port_mappings()
            .iter()
            .map(|m| PortRequest {
                name: m.name.clone(),
                ..PortRequest::mapping(port(m.container_port), m.host_port.map(port))
            })
            .collect()
    }
}

fn constraints(app: &AppDefinition) -> Result<Vec<Constraint>, TranslateError> {
    app.constraints
        .iter()
        .enumerate()
        .map(|(index, c)| {
            let mut parts = vec![c.field.clone(), c.operator.as_str().to_owned()];
            parts.extend(c.value.clone());
            Constraint::from_parts(&parts).map_err(|e| TranslateError::Constraint {
                app_id: app.id.to_string(),
                index,
                constraint: parts.join(":"),
                reason: e.to_string(),
            })
        })
        .collect()
}

fn unreachable(strategy: dromos_model::UnreachableStrategy) -> UnreachableStrategy {
    match strategy {
        dromos_model::UnreachableStrategy::Disabled => UnreachableStrategy::Disabled,
        dromos_model::UnreachableStrategy::Enabled { inactive_after_seconds, expunge_after_seconds } => {
            UnreachableStrategy::Enabled {
                inactive_after_secs: u64::try_from(inactive_after_seconds).unwrap_or(0),
                expunge_after_secs: u64::try_from(expunge_after_seconds).unwrap_or(0),
            }
        }
    }
}

#[cfg(test)]
#[path = "run_spec_tests.rs"]
mod tests;
