//! `dromos group`: list, inspect (as a tree), create, change and remove groups.
//!
//! Requests (Marathon `/v2/groups`): `GET /v2/groups`, `GET /v2/groups/{id}`
//! with embedded app counts, `POST /v2/groups`,
//! `PUT /v2/groups/{id}[?force=true][&dryRun=true]`,
//! `DELETE /v2/groups/{id}[?force=true]`.

use std::path::PathBuf;

use clap::Subcommand;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use crate::client::{decode, Client};
use crate::deployment::ActionInfo;
use crate::error::CliError;
use crate::input::read_definition;
use crate::output::Output;
use crate::status::AppSummary;
use crate::table::Table;

/// Subcommands of `dromos group`.
#[derive(Debug, Clone, Subcommand)]
pub enum GroupCmd {
    /// List every group with its number of sub-groups and apps.
    List,
    /// Show a group as a tree of sub-groups and apps with their status.
    Show { id: String },
    /// Create a group (with its apps and sub-groups) from a JSON definition.
    Add {
        /// Group definition file, or `-` for stdin.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Change a group: changed apps restart, new apps start, missing apps stop.
    Update {
        id: String,
        /// Group definition file, or `-` for stdin.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Cancel deployments that hold apps of the group.
        #[arg(long)]
        force: bool,
        /// Only show the deployment steps the change would take.
        #[arg(long)]
        dry_run: bool,
    },
    /// Stop and remove a group with all its apps and sub-groups.
    Remove {
        id: String,
        /// Cancel deployments that hold apps of the group.
        #[arg(long)]
        force: bool,
    },
}

/// A group as nested in `GET /v2/groups`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct GroupTree {
    pub id: String,
    pub apps: Vec<AppSummary>,
    pub groups: Vec<GroupTree>,
    pub version: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DryRunPlan {
    steps: Vec<DryRunStep>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DryRunStep {
    actions: Vec<ActionInfo>,
}

/// `group list`: every group of the tree, depth first, parents before children.
fn group_table(root: &GroupTree) -> Table {
    fn visit(group: &GroupTree, table: &mut Table) {
        table.row([
            group.id.clone(),
            group.groups.len().to_string(),
            group.apps.len().to_string(),
            group.version.clone(),
        ]);
        for child in &group.groups {
            visit(child, table);
        }
    }
    let mut table = Table::new(["ID", "GROUPS", "APPS", "VERSION"]);
    visit(root, &mut table);
    table
}

/// `group show`: the group's subtree, apps before sub-groups, names relative
/// to their parent, sub-groups marked with a trailing `/`.
fn tree_table(root: &GroupTree) -> Table {
    let mut table = Table::new(["ID", "INSTANCES", "STATUS"]);
    table.row([root.id.as_str()]);
    tree_rows(root, "", &mut table);
    table
}

fn tree_rows(group: &GroupTree, prefix: &str, table: &mut Table) {
    let total = group.apps.len() + group.groups.len();
    let mut index = 0;
    let mut branch = |name: String| {
        index += 1;
        let last = index == total;
        let label = format!("{prefix}{}{name}", if last { "└── " } else { "├── " });
        let next_prefix = format!("{prefix}{}", if last { "    " } else { "│   " });
        (label, next_prefix)
    };
    for app in &group.apps {
        let (label, _) = branch(relative_name(&group.id, &app.id));
        table.row([label, app.instances_cell(), app.status().to_string()]);
    }
    for child in &group.groups {
        let (label, next_prefix) = branch(format!("{}/", relative_name(&group.id, &child.id)));
        table.row([label]);
        tree_rows(child, &next_prefix, table);
    }
}

/// `child` without the `parent/` prefix, or unchanged when it is not below `parent`.
fn relative_name(parent: &str, child: &str) -> String {
    let parent = parent.trim_end_matches('/');
    child
        .strip_prefix(parent)
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(child)
        .to_owned()
}

/// The steps of a `dryRun=true` answer, one numbered line per step.
fn render_plan(plan: &DryRunPlan) -> String {
    if plan.steps.is_empty() {
        return "Dry run: nothing would change.\n".to_owned();
    }
    let mut text = format!("Dry run: the change would deploy in {} step(s):\n", plan.steps.len());
    for (number, step) in plan.steps.iter().enumerate() {
        let actions: Vec<String> = step
            .actions
            .iter()
            .map(|a| {
                let target = a.app.as_deref().or(a.pod.as_deref()).unwrap_or_default();
                format!("{} {target}", a.action).trim_end().to_owned()
            })
            .collect();
        text.push_str(&format!("  {}. {}\n", number + 1, actions.join(", ")));
    }
    text
}

/// Runs one `dromos group` subcommand.
pub async fn run(cmd: GroupCmd, client: &Client, out: &mut Output<'_>) -> Result<(), CliError> {
    match cmd {
        GroupCmd::List => {
            let body = client.get(&["v2/groups"], &[]).await?;
            if out.is_json() {
                return out.json(&body);
            }
            out.text(&group_table(&decode(body, "the group tree")?).render())
        }
        GroupCmd::Show { id } => {
            let query = [
                ("embed", "group.groups"),
                ("embed", "group.apps"),
                ("embed", "group.apps.counts"),
                ("embed", "group.apps.deployments"),
            ];
            let body = client.get(&["v2/groups", &id], &query).await?;
            if out.is_json() {
                return out.json(&body);
            }
            out.text(&tree_table(&decode(body, "the group")?).render())
        }
        GroupCmd::Add { file } => {
            let definition = read_definition(&file)?;
            let url = client.url(&["v2/groups"], &[]);
            let response = client.send(Method::POST, url, Some(&definition)).await?;
            let id = definition.get("id").and_then(Value::as_str).unwrap_or("(no id)");
            out.mutation(&format!("Created group {id}."), &response)
        }
        GroupCmd::Update { id, file, force, dry_run } => {
            let definition = read_definition(&file)?;
            let mut query = Vec::new();
            if force {
                query.push(("force", "true"));
            }
            if dry_run {
                query.push(("dryRun", "true"));
            }
            let url = client.url(&["v2/groups", &id], &query);
            let response = client.send(Method::PUT, url, Some(&definition)).await?;
            if dry_run && !out.is_json() {
                return out.text(&render_plan(&decode(response.body, "the dry-run plan")?));
            }
            out.mutation(&format!("Updating group {id}."), &response)
        }
        GroupCmd::Remove { id, force } => {
            let query: &[(&str, &str)] = if force { &[("force", "true")] } else { &[] };
            let url = client.url(&["v2/groups", &id], query);
            let response = client.send(Method::DELETE, url, None).await?;
            out.mutation(&format!("Removing group {id}."), &response)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{group_table, relative_name, render_plan, tree_table, DryRunPlan, GroupTree};
    use crate::client::decode;

    fn sample() -> GroupTree {
        decode(
            json!({"id": "/prod", "version": "v1",
            "apps": [{"id": "/prod/db", "instances": 1, "tasksRunning": 1}],
            "groups": [
                {"id": "/prod/web", "version": "v1", "apps": [
                    {"id": "/prod/web/api", "instances": 3, "tasksRunning": 2, "deployments": [{"id": "d"}]},
                    {"id": "/prod/web/ui", "instances": 0}]},
                {"id": "/prod/empty", "version": "v0"}
            ]}),
            "test",
        )
        .expect("well-formed group")
    }

    #[test]
    fn show_renders_the_subtree_with_box_drawing() {
        assert_eq!(
            tree_table(&sample()).render(),
            "ID           INSTANCES  STATUS\n\
             /prod\n\
             ├── db       1/1        Running\n\
             ├── web/\n\
             │   ├── api  2/3        Deploying\n\
             │   └── ui   0/0        Suspended\n\
             └── empty/\n"
        );
    }

    #[test]
    fn list_flattens_groups_depth_first() {
        assert_eq!(
            group_table(&sample()).render(),
            "ID           GROUPS  APPS  VERSION\n\
             /prod        2       1     v1\n\
             /prod/web    0       2     v1\n\
             /prod/empty  0       0     v0\n"
        );
    }

    #[test]
    fn relative_names_strip_the_parent() {
        let cases = [
            ("/prod", "/prod/web", "web"),
            ("/", "/web", "web"),
            ("/prod", "/other/web", "/other/web"),
            ("/prod", "/prod", "/prod"),
        ];
        for (parent, child, want) in cases {
            assert_eq!(relative_name(parent, child), want, "{parent} {child}");
        }
    }

    #[test]
    fn dry_run_plan_lists_numbered_steps() {
        let plan: DryRunPlan = decode(
            json!({"steps": [
                {"actions": [{"action": "StartApplication", "app": "/a"}, {"action": "StartApplication", "app": "/b"}]},
                {"actions": [{"action": "ScalePod", "pod": "/p"}]}]}),
            "test",
        )
        .expect("well-formed plan");
        assert_eq!(
            render_plan(&plan),
            "Dry run: the change would deploy in 2 step(s):\n  1. StartApplication /a, StartApplication /b\n  2. ScalePod /p\n"
        );
        assert_eq!(render_plan(&DryRunPlan::default()), "Dry run: nothing would change.\n");
    }
}
