//! Property tests of the scheduler's invariants:
//! - a rolling upgrade never kills below `minimumHealthCapacity` (once
//!   reached), never runs more than `(1 + maximumOverCapacity) · instances`
//!   (plus Marathon's one extra when nothing could move otherwise), and
//!   always finishes when the cluster cooperates;
//! - matching never places more than an offer holds, never hands out a port
//!   twice or outside the offer, and never puts two `UNIQUE` instances on
//!   one host.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use dromos_scheduler::upgrade::{restart_step, upgrade_bounds};
use dromos_scheduler::{
    match_offers, AgentInfo, Condition, Constraint, Goal, Health, Instance, LaunchRequest, MatchConfig,
    Offer, OfferedAmount, PortRequest, Resources, RunSpec, ScalarKind, Timestamp, UpgradeStrategy,
};
use proptest::collection::vec;
use proptest::prelude::*;

fn healthy_running(instances: &[Instance]) -> u32 {
    instances.iter().filter(|i| i.is_considered_healthy()).count() as u32
}

fn occupying(instances: &[Instance]) -> u32 {
    instances.iter().filter(|i| i.occupies_agent()).count() as u32
}

fn new_instance(id: usize, version: &str, condition: Condition) -> Instance {
    let mut i = Instance::provisioned(
        format!("i{id}"),
        "/app",
        version,
        Arc::new(AgentInfo::new("a", "h")),
        Timestamp(0),
    );
    i.condition = condition;
    i.health = Health::Healthy;
    i
}

/// Lets the cluster do one pending thing: a killed instance dies, or a new
/// one starts (and sometimes fails).
fn cluster_event(instances: &mut [Instance], choice: u8, failures: bool) {
    let pending: Vec<usize> = (0..instances.len())
        .filter(|k| {
            let i = &instances[*k];
            (i.goal == Goal::Decommissioned && !i.condition.is_terminal())
                || i.condition == Condition::Staging
        })
        .collect();
    if pending.is_empty() {
        return;
    }
    let i = &mut instances[pending[usize::from(choice) % pending.len()]];
    i.condition = match (i.goal, failures && choice.is_multiple_of(5)) {
        (Goal::Decommissioned, _) => Condition::Killed,
        (_, true) => Condition::Failed,
        _ => Condition::Running,
    };
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn rolling_upgrade_stays_within_health_and_capacity_bounds(
        n in 1u32..12,
        mhc in 0u32..=100,
        moc in 0u32..=100,
        choices in vec(any::<u8>(), 600),
        failures in any::<bool>(),
    ) {
        let mut spec = RunSpec::new("/app", "v2");
        spec.instances = n;
        spec.upgrade = UpgradeStrategy {
            minimum_health_capacity: f64::from(mhc) / 100.0,
            maximum_over_capacity: f64::from(moc) / 100.0,
        };
        let plain = upgrade_bounds(n, &spec.upgrade, false, 0);
        let cap = if plain.min_healthy == plain.max_capacity { plain.max_capacity + 1 } else { plain.max_capacity };
        let mut instances: Vec<Instance> = (0..n as usize).map(|k| new_instance(k, "v1", Condition::Running)).collect();
        let mut next_id = instances.len();
        let mut complete = false;
        for choice in choices {
            let refs: Vec<&Instance> = instances.iter().collect();
            let decision = restart_step(&spec, &refs, 0);
            if decision.complete {
                complete = true;
                break;
            }
            let before = healthy_running(&instances);
            for id in &decision.kill {
                if let Some(i) = instances.iter_mut().find(|i| &i.id == id) {
                    i.goal = Goal::Decommissioned;
                }
            }
            prop_assert!(healthy_running(&instances) >= before.min(plain.min_healthy), "killed below min health");
            for _ in 0..decision.launch {
                instances.push(new_instance(next_id, "v2", Condition::Staging));
                next_id += 1;
            }
            prop_assert!(occupying(&instances) <= cap, "over capacity: {} > {}", occupying(&instances), cap);
            cluster_event(&mut instances, choice, failures);
        }
        if !failures {
            prop_assert!(complete, "upgrade did not finish");
        }
    }

    #[test]
    fn matching_respects_offers_ports_and_unique(
        agents in vec((1u32..16, 1u32..64, 0u16..6), 1..25),
        apps in vec((1u32..40, 1u32..40, 0usize..3, any::<bool>(), 1u32..12), 1..6),
    ) {
        let offers: Vec<Offer> = agents.iter().enumerate().map(|(k, (cpus, mem, ports))| {
            // Some agents share a hostname (two offers from one host).
            let agent = AgentInfo::new(format!("a{k}"), format!("h{}", k % 7));
            Offer::new(format!("o{k}"), Arc::new(agent))
                .with_unreserved(f64::from(*cpus), f64::from(*mem) * 64.0, 100.0)
                .with_ports("*", 31000, 31000 + ports)
        }).collect();
        let specs: Vec<RunSpec> = apps.iter().enumerate().map(|(k, (cpus, mem, ports, unique, n))| {
            let mut s = RunSpec::new(format!("/app{k}"), "v1");
            s.resources = Resources { cpus: f64::from(*cpus) / 10.0, mem: f64::from(*mem) * 32.0, disk: 0.0, gpus: 0.0 };
            s.ports = (0..*ports).map(|_| PortRequest::host(0, false)).collect();
            s.instances = *n;
            if *unique {
                s.constraints.push(Constraint::from_parts(&["hostname", "UNIQUE"]).expect("valid"));
            }
            s
        }).collect();
        let queue: Vec<LaunchRequest<'_>> = specs.iter().map(|s| LaunchRequest { run_spec: s, count: s.instances }).collect();
        let outcome = match_offers(MatchConfig::default(), &queue, &offers, &[]);

        let mut used: HashMap<(&str, ScalarKind), f64> = HashMap::new();
        let mut ports: HashSet<(&str, u16)> = HashSet::new();
        let mut unique_hosts: HashSet<(&str, &str)> = HashSet::new();
        for launch in &outcome.launches {
            for r in &launch.resources {
                match &r.amount {
                    OfferedAmount::Scalar(kind, v) => *used.entry((launch.offer_id.as_str(), *kind)).or_default() += v,
                    OfferedAmount::Ports(ranges) => {
                        for p in ranges.iter().flat_map(|r| r.begin..=r.end) {
                            prop_assert!(ports.insert((launch.offer_id.as_str(), p)), "port {p} given twice");
                        }
                    }
                }
            }
            let spec = specs.iter().find(|s| s.id == launch.run_spec_id).expect("launch of a queued spec");
            prop_assert_eq!(launch.host_ports.iter().flatten().count(), spec.ports.len());
            if !spec.constraints.is_empty() {
                prop_assert!(unique_hosts.insert((spec.id.as_str(), launch.agent.hostname.as_str())), "UNIQUE broken");
            }
        }
        for offer in &offers {
            for kind in [ScalarKind::Cpus, ScalarKind::Mem, ScalarKind::Disk] {
                let offered: f64 = offer.resources.iter().filter_map(|r| match r.amount {
                    OfferedAmount::Scalar(k, v) if k == kind => Some(v),
                    _ => None,
                }).sum();
                let taken = used.get(&(offer.id.as_str(), kind)).copied().unwrap_or(0.0);
                prop_assert!(taken <= offered + 1e-6, "{kind:?} over-used on {}", offer.id);
            }
        }
        for (offer_id, port) in &ports {
            let offer = offers.iter().find(|o| o.id == *offer_id).expect("known offer");
            let in_range = offer.resources.iter().any(|r| matches!(&r.amount, OfferedAmount::Ports(rs) if rs.iter().any(|x| x.contains(*port))));
            prop_assert!(in_range, "port {port} not offered");
        }
        let launched: u32 = outcome.summaries.iter().map(|s| s.launched).sum();
        prop_assert_eq!(launched as usize, outcome.launches.len());
    }
}
