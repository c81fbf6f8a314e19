//! `dromos app`: list, inspect, create, change, scale, restart and remove apps.
//!
//! Requests (Marathon `/v2/apps`): `GET /v2/apps`, `GET /v2/apps/{id}`,
//! `POST /v2/apps`, `PUT /v2/apps/{id}`, `DELETE /v2/apps/{id}?force=…`,
//! `PUT /v2/apps/{id}` with `{"instances": n}` (partial update),
//! `POST /v2/apps/{id}/restart`, `GET /v2/apps/{id}/versions`.
//! `force=true` is sent only when `--force` is given, except on remove: there
//! Marathon defaults `force` to true, so the CLI always sends it explicitly and
//! a plain `remove` does not silently cancel a running deployment.

use std::path::PathBuf;

use clap::Subcommand;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::client::{decode, Client};
use crate::error::CliError;
use crate::input::read_definition;
use crate::output::Output;
use crate::status::AppSummary;
use crate::table::{amount, Table};
use crate::task::{task_table, TaskInfo};

/// Subcommands of `dromos app`.
#[derive(Debug, Clone, Subcommand)]
pub enum AppCmd {
    /// List apps with instances, resources and status.
    List,
    /// Show one app: resources, status, deployments, last failure and tasks.
    Show { id: String },
    /// Create an app from a JSON definition.
    Add {
        /// App definition file, or `-` for stdin.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Change an app's definition (creates it when missing).
    Update {
        id: String,
        /// App definition file (all or some fields), or `-` for stdin.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Cancel a deployment that holds the app.
        #[arg(long)]
        force: bool,
    },
    /// Stop all instances and remove the app.
    Remove {
        id: String,
        /// Cancel a deployment that holds the app.
        #[arg(long)]
        force: bool,
    },
    /// Set the number of instances.
    Scale {
        id: String,
        instances: u32,
        /// Cancel a deployment that holds the app.
        #[arg(long)]
        force: bool,
    },
    /// Replace every instance with a fresh one, rolling.
    Restart {
        id: String,
        /// Cancel a deployment that holds the app.
        #[arg(long)]
        force: bool,
    },
    /// List the stored versions of an app, newest first.
    Versions { id: String },
}

/// The extra fields `app show` needs beyond [`AppSummary`].
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct AppDetail {
    #[serde(flatten)]
    summary: AppSummary,
    cmd: Option<String>,
    container: Option<Value>,
    tasks: Vec<TaskInfo>,
    last_task_failure: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AppList {
    apps: Vec<AppSummary>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AppEnvelope {
    app: AppDetail,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct VersionList {
    versions: Vec<String>,
}

/// `force=true` when forced, no query otherwise.
fn force_query(force: bool) -> Vec<(&'static str, &'static str)> {
    if force {
        vec![("force", "true")]
    } else {
        vec![]
    }
}

/// Runs one `dromos app` subcommand.
pub async fn run(cmd: AppCmd, client: &Client, out: &mut Output<'_>) -> Result<(), CliError> {
    match cmd {
        AppCmd::List => list(client, out).await,
        AppCmd::Show { id } => show(client, out, &id).await,
        AppCmd::Add { file } => {
            let definition = read_definition(&file)?;
            let url = client.url(&["v2/apps"], &[]);
            let response = client.send(Method::POST, url, Some(&definition)).await?;
            let id = response.body.get("id").or_else(|| definition.get("id"));
            let id = id.and_then(Value::as_str).unwrap_or("(no id)");
            out.mutation(&format!("Created app {id}."), &response)
        }
        AppCmd::Update { id, file, force } => {
            let definition = read_definition(&file)?;
            let url = client.url(&["v2/apps", &id], &force_query(force));
            let response = client.send(Method::PUT, url, Some(&definition)).await?;
            let verb = if response.status == 201 { "Created" } else { "Updating" };
            out.mutation(&format!("{verb} app {id}."), &response)
        }
        AppCmd::Remove { id, force } => {
            let force = if force { "true" } else { "false" };
            let url = client.url(&["v2/apps", &id], &[("force", force)]);
            let response = client.send(Method::DELETE, url, None).await?;
            out.mutation(&format!("Removing app {id}."), &response)
        }
        AppCmd::Scale { id, instances, force } => {
            let url = client.url(&["v2/apps", &id], &force_query(force));
            let body = json!({ "instances": instances });
            let response = client.send(Method::PUT, url, Some(&body)).await?;
            out.mutation(&format!("Scaling app {id} to {instances} instances."), &response)
        }
        AppCmd::Restart { id, force } => {
            let url = client.url(&["v2/apps", &id, "restart"], &force_query(force));
            let response = client.send(Method::POST, url, None).await?;
            out.mutation(&format!("Restarting app {id}."), &response)
        }
        AppCmd::Versions { id } => {
            let body = client.get(&["v2/apps", &id, "versions"], &[]).await?;
            if out.is_json() {
                return out.json(&body);
            }
            let versions = decode::<VersionList>(body, "the version list")?.versions;
            out.text(&versions.iter().map(|v| format!("{v}\n")).collect::<String>())
        }
    }
}

async fn list(client: &Client, out: &mut Output<'_>) -> Result<(), CliError> {
    let query = [("embed", "apps.counts"), ("embed", "apps.deployments")];
    let body = client.get(&["v2/apps"], &query).await?;
    if out.is_json() {
        return out.json(&body);
    }
    let apps = decode::<AppList>(body, "the app list")?.apps;
    out.text(&app_table(&apps).render())
}

/// The `app list` table.
fn app_table(apps: &[AppSummary]) -> Table {
    let mut table = Table::new(["ID", "INSTANCES", "CPUS", "MEM", "STATUS", "VERSION"]);
    for app in apps {
        table.row([
            app.id.clone(),
            app.instances_cell(),
            amount(app.cpus),
            amount(app.mem),
            app.status().to_string(),
            app.version.clone(),
        ]);
    }
    table
}

async fn show(client: &Client, out: &mut Output<'_>, id: &str) -> Result<(), CliError> {
    let query = [
        ("embed", "app.counts"),
        ("embed", "app.deployments"),
        ("embed", "app.tasks"),
        ("embed", "app.lastTaskFailure"),
    ];
    let body = client.get(&["v2/apps", id], &query).await?;
    if out.is_json() {
        return out.json(&body);
    }
    let app = decode::<AppEnvelope>(body, "the app")?.app;
    out.text(&render_detail(&app))
}

/// `app show`: a key/value block, then the task table.
fn render_detail(app: &AppDetail) -> String {
    let s = &app.summary;
    let mut fields = Table::headless();
    fields.row(["ID", s.id.as_str()]);
    fields.row(["STATUS".to_owned(), s.status().to_string()]);
    fields.row([
        "INSTANCES".to_owned(),
        format!(
            "{} running ({} healthy, {} unhealthy, {} staged)",
            s.instances_cell(),
            s.tasks_healthy,
            s.tasks_unhealthy,
            s.tasks_staged
        ),
    ]);
    fields.row([
        "RESOURCES".to_owned(),
        format!("cpus {}, mem {} MiB, disk {} MiB", amount(s.cpus), amount(s.mem), amount(s.disk)),
    ]);
    if let Some(cmd) = &app.cmd {
        fields.row(["CMD", cmd.as_str()]);
    }
    let image = app.container.as_ref().and_then(|c| c.pointer("/docker/image")).and_then(Value::as_str);
    if let Some(image) = image {
        fields.row(["IMAGE", image]);
    }
    fields.row(["VERSION", s.version.as_str()]);
    let deployments: Vec<&str> = s.deployments.iter().map(|d| d.id.as_str()).collect();
    if !deployments.is_empty() {
        fields.row(["DEPLOYMENTS".to_owned(), deployments.join(", ")]);
    }
    if let Some(failure) = app.last_task_failure.as_ref().filter(|f| f.is_object()) {
        fields.row(["LAST FAILURE".to_owned(), failure_line(failure)]);
    }
    let mut text = fields.render();
    text.push('\n');
    text.push_str(&task_table(&app.tasks).render());
    text
}

/// `TASK_FAILED on host at time: message`, tolerating missing fields.
fn failure_line(failure: &Value) -> String {
    let field = |name: &str| failure.get(name).and_then(Value::as_str).unwrap_or("?").to_owned();
    format!("{} on {} at {}: {}", field("state"), field("host"), field("timestamp"), field("message"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{app_table, render_detail, AppEnvelope, AppList};
    use crate::client::decode;

    #[test]
    fn app_table_shows_counts_resources_and_status() {
        let body = json!({"apps": [
            {"id": "/prod/web", "instances": 3, "cpus": 0.5, "mem": 256.0, "tasksRunning": 3,
             "deployments": [], "version": "2024-01-01T00:00:00.000Z"},
            {"id": "/db", "instances": 1, "cpus": 1, "mem": 1024, "tasksRunning": 0,
             "deployments": [{"id": "d1"}], "version": "v2"},
            {"id": "/idle", "instances": 0},
            {"id": "/starved", "instances": 2, "tasksRunning": 1}
        ]});
        let apps = decode::<AppList>(body, "test").expect("well-formed").apps;
        assert_eq!(
            app_table(&apps).render(),
            "ID         INSTANCES  CPUS  MEM   STATUS     VERSION\n\
             /prod/web  3/3        0.5   256   Running    2024-01-01T00:00:00.000Z\n\
             /db        0/1        1     1024  Deploying  v2\n\
             /idle      0/0        0     0     Suspended\n\
             /starved   1/2        0     0     Waiting\n"
        );
    }

    #[test]
    fn detail_shows_image_deployments_failure_and_tasks() {
        let body = json!({"app": {
            "id": "/web", "instances": 2, "cpus": 0.1, "mem": 64, "disk": 0, "tasksRunning": 1,
            "tasksHealthy": 1, "tasksStaged": 1, "version": "v1",
            "container": {"type": "DOCKER", "docker": {"image": "nginx:1.25"}},
            "deployments": [{"id": "d1"}],
            "lastTaskFailure": {"state": "TASK_FAILED", "host": "h1", "timestamp": "t1", "message": "exit 1"},
            "tasks": [{"id": "web.1", "appId": "/web", "host": "h1", "state": "TASK_RUNNING"}]
        }});
        let app = decode::<AppEnvelope>(body, "test").expect("well-formed").app;
        assert_eq!(
            render_detail(&app),
            "ID            /web\n\
             STATUS        Deploying\n\
             INSTANCES     1/2 running (1 healthy, 0 unhealthy, 1 staged)\n\
             RESOURCES     cpus 0.1, mem 64 MiB, disk 0 MiB\n\
             IMAGE         nginx:1.25\n\
             VERSION       v1\n\
             DEPLOYMENTS   d1\n\
             LAST FAILURE  TASK_FAILED on h1 at t1: exit 1\n\
             \n\
             ID     APP   HOST  PORTS  STATE    HEALTH  STARTED\n\
             web.1  /web  h1    -      RUNNING  -       -\n"
        );
    }
}
