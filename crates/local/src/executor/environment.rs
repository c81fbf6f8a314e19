//! The environment a task starts with.
//!
//! Mesos' agent sets the `MESOS_*` variables (framework, executor, sandbox
//! directories, allocation role). Mesos itself never sets `MESOS_TASK_ID`,
//! `HOST` or `PORT*`; Marathon puts them into CommandInfo. The local agent
//! provides them as defaults (from the agent's hostname and the task's port
//! resources) so that bare tasks behave as under Marathon; CommandInfo's own
//! variables always win.

use std::collections::BTreeMap;

use super::LaunchSpec;

/// At most this many ports become `PORT<n>` variables.
const MAX_PORT_VARIABLES: usize = 1000;

/// Variables for `spec`, where the task sees its sandbox at `sandbox_seen`
/// (the host path for processes, the mount point inside a container).
pub(crate) fn task_environment(spec: &LaunchSpec, sandbox_seen: &str) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    let task_id = spec.task.task_id.as_str();
    let mut set = |k: &str, v: String| {
        env.insert(k.to_owned(), v);
    };
    set("MESOS_FRAMEWORK_ID", spec.framework_id.as_str().to_owned());
    set("MESOS_EXECUTOR_ID", task_id.to_owned());
    set("MESOS_TASK_ID", task_id.to_owned());
    set("MESOS_AGENT_ID", spec.agent_id.as_str().to_owned());
    set("MESOS_SLAVE_ID", spec.agent_id.as_str().to_owned());
    set("MESOS_DIRECTORY", spec.sandbox.display().to_string());
    set("MESOS_SANDBOX", sandbox_seen.to_owned());
    set("MESOS_ALLOCATION_ROLE", spec.role.clone());
    set("HOST", spec.hostname.clone());
    let ports = spec.resources.ports(MAX_PORT_VARIABLES);
    for (index, port) in ports.iter().enumerate() {
        set(&format!("PORT{index}"), port.to_string());
    }
    if let Some(first) = ports.first() {
        set("PORT", first.to_string());
        set("PORTS", ports.iter().map(u64::to_string).collect::<Vec<_>>().join(","));
    }
    let variables =
        spec.task.command.as_ref().and_then(|c| c.environment.as_ref()).map(|e| e.variables.as_slice());
    for variable in variables.unwrap_or_default() {
        env.insert(variable.name.clone(), variable.value.clone().unwrap_or_default());
    }
    env
}

#[cfg(test)]
mod tests {
    use dromos_mesos::v1::{AgentId, CommandInfo, Environment, FrameworkId, TaskId, TaskInfo};

    use super::task_environment;
    use crate::executor::LaunchSpec;
    use crate::resources::Resources;

    fn spec(ports: &[(u64, u64)], env: &[(&str, &str)]) -> LaunchSpec {
        let mut command = CommandInfo::shell("true");
        command.environment = Some(Environment::from_pairs(env.iter().copied()));
        let mut resources = Resources::default();
        resources.add_ranges("ports", ports.iter().copied());
        LaunchSpec {
            framework_id: FrameworkId::new("F"),
            agent_id: AgentId::new("M-S0"),
            hostname: "box".to_owned(),
            task: TaskInfo::command("t", TaskId::new("t.1"), AgentId::new("M-S0"), command),
            sandbox: "/data/sandboxes/M-S0/F/t.1".into(),
            resources,
            role: "*".to_owned(),
            checkpoints: None,
            simulated: false,
        }
    }

    #[test]
    fn ports_become_port_variables_in_order() {
        let env = task_environment(&spec(&[(31000, 31001), (31005, 31005)], &[]), "/sb");
        let get = |k: &str| env.get(k).map(String::as_str);
        assert_eq!(get("PORT0"), Some("31000"));
        assert_eq!(get("PORT2"), Some("31005"));
        assert_eq!(get("PORT"), Some("31000"));
        assert_eq!(get("PORTS"), Some("31000,31001,31005"));
        assert_eq!(get("HOST"), Some("box"));
        assert_eq!(get("MESOS_TASK_ID"), Some("t.1"));
        assert_eq!(get("MESOS_SANDBOX"), Some("/sb"));
    }

    #[test]
    fn command_environment_overrides_the_defaults() {
        let env = task_environment(&spec(&[(31000, 31000)], &[("PORT0", "8080"), ("APP", "x")]), "/sb");
        assert_eq!(env.get("PORT0").map(String::as_str), Some("8080"));
        assert_eq!(env.get("APP").map(String::as_str), Some("x"));
    }

    #[test]
    fn tasks_without_ports_get_no_port_variables() {
        let env = task_environment(&spec(&[], &[]), "/sb");
        assert!(!env.contains_key("PORT0") && !env.contains_key("PORTS"));
    }
}
