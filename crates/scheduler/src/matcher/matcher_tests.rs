#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use super::{match_offers, MatchConfig, MatchOutcome, NoMatchReason};
use crate::constraint::Constraint;
use crate::instance::{Condition, Instance};
use crate::matcher::LaunchRequest;
use crate::offer::{AgentInfo, Offer, OfferedAmount};
use crate::resources::{Resources, ScalarKind};
use crate::run_spec::{PlacementStrategy, PortRequest, RunSpec};
use crate::time::Timestamp;

fn agent(n: usize, zone: &str) -> Arc<AgentInfo> {
    let mut a =
        AgentInfo::new(format!("agent-{n}"), format!("host-{n}")).with_text("rack", format!("r{}", n % 2));
    a.zone = Some(zone.to_owned());
    Arc::new(a)
}

fn offer(n: usize, cpus: f64, mem: f64) -> Offer {
    let zone = ["a", "b", "c"][n % 3];
    Offer::new(format!("offer-{n}"), agent(n, zone))
        .with_unreserved(cpus, mem, 1000.0)
        .with_ports("*", 31000, 31009)
}

fn spec(id: &str, cpus: f64, mem: f64) -> RunSpec {
    let mut s = RunSpec::new(id, "v1");
    s.resources = Resources { cpus, mem, disk: 0.0, gpus: 0.0 };
    s
}

fn with_constraint(mut s: RunSpec, parts: &[&str]) -> RunSpec {
    s.constraints.push(Constraint::from_parts(parts).unwrap());
    s
}

fn run(spec: &RunSpec, count: u32, offers: &[Offer], instances: &[Instance]) -> MatchOutcome {
    match_offers(MatchConfig::default(), &[LaunchRequest { run_spec: spec, count }], offers, instances)
}

fn reason_counts(outcome: &MatchOutcome) -> Vec<(NoMatchReason, u32)> {
    outcome.summaries[0].funnel.iter().filter(|s| s.declined > 0).map(|s| (s.reason, s.declined)).collect()
}

#[test]
fn several_instances_share_one_offer_until_cpus_run_out() {
    let offers = [offer(0, 4.0, 4096.0)];
    let out = run(&spec("/a", 1.0, 128.0), 6, &offers, &[]);
    assert_eq!(out.launches.len(), 4);
    assert_eq!(out.summaries[0].requested, 6);
    assert_eq!(out.summaries[0].main_reason(), Some(NoMatchReason::InsufficientCpus));
    assert!(out.declines.is_empty(), "a used offer is accepted, not declined");
}

#[test]
fn each_resource_shortage_is_reported_with_its_own_reason() {
    let mut gpu_spec = spec("/g", 0.1, 16.0);
    gpu_spec.resources.gpus = 1.0;
    let mut disk_spec = spec("/d", 0.1, 16.0);
    disk_spec.resources.disk = 5000.0;
    let mut port_spec = spec("/p", 0.1, 16.0);
    port_spec.ports = vec![PortRequest::host(80, true)];
    let cases = [
        (spec("/c", 8.0, 16.0), NoMatchReason::InsufficientCpus),
        (spec("/m", 0.1, 9000.0), NoMatchReason::InsufficientMemory),
        (disk_spec, NoMatchReason::InsufficientDisk),
        (gpu_spec, NoMatchReason::InsufficientGpus),
        (port_spec, NoMatchReason::InsufficientPorts),
    ];
    for (s, want) in cases {
        let out = run(&s, 1, &[offer(0, 4.0, 4096.0)], &[]);
        assert!(out.launches.is_empty(), "{}", s.id);
        assert_eq!(reason_counts(&out), vec![(want, 1)], "{}", s.id);
        assert_eq!(out.declines.len(), 1, "an unused offer is declined");
        assert_eq!(out.declines[0].refuse_seconds, 120.0);
    }
}

#[test]
fn dynamic_ports_are_distinct_and_taken_from_offered_ranges() {
    let mut s = spec("/web", 0.1, 16.0);
    s.ports = vec![
        PortRequest::host(0, false),
        PortRequest::mapping(8080, Some(0)),
        PortRequest::mapping(9090, None),
    ];
    let out = run(&s, 3, &[offer(0, 4.0, 4096.0)], &[]);
    let mut ports: Vec<u16> =
        out.launches.iter().flat_map(|l| l.host_ports.iter().flatten().copied()).collect();
    assert!(out.launches.iter().all(|l| l.host_ports.len() == 3 && l.host_ports[2].is_none()));
    assert!(ports.iter().all(|p| (31000..=31009).contains(p)));
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), 6, "no port handed out twice");
}

#[test]
fn fixed_host_port_is_reserved_once_per_agent() {
    let mut s = spec("/fixed", 0.1, 16.0);
    s.ports = vec![PortRequest::host(31005, true)];
    let out = run(&s, 2, &[offer(0, 4.0, 4096.0)], &[]);
    assert_eq!(out.launches.len(), 1);
    assert_eq!(out.launches[0].host_ports, vec![Some(31005)]);
    assert_eq!(out.summaries[0].main_reason(), Some(NoMatchReason::InsufficientPorts));
}

#[test]
fn reserved_resources_are_used_only_by_run_specs_accepting_the_role() {
    let reserved = Offer::new("o", agent(0, "a")).with_scalar("prod", ScalarKind::Cpus, 2.0).with_scalar(
        "prod",
        ScalarKind::Mem,
        512.0,
    );
    let default_spec = spec("/any", 1.0, 128.0);
    let out = run(&default_spec, 1, std::slice::from_ref(&reserved), &[]);
    assert_eq!(reason_counts(&out), vec![(NoMatchReason::UnfulfilledRole, 1)]);

    let mut prod = spec("/prod", 1.0, 128.0);
    prod.accepted_roles = vec!["prod".into(), "*".into()];
    let out = run(&prod, 1, &[reserved], &[]);
    assert_eq!(out.launches.len(), 1);
    assert!(out.launches[0].resources.iter().all(|r| r.role == "prod"));
}

#[test]
fn reserved_role_is_consumed_before_unreserved() {
    let mixed = offer(0, 1.0, 1024.0).with_scalar("prod", ScalarKind::Cpus, 1.0);
    let mut s = spec("/p", 1.5, 128.0);
    s.accepted_roles = vec!["*".into(), "prod".into()];
    let out = run(&s, 1, &[mixed], &[]);
    let cpus: Vec<(String, f64)> = out.launches[0]
        .resources
        .iter()
        .filter_map(|r| match r.amount {
            OfferedAmount::Scalar(ScalarKind::Cpus, v) => Some((r.role.clone(), v)),
            _ => None,
        })
        .collect();
    assert_eq!(cpus, vec![("prod".to_owned(), 1.0), ("*".to_owned(), 0.5)]);
}

#[test]
fn unique_hostname_rejects_second_instance_on_same_agent() {
    let offers: Vec<Offer> = (0..3).map(|n| offer(n, 8.0, 8192.0)).collect();
    let s = with_constraint(spec("/u", 0.1, 16.0), &["hostname", "UNIQUE"]);
    let out = run(&s, 5, &offers, &[]);
    let mut hosts: Vec<&str> = out.launches.iter().map(|l| l.agent.hostname.as_str()).collect();
    hosts.sort_unstable();
    assert_eq!(hosts, vec!["host-0", "host-1", "host-2"]);
    assert_eq!(out.summaries[0].main_reason(), Some(NoMatchReason::UnfulfilledConstraint));
}

#[test]
fn existing_instances_count_for_constraints() {
    let offers: Vec<Offer> = (0..2).map(|n| offer(n, 8.0, 8192.0)).collect();
    let mut running = Instance::provisioned("i1", "/u", "v0", agent(0, "a"), Timestamp(0));
    running.condition = Condition::Running;
    let mut dead = Instance::provisioned("i2", "/u", "v0", agent(1, "b"), Timestamp(0));
    dead.condition = Condition::Failed;
    let s = with_constraint(spec("/u", 0.1, 16.0), &["hostname", "UNIQUE"]);
    let out = run(&s, 2, &offers, &[running, dead]);
    let hosts: Vec<&str> = out.launches.iter().map(|l| l.agent.hostname.as_str()).collect();
    assert_eq!(hosts, vec!["host-1"], "host-0 is taken, a failed instance holds nothing");
}

#[test]
fn group_by_zone_spreads_evenly_over_zones() {
    let offers: Vec<Offer> = (0..9).map(|n| offer(n, 8.0, 8192.0)).collect();
    for value in [None, Some("3")] {
        let mut parts = vec!["@zone", "GROUP_BY"];
        parts.extend(value);
        let mut s = with_constraint(spec("/g", 0.1, 16.0), &parts);
        s.instances = 7;
        s.placement = PlacementStrategy::BinPack;
        let out = run(&s, 7, &offers, &[]);
        let mut per_zone = std::collections::BTreeMap::new();
        for l in &out.launches {
            *per_zone.entry(l.agent.zone.clone().unwrap()).or_insert(0) += 1;
        }
        let mut counts: Vec<i32> = per_zone.values().copied().collect();
        counts.sort_unstable();
        assert_eq!(counts, vec![2, 2, 3], "GROUP_BY {value:?}");
    }
}

#[test]
fn funnel_reports_the_earliest_failing_stage() {
    // Offer 0 fails both the constraint and cpus: reported as constraint.
    let offers = [offer(0, 0.5, 4096.0), offer(1, 0.5, 4096.0).in_maintenance()];
    let s = with_constraint(spec("/f", 1.0, 16.0), &["rack", "LIKE", "r1"]);
    let out = run(&s, 1, &offers, &[]);
    let summary = &out.summaries[0];
    assert_eq!(summary.processed_offers, 2);
    assert_eq!(summary.unused_offers, 2);
    assert_eq!(
        reason_counts(&out),
        vec![(NoMatchReason::UnfulfilledConstraint, 1), (NoMatchReason::AgentMaintenance, 1)]
    );
    let steps: Vec<u32> = summary.funnel.iter().map(|s| s.processed).take(4).collect();
    assert_eq!(steps, vec![2, 2, 1, 0]);
    assert_eq!(summary.last_unused_offers.len(), 2);
}

#[test]
fn gpu_agents_are_kept_for_gpu_run_specs() {
    let gpu_offer = offer(0, 4.0, 4096.0).with_scalar("*", ScalarKind::Gpus, 1.0);
    let out = run(&spec("/cpu", 1.0, 128.0), 1, std::slice::from_ref(&gpu_offer), &[]);
    assert_eq!(reason_counts(&out), vec![(NoMatchReason::DeclinedScarceResources, 1)]);
    let mut gpu = spec("/gpu", 1.0, 128.0);
    gpu.resources.gpus = 1.0;
    assert_eq!(run(&gpu, 1, &[gpu_offer], &[]).launches.len(), 1);
}

#[test]
fn spread_uses_different_agents_and_binpack_fills_one() {
    let offers: Vec<Offer> = (0..4).map(|n| offer(n, 8.0, 8192.0)).collect();
    let cases = [(PlacementStrategy::Spread, 4), (PlacementStrategy::BinPack, 1)];
    for (strategy, agents) in cases {
        let mut s = spec("/s", 1.0, 128.0);
        s.placement = strategy;
        let out = run(&s, 4, &offers, &[]);
        let mut used: Vec<&str> = out.launches.iter().map(|l| l.offer_id.as_str()).collect();
        used.sort_unstable();
        used.dedup();
        assert_eq!(used.len(), agents, "{strategy:?}");
        assert_eq!(out.declines.len(), 4 - agents);
    }
}

#[test]
fn max_instances_per_offer_caps_launches() {
    let config = MatchConfig { max_instances_per_offer: Some(2), ..MatchConfig::default() };
    let s = spec("/m", 0.1, 16.0);
    let offers = [offer(0, 8.0, 8192.0)];
    let out = match_offers(config, &[LaunchRequest { run_spec: &s, count: 5 }], &offers, &[]);
    assert_eq!(out.launches.len(), 2);
    assert_eq!(out.summaries[0].main_reason(), Some(NoMatchReason::MaxInstancesPerOffer));
}

#[test]
fn resources_are_shared_between_run_specs_in_one_round() {
    let offers = [offer(0, 2.0, 4096.0)];
    let (a, b) = (spec("/a", 1.5, 16.0), spec("/b", 1.0, 16.0));
    let queue = [LaunchRequest { run_spec: &a, count: 1 }, LaunchRequest { run_spec: &b, count: 1 }];
    let out = match_offers(MatchConfig::default(), &queue, &offers, &[]);
    assert_eq!(out.launched_for("/a"), 1);
    assert_eq!(out.launched_for("/b"), 0);
    assert_eq!(out.summaries[1].main_reason(), Some(NoMatchReason::InsufficientCpus));
}
