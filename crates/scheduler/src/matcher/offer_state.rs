//! The matcher's working copy of an offer: what is still free after the
//! instances assigned so far in this round, split by role.

use crate::offer::{Offer, OfferedAmount, OfferedResource, UNRESERVED_ROLE};
use crate::resources::{Milli, PortRange, PortSet, ScalarKind, ScalarVec};
use crate::run_spec::{HostPort, RunSpec};

/// Free resources of one role in one offer.
#[derive(Debug, Clone)]
pub(crate) struct Pool<'a> {
    pub(crate) role: &'a str,
    pub(crate) scalars: ScalarVec,
    pub(crate) ports: PortSet,
}

/// What one instance of a run spec takes from an offer.
#[derive(Debug, Clone)]
pub(crate) struct Demand {
    pub(crate) scalars: ScalarVec,
    /// Per `RunSpec::ports` entry: the host port kind, if any.
    pub(crate) host_ports: Vec<Option<HostPort>>,
    pub(crate) fixed_ports: Vec<u16>,
    pub(crate) dynamic_ports: u32,
}

impl Demand {
    pub(crate) fn of(spec: &RunSpec) -> Self {
        let host_ports: Vec<Option<HostPort>> = spec.ports.iter().map(|p| p.host_port).collect();
        let fixed_ports = host_ports
            .iter()
            .filter_map(|p| match p {
                Some(HostPort::Fixed(port)) => Some(*port),
                _ => None,
            })
            .collect();
        let dynamic_ports = host_ports.iter().filter(|p| matches!(p, Some(HostPort::Dynamic))).count();
        Self {
            scalars: spec.resources.to_milli(),
            host_ports,
            fixed_ports,
            dynamic_ports: u32::try_from(dynamic_ports).unwrap_or(u32::MAX),
        }
    }
}

/// Free resources summed over the pools a run spec may use.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Available {
    pub(crate) any_pool: bool,
    pub(crate) scalars: ScalarVec,
    pub(crate) free_ports: u32,
}

/// An offer being consumed during one matching round.
#[derive(Debug, Clone)]
pub(crate) struct OfferState<'a> {
    pub(crate) offer: &'a Offer,
    /// Reserved pools first, the unreserved pool last: allocation takes
    /// reserved resources before shared ones.
    pub(crate) pools: Vec<Pool<'a>>,
    /// Total offered at the start of the round (for scoring).
    pub(crate) original: ScalarVec,
    /// Total offered GPUs > 0 (scarce-resource rule).
    pub(crate) has_gpus: bool,
    /// Instances launched on it this round.
    pub(crate) launched: u32,
}

impl<'a> OfferState<'a> {
    pub(crate) fn new(offer: &'a Offer) -> Self {
        let mut pools: Vec<Pool<'a>> = Vec::with_capacity(1);
        let mut original = ScalarVec::default();
        let mut ranges: Vec<(usize, Vec<PortRange>)> = Vec::new();
        for OfferedResource { role, amount } in &offer.resources {
            let pos = match pools.iter().position(|p| p.role == role.as_str()) {
                Some(pos) => pos,
                None => {
                    pools.push(Pool { role, scalars: ScalarVec::default(), ports: PortSet::default() });
                    pools.len() - 1
                }
            };
            match amount {
                OfferedAmount::Scalar(kind, value) => {
                    let add = Milli::from_f64(*value).0;
                    let slot = pools[pos].scalars.get_mut(*kind);
                    slot.0 = slot.0.saturating_add(add);
                    let total = original.get_mut(*kind);
                    total.0 = total.0.saturating_add(add);
                }
                OfferedAmount::Ports(r) => ranges.push((pos, r.clone())),
            }
        }
        for (pos, r) in ranges {
            let mut all = pools[pos].ports_as_ranges();
            all.extend(r);
            pools[pos].ports = PortSet::new(all);
        }
        pools.sort_by_key(|p| p.role == UNRESERVED_ROLE);
        let has_gpus = original.get(ScalarKind::Gpus).0 > 0;
        Self { offer, pools, original, has_gpus, launched: 0 }
    }

    /// Free resources in the pools `spec` accepts.
    pub(crate) fn available(&self, spec: &RunSpec) -> Available {
        let mut out = Available::default();
        for pool in self.pools.iter().filter(|p| spec.accepts_role(p.role)) {
            out.any_pool = true;
            for kind in ScalarKind::ALL {
                let slot = out.scalars.get_mut(kind);
                slot.0 = slot.0.saturating_add(pool.scalars.get(kind).0);
            }
            out.free_ports = out.free_ports.saturating_add(pool.ports.free());
        }
        out
    }

    /// Whether the fixed and dynamic ports of `demand` can be served.
    pub(crate) fn ports_fit(&self, spec: &RunSpec, demand: &Demand, available: &Available) -> bool {
        let wanted =
            demand.dynamic_ports.saturating_add(u32::try_from(demand.fixed_ports.len()).unwrap_or(u32::MAX));
        if wanted > available.free_ports {
            return false;
        }
        let mut seen: Vec<u16> = Vec::with_capacity(demand.fixed_ports.len());
        demand.fixed_ports.iter().all(|port| {
            let fresh = !seen.contains(port);
            seen.push(*port);
            fresh && self.pools.iter().any(|p| spec.accepts_role(p.role) && p.ports.contains(*port))
        })
    }

    /// Takes one instance's resources. Callers must have checked the fit;
    /// returns the consumed resources and the host ports (aligned with the
    /// run spec's port requests).
    pub(crate) fn allocate(
        &mut self,
        spec: &RunSpec,
        demand: &Demand,
    ) -> (Vec<OfferedResource>, Vec<Option<u16>>) {
        let mut consumed = Vec::new();
        for kind in ScalarKind::ALL {
            let mut need = demand.scalars.get(kind).0;
            for pool in self.pools.iter_mut().filter(|p| spec.accepts_role(p.role)) {
                if need == 0 {
                    break;
                }
                let slot = pool.scalars.get_mut(kind);
                let take = need.min(slot.0);
                if take > 0 {
                    slot.0 -= take;
                    need -= take;
                    consumed.push(OfferedResource {
                        role: pool.role.to_owned(),
                        amount: OfferedAmount::Scalar(kind, Milli(take).as_f64()),
                    });
                }
            }
        }
        let ports = demand.host_ports.iter().map(|p| self.take_port(spec, *p, &mut consumed)).collect();
        self.launched += 1;
        (consumed, ports)
    }

    fn take_port(
        &mut self,
        spec: &RunSpec,
        want: Option<HostPort>,
        out: &mut Vec<OfferedResource>,
    ) -> Option<u16> {
        let want = want?;
        for pool in self.pools.iter_mut().filter(|p| spec.accepts_role(p.role)) {
            let got = match want {
                HostPort::Fixed(port) => pool.ports.take(port).then_some(port),
                HostPort::Dynamic => pool.ports.take_lowest(),
            };
            if let Some(port) = got {
                out.push(OfferedResource {
                    role: pool.role.to_owned(),
                    amount: OfferedAmount::Ports(vec![PortRange::new(port, port)]),
                });
                return Some(port);
            }
        }
        None
    }

    /// Fraction of the offer's cpus and mem that would remain after placing
    /// `demand` (average of both; 0 = full, 1 = untouched).
    pub(crate) fn leftover_after(&self, available: &Available, demand: &Demand) -> f64 {
        let frac = |kind: ScalarKind| {
            let total = self.original.get(kind).0;
            if total == 0 {
                return 0.0;
            }
            let left = available.scalars.get(kind).0.saturating_sub(demand.scalars.get(kind).0);
            left as f64 / total as f64
        };
        (frac(ScalarKind::Cpus) + frac(ScalarKind::Mem)) / 2.0
    }
}

impl Pool<'_> {
    fn ports_as_ranges(&self) -> Vec<PortRange> {
        self.ports.ranges().to_vec()
    }
}
