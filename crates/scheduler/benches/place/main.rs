//! `place` benchmark (see shared/design/benchmarks.md): 10,000 simulated
//! agents, 1,000 apps × 10 instances, against an in-run brute-force best-fit
//! baseline. Prints one final line:
//! `place: placements_per_s=… p99_us=… violations=… packing_ratio=… speedup=…`
//! where ratios are dromos / baseline from the same run.
//!
//! Run: `cargo bench -p dromos-scheduler --bench place`.

mod baseline;
mod cluster;
mod verify;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use dromos_scheduler::{MatchConfig, MatchRound, PlacementStrategy};

use cluster::Workload;
use verify::Placement;

const SEED: u64 = 0x5EED_D805;
const DROMOS_RUNS: usize = 5;

struct Run {
    placements: Vec<Placement>,
    total: Duration,
    decisions_ns: Vec<u64>,
}

fn run_dromos(work: &Workload) -> Run {
    let start = Instant::now();
    let mut round = MatchRound::new(MatchConfig::default(), &work.offers, std::iter::empty());
    let mut decisions_ns = Vec::with_capacity(work.apps.len() * cluster::INSTANCES as usize);
    for app in &work.apps {
        for _ in 0..app.instances {
            let t = Instant::now();
            let placed = round.place(app).is_some();
            decisions_ns.push(u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX));
            if !placed {
                break;
            }
        }
    }
    let outcome = round.finish();
    let total = start.elapsed();
    let app_idx: HashMap<&str, usize> =
        work.apps.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    let agent_idx: HashMap<&str, usize> =
        work.offers.iter().enumerate().map(|(i, o)| (o.agent.agent_id.as_str(), i)).collect();
    let placements = outcome
        .launches
        .iter()
        .map(|l| Placement {
            app: app_idx[l.run_spec_id.as_str()],
            agent: agent_idx[l.agent.agent_id.as_str()],
            ports: l.host_ports.iter().flatten().copied().collect(),
        })
        .collect();
    Run { placements, total, decisions_ns }
}

fn percentile_us(sorted_ns: &[u64], p: f64) -> f64 {
    if sorted_ns.is_empty() {
        return 0.0;
    }
    let idx = ((sorted_ns.len() as f64 - 1.0) * p).round() as usize;
    sorted_ns[idx] as f64 / 1000.0
}

fn per_s(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

fn main() {
    let work = cluster::generate(SEED, PlacementStrategy::BinPack);
    let wanted = work.apps.len() * cluster::INSTANCES as usize;

    let mut runs: Vec<Run> = (0..DROMOS_RUNS).map(|_| run_dromos(&work)).collect();
    runs.sort_by_key(|r| r.total);
    let median = &runs[runs.len() / 2];
    let mut all_ns: Vec<u64> = runs.iter().flat_map(|r| r.decisions_ns.iter().copied()).collect();
    all_ns.sort_unstable();
    let dromos_rate = per_s(median.placements.len(), median.total);
    let p99 = percentile_us(&all_ns, 0.99);
    let dromos_violations = verify::violations(&work.agents, &work.apps, &median.placements);
    let dromos_packing = verify::packing(&work.agents, &work.apps, &median.placements);
    println!(
        "place: dromos(binpack) placed={}/{wanted} time_ms={:.1} placements_per_s={dromos_rate:.0} p50_us={:.1} \
         p99_us={p99:.1} max_us={:.1} violations={dromos_violations} packing={dromos_packing:.4} agents_used={}",
        median.placements.len(),
        median.total.as_secs_f64() * 1000.0,
        percentile_us(&all_ns, 0.5),
        percentile_us(&all_ns, 1.0),
        verify::agents_used(&median.placements),
    );

    let spread_work = cluster::generate(SEED, PlacementStrategy::Spread);
    let spread = run_dromos(&spread_work);
    let spread_violations = verify::violations(&spread_work.agents, &spread_work.apps, &spread.placements);
    println!(
        "place: dromos(spread) placed={}/{wanted} time_ms={:.1} placements_per_s={:.0} violations={spread_violations}",
        spread.placements.len(),
        spread.total.as_secs_f64() * 1000.0,
        per_s(spread.placements.len(), spread.total),
    );

    let start = Instant::now();
    let base = baseline::place_all(&work.agents, &work.apps);
    let base_time = start.elapsed();
    let base_rate = per_s(base.len(), base_time);
    let base_violations = verify::violations(&work.agents, &work.apps, &base);
    let base_packing = verify::packing(&work.agents, &work.apps, &base);
    println!(
        "place: baseline(brute-force best-fit) placed={}/{wanted} time_ms={:.1} placements_per_s={base_rate:.0} \
         violations={base_violations} packing={base_packing:.4} agents_used={}",
        base.len(),
        base_time.as_secs_f64() * 1000.0,
        verify::agents_used(&base),
    );

    println!(
        "place: placements_per_s={dromos_rate:.0} p99_us={p99:.1} violations={} packing_ratio={:.3} speedup={:.1}",
        dromos_violations + spread_violations,
        dromos_packing / base_packing.max(1e-9),
        dromos_rate / base_rate.max(1e-9),
    );
}
