//! Service ports (NOTES §3.7, Marathon's `AssignDynamicServiceLogic`).
//!
//! Every `portDefinitions[].port` (host networking) or
//! `portMappings[].servicePort` (container networking) that is 0 gets a
//! port from [`SERVICE_PORT_MIN`]..=[`SERVICE_PORT_MAX`]:
//! 1. a port this app held before (in range) and no longer lists, so an app
//!    re-posted with zeros keeps its ports;
//! 2. else the lowest port no other app (current or target) holds.
//!
//! Non-zero ports are kept as given (also outside the range); like
//! Marathon, uniqueness of explicit ports is not enforced.

use std::collections::{BTreeMap, BTreeSet};

use dromos_model::{AppDefinition, PathId};

use super::error::ServiceError;

/// First assignable service port (Marathon's `--local_port_min`).
pub const SERVICE_PORT_MIN: u16 = 10000;
/// Last assignable service port, inclusive (`--local_port_max`).
pub const SERVICE_PORT_MAX: u16 = 20000;

/// The service ports an app lists, in order (0 = not yet assigned).
pub fn service_ports(app: &AppDefinition) -> Vec<i32> {
    if app.is_host_networking() {
        app.port_definitions.iter().map(|p| p.port).collect()
    } else {
        app.port_mappings().iter().map(|m| m.service_port).collect()
    }
}

/// Which app holds each service port, over every app given.
pub fn port_owners<'a>(apps: impl IntoIterator<Item = &'a AppDefinition>) -> BTreeMap<i32, BTreeSet<PathId>> {
    let mut owners: BTreeMap<i32, BTreeSet<PathId>> = BTreeMap::new();
    for app in apps {
        for port in service_ports(app).into_iter().filter(|p| *p != 0) {
            owners.entry(port).or_default().insert(app.id.clone());
        }
    }
    owners
}

/// Replaces the zero service ports of `app`; `previous` is the app's
/// current definition, `owners` the holders of every port (updated with the
/// ports handed out, so later apps of the same change see them).
pub fn assign(
    app: &mut AppDefinition,
    previous: Option<&AppDefinition>,
    owners: &mut BTreeMap<i32, BTreeSet<PathId>>,
) -> Result<(), ServiceError> {
    let listed: BTreeSet<i32> = service_ports(app).into_iter().filter(|p| *p != 0).collect();
    let in_range = |p: &i32| (i32::from(SERVICE_PORT_MIN)..=i32::from(SERVICE_PORT_MAX)).contains(p);
    let own_id = app.id.clone();
    let taken_by_other = |owners: &BTreeMap<i32, BTreeSet<PathId>>, p: i32| {
        owners.get(&p).is_some_and(|o| o.iter().any(|id| *id != own_id))
    };
    let mut reusable: Vec<i32> = previous
        .map(service_ports)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| in_range(p) && !listed.contains(p))
        .collect();
    reusable.reverse();
    let mut next = i32::from(SERVICE_PORT_MIN);
    let mut slots: Vec<&mut i32> = if app.is_host_networking() {
        app.port_definitions.iter_mut().map(|p| &mut p.port).collect()
    } else {
        app.container
            .as_mut()
            .and_then(|c| c.port_mappings.as_mut())
            .map(|m| m.iter_mut().map(|m| &mut m.service_port).collect())
            .unwrap_or_default()
    };
    for slot in slots.iter_mut().filter(|s| ***s == 0) {
        let port = match reusable.pop() {
            Some(p) if !taken_by_other(owners, p) => p,
            _ => {
                while next <= i32::from(SERVICE_PORT_MAX)
                    && (owners.contains_key(&next) || listed.contains(&next))
                {
                    next += 1;
                }
                if next > i32::from(SERVICE_PORT_MAX) {
                    return Err(ServiceError::PortsExhausted {
                        min: SERVICE_PORT_MIN,
                        max: SERVICE_PORT_MAX,
                    });
                }
                next
            }
        };
        **slot = port;
        owners.entry(port).or_default().insert(own_id.clone());
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use dromos_model::parse_app;

    use super::*;

    fn app(json: &str) -> AppDefinition {
        parse_app(json.as_bytes()).unwrap()
    }

    #[test]
    fn zeros_get_the_lowest_free_ports_in_range() {
        let other = app(r#"{"id":"/o","cmd":"x","portDefinitions":[{"port":10000},{"port":10002}]}"#);
        let mut owners = port_owners([&other]);
        let mut a = app(r#"{"id":"/a","cmd":"x","portDefinitions":[{"port":0},{"port":0},{"port":15}]}"#);
        assign(&mut a, None, &mut owners).unwrap();
        assert_eq!(service_ports(&a), [10001, 10003, 15]);
    }

    #[test]
    fn reposting_zeros_keeps_the_apps_ports() {
        let mut owners = BTreeMap::new();
        let mut first = app(r#"{"id":"/a","cmd":"x","portDefinitions":[{"port":0},{"port":0}]}"#);
        assign(&mut first, None, &mut owners).unwrap();
        let b = app(r#"{"id":"/b","cmd":"x","portDefinitions":[{"port":0}]}"#);
        let mut b = b;
        assign(&mut b, None, &mut owners).unwrap();
        let mut owners = port_owners([&first, &b]);
        let mut again = app(r#"{"id":"/a","cmd":"y","portDefinitions":[{"port":0},{"port":0}]}"#);
        assign(&mut again, Some(&first), &mut owners).unwrap();
        assert_eq!(service_ports(&again), service_ports(&first));
        assert_eq!(service_ports(&b), [10002]);
    }

    #[test]
    fn container_mappings_get_service_ports() {
        let mut owners = BTreeMap::new();
        let mut a = app(r#"{"id":"/a","networks":[{"mode":"container/bridge"}],
               "container":{"type":"DOCKER","docker":{"image":"nginx"},
               "portMappings":[{"containerPort":80},{"containerPort":443,"servicePort":12000}]}}"#);
        assign(&mut a, None, &mut owners).unwrap();
        assert_eq!(service_ports(&a), [10000, 12000]);
    }
}
