//! Marathon's response shapes: `AppInfo` with its embeds, `GroupInfo`, the
//! deployment result with its header, task lists (JSON and text).

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::service::apps::AppStatus;
use crate::service::groups::GroupStatus;
use crate::service::instances::{ReadinessRecord, TaskRecord};
use crate::service::ports::service_ports;
use crate::service::task_stats;
use crate::service::DeploymentResult;

/// Marathon's deployment header.
pub const DEPLOYMENT_HEADER: HeaderName = HeaderName::from_static("marathon-deployment-id");

/// What to add to an app (`embed=apps.*` / `app.*` / `group.apps.*`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppEmbed {
    /// `tasksStaged/Running/Healthy/Unhealthy`.
    pub counts: bool,
    /// `deployments: [{id}]`.
    pub deployments: bool,
    /// `tasks: [...]`.
    pub tasks: bool,
    /// `readinessCheckResults`: the latest readiness verdict of each
    /// instance a deployment waits for.
    pub readiness: bool,
    /// `lastTaskFailure`, when the app has one.
    pub last_task_failure: bool,
    /// `taskStats`.
    pub task_stats: bool,
}

impl AppEmbed {
    /// Counts and deployments: what Marathon's code always adds to lists.
    pub fn list_default() -> Self {
        AppEmbed { counts: true, deployments: true, ..AppEmbed::default() }
    }

    /// What Marathon's code always adds to `GET /v2/apps/{id}`: counts,
    /// deployments, tasks and the last task failure.
    pub fn single_default() -> Self {
        AppEmbed { tasks: true, last_task_failure: true, ..AppEmbed::list_default() }
    }

    /// Adds what `values` (already stripped of their `apps.`-like prefix) ask
    /// for; unknown values are ignored, as Marathon does.
    pub fn with(mut self, values: &[&str]) -> Self {
        for v in values {
            match *v {
                "tasks" => self.tasks = true,
                // Marathon's deprecated shorthand for both.
                "failures" => {
                    self.tasks = true;
                    self.last_task_failure = true;
                }
                "counts" => self.counts = true,
                "deployments" => self.deployments = true,
                "readiness" => self.readiness = true,
                "lastTaskFailure" => self.last_task_failure = true,
                "taskStats" => self.task_stats = true,
                _ => {}
            }
        }
        self
    }
}

/// `AppInfo` JSON.
pub fn app_json(status: &AppStatus, embed: AppEmbed) -> Value {
    let mut obj = match serde_json::to_value(status.app.as_ref()) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    if embed.counts {
        obj.insert("tasksStaged".into(), json!(status.counts.staged));
        obj.insert("tasksRunning".into(), json!(status.counts.running));
        obj.insert("tasksHealthy".into(), json!(status.counts.healthy));
        obj.insert("tasksUnhealthy".into(), json!(status.counts.unhealthy));
    }
    if embed.deployments {
        let ids: Vec<Value> = status.deployments.iter().map(|id| json!({ "id": id })).collect();
        obj.insert("deployments".into(), Value::Array(ids));
    }
    if embed.readiness {
        let results: Vec<&ReadinessRecord> =
            status.tasks.iter().filter_map(|t| t.readiness.as_ref()).collect();
        obj.insert("readinessCheckResults".into(), json!(results));
    }
    if embed.tasks {
        let ports = service_ports(&status.app);
        let tasks: Vec<Value> = status.tasks.iter().map(|t| t.to_json(&ports)).collect();
        obj.insert("tasks".into(), Value::Array(tasks));
    }
    if let Some(failure) = status.last_failure.as_ref().filter(|_| embed.last_task_failure) {
        obj.insert("lastTaskFailure".into(), json!(failure));
    }
    if embed.task_stats {
        let now_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
        obj.insert("taskStats".into(), task_stats::of(&status.app, &status.tasks, now_ms).to_json());
    }
    Value::Object(obj)
}

/// What to include in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupEmbed {
    /// `apps`.
    pub apps: bool,
    /// `groups`.
    pub groups: bool,
    /// `pods` (always empty: pods are not supported).
    pub pods: bool,
    /// What apps carry.
    pub app: AppEmbed,
}

impl GroupEmbed {
    /// From `embed=` values; none given = apps, groups and pods.
    pub fn from_values(values: &[&str]) -> Self {
        if values.is_empty() {
            return GroupEmbed { apps: true, groups: true, pods: true, app: AppEmbed::default() };
        }
        let app_values: Vec<&str> = values.iter().filter_map(|v| v.strip_prefix("group.apps.")).collect();
        GroupEmbed {
            apps: values.iter().any(|v| v.starts_with("group.apps")),
            groups: values.contains(&"group.groups"),
            pods: values.contains(&"group.pods"),
            app: AppEmbed::default().with(&app_values),
        }
    }
}

/// `GroupInfo` JSON.
pub fn group_json(group: &GroupStatus, embed: GroupEmbed) -> Value {
    let mut obj = Map::new();
    obj.insert("id".into(), json!(group.id));
    if embed.apps {
        obj.insert("apps".into(), group.apps.iter().map(|a| app_json(a, embed.app)).collect());
    }
    if embed.groups {
        obj.insert("groups".into(), group.groups.iter().map(|g| group_json(g, embed)).collect());
    }
    if embed.pods {
        obj.insert("pods".into(), json!([]));
    }
    obj.insert("dependencies".into(), json!(group.dependencies));
    obj.insert("version".into(), json!(group.version));
    if let Some(enforce) = group.enforce_role {
        obj.insert("enforceRole".into(), json!(enforce));
    }
    Value::Object(obj)
}

/// `status` + `Marathon-Deployment-Id` + `{"deploymentId","version"}`.
pub fn deployment_response(
    status: StatusCode,
    result: &DeploymentResult,
    location: Option<String>,
) -> Response {
    let mut response = (status, Json(json!(result))).into_response();
    set_deployment_headers(&mut response, &result.deployment_id, location);
    response
}

/// Adds the deployment header (and `Location`) to a response.
pub fn set_deployment_headers(response: &mut Response, deployment_id: &str, location: Option<String>) {
    if let Ok(value) = HeaderValue::from_str(deployment_id) {
        response.headers_mut().insert(DEPLOYMENT_HEADER, value);
    }
    if let Some(value) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, value);
    }
}

/// `{"tasks":[...]}` with each task's service ports.
pub fn tasks_json(tasks: &[(TaskRecord, Vec<i32>)]) -> Value {
    json!({ "tasks": tasks.iter().map(|(t, ports)| t.to_json(ports)).collect::<Vec<_>>() })
}

/// Marathon's text form: per app and service port
/// `app_id<TAB>servicePort<TAB>host:port<TAB>...`; apps without ports get
/// one line with an empty port.
pub fn tasks_text(apps: &[(String, Vec<i32>, Vec<TaskRecord>)]) -> String {
    let mut out = String::new();
    for (id, ports, tasks) in apps {
        let clean = id.trim_start_matches('/').replace('/', "_");
        if ports.is_empty() {
            out.push_str(&format!("{clean}\t \t"));
            for t in tasks {
                out.push_str(&format!("{}\t", t.host));
            }
            out.push('\n');
        }
        for (i, port) in ports.iter().enumerate() {
            out.push_str(&format!("{clean}\t{port}\t"));
            for t in tasks {
                if let Some(p) = t.ports.get(i) {
                    out.push_str(&format!("{}:{p}\t", t.host));
                }
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{AppEmbed, GroupEmbed};

    #[test]
    fn group_embed_defaults_and_app_embeds() {
        let none = GroupEmbed::from_values(&[]);
        assert!(none.apps && none.groups && none.pods);
        let some = GroupEmbed::from_values(&["group.apps", "group.apps.tasks", "group.apps.counts"]);
        assert!(some.apps && !some.groups && !some.pods);
        assert!(some.app.tasks && some.app.counts && !some.app.deployments);
        assert_eq!(AppEmbed::default().with(&["nonsense"]), AppEmbed::default());
        let stats =
            GroupEmbed::from_values(&["group.apps", "group.apps.taskStats", "group.apps.lastTaskFailure"]);
        assert!(stats.app.task_stats && stats.app.last_task_failure && !stats.app.tasks);
    }

    #[test]
    fn failures_is_marathons_shorthand_for_tasks_and_the_last_failure() {
        let embed = AppEmbed::default().with(&["failures"]);
        assert!(embed.tasks && embed.last_task_failure && !embed.task_stats);
        let single = AppEmbed::single_default();
        assert!(single.counts && single.deployments && single.tasks && single.last_task_failure);
        assert!(!single.task_stats && !single.readiness, "only on request");
    }
}
