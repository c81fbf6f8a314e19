//! The simulated cluster and workload, generated from a fixed seed so runs
//! are comparable.

use std::sync::Arc;

use dromos_scheduler::{AgentInfo, Constraint, Offer, PlacementStrategy, PortRequest, Resources, RunSpec};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const AGENTS: usize = 10_000;
pub const APPS: usize = 1_000;
pub const INSTANCES: u32 = 10;
pub const ZONES: usize = 3;
pub const RACKS: usize = 50;
pub const PORT_BEGIN: u16 = 31_000;
pub const PORT_END: u16 = 32_000;

/// Capacity of one simulated agent (what its first offer holds).
#[derive(Debug, Clone)]
pub struct AgentSpec {
    pub hostname: String,
    pub zone: String,
    pub rack: String,
    pub cpus: f64,
    pub mem: f64,
    pub disk: f64,
    pub maintenance: bool,
}

pub struct Workload {
    pub agents: Vec<AgentSpec>,
    pub offers: Vec<Offer>,
    pub apps: Vec<RunSpec>,
}

pub fn generate(seed: u64, placement: PlacementStrategy) -> Workload {
    let mut rng = StdRng::seed_from_u64(seed);
    let agents: Vec<AgentSpec> = (0..AGENTS)
        .map(|i| AgentSpec {
            hostname: format!("agent-{i:05}.dc1"),
            zone: format!("zone-{}", rng.gen_range(0..ZONES)),
            rack: format!("rack-{}", rng.gen_range(0..RACKS)),
            cpus: f64::from(rng.gen_range(8u32..=64)),
            mem: f64::from(rng.gen_range(16u32..=256)) * 1024.0,
            disk: f64::from(rng.gen_range(100u32..=2000)) * 1024.0,
            maintenance: rng.gen_bool(0.05),
        })
        .collect();
    let offers = agents.iter().enumerate().map(|(i, a)| to_offer(i, a)).collect();
    let apps = (0..APPS).map(|i| app(i, &mut rng, placement)).collect();
    Workload { agents, offers, apps }
}

fn to_offer(i: usize, a: &AgentSpec) -> Offer {
    let info = AgentInfo::new(format!("agent-{i}"), a.hostname.clone())
        .with_text("zone", a.zone.clone())
        .with_text("rack", a.rack.clone());
    let offer = Offer::new(format!("offer-{i}"), Arc::new(info))
        .with_unreserved(a.cpus, a.mem, a.disk)
        .with_ports("*", PORT_BEGIN, PORT_END);
    if a.maintenance {
        offer.in_maintenance()
    } else {
        offer
    }
}

fn app(i: usize, rng: &mut StdRng, placement: PlacementStrategy) -> RunSpec {
    let mut spec = RunSpec::new(format!("/bench/app-{i:04}"), "v1");
    spec.instances = INSTANCES;
    spec.placement = placement;
    spec.resources = Resources {
        cpus: f64::from(rng.gen_range(1u32..=20)) / 10.0,
        mem: f64::from(rng.gen_range(1u32..=32)) * 128.0,
        disk: f64::from(rng.gen_range(0u32..=8)) * 256.0,
        gpus: 0.0,
    };
    let ports = rng.gen_range(1..=2);
    spec.ports = (0..ports).map(|_| PortRequest::host(0, false)).collect();
    let roll = rng.gen_range(0..100);
    let parts: Vec<String> = match roll {
        0..=29 => vec!["hostname".into(), "UNIQUE".into()],
        30..=44 => vec!["zone".into(), "GROUP_BY".into()],
        45..=59 => vec!["zone".into(), "GROUP_BY".into(), "3".into()],
        60..=69 => vec!["rack".into(), "LIKE".into(), format!("rack-{}[0-9]", rng.gen_range(1..5))],
        70..=79 => vec!["rack".into(), "IS".into(), format!("rack-{}", rng.gen_range(0..RACKS))],
        _ => vec![],
    };
    if !parts.is_empty() {
        // The generator only produces valid constraints.
        spec.constraints.push(Constraint::from_parts(&parts).expect("generated constraint is valid"));
    }
    spec
}
