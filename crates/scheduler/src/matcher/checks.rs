//! Feasibility: does one offer fit one instance of a run spec? Checks run in
//! funnel order so the first failure is the reason reported.

use super::constraint_state::ConstraintSet;
use super::offer_state::{Available, Demand, OfferState};
use super::reasons::NoMatchReason;
use super::MatchConfig;
use crate::resources::ScalarKind;
use crate::run_spec::RunSpec;

/// Everything a check needs about the run spec being placed.
pub(crate) struct CheckInput<'s> {
    pub(crate) spec: &'s RunSpec,
    pub(crate) demand: &'s Demand,
    pub(crate) constraints: &'s ConstraintSet,
}

/// Returns the free resources usable by the run spec if the offer fits, or
/// the first funnel stage it fails.
pub(crate) fn evaluate(
    offer: &OfferState<'_>,
    input: &CheckInput<'_>,
    config: &MatchConfig,
) -> Result<Available, NoMatchReason> {
    let available = offer.available(input.spec);
    if !available.any_pool {
        return Err(NoMatchReason::UnfulfilledRole);
    }
    if !input.constraints.accepts(&offer.offer.agent) {
        return Err(NoMatchReason::UnfulfilledConstraint);
    }
    if config.decline_maintenance && offer.offer.maintenance {
        return Err(NoMatchReason::AgentMaintenance);
    }
    let shortages = [
        (ScalarKind::Cpus, NoMatchReason::InsufficientCpus),
        (ScalarKind::Mem, NoMatchReason::InsufficientMemory),
        (ScalarKind::Disk, NoMatchReason::InsufficientDisk),
        (ScalarKind::Gpus, NoMatchReason::InsufficientGpus),
    ];
    for (kind, reason) in shortages {
        if input.demand.scalars.get(kind) > available.scalars.get(kind) {
            return Err(reason);
        }
    }
    if !offer.ports_fit(input.spec, input.demand, &available) {
        return Err(NoMatchReason::InsufficientPorts);
    }
    if config.reserve_gpu_agents && offer.has_gpus && input.demand.scalars.get(ScalarKind::Gpus).0 == 0 {
        return Err(NoMatchReason::DeclinedScarceResources);
    }
    if config.max_instances_per_offer.is_some_and(|max| offer.launched >= max) {
        return Err(NoMatchReason::MaxInstancesPerOffer);
    }
    Ok(available)
}
