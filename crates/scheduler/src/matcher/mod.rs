//! Offer matching: decide which queued instances launch on which offers.
//!
//! Shape (after Nomad's scheduler): for each instance to place, *feasibility*
//! checks ([`checks`]) filter offers in the order of Marathon's reason funnel,
//! *scoring* ([`scoring`]) ranks the feasible ones (spread or bin-pack per run
//! spec), *selection* ([`select`]) bounds how many offers are examined, and the
//! winner's resources are consumed from the round's working copy of the offer
//! so later placements see what is left. Constraints are evaluated against the
//! run spec's active instances plus those placed earlier in the same round.
//!
//! "Cannot place yet" is data: every rejected offer is recorded with its
//! [`NoMatchReason`] and aggregated per run spec into an
//! [`OfferMatchSummary`]. Offers that take no instance are declined.
//!
//! A [`MatchRound`] is single-use and owned by the caller for the duration of
//! one batch of offers; [`match_offers`] runs a whole round at once.

mod checks;
mod constraint_state;
mod offer_state;
mod reasons;
mod scoring;
mod select;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use serde::Serialize;

use crate::constraint::{Constraint, Field, Operator};
use crate::instance::Instance;
use crate::offer::{AgentInfo, Decline, Offer, OfferedResource};
use crate::run_spec::RunSpec;
use constraint_state::ConstraintSet;
use offer_state::{Demand, OfferState};
use reasons::SpecStats;
pub use reasons::{FunnelStep, NoMatchReason, OfferMatchSummary, UnusedOffer};
use select::{select, Cursors};

/// Matcher settings (Marathon flags where one exists).
#[derive(Debug, Clone, PartialEq)]
pub struct MatchConfig {
    /// `--max_instances_per_offer`; `None` = as many as fit.
    pub max_instances_per_offer: Option<u32>,
    /// `--decline_offer_duration`, seconds.
    pub refuse_seconds: f64,
    /// Never launch on agents in maintenance.
    pub decline_maintenance: bool,
    /// Keep GPU agents for run specs that need GPUs.
    pub reserve_gpu_agents: bool,
    /// Feasible offers ranked per spread placement.
    pub spread_candidates: usize,
    /// Recently used offers kept as bin-pack candidates.
    pub binpack_window: usize,
    /// Feasible untouched offers ranked when the bin-pack window has no fit.
    pub binpack_candidates: usize,
    /// Cap on `OfferMatchSummary::last_unused_offers`.
    pub max_unused_offers_reported: usize,
}

impl Default for MatchConfig {
    fn default() -> Self {
        Self {
            max_instances_per_offer: None,
            refuse_seconds: 120.0,
            decline_maintenance: true,
            reserve_gpu_agents: true,
            spread_candidates: 4,
            binpack_window: 32,
            binpack_candidates: 8,
            max_unused_offers_reported: 10,
        }
    }
}

/// Instances of one run spec waiting to be launched.
#[derive(Debug, Clone, Copy)]
pub struct LaunchRequest<'q> {
    /// The run spec (version to launch).
    pub run_spec: &'q RunSpec,
    /// How many instances to start.
    pub count: u32,
}

/// One decided launch: an instance of a run spec on an offer.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    /// The offer to ACCEPT.
    pub offer_id: String,
    /// The agent (also recorded on the new instance).
    pub agent: Arc<AgentInfo>,
    /// Run spec id.
    pub run_spec_id: String,
    /// Run spec version launched.
    pub run_spec_version: String,
    /// Host ports, aligned with `RunSpec::ports`.
    pub host_ports: Vec<Option<u16>>,
    /// Resources taken from the offer, with their roles.
    pub resources: Vec<OfferedResource>,
}

/// Everything decided in one round.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchOutcome {
    /// Launches in decision order.
    pub launches: Vec<Launch>,
    /// Offers that took nothing.
    pub declines: Vec<Decline>,
    /// Per run spec, in first-seen order.
    pub summaries: Vec<OfferMatchSummary>,
}

impl MatchOutcome {
    /// Number of instances launched for `run_spec_id`.
    pub fn launched_for(&self, run_spec_id: &str) -> u32 {
        let n = self.launches.iter().filter(|l| l.run_spec_id == run_spec_id).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// Placement bookkeeping for one run spec within a round.
#[derive(Debug)]
pub(crate) struct SpecContext {
    id: String,
    pub(crate) demand: Demand,
    pub(crate) constraints: ConstraintSet,
    /// Instances of this run spec per offer index (existing + this round).
    pub(crate) on_offer: HashMap<usize, u32>,
    pub(crate) stats: SpecStats,
    /// Failed to place once this round: nothing freed since, so stop trying.
    exhausted: bool,
}

/// Serializable totals of a round (for logs and metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RoundTotals {
    /// Offers in the round.
    pub offers: usize,
    /// Instances launched.
    pub launched: usize,
}

/// One matching round over a batch of offers.
pub struct MatchRound<'a> {
    config: MatchConfig,
    offers: Vec<OfferState<'a>>,
    agent_offer: HashMap<&'a str, usize>,
    placed: HashMap<&'a str, Vec<&'a AgentInfo>>,
    /// Distinct values of a field among the round's offers (value-less
    /// `GROUP_BY`), borrowed from the offers.
    visible: HashMap<Field, HashSet<Cow<'a, str>>>,
    specs: Vec<SpecContext>,
    spec_index: HashMap<String, usize>,
    cursors: Cursors,
    open: VecDeque<usize>,
    launches: Vec<Launch>,
}

impl<'a> MatchRound<'a> {
    /// Starts a round. `instances` are all known instances; those that occupy
    /// an agent count for their run spec's constraints.
    pub fn new(
        config: MatchConfig,
        offers: &'a [Offer],
        instances: impl IntoIterator<Item = &'a Instance>,
    ) -> Self {
        let mut agent_offer = HashMap::with_capacity(offers.len());
        for (i, offer) in offers.iter().enumerate() {
            agent_offer.entry(offer.agent.agent_id.as_str()).or_insert(i);
        }
        let mut placed: HashMap<&'a str, Vec<&'a AgentInfo>> = HashMap::new();
        for instance in instances {
            if let (true, Some(agent)) = (instance.occupies_agent(), instance.agent.as_deref()) {
                placed.entry(instance.run_spec_id.as_str()).or_default().push(agent);
            }
        }
        Self {
            config,
            offers: offers.iter().map(OfferState::new).collect(),
            agent_offer,
            placed,
            visible: HashMap::new(),
            specs: Vec::new(),
            spec_index: HashMap::new(),
            cursors: Cursors::default(),
            open: VecDeque::new(),
            launches: Vec::new(),
        }
    }

    /// Places up to `count` instances of `spec`; returns how many were placed.
    /// Stops at the first instance that fits nowhere.
    pub fn place_all(&mut self, spec: &RunSpec, count: u32) -> u32 {
        let mut placed = 0;
        while placed < count && self.place(spec).is_some() {
            placed += 1;
        }
        let ctx = self.context(spec);
        self.specs[ctx].stats.requested += count.saturating_sub(placed + 1);
        placed
    }

    /// Places one instance of `spec` (one scheduling decision); `None` when
    /// no offer fits, with the reasons recorded in the round's summary.
    pub fn place(&mut self, spec: &RunSpec) -> Option<&Launch> {
        let ctx_idx = self.context(spec);
        let ctx = &mut self.specs[ctx_idx];
        ctx.stats.requested += 1;
        if ctx.exhausted {
            return None;
        }
        let Some(idx) = select(&self.offers, &self.open, &mut self.cursors, spec, ctx, &self.config) else {
            ctx.exhausted = true;
            return None;
        };
        let offer = &mut self.offers[idx];
        let (resources, host_ports) = offer.allocate(spec, &ctx.demand);
        let agent = &offer.offer.agent;
        ctx.constraints.record(agent);
        *ctx.on_offer.entry(idx).or_default() += 1;
        ctx.stats.use_offer(idx);
        if !self.open.contains(&idx) {
            self.open.push_back(idx);
            if self.open.len() > self.config.binpack_window {
                self.open.pop_front();
            }
        }
        self.launches.push(Launch {
            offer_id: offer.offer.id.clone(),
            agent: Arc::clone(agent),
            run_spec_id: spec.id.clone(),
            run_spec_version: spec.version.clone(),
            host_ports,
            resources,
        });
        self.launches.last()
    }

    /// Launches decided so far.
    pub fn launches(&self) -> &[Launch] {
        &self.launches
    }

    /// Ends the round: declines for unused offers and per-spec summaries.
    pub fn finish(self) -> MatchOutcome {
        let declines = self
            .offers
            .iter()
            .filter(|o| o.launched == 0)
            .map(|o| Decline { offer_id: o.offer.id.clone(), refuse_seconds: self.config.refuse_seconds })
            .collect();
        let offers = &self.offers;
        let offer_at = |i: usize| offers[i].offer;
        let summaries = self
            .specs
            .iter()
            .map(|ctx| ctx.stats.summarise(&ctx.id, self.config.max_unused_offers_reported, offer_at))
            .collect();
        MatchOutcome { launches: self.launches, declines, summaries }
    }

    /// Totals so far.
    pub fn totals(&self) -> RoundTotals {
        RoundTotals { offers: self.offers.len(), launched: self.launches.len() }
    }

    fn context(&mut self, spec: &RunSpec) -> usize {
        if let Some(idx) = self.spec_index.get(&spec.id) {
            return *idx;
        }
        let placed: &[&AgentInfo] = self.placed.get(spec.id.as_str()).map_or(&[], Vec::as_slice);
        for c in spec.constraints.iter().filter(|c| matches!(c.op, Operator::GroupBy(None))) {
            let offers = &self.offers;
            self.visible.entry(c.field.clone()).or_insert_with(|| {
                offers
                    .iter()
                    .filter_map(|o| {
                        let offer: &'a Offer = o.offer;
                        c.field.value_of(&offer.agent)
                    })
                    .collect()
            });
        }
        let visible = &self.visible;
        let count_visible = |c: &Constraint| {
            let offered = visible.get(&c.field);
            let mut extra: HashSet<String> = HashSet::new();
            for value in placed.iter().filter_map(|a| c.field.value_of(a)) {
                if !offered.is_some_and(|s| s.contains(value.as_ref())) {
                    extra.insert(value.into_owned());
                }
            }
            u32::try_from(offered.map_or(0, HashSet::len) + extra.len()).unwrap_or(u32::MAX)
        };
        let constraints = ConstraintSet::new(&spec.constraints, spec.instances, placed, count_visible);
        let mut on_offer = HashMap::new();
        for agent in placed {
            if let Some(idx) = self.agent_offer.get(agent.agent_id.as_str()) {
                *on_offer.entry(*idx).or_default() += 1;
            }
        }
        self.specs.push(SpecContext {
            id: spec.id.clone(),
            demand: Demand::of(spec),
            constraints,
            on_offer,
            stats: SpecStats::default(),
            exhausted: false,
        });
        self.spec_index.insert(spec.id.clone(), self.specs.len() - 1);
        self.specs.len() - 1
    }
}

/// Runs one complete round: places every request in queue order.
pub fn match_offers<'a>(
    config: MatchConfig,
    queue: &[LaunchRequest<'_>],
    offers: &'a [Offer],
    instances: impl IntoIterator<Item = &'a Instance>,
) -> MatchOutcome {
    let mut round = MatchRound::new(config, offers, instances);
    for request in queue {
        round.place_all(request.run_spec, request.count);
    }
    round.finish()
}

#[cfg(test)]
#[path = "matcher_tests.rs"]
mod tests;
