//! Networking and container rules: `networks`, `portDefinitions`,
//! `container.portMappings`, `container.docker`, `container.volumes`.

use std::collections::HashSet;

use crate::app::AppDefinition;
use crate::container::{Container, ContainerType};
use crate::error::Violations;
use crate::network::NetworkMode;
use crate::ports::PortMapping;

use super::{is_port_name, within, MAX_PORT, PORT_NAME_PATTERN};

pub(super) fn validate(app: &AppDefinition, v: &mut Violations) {
    validate_networks(app, v);
    validate_port_definitions(app, v);
    if let Some(c) = &app.container {
        v.nested("/container", |v| validate_container(app, c, v));
    }
}

fn is_network_name(name: &str) -> bool {
    let b = name.as_bytes();
    let edge = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    (1..=63).contains(&b.len())
        && b.first().is_some_and(edge)
        && b.last().is_some_and(edge)
        && b.iter().all(|c| edge(c) || *c == b'-' || *c == b'_')
}

fn validate_networks(app: &AppDefinition, v: &mut Violations) {
    let count = |m: NetworkMode| app.networks.iter().filter(|n| n.mode == m).count();
    let (host, bridge, container) =
        (count(NetworkMode::Host), count(NetworkMode::ContainerBridge), count(NetworkMode::Container));
    if host > 0 && app.networks.len() > 1 {
        v.add("/networks", "host networking cannot be combined with other networks");
    } else if bridge > 0 && app.networks.len() > 1 {
        v.add("/networks", "container/bridge networking cannot be combined with other networks");
    }
    let docker = app.container.as_ref().filter(|c| c.kind == ContainerType::Docker && c.docker.is_some());
    if !app.is_host_networking() && docker.is_none() {
        v.add("/networks", "container networking requires a DOCKER container");
    }
    if container > 1 && docker.is_some() {
        v.add("/networks", "the Docker containerizer supports only one container network");
    }
    for (i, n) in app.networks.iter().enumerate() {
        let path = format!("/networks/{i}/name");
        match (&n.mode, &n.name) {
            (NetworkMode::Container, None) => v.add(&path, "is required for container networks"),
            (NetworkMode::Container, Some(name)) if !is_network_name(name) => v.add(
                &path,
                "must fully match regular expression '^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$' and be at most 63 characters",
            ),
            (NetworkMode::Host | NetworkMode::ContainerBridge, Some(_)) => {
                v.add(&path, "must not be set for host and container/bridge networks")
            }
            _ => {}
        }
    }
}

fn validate_port_definitions(app: &AppDefinition, v: &mut Violations) {
    if !app.is_host_networking() && !app.port_definitions.is_empty() {
        v.add("/portDefinitions", "portDefinitions are only allowed with host networking");
    }
    let mut names = HashSet::new();
    let mut ports = HashSet::new();
    for (i, pd) in app.port_definitions.iter().enumerate() {
        let base = format!("/portDefinitions/{i}");
        within(v, &format!("{base}/port"), f64::from(pd.port), 0.0, f64::from(MAX_PORT));
        if let Some(name) = &pd.name {
            if !is_port_name(name) {
                v.add(&format!("{base}/name"), PORT_NAME_PATTERN);
            } else if !names.insert(name.as_str()) {
                v.add("/portDefinitions", "Port names must be unique.");
            }
        }
        if pd.port != 0 && !ports.insert(pd.port) {
            v.add("/portDefinitions", "Ports must be unique.");
        }
    }
}

fn validate_container(app: &AppDefinition, c: &Container, v: &mut Violations) {
    match (c.kind, &c.docker) {
        (ContainerType::Docker, None) => v.add("/docker", "is required for container type DOCKER"),
        (ContainerType::Mesos, Some(_)) => v.add(
            "/type",
            "container type MESOS with a docker image is not supported by dromos; use type DOCKER",
        ),
        _ => {}
    }
    if let Some(d) = &c.docker {
        if d.image.trim().is_empty() {
            v.add("/docker/image", "must not be empty");
        }
        for (i, p) in d.parameters.iter().enumerate() {
            if p.key.is_empty() {
                v.add(&format!("/docker/parameters/{i}/key"), "must not be empty");
            }
        }
        if d.pull_config.is_some() {
            v.add("/docker/pullConfig", "pullConfig is not supported by dromos");
        }
        if d.credential.is_some() {
            v.add("/docker/credential", "credential is not supported by dromos");
        }
    }
    let mappings = c.port_mappings.as_deref().unwrap_or_default();
    if app.is_host_networking() && !mappings.is_empty() {
        v.add("/portMappings", "portMappings are not allowed with host networking");
    }
    validate_port_mappings(app, mappings, v);
    validate_volumes(app, c, v);
}

fn validate_port_mappings(app: &AppDefinition, mappings: &[PortMapping], v: &mut Violations) {
    let networks: Vec<&str> = app.networks.iter().filter_map(|n| n.name.as_deref()).collect();
    let mut names = HashSet::new();
    for (i, m) in mappings.iter().enumerate() {
        let base = format!("/portMappings/{i}");
        let port_max = f64::from(MAX_PORT);
        within(v, &format!("{base}/containerPort"), f64::from(m.container_port), 0.0, port_max);
        if let Some(hp) = m.host_port {
            within(v, &format!("{base}/hostPort"), f64::from(hp), 0.0, port_max);
        }
        within(v, &format!("{base}/servicePort"), f64::from(m.service_port), 0.0, port_max);
        if let Some(name) = &m.name {
            if !is_port_name(name) {
                v.add(&format!("{base}/name"), PORT_NAME_PATTERN);
            } else if !names.insert(name.as_str()) {
                v.add("/portMappings", "Port names must be unique.");
            }
        }
        for (j, net) in m.network_names.iter().enumerate() {
            if !networks.contains(&net.as_str()) {
                v.add(&format!("{base}/networkNames/{j}"), "must refer to a container network of the app");
            }
        }
        if m.host_port.is_some() && networks.len() > 1 && m.network_names.len() != 1 {
            v.add(
                &format!("{base}/networkNames"),
                "a single network name is required when hostPort is set and there are several container networks",
            );
        }
    }
}

fn validate_volumes(app: &AppDefinition, c: &Container, v: &mut Violations) {
    if !c.volumes.is_empty() && c.docker.is_none() {
        v.add("/volumes", "volumes require a DOCKER container");
    }
    for (i, vol) in c.volumes.iter().enumerate() {
        let base = format!("/volumes/{i}");
        if vol.container_path.is_empty() {
            v.add(&format!("{base}/containerPath"), "must not be empty");
        }
        if vol.persistent.is_some() {
            v.add(&format!("{base}/persistent"), "persistent volumes are not supported by dromos");
            continue;
        }
        if vol.external.is_some() {
            v.add(&format!("{base}/external"), "external volumes are not supported by dromos");
            continue;
        }
        match (&vol.host_path, &vol.secret) {
            (Some(host), None) => {
                if host.is_empty() {
                    v.add(&format!("{base}/hostPath"), "must not be empty");
                }
                if vol.mode.is_none() {
                    v.add(&format!("{base}/mode"), "is required for host volumes");
                }
            }
            (None, Some(secret)) => {
                if !app.secrets.contains_key(secret) {
                    v.add(
                        &format!("{base}/secret"),
                        format!("references an undefined secret named '{secret}'"),
                    );
                }
            }
            _ => v.add(&base, "must define exactly one of hostPath or secret"),
        }
    }
}
