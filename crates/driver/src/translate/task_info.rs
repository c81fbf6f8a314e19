//! Scheduler [`Launch`] + `AppDefinition` → Mesos [`v1::TaskInfo`], the way
//! Marathon's `TaskBuilder` builds it: the name is the app id as a hostname
//! (`/prod/web` → `web.prod`), resources are copies of the offered ones
//! (same role, allocation and reservation), the command runs under the shell
//! for `cmd` and without it for `args`, the environment is [`super::env`],
//! and Docker apps get a Docker container with their port mappings.
//! App labels become task labels; ports are published as discovery info;
//! `taskKillGracePeriodSeconds` becomes the kill policy; a COMMAND or
//! `MESOS_*` health check is handed to Mesos (the others run in the driver).

use dromos_mesos::v1;
use dromos_model::health::HealthCheck;
use dromos_model::network::NetworkMode;
use dromos_model::{AppDefinition, HealthCheckProtocol, Protocol};
use dromos_scheduler::Launch;

use super::env::{task_env, TaskContext};
use super::offer::task_resources;
use super::TranslateError;

/// Everything a task is built from.
#[derive(Debug, Clone, Copy)]
pub struct TaskSource<'a> {
    /// The app at the version being launched.
    pub app: &'a AppDefinition,
    /// The matcher's decision.
    pub launch: &'a Launch,
    /// The Mesos offer the launch uses.
    pub offer: &'a v1::Offer,
    /// The task id chosen for it.
    pub task_id: &'a str,
    /// `--env_vars_prefix`.
    pub env_prefix: Option<&'a str>,
}

/// The `TaskInfo` to LAUNCH.
pub fn to_task_info(src: &TaskSource<'_>) -> Result<v1::TaskInfo, TranslateError> {
    let app = src.app;
    let app_id = app.id.to_string();
    if src.launch.host_ports.len() != app.port_count() {
        return Err(TranslateError::LaunchMismatch {
            app_id,
            detail: format!("{} host ports for {} app ports", src.launch.host_ports.len(), app.port_count()),
        });
    }
    let env = task_env(
        app,
        &TaskContext {
            task_id: src.task_id,
            host: &src.launch.agent.hostname,
            host_ports: &src.launch.host_ports,
            env_prefix: src.env_prefix,
        },
    );
    let mut command = command(app).ok_or_else(|| TranslateError::LaunchMismatch {
        app_id: app_id.clone(),
        detail: "the app has neither cmd, args nor a Docker image".to_owned(),
    })?;
    command.environment = Some(v1::Environment::from_pairs(env));
    let mut task = v1::TaskInfo::command(
        hostname_name(&app_id),
        v1::TaskId::new(src.task_id),
        src.offer.agent_id.clone(),
        command,
    );
    task.resources = task_resources(src.offer, &src.launch.resources, &app_id)?;
    task.container = container(app, &src.launch.host_ports);
    task.labels = labels(app.labels.iter());
    task.discovery = Some(discovery(app, &src.launch.host_ports));
    task.kill_policy = app.task_kill_grace_period_seconds.map(|secs| v1::KillPolicy {
        grace_period: Some(v1::DurationInfo { nanoseconds: i64::from(secs.max(0)) * 1_000_000_000 }),
    });
    task.health_check = app
        .health_checks
        .iter()
        .find(|h| runs_on_agent(h.protocol))
        .map(|h| mesos_check(app, h, &src.launch.host_ports));
    Ok(task)
}

/// Marathon's `PathId.toHostname`: segments reversed, joined by dots.
pub fn hostname_name(app_id: &str) -> String {
    let segments: Vec<&str> = app_id.split('/').filter(|s| !s.is_empty()).rev().collect();
    segments.join(".")
}

/// Health checks Mesos runs on the agent (results come back as `healthy`
/// on status updates) rather than the driver.
pub fn runs_on_agent(protocol: HealthCheckProtocol) -> bool {
    protocol == HealthCheckProtocol::Command || protocol.is_mesos()
}

fn is_docker(app: &AppDefinition) -> bool {
    app.container.as_ref().is_some_and(|c| c.docker.is_some())
}

fn command(app: &AppDefinition) -> Option<v1::CommandInfo> {
    let mut info = if let Some(cmd) = &app.cmd {
        v1::CommandInfo::shell(cmd.clone())
    } else if !app.args.is_empty() {
        // Docker keeps the image's entrypoint; a plain process needs argv[0].
        let value = if is_docker(app) { None } else { app.args.first().cloned() };
        v1::CommandInfo {
            shell: Some(false),
            value,
            arguments: app.args.clone(),
            ..v1::CommandInfo::default()
        }
    } else if is_docker(app) {
        v1::CommandInfo { shell: Some(false), ..v1::CommandInfo::default() }
    } else {
        return None;
    };
    info.user.clone_from(&app.user);
    info.uris = app
        .fetch
        .iter()
        .map(|f| v1::CommandUri {
            value: f.uri.clone(),
            executable: Some(f.executable),
            extract: Some(f.extract),
            cache: Some(f.cache),
            output_file: f.dest_path.clone(),
        })
        .collect();
    Some(info)
}

fn protocols(protocol: Protocol) -> &'static [&'static str] {
    match protocol {
        Protocol::Tcp => &["tcp"],
        Protocol::Udp => &["udp"],
        Protocol::UdpTcp => &["udp", "tcp"],
    }
}

fn container(app: &AppDefinition, host_ports: &[Option<u16>]) -> Option<v1::ContainerInfo> {
    let spec = app.container.as_ref()?;
    let volumes: Vec<v1::Volume> = spec
        .volumes
        .iter()
        .filter_map(|v| {
            let mode = match v.mode {
                Some(dromos_model::VolumeMode::ReadWrite) => v1::VolumeMode::Rw,
                _ => v1::VolumeMode::Ro,
            };
            Some(v1::Volume {
                mode,
                container_path: v.container_path.clone(),
                host_path: Some(v.host_path.clone()?),
            })
        })
        .collect();
    let Some(docker) = &spec.docker else {
        return (!volumes.is_empty()).then(|| v1::ContainerInfo {
            kind: v1::ContainerType::Mesos,
            volumes,
            hostname: None,
            docker: None,
            mesos: Some(v1::MesosInfo::default()),
            network_infos: Vec::new(),
        });
    };
    let mut info = v1::ContainerInfo::docker(docker.image.clone());
    info.volumes = volumes;
    let network = app.networks.first().map_or(NetworkMode::Host, |n| n.mode);
    if let Some(d) = info.docker.as_mut() {
        d.network = Some(match network {
            NetworkMode::Host => v1::DockerNetwork::Host,
            NetworkMode::ContainerBridge => v1::DockerNetwork::Bridge,
            NetworkMode::Container => v1::DockerNetwork::User,
        });
        d.port_mappings = docker_port_mappings(app, host_ports);
        d.privileged = docker.privileged.then_some(true);
        d.force_pull_image = docker.force_pull_image.then_some(true);
        d.parameters = docker
            .parameters
            .iter()
            .map(|p| v1::Parameter { key: p.key.clone(), value: p.value.clone() })
            .collect();
    }
    if network == NetworkMode::Container {
        info.network_infos = app
            .networks
            .iter()
            .map(|n| v1::NetworkInfo { name: n.name.clone(), ..v1::NetworkInfo::default() })
            .collect();
    }
    Some(info)
}

/// One Docker mapping per mapped host port and protocol; container port 0
/// means "the same as the host port".
fn docker_port_mappings(app: &AppDefinition, host_ports: &[Option<u16>]) -> Vec<v1::PortMapping> {
    if app.is_host_networking() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (mapping, host) in app.port_mappings().iter().zip(host_ports) {
        let Some(host) = host else { continue };
        let host = u32::from(*host);
        let container = u32::try_from(mapping.container_port).ok().filter(|p| *p != 0).unwrap_or(host);
        for protocol in protocols(mapping.protocol) {
            out.push(v1::PortMapping {
                host_port: host,
                container_port: container,
                protocol: Some((*protocol).to_owned()),
            });
        }
    }
    out
}

fn labels<'a>(pairs: impl Iterator<Item = (&'a String, &'a String)>) -> Option<v1::Labels> {
    let labels: Vec<v1::Label> =
        pairs.map(|(k, v)| v1::Label { key: k.clone(), value: Some(v.clone()) }).collect();
    (!labels.is_empty()).then_some(v1::Labels { labels })
}

fn discovery(app: &AppDefinition, host_ports: &[Option<u16>]) -> v1::DiscoveryInfo {
    let described: Vec<(Option<&String>, Protocol, &std::collections::BTreeMap<String, String>)> =
        if app.is_host_networking() {
            app.port_definitions.iter().map(|d| (d.name.as_ref(), d.protocol, &d.labels)).collect()
        } else {
            app.port_mappings().iter().map(|m| (m.name.as_ref(), m.protocol, &m.labels)).collect()
        };
    let mut ports = Vec::new();
    for ((name, protocol, port_labels), host) in described.into_iter().zip(host_ports) {
        let Some(number) = host else { continue };
        for p in protocols(protocol) {
            ports.push(v1::Port {
                number: u32::from(*number),
                name: name.cloned(),
                protocol: Some((*p).to_owned()),
                visibility: None,
                labels: labels(port_labels.iter()),
            });
        }
    }
    v1::DiscoveryInfo {
        visibility: v1::Visibility::Framework,
        name: Some(hostname_name(&app.id.to_string())),
        environment: None,
        location: None,
        version: None,
        ports: Some(v1::Ports { ports }),
        labels: None,
    }
}

/// The port a Mesos-run check probes: inside a bridged container the
/// container port, otherwise the host port.
fn check_port(app: &AppDefinition, check: &HealthCheck, host_ports: &[Option<u16>]) -> u32 {
    if let Some(port) = check.port {
        return u32::try_from(port).unwrap_or(0);
    }
    let index = usize::try_from(check.port_index.unwrap_or(0)).unwrap_or(0);
    let host = host_ports.get(index).copied().flatten().map_or(0, u32::from);
    if app.is_host_networking() {
        return host;
    }
    app.port_mappings()
        .get(index)
        .and_then(|m| u32::try_from(m.container_port).ok())
        .filter(|p| *p != 0)
        .unwrap_or(host)
}

fn mesos_check(app: &AppDefinition, check: &HealthCheck, host_ports: &[Option<u16>]) -> v1::HealthCheck {
    let port = check_port(app, check, host_ports);
    let (kind, http, tcp, command) = match check.protocol {
        HealthCheckProtocol::Command => {
            let value = check.command.as_ref().map(|c| c.value.clone()).unwrap_or_default();
            (v1::HealthCheckType::Command, None, None, Some(v1::CommandInfo::shell(value)))
        }
        HealthCheckProtocol::MesosTcp => {
            (v1::HealthCheckType::Tcp, None, Some(v1::TcpCheck { port, protocol: None }), None)
        }
        _ => {
            let scheme = (check.protocol == HealthCheckProtocol::MesosHttps).then(|| "https".to_owned());
            let http = v1::HttpCheck {
                port,
                scheme,
                path: check.path.clone(),
                statuses: Vec::new(),
                protocol: None,
            };
            (v1::HealthCheckType::Http, Some(http), None, None)
        }
    };
    let secs = |s: i32| Some(f64::from(s.max(0)));
    v1::HealthCheck {
        kind,
        http,
        tcp,
        command,
        delay_seconds: secs(check.delay_seconds),
        interval_seconds: secs(check.interval_seconds),
        timeout_seconds: secs(check.timeout_seconds),
        consecutive_failures: u32::try_from(check.max_consecutive_failures).ok(),
        grace_period_seconds: secs(check.grace_period_seconds),
    }
}

#[cfg(test)]
#[path = "task_info_tests.rs"]
mod tests;
