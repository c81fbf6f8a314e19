//! The scheduler's view of an app: [`to_run_spec`] converts a model
//! [`AppDefinition`] into a [`dromos_scheduler::RunSpec`] (the scheduler
//! core does not depend on the model crate).
//!
//! `config_version` is `versionInfo.lastConfigChangeAt`, so the plan tells
//! a restart (config changed) from a scale (only `instances` changed)
//! exactly as the service stamped it.

use std::collections::BTreeMap;

use dromos_model::{AppDefinition, KillSelection, UnreachableStrategy};
use dromos_scheduler::{BackoffPolicy, Constraint, PortRequest, Resources, RunSpec, UpgradeStrategy};

/// The run spec of `app`. Constraints the scheduler cannot parse are left
/// out here (the model validated them already; the two parsers agree on
/// every operator Marathon has).
pub fn to_run_spec(app: &AppDefinition) -> RunSpec {
    let version = app.version.as_ref().map(|v| v.to_string()).unwrap_or_default();
    let mut spec = RunSpec::new(app.id.to_string(), version.clone());
    spec.config_version =
        app.version_info.as_ref().map(|vi| vi.last_config_change_at.to_string()).unwrap_or(version);
    spec.instances = u32::try_from(app.instances).unwrap_or(0);
    spec.resources = Resources { cpus: app.cpus, mem: app.mem, disk: app.disk, gpus: f64::from(app.gpus) };
    spec.ports = port_requests(app);
    spec.accepted_roles.clone_from(&app.accepted_resource_roles);
    spec.constraints = app
        .constraints
        .iter()
        .filter_map(|c| Constraint::parse(&c.field, c.operator.as_str(), c.value.as_deref()).ok())
        .collect();
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
        KillSelection::YoungestFirst => dromos_scheduler::KillSelection::YoungestFirst,
        KillSelection::OldestFirst => dromos_scheduler::KillSelection::OldestFirst,
    };
    spec.unreachable = match app.unreachable_strategy {
        UnreachableStrategy::Disabled => dromos_scheduler::UnreachableStrategy::Disabled,
        UnreachableStrategy::Enabled { inactive_after_seconds, expunge_after_seconds } => {
            dromos_scheduler::UnreachableStrategy::Enabled {
                inactive_after_secs: u64::try_from(inactive_after_seconds).unwrap_or(0),
                expunge_after_secs: u64::try_from(expunge_after_seconds).unwrap_or(0),
            }
        }
    };
    spec.has_health_checks = !app.health_checks.is_empty();
    spec.max_consecutive_health_failures = app
        .health_checks
        .iter()
        .filter_map(|h| u32::try_from(h.max_consecutive_failures).ok())
        .min()
        .unwrap_or(3);
    spec
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

/// Run specs of a set of apps, keyed by id (the plan's input).
pub fn run_specs<'a>(apps: impl IntoIterator<Item = &'a AppDefinition>) -> BTreeMap<String, RunSpec> {
    apps.into_iter().map(|a| (a.id.to_string(), to_run_spec(a))).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use dromos_model::parse_app;
    use dromos_scheduler::HostPort;

    use super::to_run_spec;

    #[test]
    fn converts_resources_ports_constraints_and_dependencies() {
        let app = parse_app(
            br#"{"id":"/web","cmd":"x","cpus":0.5,"mem":64,"instances":3,
                 "portDefinitions":[{"port":8080,"name":"http"}],"requirePorts":true,
                 "constraints":[["hostname","UNIQUE"]],"dependencies":["/db"]}"#,
        )
        .unwrap();
        let spec = to_run_spec(&app);
        assert_eq!(spec.id, "/web");
        assert_eq!(spec.instances, 3);
        assert_eq!(spec.resources.cpus, 0.5);
        assert_eq!(spec.ports[0].host_port, Some(HostPort::Fixed(8080)));
        assert_eq!(spec.ports[0].name.as_deref(), Some("http"));
        assert_eq!(spec.constraints.len(), 1);
        assert_eq!(spec.dependencies, ["/db"]);
    }
}
