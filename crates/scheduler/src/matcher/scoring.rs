//! Ranking of feasible offers. Higher scores win.
//!
//! - Spread (default): first prefer agents holding fewer instances of the same
//!   run spec, then the agent left with the most free cpus+mem.
//! - BinPack: prefer the agent left with the least free cpus+mem (best fit),
//!   which keeps whole agents free for large tasks.

use super::offer_state::{Available, Demand, OfferState};
use crate::run_spec::PlacementStrategy;

/// Scores a feasible offer for one instance.
pub(crate) fn score(
    strategy: PlacementStrategy,
    offer: &OfferState<'_>,
    available: &Available,
    demand: &Demand,
    same_spec_on_agent: u32,
) -> f64 {
    let leftover = offer.leftover_after(available, demand);
    match strategy {
        // `leftover` is in [0, 1], so one extra co-located instance always
        // outweighs any difference in free resources.
        PlacementStrategy::Spread => leftover - 2.0 * f64::from(same_spec_on_agent),
        PlacementStrategy::BinPack => -leftover,
    }
}
