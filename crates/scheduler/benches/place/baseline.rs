//! The in-run baseline: a brute-force best-fit placer. For every instance it
//! scans every agent, checks every constraint by scanning the app's placed
//! instances, and takes the feasible agent left with the least free
//! cpus+mem. Written independently of the matcher.

use dromos_scheduler::{Operator, RunSpec};

use crate::cluster::{AgentSpec, PORT_BEGIN, PORT_END, ZONES};
use crate::verify::{zone_index, Placement};

struct Free {
    cpus: f64,
    mem: f64,
    disk: f64,
    ports: u32,
}

pub fn place_all(agents: &[AgentSpec], apps: &[RunSpec]) -> Vec<Placement> {
    let mut free: Vec<Free> = agents
        .iter()
        .map(|a| Free { cpus: a.cpus, mem: a.mem, disk: a.disk, ports: u32::from(PORT_END - PORT_BEGIN) + 1 })
        .collect();
    let mut out = Vec::new();
    for (app_idx, app) in apps.iter().enumerate() {
        let mut placed: Vec<usize> = Vec::new();
        for _ in 0..app.instances {
            let Some(best) = best_fit(agents, &free, app, &placed) else {
                break;
            };
            let f = &mut free[best];
            f.cpus -= app.resources.cpus;
            f.mem -= app.resources.mem;
            f.disk -= app.resources.disk;
            f.ports -= app.ports.len() as u32;
            placed.push(best);
            out.push(Placement { app: app_idx, agent: best, ports: Vec::new() });
        }
    }
    out
}

fn best_fit(agents: &[AgentSpec], free: &[Free], app: &RunSpec, placed: &[usize]) -> Option<usize> {
    let r = &app.resources;
    let mut best: Option<(usize, f64)> = None;
    for (i, (a, f)) in agents.iter().zip(free).enumerate() {
        let fits = !a.maintenance
            && f.cpus + 1e-9 >= r.cpus
            && f.mem + 1e-9 >= r.mem
            && f.disk + 1e-9 >= r.disk
            && f.ports as usize >= app.ports.len();
        if !fits || !constraints_ok(agents, i, app, placed) {
            continue;
        }
        let leftover = ((f.cpus - r.cpus) / a.cpus + (f.mem - r.mem) / a.mem) / 2.0;
        if best.is_none_or(|(_, b)| leftover < b) {
            best = Some((i, leftover));
        }
    }
    best.map(|(i, _)| i)
}

fn constraints_ok(agents: &[AgentSpec], i: usize, app: &RunSpec, placed: &[usize]) -> bool {
    let a = &agents[i];
    app.constraints.iter().all(|c| match &c.op {
        Operator::Unique => placed.iter().all(|p| agents[*p].hostname != a.hostname),
        Operator::GroupBy(_) => {
            let mut counts = [0u32; ZONES];
            for p in placed {
                counts[zone_index(&agents[*p].zone)] += 1;
            }
            let min = counts.iter().copied().min().unwrap_or(0);
            counts[zone_index(&a.zone)] == min
        }
        Operator::Like(re) => re.is_match(&a.rack),
        Operator::Is(v) => *v == a.rack,
        _ => true,
    })
}
