//! The environment Marathon gives every task (NOTES §3.6, Marathon's
//! `EnvironmentHelper` and `TaskBuilder`), built in Marathon's merge order so
//! later sources win:
//!
//! 1. task context: `MESOS_TASK_ID`, `MARATHON_APP_ID`, `MARATHON_APP_VERSION`,
//!    `MARATHON_APP_DOCKER_IMAGE` (Docker only), `MARATHON_APP_RESOURCE_CPUS`,
//!    `_MEM`, `_DISK` (Scala `Double.toString`: `1.0`, `128.0`), `_GPUS`
//!    (an integer), `MARATHON_APP_LABELS` (space-separated sanitised names,
//!    always present) and `MARATHON_APP_LABEL_<NAME>`;
//! 2. ports and host, with the optional `--env_vars_prefix`: `PORT0…`,
//!    `PORT_<NAME>`, `PORT_<requested port>`, `PORT`, `PORTS`, `HOST`;
//! 3. the app's own `env` (secret references are not resolved by dromos and
//!    are left out).
//!
//! A container-only port mapping (no host port) exposes its container port;
//! Marathon's random port for `containerPort: 0` without a host port is not
//! generated (dromos has no IP-per-task networks where that arises).

use std::collections::BTreeMap;

use dromos_model::{AppDefinition, EnvValue};

/// Environment variable names and values are dropped when at least this
/// long (Marathon's `maxEnvironmentVarLength`).
const MAX_ENV_LENGTH: usize = 512;
/// Prefix of per-label variables.
const LABEL_PREFIX: &str = "MARATHON_APP_LABEL_";

/// What the environment of one task depends on besides the app.
#[derive(Debug, Clone, Copy)]
pub struct TaskContext<'a> {
    /// The Mesos task id.
    pub task_id: &'a str,
    /// The agent's hostname.
    pub host: &'a str,
    /// Host ports aligned with the app's ports (`None` = no host port).
    pub host_ports: &'a [Option<u16>],
    /// `--env_vars_prefix` for the port and host variables.
    pub env_prefix: Option<&'a str>,
}

/// The task's environment, sorted by name.
pub fn task_env(app: &AppDefinition, ctx: &TaskContext<'_>) -> BTreeMap<String, String> {
    let mut env = context_env(app, ctx.task_id);
    let prefix = ctx.env_prefix.unwrap_or("");
    for (name, value) in ports_env(app, ctx.host_ports) {
        env.insert(format!("{prefix}{name}"), value);
    }
    env.insert(format!("{prefix}HOST"), ctx.host.to_owned());
    for (name, value) in &app.env {
        if let EnvValue::Value(value) = value {
            env.insert(name.clone(), value.clone());
        }
    }
    env
}

fn context_env(app: &AppDefinition, task_id: &str) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    env.insert("MESOS_TASK_ID".to_owned(), task_id.to_owned());
    env.insert("MARATHON_APP_ID".to_owned(), app.id.to_string());
    let version = app.version.as_ref().map(ToString::to_string).unwrap_or_default();
    env.insert("MARATHON_APP_VERSION".to_owned(), version);
    if let Some(docker) = app.container.as_ref().and_then(|c| c.docker.as_ref()) {
        env.insert("MARATHON_APP_DOCKER_IMAGE".to_owned(), docker.image.clone());
    }
    env.insert("MARATHON_APP_RESOURCE_CPUS".to_owned(), scala_double(app.cpus));
    env.insert("MARATHON_APP_RESOURCE_MEM".to_owned(), scala_double(app.mem));
    env.insert("MARATHON_APP_RESOURCE_DISK".to_owned(), scala_double(app.disk));
    env.insert("MARATHON_APP_RESOURCE_GPUS".to_owned(), app.gpus.to_string());
    env.extend(labels_env(&app.labels));
    env
}

/// `MARATHON_APP_LABELS` and `MARATHON_APP_LABEL_<NAME>` for the labels
/// whose key and value are short enough.
pub fn labels_env(labels: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let max_key = MAX_ENV_LENGTH - LABEL_PREFIX.len();
    let valid: Vec<(String, &String)> = labels
        .iter()
        .filter(|(k, v)| k.len() < max_key && v.len() < MAX_ENV_LENGTH)
        .map(|(k, v)| (sanitise_label(k), v))
        .collect();
    let names: Vec<&str> = valid.iter().map(|(k, _)| k.as_str()).collect();
    let mut env = BTreeMap::new();
    env.insert("MARATHON_APP_LABELS".to_owned(), names.join(" "));
    for (key, value) in &valid {
        env.insert(format!("{LABEL_PREFIX}{key}"), (*value).clone());
    }
    env
}

/// Runs of characters outside `[a-zA-Z0-9_]` become one `_`; then upper case.
fn sanitise_label(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut in_run = false;
    for c in key.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_uppercase());
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
    out
}

/// `PORT0…`, `PORT_<NAME>`, `PORT_<requested>`, `PORT`, `PORTS`.
fn ports_env(app: &AppDefinition, host_ports: &[Option<u16>]) -> BTreeMap<String, String> {
    let (requested, names): (Vec<i32>, Vec<Option<&str>>) = if app.is_host_networking() {
        app.port_definitions.iter().map(|d| (d.port, d.name.as_deref())).unzip()
    } else {
        app.port_mappings().iter().map(|m| (m.container_port, m.name.as_deref())).unzip()
    };
    let effective: Vec<Option<u32>> = requested
        .iter()
        .enumerate()
        .map(|(i, req)| match host_ports.get(i).copied().flatten() {
            Some(host) => Some(u32::from(host)),
            None if !app.is_host_networking() && *req > 0 => u32::try_from(*req).ok(),
            None => None,
        })
        .collect();
    let mut env = BTreeMap::new();
    for (n, port) in effective.iter().enumerate() {
        let Some(port) = port else { continue };
        env.insert(format!("PORT{n}"), port.to_string());
        if let Some(name) = names.get(n).copied().flatten() {
            env.insert(format!("PORT_{}", name.to_uppercase()), port.to_string());
        }
        if requested[n] != 0 {
            env.insert(format!("PORT_{}", requested[n]), port.to_string());
        }
    }
    let assigned: Vec<String> = effective.iter().flatten().map(u32::to_string).collect();
    if let Some(first) = assigned.first() {
        env.insert("PORT".to_owned(), first.clone());
        env.insert("PORTS".to_owned(), assigned.join(","));
    }
    env
}

/// Java's `Double.toString` for the values an app can hold: integral values
/// keep one decimal (`128.0`), others print their shortest form (`0.25`).
pub fn scala_double(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e7 {
        format!("{value:.1}")
    } else {
        value.to_string()
    }
}

#[cfg(test)]
#[path = "env_tests.rs"]
mod tests;
