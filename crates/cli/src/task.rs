//! `dromos task`: list tasks (all, or one app's), kill them, show their
//! output (`task log`, see [`crate::task_log`]).
//!
//! Requests: `GET /v2/tasks`, `GET /v2/apps/{id}/tasks`,
//! `POST /v2/tasks/delete[?scale=true|wipe=true]` with `{"ids": [...]}`.

use clap::Subcommand;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::client::{decode, Client};
use crate::error::CliError;
use crate::output::Output;
use crate::table::Table;
use crate::task_log::{self, LogArgs};

/// Subcommands of `dromos task`.
#[derive(Debug, Clone, Subcommand)]
pub enum TaskCmd {
    /// List running and staging tasks.
    List {
        /// Only the tasks of this app.
        #[arg(long, value_name = "APP_ID")]
        app: Option<String>,
    },
    /// Kill tasks by id; their apps start replacements unless --scale is given.
    Kill {
        /// Ids of the tasks to kill.
        #[arg(required = true, value_name = "TASK_ID")]
        ids: Vec<String>,
        /// Also lower each app's instance count, so no replacement starts.
        #[arg(long, conflicts_with = "wipe")]
        scale: bool,
        /// Also destroy the tasks' reservations and persistent volumes.
        #[arg(long)]
        wipe: bool,
    },
    /// Print a task's output (stdout, or stderr), optionally following it.
    Log(LogArgs),
}

/// One health check result; only liveness matters for the HEALTH column.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct HealthResult {
    pub alive: bool,
}

/// The fields of a Marathon `Task` that the CLI shows.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TaskInfo {
    pub id: String,
    pub app_id: String,
    pub host: String,
    pub ports: Vec<u64>,
    pub state: String,
    pub health_check_results: Vec<HealthResult>,
    pub started_at: Option<String>,
}

impl TaskInfo {
    /// `healthy` when every check is alive, `unhealthy` when one is not,
    /// `-` when the task has no check results (no checks, or none yet).
    pub fn health(&self) -> &'static str {
        if self.health_check_results.is_empty() {
            "-"
        } else if self.health_check_results.iter().all(|r| r.alive) {
            "healthy"
        } else {
            "unhealthy"
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TaskList {
    tasks: Vec<TaskInfo>,
}

/// The task table shared by `task list` and `app show`.
pub fn task_table(tasks: &[TaskInfo]) -> Table {
    let mut table = Table::new(["ID", "APP", "HOST", "PORTS", "STATE", "HEALTH", "STARTED"]);
    for task in tasks {
        let ports: Vec<String> = task.ports.iter().map(u64::to_string).collect();
        table.row([
            or_dash(&task.id),
            or_dash(&task.app_id),
            or_dash(&task.host),
            or_dash(&ports.join(",")),
            or_dash(task.state.strip_prefix("TASK_").unwrap_or(&task.state)),
            task.health().to_owned(),
            or_dash(task.started_at.as_deref().unwrap_or_default()),
        ]);
    }
    table
}

/// Decodes `{"tasks": [...]}`.
pub fn decode_tasks(body: Value, what: &str) -> Result<Vec<TaskInfo>, CliError> {
    Ok(decode::<TaskList>(body, what)?.tasks)
}

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text.to_owned()
    }
}

/// Runs one `dromos task` subcommand.
pub async fn run(cmd: TaskCmd, client: &Client, out: &mut Output<'_>) -> Result<(), CliError> {
    match cmd {
        TaskCmd::List { app } => {
            let body = match &app {
                Some(id) => client.get(&["v2/apps", id, "tasks"], &[]).await?,
                None => client.get(&["v2/tasks"], &[]).await?,
            };
            if out.is_json() {
                return out.json(&body);
            }
            let tasks = decode_tasks(body, "the task list")?;
            out.text(&task_table(&tasks).render())
        }
        TaskCmd::Kill { ids, scale, wipe } => {
            let mut query = Vec::new();
            if scale {
                query.push(("scale", "true"));
            }
            if wipe {
                query.push(("wipe", "true"));
            }
            let url = client.url(&["v2/tasks/delete"], &query);
            let response = client.send(Method::POST, url, Some(&json!({ "ids": ids }))).await?;
            if out.is_json() || response.body.get("deploymentId").is_some() {
                let headline = format!("Killing {} and scaling down.", count(ids.len()));
                return out.mutation(&headline, &response);
            }
            let killed = decode_tasks(response.body, "the killed tasks")?;
            let lines: String = killed.iter().map(|t| format!("Killing task {}\n", t.id)).collect();
            out.text(&lines)
        }
        TaskCmd::Log(args) => task_log::run(args, client, out).await,
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 task".to_owned()
    } else {
        format!("{n} tasks")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{decode_tasks, task_table};

    #[test]
    fn task_rows_show_health_ports_and_short_state() {
        let body = json!({"tasks": [
            {"id": "web.instance-1._app.1", "appId": "/web", "host": "h1", "ports": [31000, 31001],
             "state": "TASK_RUNNING", "startedAt": "2024-01-01T00:00:00.000Z",
             "healthCheckResults": [{"alive": true}, {"alive": true}]},
            {"id": "web.instance-2._app.1", "appId": "/web", "host": "h2", "ports": [],
             "state": "TASK_RUNNING", "healthCheckResults": [{"alive": true}, {"alive": false}]},
            {"id": "odd"}
        ]});
        let tasks = decode_tasks(body, "test").expect("well-formed task list");
        assert_eq!(
            task_table(&tasks).render(),
            "ID                     APP   HOST  PORTS        STATE    HEALTH     STARTED\n\
             web.instance-1._app.1  /web  h1    31000,31001  RUNNING  healthy    2024-01-01T00:00:00.000Z\n\
             web.instance-2._app.1  /web  h2    -            RUNNING  unhealthy  -\n\
             odd                    -     -     -            -        -          -\n"
        );
    }

    #[test]
    fn wrongly_typed_fields_are_an_error_not_a_panic() {
        let error =
            decode_tasks(json!({"tasks": [{"ports": "31000"}]}), "the task list").expect_err("bad shape");
        assert_eq!(error.exit_code(), 1);
    }
}
