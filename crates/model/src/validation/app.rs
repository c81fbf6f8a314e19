//! App-level rules: id, command, resources, policies, env, labels, secrets,
//! constraints-independent scalars.

use crate::app::{AppDefinition, SINGLE_INSTANCE_LABEL};
use crate::container::ContainerType;
use crate::env::EnvValue;
use crate::error::Violations;
use crate::fetch::MAX_URI_LENGTH;
use crate::normalize::entry_path;
use crate::path_id::{MAX_ID_LENGTH, RESERVED_SUFFIXES};
use crate::resources::ResourceLimit;
use crate::strategy::UnreachableStrategy;

use super::{
    at_least, at_most, within, MAX_CPUS, MAX_DISK_MIB, MAX_GPUS, MAX_INSTANCES, MAX_KEY_LENGTH, MAX_MEM_MIB,
    MAX_VALUE_LENGTH,
};

/// Marathon's message for an app with nothing to run, or with both forms.
pub const CMD_ARGS_CONTAINER: &str =
    "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.";

pub(super) fn validate(app: &AppDefinition, v: &mut Violations) {
    validate_id(app, v);
    validate_command(app, v);
    validate_resources(app, v);
    validate_policies(app, v);
    validate_maps(app, v);
    validate_misc(app, v);
}

fn validate_id(app: &AppDefinition, v: &mut Violations) {
    if app.id.is_root() {
        v.add("/id", "Path must contain at least one path element");
    } else if app.id.has_reserved_suffix() {
        v.add(
            "/id",
            format!(
                "must not end with any of the following reserved keywords: {}",
                RESERVED_SUFFIXES.join(", ")
            ),
        );
    }
    if app.id.to_string().len() > MAX_ID_LENGTH {
        v.add("/id", format!("must not be longer than {MAX_ID_LENGTH} characters"));
    }
}

fn validate_command(app: &AppDefinition, v: &mut Violations) {
    let has_image = app.container.as_ref().is_some_and(|c| c.docker.is_some());
    let has_cmd = app.cmd.is_some();
    let has_args = !app.args.is_empty();
    if (has_cmd && has_args) || (!has_cmd && !has_args && !has_image) {
        v.add("/", CMD_ARGS_CONTAINER);
    }
    if let Some(cmd) = &app.cmd {
        if cmd.is_empty() {
            v.add("/cmd", "must not be an empty string");
        }
        if cmd.len() > MAX_VALUE_LENGTH {
            v.add("/cmd", format!("must not be longer than {MAX_VALUE_LENGTH} bytes"));
        }
    }
    for (i, arg) in app.args.iter().enumerate() {
        if arg.len() > MAX_VALUE_LENGTH {
            v.add(&format!("/args/{i}"), format!("must not be longer than {MAX_VALUE_LENGTH} bytes"));
        }
    }
    if !app.executor.is_empty() && app.executor != "//cmd" {
        v.add(
            "/executor",
            "custom executors are not supported by dromos; executor must be \"\" or \"//cmd\"",
        );
    }
}

fn validate_resources(app: &AppDefinition, v: &mut Violations) {
    within(v, "/instances", f64::from(app.instances), 0.0, f64::from(MAX_INSTANCES));
    within(v, "/cpus", app.cpus, 0.001, MAX_CPUS);
    within(v, "/mem", app.mem, 0.0, MAX_MEM_MIB);
    within(v, "/disk", app.disk, 0.0, MAX_DISK_MIB);
    within(v, "/gpus", f64::from(app.gpus), 0.0, f64::from(MAX_GPUS));
    let docker = app.container.as_ref().is_some_and(|c| c.kind == ContainerType::Docker);
    if app.gpus > 0 && docker {
        v.add("/gpus", "GPU resources only work with the Mesos containerizer");
    }
    if let Some(limits) = &app.resource_limits {
        for (name, limit, request) in [("cpus", limits.cpus, app.cpus), ("mem", limits.mem, app.mem)] {
            if let Some(ResourceLimit::Limit(l)) = limit {
                if l < request {
                    v.add(
                        &format!("/resourceLimits/{name}"),
                        format!("must be greater than or equal to the requested {name} ({request})"),
                    );
                }
            }
        }
    }
}

fn validate_policies(app: &AppDefinition, v: &mut Violations) {
    at_least(v, "/backoffSeconds", f64::from(app.backoff_seconds), 0.0);
    at_least(v, "/backoffFactor", app.backoff_factor, 1.0);
    at_least(v, "/maxLaunchDelaySeconds", f64::from(app.max_launch_delay_seconds), 0.0);
    if let Some(grace) = app.task_kill_grace_period_seconds {
        at_least(v, "/taskKillGracePeriodSeconds", f64::from(grace), 0.0);
    }
    let us = &app.upgrade_strategy;
    within(v, "/upgradeStrategy/minimumHealthCapacity", us.minimum_health_capacity, 0.0, 1.0);
    within(v, "/upgradeStrategy/maximumOverCapacity", us.maximum_over_capacity, 0.0, 1.0);
    if let UnreachableStrategy::Enabled { inactive_after_seconds: inactive, expunge_after_seconds: expunge } =
        app.unreachable_strategy
    {
        at_least(v, "/unreachableStrategy/inactiveAfterSeconds", inactive as f64, 0.0);
        at_least(v, "/unreachableStrategy/expungeAfterSeconds", expunge as f64, 0.0);
        if inactive > expunge {
            v.add(
                "/unreachableStrategy/inactiveAfterSeconds",
                "must be less than or equal to expungeAfterSeconds",
            );
        }
    }
    validate_single_instance(app, v);
}

/// DC/OS frameworks marked with [`SINGLE_INSTANCE_LABEL`] must never run twice.
fn validate_single_instance(app: &AppDefinition, v: &mut Violations) {
    if app.labels.get(SINGLE_INSTANCE_LABEL).is_none_or(|l| l != "true") {
        return;
    }
    at_most(v, "/instances", f64::from(app.instances), 1.0);
    let us = &app.upgrade_strategy;
    if us.minimum_health_capacity != 0.0 || us.maximum_over_capacity != 0.0 {
        v.add(
            "/upgradeStrategy",
            "single-instance apps require minimumHealthCapacity 0 and maximumOverCapacity 0",
        );
    }
}

fn check_entry(v: &mut Violations, map: &str, key: &str, value: Option<&str>) {
    let path = entry_path(map, key);
    if key.len() > MAX_KEY_LENGTH {
        v.add(&path, format!("key must not be longer than {MAX_KEY_LENGTH} bytes"));
    }
    if value.is_some_and(|val| val.len() > MAX_VALUE_LENGTH) {
        v.add(&path, format!("value must not be longer than {MAX_VALUE_LENGTH} bytes"));
    }
}

fn validate_maps(app: &AppDefinition, v: &mut Violations) {
    for (k, val) in &app.labels {
        check_entry(v, "labels", k, Some(val));
    }
    for (k, val) in &app.env {
        match val {
            EnvValue::Value(s) => check_entry(v, "env", k, Some(s)),
            EnvValue::Secret { secret } => {
                check_entry(v, "env", k, None);
                if !app.secrets.contains_key(secret) {
                    v.add(&entry_path("env", k), format!("references an undefined secret named '{secret}'"));
                }
            }
        }
    }
    for (k, def) in &app.secrets {
        check_entry(v, "secrets", k, None);
        if def.source.is_empty() {
            v.add(&format!("{}/source", entry_path("secrets", k)), "must not be empty");
        }
    }
}

fn validate_misc(app: &AppDefinition, v: &mut Violations) {
    for (i, f) in app.fetch.iter().enumerate() {
        if f.uri.is_empty() || f.uri.len() > MAX_URI_LENGTH {
            v.add(
                &format!("/fetch/{i}/uri"),
                format!("must be between 1 and {MAX_URI_LENGTH} characters long"),
            );
        }
        if f.dest_path.as_ref().is_some_and(|d| d.is_empty() || d.len() > MAX_URI_LENGTH) {
            v.add(
                &format!("/fetch/{i}/destPath"),
                format!("must be between 1 and {MAX_URI_LENGTH} characters long"),
            );
        }
    }
    for (i, dep) in app.dependencies.iter().enumerate() {
        if *dep == app.id {
            v.add(&format!("/dependencies/{i}"), "an app cannot depend on itself");
        } else if app.dependencies[..i].contains(dep) {
            v.add(&format!("/dependencies/{i}"), "duplicate dependency");
        }
    }
    for (i, role) in app.accepted_resource_roles.iter().enumerate() {
        if role.is_empty() {
            v.add(&format!("/acceptedResourceRoles/{i}"), "must not be empty");
        } else if app.accepted_resource_roles[..i].contains(role) {
            v.add(&format!("/acceptedResourceRoles/{i}"), "duplicate role");
        }
    }
    if app.role.as_ref().is_some_and(|r| r.is_empty()) {
        v.add("/role", "must not be empty");
    }
    if app.user.as_ref().is_some_and(|u| u.is_empty()) {
        v.add("/user", "must not be empty");
    }
}
