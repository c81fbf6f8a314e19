//! Why an offer was not used: the ordered reason funnel and the per-run-spec
//! summary the API shows (`/v2/queue` `processedOffersSummary`).
//!
//! Each rejected offer gets exactly one reason: the first stage of the funnel
//! it fails, in [`NoMatchReason::FUNNEL`] order (Marathon's
//! `NoOfferMatchReason.reasonFunnel`). Counting offers stage by stage then tells
//! a user the one stage where their app's offers drain away.

use std::collections::HashMap;

use serde::Serialize;

use crate::offer::{Attribute, Offer, OfferedResource};

/// Why one offer could not take one instance of a run spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum NoMatchReason {
    /// No resources in an accepted role.
    UnfulfilledRole,
    /// A placement constraint rejected the agent.
    UnfulfilledConstraint,
    /// The agent is in maintenance.
    AgentMaintenance,
    /// Not enough cpus.
    InsufficientCpus,
    /// Not enough memory.
    InsufficientMemory,
    /// Not enough disk.
    InsufficientDisk,
    /// Not enough GPUs.
    InsufficientGpus,
    /// Not enough (or not the requested) ports.
    InsufficientPorts,
    /// GPU agent kept for GPU apps.
    DeclinedScarceResources,
    /// `max_instances_per_offer` reached (dromos' addition to the funnel).
    MaxInstancesPerOffer,
}

impl NoMatchReason {
    /// Marathon's name for the reason (`InsufficientCpus`, …), as
    /// `/v2/queue` shows it.
    pub fn name(self) -> &'static str {
        match self {
            Self::UnfulfilledRole => "UnfulfilledRole",
            Self::UnfulfilledConstraint => "UnfulfilledConstraint",
            Self::AgentMaintenance => "AgentMaintenance",
            Self::InsufficientCpus => "InsufficientCpus",
            Self::InsufficientMemory => "InsufficientMemory",
            Self::InsufficientDisk => "InsufficientDisk",
            Self::InsufficientGpus => "InsufficientGpus",
            Self::InsufficientPorts => "InsufficientPorts",
            Self::DeclinedScarceResources => "DeclinedScarceResources",
            Self::MaxInstancesPerOffer => "MaxInstancesPerOffer",
        }
    }

    /// Every funnel stage with nothing processed or declined: the summary
    /// of an app no offer has reached yet.
    pub fn empty_funnel() -> Vec<FunnelStep> {
        Self::FUNNEL.iter().map(|reason| FunnelStep { reason: *reason, declined: 0, processed: 0 }).collect()
    }

    /// Funnel order: earlier stages are reported in preference to later ones.
    pub const FUNNEL: [NoMatchReason; 10] = [
        Self::UnfulfilledRole,
        Self::UnfulfilledConstraint,
        Self::AgentMaintenance,
        Self::InsufficientCpus,
        Self::InsufficientMemory,
        Self::InsufficientDisk,
        Self::InsufficientGpus,
        Self::InsufficientPorts,
        Self::DeclinedScarceResources,
        Self::MaxInstancesPerOffer,
    ];
}

/// One stage of the funnel: `processed` offers reached it, `declined` of them
/// stopped here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FunnelStep {
    /// The stage.
    pub reason: NoMatchReason,
    /// Offers rejected at this stage.
    pub declined: u32,
    /// Offers that reached this stage.
    pub processed: u32,
}

/// An offer that stayed unused for a run spec, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnusedOffer {
    /// Offer id.
    pub offer_id: String,
    /// Agent id.
    pub agent_id: String,
    /// Agent hostname.
    pub hostname: String,
    /// The funnel reason.
    pub reason: NoMatchReason,
    /// What the offer held (`/v2/queue?embed=lastUnusedOffers` shows it).
    pub resources: Vec<OfferedResource>,
    /// The agent's attributes.
    pub attributes: Vec<Attribute>,
}

/// What happened to one run spec in one matching round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferMatchSummary {
    /// Run spec id.
    pub run_spec_id: String,
    /// Instances asked for.
    pub requested: u32,
    /// Instances placed.
    pub launched: u32,
    /// Offers examined for it (used + unused).
    pub processed_offers: u32,
    /// Offers examined and not used.
    pub unused_offers: u32,
    /// Marathon's `rejectSummaryLastOffers`, in funnel order.
    pub funnel: Vec<FunnelStep>,
    /// Some unused offers with their reason (capped, in offer order).
    pub last_unused_offers: Vec<UnusedOffer>,
}

impl OfferMatchSummary {
    /// The stage that declined the most offers (earliest on ties): the
    /// one-line answer to "why is my app waiting?".
    pub fn main_reason(&self) -> Option<NoMatchReason> {
        self.funnel
            .iter()
            .filter(|s| s.declined > 0)
            .fold(None::<FunnelStep>, |best, s| match best {
                Some(b) if b.declined >= s.declined => Some(b),
                _ => Some(*s),
            })
            .map(|s| s.reason)
    }
}

/// Per-run-spec bookkeeping during a round.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpecStats {
    /// Latest reason per rejected offer index (removed when the offer is used).
    pub(crate) rejected: HashMap<usize, NoMatchReason>,
    /// Offer indices that received at least one instance.
    pub(crate) used: Vec<usize>,
    pub(crate) requested: u32,
    pub(crate) launched: u32,
}

impl SpecStats {
    pub(crate) fn reject(&mut self, offer: usize, reason: NoMatchReason) {
        self.rejected.insert(offer, reason);
    }

    pub(crate) fn use_offer(&mut self, offer: usize) {
        self.rejected.remove(&offer);
        if !self.used.contains(&offer) {
            self.used.push(offer);
        }
        self.launched += 1;
    }

    /// Builds the summary; `offer_at` maps an offer index to its offer.
    pub(crate) fn summarise<'s>(
        &self,
        run_spec_id: &str,
        max_unused: usize,
        offer_at: impl Fn(usize) -> &'s Offer,
    ) -> OfferMatchSummary {
        let unused = self.rejected.len();
        let processed = unused + self.used.len();
        let mut counts: HashMap<NoMatchReason, u32> = HashMap::new();
        for reason in self.rejected.values() {
            *counts.entry(*reason).or_default() += 1;
        }
        let mut reaching = u32::try_from(processed).unwrap_or(u32::MAX);
        let funnel = NoMatchReason::FUNNEL
            .iter()
            .map(|reason| {
                let declined = counts.get(reason).copied().unwrap_or(0);
                let step = FunnelStep { reason: *reason, declined, processed: reaching };
                reaching = reaching.saturating_sub(declined);
                step
            })
            .collect();
        let mut indices: Vec<(&usize, &NoMatchReason)> = self.rejected.iter().collect();
        indices.sort_unstable_by_key(|(i, _)| **i);
        let last_unused_offers = indices
            .into_iter()
            .take(max_unused)
            .map(|(i, reason)| {
                let offer = offer_at(*i);
                UnusedOffer {
                    offer_id: offer.id.clone(),
                    agent_id: offer.agent.agent_id.clone(),
                    hostname: offer.agent.hostname.clone(),
                    reason: *reason,
                    resources: offer.resources.clone(),
                    attributes: offer.agent.attributes.clone(),
                }
            })
            .collect();
        OfferMatchSummary {
            run_spec_id: run_spec_id.to_owned(),
            requested: self.requested,
            launched: self.launched,
            processed_offers: u32::try_from(processed).unwrap_or(u32::MAX),
            unused_offers: u32::try_from(unused).unwrap_or(u32::MAX),
            funnel,
            last_unused_offers,
        }
    }
}
