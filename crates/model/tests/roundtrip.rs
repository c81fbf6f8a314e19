//! Property: any app the validator accepts survives serialize → parse
//! unchanged (so what the store writes is what it reads, and what GET shows
//! can be PUT back).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use dromos_model::container::DockerContainer;
use dromos_model::health::CommandCheck;
use dromos_model::{
    parse_app, AppDefinition, Constraint, ConstraintOperator, Container, ContainerType, EnvValue,
    HealthCheck, HealthCheckProtocol, KillSelection, Network, NetworkMode, PathId, PortDefinition,
    PortMapping, Protocol, SecretDef, UnreachableStrategy, UpgradeStrategy,
};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?"
}

fn id() -> impl Strategy<Value = PathId> {
    prop::collection::vec(name(), 1..4).prop_map(|s| PathId::parse(&format!("/{}", s.join("/"))).unwrap())
}

fn constraint() -> impl Strategy<Value = Constraint> {
    let op = prop::sample::select(ConstraintOperator::ALL.to_vec());
    (name(), op, prop::option::of("[a-z0-9]{1,4}|[0-9]{1,2}"))
        .prop_filter_map("valid", |(f, op, v)| Constraint::new(f, op, v).ok())
}

fn protocol() -> impl Strategy<Value = Protocol> {
    prop_oneof![Just(Protocol::Tcp), Just(Protocol::Udp), Just(Protocol::UdpTcp)]
}

fn health_check() -> impl Strategy<Value = HealthCheck> {
    let proto = prop_oneof![
        Just(HealthCheckProtocol::Http),
        Just(HealthCheckProtocol::Https),
        Just(HealthCheckProtocol::Tcp),
        Just(HealthCheckProtocol::Command),
    ];
    (proto, 0..400i32, 1..120i32, 0..10i32, any::<bool>()).prop_map(|(p, grace, interval, fails, ignore)| {
        let mut hc = HealthCheck::new(p);
        hc.grace_period_seconds = grace;
        hc.interval_seconds = interval;
        hc.max_consecutive_failures = fails;
        hc.ignore_http1xx = ignore;
        if p == HealthCheckProtocol::Command {
            hc.command = Some(CommandCheck { value: "true".into() });
        }
        hc
    })
}

fn labels() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map("[A-Za-z_]{1,8}", ".{0,12}", 0..4)
}

fn resources() -> impl Strategy<Value = (f64, f64, f64, i32)> {
    (0.001..64.0f64, 0.0..65536.0f64, 0.0..1.0e6f64, 0..100i32)
}

fn policies() -> impl Strategy<Value = (UpgradeStrategy, UnreachableStrategy, KillSelection, f64)> {
    let us = (0.0..=1.0f64, 0.0..=1.0f64)
        .prop_map(|(a, b)| UpgradeStrategy { minimum_health_capacity: a, maximum_over_capacity: b });
    let unreachable = prop_oneof![
        Just(UnreachableStrategy::Disabled),
        (0..100i64, 0..100i64).prop_map(|(a, b)| UnreachableStrategy::Enabled {
            inactive_after_seconds: a.min(b),
            expunge_after_seconds: a.max(b),
        }),
    ];
    let kill = prop_oneof![Just(KillSelection::YoungestFirst), Just(KillSelection::OldestFirst)];
    (us, unreachable, kill, 1.0..10.0f64)
}

fn bridge_container(image: String, ports: Vec<(i32, Protocol)>) -> Container {
    let mappings = ports
        .into_iter()
        .enumerate()
        .map(|(i, (port, protocol))| PortMapping {
            container_port: port,
            host_port: Some(0),
            service_port: 0,
            protocol,
            name: Some(format!("p{i}")),
            labels: BTreeMap::new(),
            network_names: Vec::new(),
        })
        .collect();
    Container {
        kind: ContainerType::Docker,
        docker: Some(DockerContainer::with_image(image)),
        port_mappings: Some(mappings),
        volumes: Vec::new(),
        linux_info: None,
    }
}

prop_compose! {
    fn app()(
        id in id(),
        cmd in prop::option::of("[ -~]{1,20}"),
        (cpus, mem, disk, instances) in resources(),
        constraints in prop::collection::vec(constraint(), 0..3),
        env in labels(),
        secret in prop::option::of(name()),
        labels in labels(),
        ports in prop::collection::vec((0..65536i32, protocol()), 0..3),
        checks in prop::collection::vec(health_check(), 0..2),
        (upgrade, unreachable, kill, backoff_factor) in policies(),
        docker in prop::option::of("[a-z]{1,8}(:[a-z0-9.]{1,5})?"),
        deps in prop::collection::vec(id(), 0..2),
    ) -> AppDefinition {
        let mut app = AppDefinition::new(id);
        app.cmd = cmd;
        (app.cpus, app.mem, app.disk, app.instances) = (cpus, mem, disk, instances);
        app.constraints = constraints;
        app.env = env.into_iter().map(|(k, v)| (k, EnvValue::Value(v))).collect();
        if let Some(s) = secret {
            app.secrets.insert(s.clone(), SecretDef { source: format!("/vault/{s}") });
            app.env.insert("SECRET".into(), EnvValue::Secret { secret: s });
        }
        app.labels = labels;
        app.health_checks = checks;
        (app.upgrade_strategy, app.unreachable_strategy, app.kill_selection, app.backoff_factor) =
            (upgrade, unreachable, kill, backoff_factor);
        app.dependencies = deps;
        match docker {
            Some(image) => {
                app.networks = vec![Network::with_mode(NetworkMode::ContainerBridge)];
                app.port_definitions = Vec::new();
                app.container = Some(bridge_container(image, ports));
            }
            None => {
                app.port_definitions = ports
                    .into_iter()
                    .map(|(port, protocol)| PortDefinition { port, protocol, name: None, labels: BTreeMap::new() })
                    .collect();
            }
        }
        app
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn accepted_apps_round_trip_through_json(app in app()) {
        prop_assume!(app.validate().is_ok());
        let json = serde_json::to_vec(&app).unwrap();
        let parsed = parse_app(&json);
        prop_assert_eq!(parsed.as_ref().ok(), Some(&app), "json: {}, err: {:?}", String::from_utf8_lossy(&json), parsed.as_ref().err());
    }

    #[test]
    fn parsing_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse_app(&bytes);
        let _ = dromos_model::parse_group(&bytes);
    }
}

#[test]
fn the_generator_produces_mostly_valid_apps() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let valid =
        (0..200).filter(|_| app().new_tree(&mut runner).unwrap().current().validate().is_ok()).count();
    assert!(valid > 100, "only {valid}/200 generated apps are valid");
}
