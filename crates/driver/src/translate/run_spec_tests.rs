//! Tests of `AppDefinition` → `RunSpec`.

use dromos_model::{parse_app, AppDefinition, Timestamp, VersionInfo};
use dromos_scheduler::{HostPort, KillSelection, UnreachableStrategy};

use super::{to_run_spec, TranslateError};

fn app(json: &str) -> AppDefinition {
    let mut app = parse_app(json.as_bytes()).expect("valid app");
    app.version = Timestamp::parse("2024-05-01T10:00:00.000Z");
    app
}

#[test]
fn resources_roles_backoff_and_policies_are_copied() {
    let spec = to_run_spec(&app(
        r#"{"id":"/prod/web","cmd":"x","cpus":0.5,"mem":64,"disk":10,"gpus":1,"instances":3,
            "acceptedResourceRoles":["*","prod"],"backoffSeconds":2,"backoffFactor":1.5,
            "maxLaunchDelaySeconds":60,"killSelection":"OLDEST_FIRST",
            "upgradeStrategy":{"minimumHealthCapacity":0.5,"maximumOverCapacity":0.2},
            "unreachableStrategy":{"inactiveAfterSeconds":30,"expungeAfterSeconds":90},
            "dependencies":["/prod/db"]}"#,
    ))
    .expect("translates");
    assert_eq!(spec.id, "/prod/web");
    assert_eq!(spec.instances, 3);
    assert_eq!(
        (spec.resources.cpus, spec.resources.mem, spec.resources.disk, spec.resources.gpus),
        (0.5, 64.0, 10.0, 1.0)
    );
    assert_eq!(spec.accepted_roles, ["*", "prod"]);
    assert_eq!(
        (spec.backoff.backoff_seconds, spec.backoff.factor, spec.backoff.max_launch_delay_seconds),
        (2.0, 1.5, 60.0)
    );
    assert_eq!(spec.kill_selection, KillSelection::OldestFirst);
    assert_eq!((spec.upgrade.minimum_health_capacity, spec.upgrade.maximum_over_capacity), (0.5, 0.2));
    assert_eq!(
        spec.unreachable,
        UnreachableStrategy::Enabled { inactive_after_secs: 30, expunge_after_secs: 90 }
    );
    assert_eq!(spec.dependencies, ["/prod/db"]);
}

#[test]
fn config_version_is_last_config_change_else_version() {
    let mut a = app(r#"{"id":"/a","cmd":"x"}"#);
    assert_eq!(to_run_spec(&a).expect("ok").config_version, "2024-05-01T10:00:00.000Z");
    a.version_info = Some(VersionInfo {
        last_scaling_at: Timestamp::parse("2024-05-01T10:00:00.000Z").expect("ts"),
        last_config_change_at: Timestamp::parse("2024-04-01T00:00:00.000Z").expect("ts"),
    });
    let spec = to_run_spec(&a).expect("ok");
    assert_eq!(spec.version, "2024-05-01T10:00:00.000Z");
    assert_eq!(spec.config_version, "2024-04-01T00:00:00.000Z");
}

#[test]
fn unversioned_apps_are_refused() {
    let mut a = app(r#"{"id":"/a","cmd":"x"}"#);
    a.version = None;
    assert_eq!(to_run_spec(&a), Err(TranslateError::MissingVersion("/a".into())));
}

/// Name, host port and container port of one port request.
type PortRow<'a> = (Option<&'a str>, Option<HostPort>, Option<u16>);

#[test]
fn ports_follow_the_networking_mode() {
    let cases: [(&str, Vec<PortRow<'_>>); 4] = [
        (
            r#"{"id":"/a","cmd":"x","portDefinitions":[{"port":0,"name":"http"},{"port":9000}]}"#,
            vec![(Some("http"), Some(HostPort::Dynamic), None), (None, Some(HostPort::Dynamic), None)],
        ),
        (
            r#"{"id":"/a","cmd":"x","requirePorts":true,"portDefinitions":[{"port":8080}]}"#,
            vec![(None, Some(HostPort::Fixed(8080)), None)],
        ),
        (
            r#"{"id":"/a","networks":[{"mode":"container/bridge"}],
                "container":{"type":"DOCKER","docker":{"image":"nginx"},
                "portMappings":[{"containerPort":80,"hostPort":0,"name":"web"},{"containerPort":443,"hostPort":31443}]}}"#,
            vec![
                (Some("web"), Some(HostPort::Dynamic), Some(80)),
                (None, Some(HostPort::Fixed(31443)), Some(443)),
            ],
        ),
        (r#"{"id":"/a","cmd":"x","portDefinitions":[]}"#, vec![]),
    ];
    for (json, want) in cases {
        let spec = to_run_spec(&app(json)).expect("translates");
        let got: Vec<_> =
            spec.ports.iter().map(|p| (p.name.as_deref(), p.host_port, p.container_port)).collect();
        assert_eq!(got, want, "{json}");
    }
}

#[test]
fn constraints_are_parsed_by_the_scheduler() {
    let spec = to_run_spec(&app(
        r#"{"id":"/a","cmd":"x","constraints":[["hostname","UNIQUE"],["rack","GROUP_BY","3"],["zone","LIKE","a.*"]]}"#,
    ))
    .expect("translates");
    let shown: Vec<String> = spec.constraints.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["hostname:UNIQUE", "rack:GROUP_BY:3", "zone:LIKE:a.*"]);
}

#[test]
fn health_check_presence_and_failure_limit() {
    let cases = [
        (r#"[]"#, false, 3),
        (
            r#"[{"protocol":"HTTP","maxConsecutiveFailures":5},{"protocol":"TCP","maxConsecutiveFailures":2}]"#,
            true,
            2,
        ),
        (r#"[{"protocol":"COMMAND","command":{"value":"true"},"maxConsecutiveFailures":0}]"#, true, 0),
        (r#"[{"protocol":"HTTPS"}]"#, false, 3),
    ];
    for (checks, has, max) in cases {
        let spec =
            to_run_spec(&app(&format!(r#"{{"id":"/a","cmd":"x","healthChecks":{checks}}}"#))).expect("ok");
        assert_eq!((spec.has_health_checks, spec.max_consecutive_health_failures), (has, max), "{checks}");
    }
}
