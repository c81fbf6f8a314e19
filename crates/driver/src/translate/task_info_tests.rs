//! Tests of `TaskInfo` building.

use std::sync::Arc;

use dromos_mesos::v1;
use dromos_model::{parse_app, AppDefinition, Timestamp};
use dromos_scheduler::{AgentInfo, Launch, OfferedAmount, OfferedResource, PortRange, ScalarKind};
use serde_json::json;

use super::{hostname_name, to_task_info, TaskSource};

fn app(json: &str) -> AppDefinition {
    let mut app = parse_app(json.as_bytes()).expect("valid app");
    app.version = Timestamp::parse("2024-05-01T10:00:00.000Z");
    app
}

fn offer() -> v1::Offer {
    serde_json::from_value(json!({
        "id": {"value": "O1"}, "framework_id": {"value": "F"}, "agent_id": {"value": "S1"}, "hostname": "agent-1",
        "resources": [
            {"name": "cpus", "type": "SCALAR", "scalar": {"value": 4.0}, "allocation_info": {"role": "*"}},
            {"name": "mem", "type": "SCALAR", "scalar": {"value": 1024.0}, "allocation_info": {"role": "*"}},
            {"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": 31000, "end": 31009}]}, "allocation_info": {"role": "*"}}
        ]
    }))
    .expect("offer json")
}

fn launch(ports: Vec<Option<u16>>) -> Launch {
    let mut resources = vec![
        OfferedResource { role: "*".into(), amount: OfferedAmount::Scalar(ScalarKind::Cpus, 0.5) },
        OfferedResource { role: "*".into(), amount: OfferedAmount::Scalar(ScalarKind::Mem, 64.0) },
    ];
    let ranges: Vec<PortRange> = ports.iter().flatten().map(|p| PortRange::new(*p, *p)).collect();
    if !ranges.is_empty() {
        resources.push(OfferedResource { role: "*".into(), amount: OfferedAmount::Ports(ranges) });
    }
    Launch {
        offer_id: "O1".into(),
        agent: Arc::new(AgentInfo::new("S1", "agent-1")),
        run_spec_id: "/prod/web".into(),
        run_spec_version: "2024-05-01T10:00:00.000Z".into(),
        host_ports: ports,
        resources,
    }
}

fn build(app: &AppDefinition, launch: &Launch) -> v1::TaskInfo {
    let offer = offer();
    let src =
        TaskSource { app, launch, offer: &offer, task_id: "prod_web.instance-u._app.1", env_prefix: None };
    to_task_info(&src).expect("task builds")
}

fn env(task: &v1::TaskInfo, name: &str) -> Option<String> {
    let vars = &task.command.as_ref()?.environment.as_ref()?.variables;
    vars.iter().find(|v| v.name == name).and_then(|v| v.value.clone())
}

#[test]
fn shell_command_task_has_name_resources_env_labels_and_kill_policy() {
    let app =
        app(r#"{"id":"/prod/web","cmd":"python -m http.server $PORT0","cpus":0.5,"mem":64,"user":"nobody",
            "labels":{"team":"core"},"taskKillGracePeriodSeconds":7,
            "fetch":[{"uri":"http://x/a.tgz"}]}"#);
    let task = build(&app, &launch(vec![Some(31000)]));
    assert_eq!(task.name, "web.prod");
    assert_eq!(task.task_id.value, "prod_web.instance-u._app.1");
    assert_eq!(task.agent_id.value, "S1");
    let command = task.command.as_ref().expect("command");
    assert_eq!(command.value.as_deref(), Some("python -m http.server $PORT0"));
    assert_eq!(command.shell, None, "Mesos' default is the shell");
    assert_eq!(command.user.as_deref(), Some("nobody"));
    assert_eq!(command.uris[0].value, "http://x/a.tgz");
    let amounts: Vec<(&str, f64)> =
        task.resources.iter().map(|r| (r.name.as_str(), r.scalar_value())).collect();
    assert_eq!(amounts, [("cpus", 0.5), ("mem", 64.0), ("ports", 0.0)]);
    assert!(task.resources.iter().all(|r| r.allocation_info.is_some()), "allocation info is kept");
    assert_eq!(env(&task, "PORT0").as_deref(), Some("31000"));
    assert_eq!(env(&task, "MESOS_TASK_ID").as_deref(), Some("prod_web.instance-u._app.1"));
    assert_eq!(env(&task, "MARATHON_APP_LABEL_TEAM").as_deref(), Some("core"));
    assert_eq!(task.labels.as_ref().expect("labels").labels[0].key, "team");
    let grace = task.kill_policy.and_then(|k| k.grace_period).expect("grace");
    assert_eq!(grace.nanoseconds, 7_000_000_000);
    let ports = task.discovery.as_ref().and_then(|d| d.ports.as_ref()).expect("ports");
    assert_eq!((ports.ports[0].number, ports.ports[0].name.as_deref()), (31000, Some("default")));
    assert!(task.container.is_none());
}

#[test]
fn args_run_without_shell() {
    let cases = [
        (r#"{"id":"/prod/web","args":["sleep","30"],"portDefinitions":[]}"#, Some("sleep")),
        (
            r#"{"id":"/prod/web","args":["--port","80"],"container":{"type":"DOCKER","docker":{"image":"x"}},"portDefinitions":[]}"#,
            None,
        ),
    ];
    for (json, value) in cases {
        let task = build(&app(json), &launch(vec![]));
        let command = task.command.expect("command");
        assert_eq!(command.shell, Some(false), "{json}");
        assert_eq!(command.value.as_deref(), value, "{json}");
        assert_eq!(command.arguments.len(), 2, "{json}");
    }
}

#[test]
fn docker_bridge_task_maps_host_ports_to_container_ports() {
    let app = app(r#"{"id":"/prod/web","networks":[{"mode":"container/bridge"}],
            "container":{"type":"DOCKER","docker":{"image":"nginx:1.25","privileged":true,
              "parameters":[{"key":"label","value":"a=b"}]},
              "portMappings":[{"containerPort":80,"hostPort":0,"name":"http"},{"containerPort":0,"hostPort":0,"protocol":"udp,tcp"}]}}"#);
    let task = build(&app, &launch(vec![Some(31000), Some(31001)]));
    let container = task.container.as_ref().expect("container");
    assert_eq!(container.kind, v1::ContainerType::Docker);
    let docker = container.docker.as_ref().expect("docker");
    assert_eq!(docker.image, "nginx:1.25");
    assert_eq!(docker.network, Some(v1::DockerNetwork::Bridge));
    assert_eq!(docker.privileged, Some(true));
    assert_eq!(docker.parameters[0].key, "label");
    let mappings: Vec<(u32, u32, Option<&str>)> =
        docker.port_mappings.iter().map(|m| (m.host_port, m.container_port, m.protocol.as_deref())).collect();
    assert_eq!(
        mappings,
        [(31000, 80, Some("tcp")), (31001, 31001, Some("udp")), (31001, 31001, Some("tcp"))]
    );
    assert_eq!(env(&task, "PORT_80").as_deref(), Some("31000"));
    assert_eq!(env(&task, "MARATHON_APP_DOCKER_IMAGE").as_deref(), Some("nginx:1.25"));
    assert_eq!(task.command.as_ref().and_then(|c| c.shell), Some(false), "keeps the image's CMD");
}

#[test]
fn agent_side_checks_become_the_mesos_health_check() {
    let app = app(r#"{"id":"/prod/web","cmd":"x","healthChecks":[
            {"protocol":"MESOS_HTTP","path":"/health","portIndex":0,"intervalSeconds":5,"maxConsecutiveFailures":2}]}"#);
    let task = build(&app, &launch(vec![Some(31000)]));
    let check = task.health_check.expect("mesos check");
    assert_eq!(check.kind, v1::HealthCheckType::Http);
    let http = check.http.expect("http");
    assert_eq!((http.port, http.path.as_deref()), (31000, Some("/health")));
    assert_eq!((check.interval_seconds, check.consecutive_failures), (Some(5.0), Some(2)));
}

#[test]
fn command_checks_travel_in_the_task_for_the_executor_to_run() {
    let app = app(r#"{"id":"/prod/web","cmd":"x","healthChecks":[
            {"protocol":"COMMAND","command":{"value":"curl -f localhost:$PORT0/health"},
             "intervalSeconds":7,"timeoutSeconds":3,"gracePeriodSeconds":30,"maxConsecutiveFailures":4}]}"#);
    let task = build(&app, &launch(vec![Some(31000)]));
    let wire = serde_json::to_value(&task).unwrap_or_default();
    assert_eq!(wire["health_check"]["type"], "COMMAND", "{wire}");
    let check = task.health_check.expect("the executor's check");
    assert_eq!(check.kind, v1::HealthCheckType::Command);
    assert!(check.http.is_none() && check.tcp.is_none());
    let command = check.command.expect("command");
    assert_eq!(command.value.as_deref(), Some("curl -f localhost:$PORT0/health"));
    assert_ne!(command.shell, Some(false), "run through the shell (the Mesos default)");
    assert_eq!(
        (
            check.interval_seconds,
            check.timeout_seconds,
            check.grace_period_seconds,
            check.consecutive_failures
        ),
        (Some(7.0), Some(3.0), Some(30.0), Some(4))
    );
}

#[test]
fn a_launch_with_the_wrong_number_of_ports_is_refused() {
    let app = app(r#"{"id":"/prod/web","cmd":"x"}"#);
    let offer = offer();
    let launch = launch(vec![]);
    let src = TaskSource { app: &app, launch: &launch, offer: &offer, task_id: "t", env_prefix: None };
    assert!(to_task_info(&src).is_err());
}

#[test]
fn hostname_names_reverse_the_path() {
    for (id, want) in [("/web", "web"), ("/prod/api/web", "web.api.prod")] {
        assert_eq!(hostname_name(id), want);
    }
}
