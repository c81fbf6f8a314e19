//! Independent checking of a placement result: capacity, ports and every
//! constraint, recomputed from scratch.

use std::collections::{HashMap, HashSet};

use dromos_scheduler::{Operator, RunSpec};

use crate::cluster::{AgentSpec, INSTANCES, PORT_BEGIN, PORT_END, ZONES};

/// One placed instance.
pub struct Placement {
    pub app: usize,
    pub agent: usize,
    /// Host ports (empty when the placer does not assign concrete ports).
    pub ports: Vec<u16>,
}

pub fn zone_index(zone: &str) -> usize {
    zone.trim_start_matches("zone-").parse::<usize>().map_or(0, |z| z.min(ZONES - 1))
}

/// Counts violations of capacity, ports, maintenance and constraints.
pub fn violations(agents: &[AgentSpec], apps: &[RunSpec], placements: &[Placement]) -> usize {
    let mut bad = 0;
    let mut used = vec![(0.0f64, 0.0f64, 0.0f64); agents.len()];
    let mut ports: HashSet<(usize, u16)> = HashSet::new();
    let mut by_app: HashMap<usize, Vec<usize>> = HashMap::new();
    for p in placements {
        let r = &apps[p.app].resources;
        let u = &mut used[p.agent];
        *u = (u.0 + r.cpus, u.1 + r.mem, u.2 + r.disk);
        bad += usize::from(agents[p.agent].maintenance);
        for port in &p.ports {
            let in_range = (PORT_BEGIN..=PORT_END).contains(port);
            bad += usize::from(!in_range || !ports.insert((p.agent, *port)));
        }
        by_app.entry(p.app).or_default().push(p.agent);
    }
    for (a, u) in agents.iter().zip(&used) {
        bad += usize::from(u.0 > a.cpus + 1e-6 || u.1 > a.mem + 1e-6 || u.2 > a.disk + 1e-6);
    }
    for (app, placed) in &by_app {
        bad += app_violations(agents, &apps[*app], placed);
    }
    bad
}

fn app_violations(agents: &[AgentSpec], app: &RunSpec, placed: &[usize]) -> usize {
    app.constraints
        .iter()
        .map(|c| match &c.op {
            Operator::Unique => {
                let hosts: HashSet<&str> = placed.iter().map(|p| agents[*p].hostname.as_str()).collect();
                placed.len() - hosts.len()
            }
            Operator::GroupBy(_) => {
                let mut counts = [0usize; ZONES];
                for p in placed {
                    counts[zone_index(&agents[*p].zone)] += 1;
                }
                let (min, max) = (counts.iter().min().copied(), counts.iter().max().copied());
                let complete = placed.len() == INSTANCES as usize;
                usize::from(complete && max.zip(min).is_some_and(|(max, min)| max - min > 1))
            }
            Operator::Like(re) => placed.iter().filter(|p| !re.is_match(&agents[**p].rack)).count(),
            Operator::Is(v) => placed.iter().filter(|p| agents[**p].rack != *v).count(),
            _ => 0,
        })
        .sum()
}

/// Allocated cpus and mem over the capacity of the agents used (mean of the
/// two fractions): higher means tighter packing.
pub fn packing(agents: &[AgentSpec], apps: &[RunSpec], placements: &[Placement]) -> f64 {
    let mut touched = HashSet::new();
    let (mut cpus, mut mem) = (0.0, 0.0);
    for p in placements {
        touched.insert(p.agent);
        cpus += apps[p.app].resources.cpus;
        mem += apps[p.app].resources.mem;
    }
    let cap_cpus: f64 = touched.iter().map(|a| agents[*a].cpus).sum();
    let cap_mem: f64 = touched.iter().map(|a| agents[*a].mem).sum();
    if touched.is_empty() {
        return 0.0;
    }
    (cpus / cap_cpus + mem / cap_mem) / 2.0
}

/// Distinct agents holding at least one placement.
pub fn agents_used(placements: &[Placement]) -> usize {
    placements.iter().map(|p| p.agent).collect::<HashSet<_>>().len()
}
