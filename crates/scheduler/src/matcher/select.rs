//! Candidate search: which offers are examined for one placement, and which
//! feasible one wins.
//!
//! Scanning all offers for every instance is what the brute-force baseline in
//! `benches/place` does; the matcher instead stops after a few feasible
//! candidates (Nomad's "limit" idea), which makes a placement cost roughly
//! constant in the cluster size while keeping quality:
//! - Spread scans from a cursor that rotates through the offers, so
//!   consecutive placements land on different agents, and ranks the first
//!   `spread_candidates` feasible offers.
//! - BinPack first ranks the offers that most recently received instances (the
//!   "open" window, where a best fit is most likely), and only when none fits
//!   ranks the first `binpack_candidates` feasible untouched offers after a
//!   cursor.
//!
//! A run spec that fits nowhere scans every offer once, so its summary gives a
//! reason for each.

use std::collections::VecDeque;

use super::checks::{evaluate, CheckInput};
use super::offer_state::OfferState;
use super::scoring::score;
use super::{MatchConfig, SpecContext};
use crate::run_spec::{PlacementStrategy, RunSpec};

/// Where the next scans start; advanced by every placement.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cursors {
    pub(crate) spread: usize,
    pub(crate) binpack: usize,
}

/// Picks the offer for one more instance of `spec`, recording a reason for
/// every offer it rejects.
pub(crate) fn select(
    offers: &[OfferState<'_>],
    open: &VecDeque<usize>,
    cursors: &mut Cursors,
    spec: &RunSpec,
    ctx: &mut SpecContext,
    config: &MatchConfig,
) -> Option<usize> {
    let n = offers.len();
    if n == 0 {
        return None;
    }
    match spec.placement {
        PlacementStrategy::Spread => {
            let start = cursors.spread % n;
            let order = (0..n).map(|i| (start + i) % n);
            let chosen = scan(offers, order, config.spread_candidates, spec, ctx, config)?;
            cursors.spread = chosen + 1;
            Some(chosen)
        }
        PlacementStrategy::BinPack => {
            let window = open.iter().rev().copied();
            if let Some(chosen) = scan(offers, window, usize::MAX, spec, ctx, config) {
                return Some(chosen);
            }
            let start = cursors.binpack % n;
            let fresh = (0..n).map(|i| (start + i) % n).filter(|i| !open.contains(i));
            let chosen = scan(offers, fresh, config.binpack_candidates, spec, ctx, config)?;
            cursors.binpack = chosen + 1;
            Some(chosen)
        }
    }
}

/// Evaluates offers in `order` until `limit` feasible ones were seen; returns
/// the best-scoring (first on ties).
fn scan(
    offers: &[OfferState<'_>],
    order: impl Iterator<Item = usize>,
    limit: usize,
    spec: &RunSpec,
    ctx: &mut SpecContext,
    config: &MatchConfig,
) -> Option<usize> {
    let input = CheckInput { spec, demand: &ctx.demand, constraints: &ctx.constraints };
    let mut best: Option<(usize, f64)> = None;
    let mut found = 0usize;
    for idx in order {
        let Some(offer) = offers.get(idx) else {
            continue;
        };
        match evaluate(offer, &input, config) {
            Ok(available) => {
                let same = ctx.on_offer.get(&idx).copied().unwrap_or(0);
                let s = score(spec.placement, offer, &available, input.demand, same);
                if best.is_none_or(|(_, b)| s > b) {
                    best = Some((idx, s));
                }
                found += 1;
                if found >= limit.max(1) {
                    break;
                }
            }
            Err(reason) => ctx.stats.reject(idx, reason),
        }
    }
    best.map(|(idx, _)| idx)
}
