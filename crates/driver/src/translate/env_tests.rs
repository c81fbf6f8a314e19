//! Tests of the task environment (Marathon's `EnvironmentHelper`).

use std::collections::BTreeMap;

use dromos_model::{parse_app, AppDefinition, Timestamp};

use super::{labels_env, scala_double, task_env, TaskContext};

fn app(json: &str) -> AppDefinition {
    let mut app = parse_app(json.as_bytes()).expect("valid app");
    app.version = Timestamp::parse("2024-05-01T10:00:00.000Z");
    app
}

fn env_of(json: &str, ports: &[Option<u16>], prefix: Option<&str>) -> BTreeMap<String, String> {
    let ctx = TaskContext {
        task_id: "web.instance-u._app.1",
        host: "agent-1",
        host_ports: ports,
        env_prefix: prefix,
    };
    task_env(&app(json), &ctx)
}

fn pairs(env: &BTreeMap<String, String>) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[test]
fn host_networking_env_is_exactly_marathons() {
    let env = env_of(
        r#"{"id":"/prod/web","cmd":"x","cpus":0.5,"mem":64,"portDefinitions":[{"port":10000,"name":"http"},{"port":0}],
            "labels":{"owner":"ops"},"env":{"FOO":"bar"}}"#,
        &[Some(31000), Some(31001)],
        None,
    );
    assert_eq!(
        pairs(&env),
        [
            ("FOO", "bar"),
            ("HOST", "agent-1"),
            ("MARATHON_APP_ID", "/prod/web"),
            ("MARATHON_APP_LABELS", "OWNER"),
            ("MARATHON_APP_LABEL_OWNER", "ops"),
            ("MARATHON_APP_RESOURCE_CPUS", "0.5"),
            ("MARATHON_APP_RESOURCE_DISK", "0.0"),
            ("MARATHON_APP_RESOURCE_GPUS", "0"),
            ("MARATHON_APP_RESOURCE_MEM", "64.0"),
            ("MARATHON_APP_VERSION", "2024-05-01T10:00:00.000Z"),
            ("MESOS_TASK_ID", "web.instance-u._app.1"),
            ("PORT", "31000"),
            ("PORT0", "31000"),
            ("PORT1", "31001"),
            ("PORTS", "31000,31001"),
            ("PORT_10000", "31000"),
            ("PORT_HTTP", "31000"),
        ]
    );
}

#[test]
fn bridge_mappings_key_ports_by_container_port_and_set_the_image() {
    let env = env_of(
        r#"{"id":"/web","networks":[{"mode":"container/bridge"}],
            "container":{"type":"DOCKER","docker":{"image":"nginx:1.25"},
            "portMappings":[{"containerPort":80,"hostPort":0,"name":"web"},{"containerPort":0,"hostPort":0}]}}"#,
        &[Some(31005), Some(31006)],
        None,
    );
    let get = |k: &str| env.get(k).map(String::as_str);
    let cases = [
        ("MARATHON_APP_DOCKER_IMAGE", Some("nginx:1.25")),
        ("PORT0", Some("31005")),
        ("PORT1", Some("31006")),
        ("PORT_80", Some("31005")),
        ("PORT_WEB", Some("31005")),
        ("PORT_0", None),
        ("PORTS", Some("31005,31006")),
        ("PORT", Some("31005")),
    ];
    for (key, want) in cases {
        assert_eq!(get(key), want, "{key}");
    }
}

#[test]
fn user_env_overrides_and_prefix_applies_to_ports_and_host_only() {
    let env = env_of(
        r#"{"id":"/a","cmd":"x","portDefinitions":[{"port":0}],"env":{"MARATHON_APP_ID":"mine","SECRET":{"secret":"s"}},
            "secrets":{"s":{"source":"db"}}}"#,
        &[Some(31000)],
        Some("DROMOS_"),
    );
    assert_eq!(env.get("MARATHON_APP_ID").map(String::as_str), Some("mine"));
    assert_eq!(env.get("DROMOS_PORT0").map(String::as_str), Some("31000"));
    assert_eq!(env.get("DROMOS_HOST").map(String::as_str), Some("agent-1"));
    assert!(!env.contains_key("PORT0"));
    assert!(!env.contains_key("SECRET"), "secret references are not resolved");
}

#[test]
fn no_ports_means_no_port_variables() {
    let env = env_of(r#"{"id":"/a","cmd":"x","portDefinitions":[]}"#, &[], None);
    assert!(env.keys().all(|k| !k.starts_with("PORT")), "{env:?}");
    assert_eq!(env.get("MARATHON_APP_LABELS").map(String::as_str), Some(""));
}

#[test]
fn labels_are_sanitised_and_long_ones_dropped() {
    let labels: BTreeMap<String, String> =
        [("com.example/team-name", "core"), ("ok_1", "v"), ("long", &"x".repeat(512))]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
    let env = labels_env(&labels);
    assert_eq!(
        pairs(&env),
        [
            ("MARATHON_APP_LABELS", "COM_EXAMPLE_TEAM_NAME OK_1"),
            ("MARATHON_APP_LABEL_COM_EXAMPLE_TEAM_NAME", "core"),
            ("MARATHON_APP_LABEL_OK_1", "v"),
        ]
    );
}

#[test]
fn doubles_print_like_java() {
    for (value, want) in [(1.0, "1.0"), (128.0, "128.0"), (0.25, "0.25"), (0.1, "0.1"), (1.5, "1.5")] {
        assert_eq!(scala_double(value), want);
    }
}
