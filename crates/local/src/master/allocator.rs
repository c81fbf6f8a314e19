//! The allocator: which framework is offered which agent's free resources.
//!
//! Pure: no clock, no I/O. It follows stage 2 of Mesos' hierarchical DRF
//! allocator: for each agent, frameworks are sorted by dominant share (the
//! largest fraction of any cluster-wide scalar their offers and tasks hold;
//! ties broken by framework id), and the first one that has not refused these
//! resources gets everything free on the agent. Its share is then updated
//! before the next agent is considered, so with two frameworks and two agents
//! each gets one.

use dromos_mesos::v1::{AgentId, FrameworkId};

use crate::resources::Resources;

/// Smallest offer worth making (Mesos `--min_allocatable_resources`
/// `cpus:0.01|mem:32`: either quantity is enough).
const MIN_CPUS: f64 = 0.01;
const MIN_MEM: f64 = 32.0;

/// A framework that may receive offers, with what it already holds.
#[derive(Debug, Clone)]
pub(crate) struct Demand {
    /// The framework.
    pub framework: FrameworkId,
    /// Resources of its outstanding offers and live tasks.
    pub allocated: Resources,
}

/// One offer to make.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grant {
    /// To whom.
    pub framework: FrameworkId,
    /// From which agent.
    pub agent: AgentId,
    /// What.
    pub resources: Resources,
}

/// `max over scalar r of allocated_r / total_r` (0 for an empty cluster).
pub(crate) fn dominant_share(allocated: &Resources, total: &Resources) -> f64 {
    allocated
        .scalars()
        .filter_map(|(name, amount)| {
            let whole = total.scalar(name);
            (whole > 0.0).then(|| amount / whole)
        })
        .fold(0.0, f64::max)
}

/// Plans offers of the agents' free resources among `frameworks`;
/// `refused(framework, agent, resources)` is true when a filter holds them back.
pub(crate) fn allocate(
    free: &[(AgentId, Resources)],
    total: &Resources,
    frameworks: &[Demand],
    refused: impl Fn(&FrameworkId, &AgentId, &Resources) -> bool,
) -> Vec<Grant> {
    let mut held: Vec<Demand> = frameworks.to_vec();
    let mut grants = Vec::new();
    for (agent, resources) in free {
        if !allocatable(resources) {
            continue;
        }
        held.sort_by(|a, b| {
            dominant_share(&a.allocated, total)
                .total_cmp(&dominant_share(&b.allocated, total))
                .then_with(|| a.framework.cmp(&b.framework))
        });
        let Some(winner) = held.iter_mut().find(|d| !refused(&d.framework, agent, resources)) else {
            continue;
        };
        winner.allocated = winner.allocated.plus(resources);
        grants.push(Grant {
            framework: winner.framework.clone(),
            agent: agent.clone(),
            resources: resources.clone(),
        });
    }
    grants
}

fn allocatable(resources: &Resources) -> bool {
    resources.scalar("cpus") >= MIN_CPUS || resources.scalar("mem") >= MIN_MEM
}

#[cfg(test)]
mod tests {
    use dromos_mesos::v1::{AgentId, FrameworkId};

    use super::{allocate, dominant_share, Demand};
    use crate::resources::Resources;

    fn res(cpus: f64, mem: f64) -> Resources {
        let mut r = Resources::default();
        r.add_scalar("cpus", cpus);
        r.add_scalar("mem", mem);
        r
    }

    fn demand(id: &str, cpus: f64, mem: f64) -> Demand {
        Demand { framework: FrameworkId::new(id), allocated: res(cpus, mem) }
    }

    fn agents(n: usize) -> Vec<(AgentId, Resources)> {
        (0..n).map(|i| (AgentId::new(format!("S{i}")), res(2.0, 1024.0))).collect()
    }

    fn winners(grants: &[super::Grant]) -> Vec<&str> {
        grants.iter().map(|g| g.framework.as_str()).collect()
    }

    #[test]
    fn dominant_share_is_the_largest_fraction_of_any_scalar() {
        let total = res(10.0, 1000.0);
        let cases =
            [(res(1.0, 500.0), 0.5), (res(5.0, 100.0), 0.5), (res(0.0, 0.0), 0.0), (res(2.0, 100.0), 0.2)];
        for (allocated, expected) in cases {
            assert_eq!(dominant_share(&allocated, &total), expected);
        }
    }

    #[test]
    fn two_idle_frameworks_split_two_agents() {
        let frameworks = [demand("a", 0.0, 0.0), demand("b", 0.0, 0.0)];
        let grants = allocate(&agents(2), &res(4.0, 2048.0), &frameworks, |_, _, _| false);
        assert_eq!(winners(&grants), ["a", "b"]);
    }

    #[test]
    fn the_framework_with_the_lower_dominant_share_goes_first() {
        let frameworks = [demand("a", 1.0, 0.0), demand("b", 0.0, 512.0)];
        // a holds 1/4 cpus, b holds 1/4 mem too; tie broken by id → a, then b's share is lower.
        let grants = allocate(&agents(1), &res(4.0, 2048.0), &frameworks, |_, _, _| false);
        assert_eq!(winners(&grants), ["a"]);
        let frameworks = [demand("a", 2.0, 0.0), demand("b", 0.0, 512.0)];
        let grants = allocate(&agents(1), &res(4.0, 2048.0), &frameworks, |_, _, _| false);
        assert_eq!(winners(&grants), ["b"]);
    }

    #[test]
    fn refused_resources_go_to_the_next_framework_or_nobody() {
        let frameworks = [demand("a", 0.0, 0.0), demand("b", 0.0, 0.0)];
        let grants = allocate(&agents(1), &res(2.0, 1024.0), &frameworks, |f, _, _| f.as_str() == "a");
        assert_eq!(winners(&grants), ["b"]);
        let grants = allocate(&agents(1), &res(2.0, 1024.0), &frameworks, |_, _, _| true);
        assert!(grants.is_empty());
    }

    #[test]
    fn crumbs_below_the_minimum_are_not_offered() {
        let free = vec![(AgentId::new("S0"), res(0.001, 8.0))];
        let grants = allocate(&free, &res(2.0, 1024.0), &[demand("a", 0.0, 0.0)], |_, _, _| false);
        assert!(grants.is_empty());
    }
}
