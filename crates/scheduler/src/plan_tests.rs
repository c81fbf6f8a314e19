use std::collections::BTreeMap;

use super::{compute_plan, Action, PlanError};
use crate::run_spec::RunSpec;

fn spec(id: &str, deps: &[&str], instances: u32, config: &str) -> RunSpec {
    let mut s = RunSpec::new(id, format!("{config}-{instances}"));
    s.config_version = config.to_owned();
    s.instances = instances;
    s.dependencies = deps.iter().map(|d| (*d).to_owned()).collect();
    s
}

fn set(specs: Vec<RunSpec>) -> BTreeMap<String, RunSpec> {
    specs.into_iter().map(|s| (s.id.clone(), s)).collect()
}

fn names(plan: &super::DeploymentPlan) -> Vec<Vec<String>> {
    plan.steps
        .iter()
        .map(|s| {
            s.actions
                .iter()
                .map(|a| match a {
                    Action::StartApplication { run_spec_id } => format!("start {run_spec_id}"),
                    Action::StopApplication { run_spec_id } => format!("stop {run_spec_id}"),
                    Action::ScaleApplication { run_spec_id, instances } => {
                        format!("scale {run_spec_id} {instances}")
                    }
                    Action::RestartApplication { run_spec_id } => format!("restart {run_spec_id}"),
                })
                .collect()
        })
        .collect()
}

#[test]
fn new_group_starts_dependencies_first() {
    let target = set(vec![
        spec("/db", &[], 1, "c1"),
        spec("/app", &["/db"], 2, "c1"),
        spec("/web", &["/app"], 3, "c1"),
    ]);
    let plan = compute_plan(&BTreeMap::new(), &target).expect("acyclic");
    assert_eq!(
        names(&plan),
        vec![
            vec!["start /app", "start /db", "start /web"],
            vec!["scale /db 1"],
            vec!["scale /app 2"],
            vec!["scale /web 3"],
        ]
    );
}

#[test]
fn removed_group_stops_dependents_before_dependencies() {
    let original = set(vec![spec("/db", &[], 1, "c1"), spec("/app", &["/db"], 2, "c1")]);
    let plan = compute_plan(&original, &BTreeMap::new()).expect("acyclic");
    assert_eq!(names(&plan), vec![vec!["stop /app"], vec!["stop /db"]]);
}

#[test]
fn scale_only_change_scales_and_config_change_restarts() {
    let original = set(vec![spec("/a", &[], 1, "c1"), spec("/b", &[], 1, "c1"), spec("/c", &[], 1, "c1")]);
    let target = set(vec![spec("/a", &[], 5, "c1"), spec("/b", &[], 1, "c2"), spec("/c", &[], 1, "c1")]);
    let plan = compute_plan(&original, &target).expect("acyclic");
    assert_eq!(names(&plan), vec![vec!["scale /a 5", "restart /b"]]);
    assert_eq!(plan.affected_ids().into_iter().collect::<Vec<_>>(), vec!["/a", "/b"]);
}

#[test]
fn unchanged_specs_give_an_empty_plan() {
    let original = set(vec![spec("/a", &[], 1, "c1")]);
    assert!(compute_plan(&original, &original.clone()).expect("acyclic").is_empty());
}

#[test]
fn dependency_cycles_are_rejected() {
    let target = set(vec![spec("/a", &["/b"], 1, "c1"), spec("/b", &["/a"], 1, "c1")]);
    assert!(matches!(compute_plan(&BTreeMap::new(), &target), Err(PlanError::DependencyCycle(_))));
}

#[test]
fn dependencies_on_unknown_ids_are_ignored() {
    let target = set(vec![spec("/a", &["/elsewhere"], 1, "c1")]);
    let plan = compute_plan(&BTreeMap::new(), &target).expect("acyclic");
    assert_eq!(names(&plan), vec![vec!["start /a"], vec!["scale /a 1"]]);
}
