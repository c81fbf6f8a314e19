//! Deployments as stored and shown: the plan computed by
//! [`dromos_scheduler::plan::compute_plan`] for one root change, with the
//! step the run loop has reached.
//!
//! A deployment stays listed until the run loop reports it finished (or it
//! is cancelled); the service never pretends a plan ran.

use std::collections::BTreeMap;

use dromos_scheduler::plan::{Action, DeploymentPlan};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::instances::ReadinessRecord;

/// One action of a step, in Marathon's wire form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepAction {
    /// `StartApplication`, `StopApplication`, `ScaleApplication`, `RestartApplication`.
    pub action: String,
    /// The app id.
    pub app: String,
}

/// A running deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// UUID, also the `Marathon-Deployment-Id` header.
    pub id: String,
    /// The root version this deployment leads to.
    pub version: String,
    /// The root version it started from (rollback target).
    pub original_version: String,
    /// Ids of every app the plan touches.
    pub affected_apps: Vec<String>,
    /// Steps in order; actions of a step run together.
    pub steps: Vec<Vec<StepAction>>,
    /// Steps the run loop reported done (`currentStep` = this + 1, capped).
    pub steps_done: usize,
}

impl Deployment {
    /// A deployment of `plan` with no step done yet.
    pub fn new(id: String, version: String, original_version: String, plan: &DeploymentPlan) -> Self {
        let steps: Vec<Vec<StepAction>> =
            plan.steps.iter().map(|s| s.actions.iter().map(step_action).collect()).collect();
        let affected_apps = plan.affected_ids().into_iter().map(str::to_owned).collect();
        Deployment { id, version, original_version, affected_apps, steps, steps_done: 0 }
    }

    /// 1-based step being executed (Marathon's `currentStep`).
    pub fn current_step(&self) -> usize {
        (self.steps_done + 1).min(self.steps.len())
    }

    /// Marathon's `DeploymentStepInfo` (`GET /v2/deployments`); each
    /// current action carries the readiness verdicts of its app's
    /// instances from `readiness` (app id → verdicts).
    pub fn to_json(&self, readiness: &BTreeMap<String, Vec<ReadinessRecord>>) -> Value {
        let current: Vec<Value> = self
            .steps
            .get(self.current_step().saturating_sub(1))
            .map(|actions| {
                actions
                    .iter()
                    .map(|a| {
                        let results = readiness.get(&a.app).map(Vec::as_slice).unwrap_or_default();
                        json!({"action": a.action, "app": a.app, "readinessCheckResults": results})
                    })
                    .collect()
            })
            .unwrap_or_default();
        json!({
            "id": self.id,
            "version": self.version,
            "affectedApps": self.affected_apps,
            "affectedPods": [],
            "steps": steps_json(&self.steps),
            "currentActions": current,
            "currentStep": self.current_step(),
            "totalSteps": self.steps.len(),
        })
    }

    /// The `plan` object of deployment events.
    pub fn plan_json(&self) -> Value {
        json!({
            "id": self.id,
            "version": self.version,
            "original": {"version": self.original_version},
            "target": {"version": self.version},
            "steps": steps_json(&self.steps),
        })
    }

    /// The `currentStep` object of deployment events.
    pub fn step_json(&self, index: usize) -> Value {
        let actions = self.steps.get(index).cloned().unwrap_or_default();
        json!({ "actions": actions })
    }
}

/// `[{"actions":[{"action":..,"app":..}]}]`, also the `dryRun` answer.
pub fn steps_json(steps: &[Vec<StepAction>]) -> Value {
    Value::Array(steps.iter().map(|actions| json!({ "actions": actions })).collect())
}

/// The steps of a plan in wire form.
pub fn plan_steps(plan: &DeploymentPlan) -> Vec<Vec<StepAction>> {
    plan.steps.iter().map(|s| s.actions.iter().map(step_action).collect()).collect()
}

fn step_action(action: &Action) -> StepAction {
    let name = match action {
        Action::StartApplication { .. } => "StartApplication",
        Action::StopApplication { .. } => "StopApplication",
        Action::ScaleApplication { .. } => "ScaleApplication",
        Action::RestartApplication { .. } => "RestartApplication",
    };
    StepAction { action: name.to_owned(), app: action.run_spec_id().to_owned() }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use dromos_scheduler::plan::{Action, DeploymentPlan, Step};
    use serde_json::json;

    use super::Deployment;
    use crate::service::instances::{ReadinessRecord, ReadinessResponse};

    #[test]
    fn json_matches_marathons_deployment_step_info() {
        let plan = DeploymentPlan {
            steps: vec![
                Step { actions: vec![Action::StartApplication { run_spec_id: "/a".into() }] },
                Step { actions: vec![Action::ScaleApplication { run_spec_id: "/a".into(), instances: 2 }] },
            ],
        };
        let mut d = Deployment::new("d1".into(), "v2".into(), "v1".into(), &plan);
        let none = BTreeMap::new();
        assert_eq!(
            d.to_json(&none),
            json!({
                "id": "d1", "version": "v2", "affectedApps": ["/a"], "affectedPods": [],
                "steps": [
                    {"actions": [{"action": "StartApplication", "app": "/a"}]},
                    {"actions": [{"action": "ScaleApplication", "app": "/a"}]}
                ],
                "currentActions": [{"action": "StartApplication", "app": "/a", "readinessCheckResults": []}],
                "currentStep": 1, "totalSteps": 2
            })
        );
        d.steps_done = 1;
        assert_eq!(d.to_json(&none)["currentStep"], 2);
        d.steps_done = 2;
        assert_eq!(d.to_json(&none)["currentStep"], 2, "never past the last step");
    }

    #[test]
    fn current_actions_carry_their_apps_readiness_verdicts() {
        let plan = DeploymentPlan {
            steps: vec![Step {
                actions: vec![
                    Action::RestartApplication { run_spec_id: "/a".into() },
                    Action::StartApplication { run_spec_id: "/b".into() },
                ],
            }],
        };
        let d = Deployment::new("d1".into(), "v2".into(), "v1".into(), &plan);
        let verdict = ReadinessRecord {
            name: "ready".into(),
            task_id: "a.instance-1._app.1".into(),
            ready: false,
            last_response: Some(ReadinessResponse {
                status: 503,
                content_type: "text/plain".into(),
                body: "warming up".into(),
            }),
        };
        let readiness = BTreeMap::from([("/a".to_owned(), vec![verdict])]);
        assert_eq!(
            d.to_json(&readiness)["currentActions"],
            json!([
                {"action": "RestartApplication", "app": "/a", "readinessCheckResults": [{
                    "name": "ready", "taskId": "a.instance-1._app.1", "ready": false,
                    "lastResponse": {"status": 503, "contentType": "text/plain", "body": "warming up"}}]},
                {"action": "StartApplication", "app": "/b", "readinessCheckResults": []},
            ])
        );
    }
}
