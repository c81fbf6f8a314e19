//! Health checks, the Mesos `check` and readiness checks.

use std::collections::HashSet;

use crate::app::AppDefinition;
use crate::check::AppCheck;
use crate::error::Violations;
use crate::health::{HealthCheck, HealthCheckProtocol, IpProtocol};
use crate::readiness::ReadinessCheck;

use super::{at_least, within, MAX_PORT};

/// Marathon's message for a `portIndex` that addresses no port.
pub const PORT_INDEX_OUT_OF_RANGE: &str =
    "Health check port indices must address an element of the ports array or container port mappings.";

pub(super) fn validate(app: &AppDefinition, v: &mut Violations) {
    let ports = app.port_count();
    for (i, hc) in app.health_checks.iter().enumerate() {
        v.nested(&format!("/healthChecks/{i}"), |v| validate_health_check(hc, ports, v));
    }
    let mesos = app.health_checks.iter().filter(|h| is_mesos_level(h.protocol)).count();
    if mesos > 1 {
        v.add("/healthChecks", "AppDefinition can contain at most one Mesos health check");
    }
    if mesos > 0 && mesos < app.health_checks.len() {
        v.add("/healthChecks", "AppDefinition cannot mix Marathon and Mesos health checks");
    }
    if let Some(check) = &app.check {
        v.nested("/check", |v| validate_check(check, ports, v));
    }
    if app.readiness_checks.len() > 1 {
        v.add("/readinessChecks", "at most one readiness check is supported");
    }
    let names = app.port_names();
    for (i, rc) in app.readiness_checks.iter().enumerate() {
        v.nested(&format!("/readinessChecks/{i}"), |v| validate_readiness(rc, &names, v));
    }
}

/// Checks run by the agent: the `MESOS_*` kinds and `COMMAND`.
fn is_mesos_level(p: HealthCheckProtocol) -> bool {
    p.is_mesos() || p == HealthCheckProtocol::Command
}

fn validate_port_ref(port: Option<i32>, index: Option<i32>, ports: usize, v: &mut Violations) {
    if let Some(p) = port {
        within(v, "/port", f64::from(p), 0.0, f64::from(MAX_PORT));
    } else if let Some(i) = index {
        if i < 0 || usize::try_from(i).is_ok_and(|i| i >= ports) {
            v.add("/portIndex", PORT_INDEX_OUT_OF_RANGE);
        }
    }
}

fn validate_health_check(hc: &HealthCheck, ports: usize, v: &mut Violations) {
    at_least(v, "/gracePeriodSeconds", f64::from(hc.grace_period_seconds), 0.0);
    at_least(v, "/intervalSeconds", f64::from(hc.interval_seconds), 0.0);
    at_least(v, "/timeoutSeconds", f64::from(hc.timeout_seconds), 0.0);
    at_least(v, "/maxConsecutiveFailures", f64::from(hc.max_consecutive_failures), 0.0);
    at_least(v, "/delaySeconds", f64::from(hc.delay_seconds), 0.0);
    if hc.protocol.uses_port() {
        validate_port_ref(hc.port, hc.port_index.or(Some(0)), ports, v);
    }
    match (hc.protocol, &hc.command) {
        (HealthCheckProtocol::Command, None) => v.add("/command", "is required for COMMAND health checks"),
        (HealthCheckProtocol::Command, Some(c)) if c.value.is_empty() => {
            v.add("/command/value", "must not be empty")
        }
        (p, Some(_)) if p != HealthCheckProtocol::Command => {
            v.add("/command", "is only allowed for COMMAND health checks")
        }
        _ => {}
    }
    if hc.ip_protocol == IpProtocol::Ipv6 && !hc.protocol.is_mesos() {
        v.add(
            "/ipProtocol",
            "IPv6 is only supported for MESOS_HTTP, MESOS_HTTPS and MESOS_TCP health checks",
        );
    }
}

fn validate_check(check: &AppCheck, ports: usize, v: &mut Violations) {
    let kinds = [check.http.is_some(), check.tcp.is_some(), check.exec.is_some()];
    if kinds.iter().filter(|k| **k).count() != 1 {
        v.add("", "must specify exactly one of http, tcp or exec");
    }
    if let Some(http) = &check.http {
        v.nested("/http", |v| validate_port_ref(http.port, http.port_index.or(Some(0)), ports, v));
    }
    if let Some(tcp) = &check.tcp {
        v.nested("/tcp", |v| validate_port_ref(tcp.port, tcp.port_index.or(Some(0)), ports, v));
    }
    if let Some(exec) = &check.exec {
        let c = &exec.command;
        let shell = c.shell.as_ref().is_some_and(|s| !s.is_empty());
        let argv = c.argv.as_ref().is_some_and(|a| !a.is_empty());
        if shell == argv {
            v.add("/exec/command", "must specify exactly one of a non-empty shell or argv");
        }
    }
    at_least(v, "/intervalSeconds", f64::from(check.interval_seconds), 0.0);
    at_least(v, "/timeoutSeconds", f64::from(check.timeout_seconds), 0.0);
    at_least(v, "/delaySeconds", f64::from(check.delay_seconds), 0.0);
}

fn validate_readiness(rc: &ReadinessCheck, port_names: &[&str], v: &mut Violations) {
    if rc.name.is_empty() {
        v.add("/name", "must not be empty");
    }
    if rc.path.is_empty() {
        v.add("/path", "must not be empty");
    }
    if !port_names.contains(&rc.port_name.as_str()) {
        v.add("/portName", format!("no port named '{}' is defined by the app", rc.port_name));
    }
    at_least(v, "/intervalSeconds", f64::from(rc.interval_seconds), 0.0);
    at_least(v, "/timeoutSeconds", f64::from(rc.timeout_seconds), 1.0);
    if rc.timeout_seconds >= rc.interval_seconds {
        v.add("/timeoutSeconds", "must be less than intervalSeconds");
    }
    if rc.http_status_codes_for_ready.is_empty() {
        v.add("/httpStatusCodesForReady", "must not be empty");
    }
    let mut seen = HashSet::new();
    for (i, code) in rc.http_status_codes_for_ready.iter().enumerate() {
        within(v, &format!("/httpStatusCodesForReady/{i}"), f64::from(*code), 100.0, 999.0);
        if !seen.insert(code) {
            v.add("/httpStatusCodesForReady", "status codes must be unique");
        }
    }
}
