//! Turns a wire [`AppUpdate`] into a normalized [`AppDefinition`]: fills
//! defaults (or keeps the current values for a partial update), migrates
//! deprecated fields, resolves relative ids, parses constraints, and
//! records what cannot be represented (bad ids, bad constraints,
//! unsupported features) as violations. Validation then runs on the result
//! so one answer lists every problem.

use std::collections::BTreeMap;

use crate::app::AppDefinition;
use crate::constraint::Constraint;
use crate::container::{Container, DockerNetwork};
use crate::error::{pointer_token, ModelError, Violations};
use crate::fetch::FetchUri;
use crate::network::{Network, NetworkMode};
use crate::path_id::PathId;
use crate::ports::{PortDefinition, PortMapping, Protocol};
use crate::update::AppUpdate;

/// What an update is applied to.
pub(crate) enum Base<'a> {
    /// A new app: `raw_id` resolved against `group`, defaults for the rest.
    New { raw_id: String, group: &'a PathId },
    /// A partial update of an existing app.
    Existing(&'a AppDefinition),
}

/// Convert, then validate; `Invalid` lists conversion and validation
/// violations together.
pub(crate) fn build(update: AppUpdate, base: Base<'_>) -> Result<AppDefinition, ModelError> {
    let mut v = Violations::new();
    let app = build_into(update, base, &mut v, true);
    v.into_result().map(|()| app)
}

/// Converts (and optionally validates) recording violations into `v`,
/// relative to its current prefix; used for apps nested in groups.
pub(crate) fn build_into(
    update: AppUpdate,
    base: Base<'_>,
    v: &mut Violations,
    validate: bool,
) -> AppDefinition {
    let app = convert(update, &base, v);
    if validate {
        v.extend_at("", crate::validation::validate_app(&app).into_vec());
    }
    app
}

/// Convert only (stored definitions); fails only on what cannot be
/// represented.
pub(crate) fn build_unchecked(update: AppUpdate, raw_id: String) -> Result<AppDefinition, ModelError> {
    let mut v = Violations::new();
    let root = PathId::root();
    let app = convert(update, &Base::New { raw_id, group: &root }, &mut v);
    v.into_result().map(|()| app)
}

fn convert(u: AppUpdate, base: &Base<'_>, v: &mut Violations) -> AppDefinition {
    let mut app = match base {
        Base::New { raw_id, group } => {
            let id = PathId::resolve(raw_id, group).unwrap_or_else(|e| {
                v.add("/id", e.to_string());
                PathId::parse("/invalid-id").unwrap_or_default()
            });
            AppDefinition::new(id)
        }
        Base::Existing(current) => (*current).clone(),
    };
    let is_new = matches!(base, Base::New { .. });
    reject_unsupported(&u, v);
    set_command(&mut app, u.cmd.clone(), u.args.clone(), is_new);
    if let Some(raw) = &u.constraints {
        app.constraints = parse_constraints(raw, v);
    }
    if let Some(raw) = &u.dependencies {
        app.dependencies = resolve_dependencies(raw, &app.id.parent(), v);
    }
    set_fetch(&mut app, u.fetch.clone(), u.uris.clone(), v);
    set_networking(&mut app, &u, is_new, v);
    copy_simple_fields(&mut app, u);
    for hc in &mut app.health_checks {
        hc.fill_defaults();
    }
    app
}

/// Networks, port definitions and port mappings, including the legacy
/// forms and the defaults that depend on the network mode.
fn set_networking(app: &mut AppDefinition, u: &AppUpdate, is_new: bool, v: &mut Violations) {
    let legacy_ports_only = u.port_definitions.is_none() && u.ports.is_some();
    let was_host = app.is_host_networking();
    let mut port_definitions = merge_legacy_ports(u.port_definitions.clone(), u.ports.clone(), v);
    let container_given = u.container.is_some();
    let legacy_networks = match u.container.clone() {
        Some(c) => {
            let (c, nets) = extract_legacy_docker(c, u.networks.is_some(), v);
            app.container = Some(c);
            nets
        }
        None => None,
    };
    if let Some(nets) = u.networks.clone().or(legacy_networks) {
        app.networks = if nets.is_empty() { vec![Network::host()] } else { nets };
    }
    let is_host = app.is_host_networking();
    if legacy_ports_only && !is_host {
        port_definitions = drop_mirrored_service_ports(port_definitions, app.container.as_ref(), v);
    }
    app.port_definitions = match port_definitions {
        Some(pd) => pd,
        None if !is_host => Vec::new(),
        None if was_host && !is_new => std::mem::take(&mut app.port_definitions),
        None => vec![PortDefinition::default_port()],
    };
    let mode_changed = was_host != is_host;
    let bridge = app.networks.iter().any(|n| n.mode == NetworkMode::ContainerBridge);
    if let Some(c) = app.container.as_mut() {
        default_port_mappings(c, is_host, bridge, container_given, mode_changed);
    }
}

fn reject_unsupported(u: &AppUpdate, v: &mut Violations) {
    if u.ip_address.is_some() {
        v.add("/ipAddress", "ipAddress (IP-per-task) is not supported by dromos; use networks");
    }
    if u.residency.is_some() {
        v.add("/residency", "residency (resident tasks) is not supported by dromos");
    }
    if u.executor_resources.is_some() {
        v.add("/executorResources", "executorResources is not supported by dromos");
    }
    if u.store_urls.as_ref().is_some_and(|s| !s.is_empty()) {
        v.add("/storeUrls", "storeUrls is not supported by dromos; use fetch");
    }
}

fn set_command(app: &mut AppDefinition, cmd: Option<String>, args: Option<Vec<String>>, is_new: bool) {
    if !is_new {
        if cmd.is_some() && args.is_none() {
            app.args.clear();
        }
        if args.is_some() && cmd.is_none() {
            app.cmd = None;
        }
    }
    if let Some(cmd) = cmd {
        app.cmd = Some(cmd);
    }
    if let Some(args) = args {
        app.args = args;
    }
}

fn parse_constraints(raw: &[Vec<String>], v: &mut Violations) -> Vec<Constraint> {
    raw.iter()
        .enumerate()
        .filter_map(|(i, parts)| {
            Constraint::from_parts(parts).map_err(|msg| v.add(&format!("/constraints/{i}"), msg)).ok()
        })
        .collect()
}

fn resolve_dependencies(raw: &[String], base: &PathId, v: &mut Violations) -> Vec<PathId> {
    raw.iter()
        .enumerate()
        .filter_map(|(i, dep)| {
            PathId::resolve(dep, base).map_err(|e| v.add(&format!("/dependencies/{i}"), e.to_string())).ok()
        })
        .collect()
}

fn set_fetch(
    app: &mut AppDefinition,
    fetch: Option<Vec<FetchUri>>,
    uris: Option<Vec<String>>,
    v: &mut Violations,
) {
    let uris = uris.filter(|u| !u.is_empty());
    match (fetch, uris) {
        (Some(f), Some(_)) if !f.is_empty() => v.add("/uris", "uris cannot be combined with fetch"),
        (_, Some(uris)) => app.fetch = uris.iter().map(|u| FetchUri::from_legacy_uri(u)).collect(),
        (Some(f), None) => app.fetch = f,
        (None, None) => {}
    }
}

/// Old Marathon output listed a bridge app's service ports in `ports`; such
/// a mirror carries no information and is dropped. Anything else is an error.
fn drop_mirrored_service_ports(
    defs: Option<Vec<PortDefinition>>,
    container: Option<&Container>,
    v: &mut Violations,
) -> Option<Vec<PortDefinition>> {
    let mappings = container.and_then(|c| c.port_mappings.as_deref()).unwrap_or_default();
    let mirrored = defs.iter().flatten().map(|d| d.port).eq(mappings.iter().map(|m| m.service_port));
    if !mirrored {
        v.add("/ports", "ports are only allowed with host networking");
    }
    None
}

fn merge_legacy_ports(
    defs: Option<Vec<PortDefinition>>,
    ports: Option<Vec<i32>>,
    v: &mut Violations,
) -> Option<Vec<PortDefinition>> {
    match (defs, ports) {
        (Some(defs), Some(ports)) => {
            if !defs.iter().map(|d| d.port).eq(ports.iter().copied()) {
                v.add("/ports", "ports must match the ports of portDefinitions");
            }
            Some(defs)
        }
        (None, Some(ports)) => Some(
            ports
                .into_iter()
                .map(|port| PortDefinition {
                    port,
                    protocol: Protocol::Tcp,
                    name: None,
                    labels: BTreeMap::new(),
                })
                .collect(),
        ),
        (defs, None) => defs,
    }
}

/// Moves `docker.network` / `docker.portMappings` to their modern places;
/// returns the networks implied by `docker.network`.
fn extract_legacy_docker(
    mut c: Container,
    networks_given: bool,
    v: &mut Violations,
) -> (Container, Option<Vec<Network>>) {
    let Some(docker) = c.docker.as_mut() else {
        return (c, None);
    };
    if let Some(mappings) = docker.port_mappings.take() {
        if c.port_mappings.as_ref().is_some_and(|m| !m.is_empty()) {
            v.add(
                "/container/docker/portMappings",
                "docker.portMappings cannot be combined with container.portMappings",
            );
        } else {
            c.port_mappings = Some(mappings);
        }
    }
    let Some(network) = docker.network.take() else {
        return (c, None);
    };
    let path = "/container/docker/network";
    if networks_given {
        v.add(path, "docker.network cannot be combined with networks");
        return (c, None);
    }
    let mode = match network {
        DockerNetwork::Bridge => NetworkMode::ContainerBridge,
        DockerNetwork::Host => NetworkMode::Host,
        DockerNetwork::None => {
            v.add(path, "docker network NONE is not supported by dromos");
            return (c, None);
        }
        DockerNetwork::User => {
            v.add(
                path,
                "docker network USER (with ipAddress) is not supported by dromos; use networks with mode container",
            );
            return (c, None);
        }
    };
    (c, Some(vec![Network::with_mode(mode)]))
}

fn default_port_mappings(c: &mut Container, is_host: bool, bridge: bool, given: bool, mode_changed: bool) {
    if c.port_mappings.is_none() || (!given && mode_changed) {
        c.port_mappings = Some(if is_host { Vec::new() } else { vec![PortMapping::default_mapping(bridge)] });
    }
    if bridge {
        for m in c.port_mappings.iter_mut().flatten() {
            m.host_port.get_or_insert(0);
        }
    }
}

fn copy_simple_fields(app: &mut AppDefinition, u: AppUpdate) {
    macro_rules! replace {
        ($($field:ident),* $(,)?) => { $( if let Some(x) = u.$field { app.$field = x; } )* };
    }
    macro_rules! replace_opt {
        ($($field:ident),* $(,)?) => { $( if u.$field.is_some() { app.$field = u.$field; } )* };
    }
    replace!(
        env,
        secrets,
        instances,
        cpus,
        mem,
        disk,
        gpus,
        executor,
        accepted_resource_roles,
        backoff_seconds,
        backoff_factor,
        max_launch_delay_seconds,
        health_checks,
        readiness_checks,
        upgrade_strategy,
        labels,
        require_ports,
        unreachable_strategy,
        kill_selection,
    );
    replace_opt!(
        user,
        check,
        task_kill_grace_period_seconds,
        role,
        tty,
        resource_limits,
        version,
        version_info,
    );
}

/// JSON pointer of a map entry, e.g. `/env/MY~1VAR`.
pub(crate) fn entry_path(map: &str, key: &str) -> String {
    format!("/{map}/{}", pointer_token(key))
}
