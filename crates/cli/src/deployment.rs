//! `dromos deployment`: watch running deployments, roll them back or stop them.
//!
//! Requests: `GET /v2/deployments`, `DELETE /v2/deployments/{id}` (rollback:
//! the server cancels and starts a deployment back to the previous state) and
//! `DELETE /v2/deployments/{id}?force=true` (stop: cancel, no rollback, `202`).

use clap::Subcommand;
use reqwest::Method;
use serde::Deserialize;

use crate::client::{decode, Client};
use crate::error::CliError;
use crate::output::Output;
use crate::table::Table;

/// Subcommands of `dromos deployment`.
#[derive(Debug, Clone, Subcommand)]
pub enum DeploymentCmd {
    /// List running deployments with their current step.
    List,
    /// Cancel a deployment and deploy the previous state back.
    Rollback { id: String },
    /// Cancel a deployment where it stands, without rollback (may leave apps mixed).
    Stop { id: String },
}

/// One action of a deployment step (`{"action": "ScaleApplication", "app": "/foo"}`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActionInfo {
    pub action: String,
    pub app: Option<String>,
    pub pod: Option<String>,
}

/// The fields of a `DeploymentStepInfo` the CLI shows.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DeploymentInfo {
    pub id: String,
    pub affected_apps: Vec<String>,
    pub affected_pods: Vec<String>,
    pub current_actions: Vec<ActionInfo>,
    pub current_step: u64,
    pub total_steps: u64,
}

/// The `deployment list` table: the distinct actions of the current step.
fn deployment_table(deployments: &[DeploymentInfo]) -> Table {
    let mut table = Table::new(["ID", "APPS", "ACTIONS", "STEP"]);
    for deployment in deployments {
        let mut actions: Vec<&str> = Vec::new();
        for action in &deployment.current_actions {
            if !actions.contains(&action.action.as_str()) {
                actions.push(&action.action);
            }
        }
        let affected: Vec<&str> =
            deployment.affected_apps.iter().chain(&deployment.affected_pods).map(String::as_str).collect();
        table.row([
            deployment.id.clone(),
            affected.join(","),
            actions.join(","),
            format!("{}/{}", deployment.current_step, deployment.total_steps),
        ]);
    }
    table
}

/// Runs one `dromos deployment` subcommand.
pub async fn run(cmd: DeploymentCmd, client: &Client, out: &mut Output<'_>) -> Result<(), CliError> {
    match cmd {
        DeploymentCmd::List => {
            let body = client.get(&["v2/deployments"], &[]).await?;
            if out.is_json() {
                return out.json(&body);
            }
            let deployments = decode::<Vec<DeploymentInfo>>(body, "the deployment list")?;
            out.text(&deployment_table(&deployments).render())
        }
        DeploymentCmd::Rollback { id } => {
            let url = client.url(&["v2/deployments", &id], &[]);
            let response = client.send(Method::DELETE, url, None).await?;
            out.mutation(&format!("Rolling back deployment {id}."), &response)
        }
        DeploymentCmd::Stop { id } => {
            let url = client.url(&["v2/deployments", &id], &[("force", "true")]);
            let response = client.send(Method::DELETE, url, None).await?;
            if out.is_json() {
                return out.json(&response.body);
            }
            out.text(&format!("Stopped deployment {id} without rollback.\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{deployment_table, DeploymentInfo};
    use crate::client::decode;

    #[test]
    fn deployment_rows_show_affected_distinct_actions_and_progress() {
        let body = json!([
            {"id": "97c1", "affectedApps": ["/foo", "/bar"], "affectedPods": ["/pod"],
             "currentActions": [{"action": "ScaleApplication", "app": "/foo"},
                                {"action": "ScaleApplication", "app": "/bar"},
                                {"action": "StartPod", "pod": "/pod"}],
             "currentStep": 1, "totalSteps": 2},
            {"id": "empty"}
        ]);
        let deployments = decode::<Vec<DeploymentInfo>>(body, "test").expect("well-formed");
        assert_eq!(
            deployment_table(&deployments).render(),
            "ID     APPS            ACTIONS                    STEP\n\
             97c1   /foo,/bar,/pod  ScaleApplication,StartPod  1/2\n\
             empty                                             0/0\n"
        );
    }
}
