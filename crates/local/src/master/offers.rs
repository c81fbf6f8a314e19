//! Offers: running the allocator, turning its grants into OFFERS events, and
//! giving offered resources back (decline, rescind, a disconnected framework).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use dromos_mesos::v1::{AgentId, Event, Filters, FrameworkId, Offer, OfferId};

use super::allocator::{self, Demand};
use super::framework::RefusalFilter;
use super::{Master, OfferRecord};
use crate::resources::Resources;

/// Mesos' default `refuse_seconds`, and its cap (one year).
const DEFAULT_REFUSE_SECONDS: f64 = 5.0;
const MAX_REFUSE_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

impl Master {
    /// One allocation run: offers every agent's free resources by DRF.
    pub(super) fn allocate(&mut self, now: Instant) {
        for framework in self.frameworks.values_mut() {
            framework.expire_filters(now);
        }
        let free: Vec<(AgentId, Resources)> =
            self.agents.values().map(|a| (a.id.clone(), a.free())).filter(|(_, r)| !r.is_empty()).collect();
        if free.is_empty() {
            return;
        }
        let demands: Vec<Demand> = self
            .frameworks
            .values()
            .filter(|f| f.is_connected() && f.offer_role().is_some())
            .map(|f| Demand { framework: f.id.clone(), allocated: self.allocated_to(&f.id) })
            .collect();
        if demands.is_empty() {
            return;
        }
        let total = self.agents.values().fold(Resources::default(), |acc, a| acc.plus(&a.total));
        let frameworks = &self.frameworks;
        let grants = allocator::allocate(&free, &total, &demands, |f, agent, resources| {
            frameworks.get(f).is_none_or(|f| f.refuses(agent, resources, now))
        });
        self.counters.allocation_runs += 1;
        let mut batches: BTreeMap<FrameworkId, Vec<Offer>> = BTreeMap::new();
        for grant in grants {
            if let Some(offer) = self.make_offer(&grant.framework, &grant.agent, grant.resources) {
                batches.entry(grant.framework).or_default().push(offer);
            }
        }
        for (framework_id, offers) in batches {
            tracing::debug!(framework_id = %framework_id, offers = offers.len(), "sending offers");
            self.send_event(&framework_id, Event::Offers(offers));
        }
    }

    /// Resources held by a framework's outstanding offers and live tasks.
    pub(super) fn allocated_to(&self, framework_id: &FrameworkId) -> Resources {
        let offered = self.offers.values().filter(|o| &o.framework_id == framework_id).map(|o| &o.resources);
        let used = self
            .tasks
            .values()
            .filter(|t| &t.framework_id == framework_id && !t.is_terminal())
            .map(|t| &t.resources);
        offered.chain(used).fold(Resources::default(), |acc, r| acc.plus(r))
    }

    fn make_offer(
        &mut self,
        framework_id: &FrameworkId,
        agent_id: &AgentId,
        resources: Resources,
    ) -> Option<Offer> {
        let framework = self.frameworks.get(framework_id)?;
        let role = framework.offer_role()?;
        let allocation_role = framework.is_multi_role().then_some(role.as_str());
        let agent = self.agents.get_mut(agent_id)?;
        let id = OfferId::new(format!("{}-O{}", self.id, self.next_offer));
        self.next_offer += 1;
        agent.offered = agent.offered.plus(&resources);
        let offer = Offer {
            id: id.clone(),
            framework_id: framework_id.clone(),
            agent_id: agent_id.clone(),
            hostname: agent.hostname.clone(),
            url: None,
            domain: None,
            resources: resources.to_wire(allocation_role),
            attributes: agent.attributes.clone(),
            executor_ids: Vec::new(),
            unavailability: None,
            allocation_info: allocation_role
                .map(|r| dromos_mesos::v1::AllocationInfo { role: Some(r.to_owned()) }),
        };
        self.offers.insert(
            id,
            OfferRecord {
                framework_id: framework_id.clone(),
                agent_id: agent_id.clone(),
                resources,
                role,
                created: Instant::now(),
            },
        );
        Some(offer)
    }

    /// Takes an offer out of the books, returning its resources to the agent.
    pub(super) fn take_offer(&mut self, offer_id: &OfferId) -> Option<OfferRecord> {
        let record = self.offers.remove(offer_id)?;
        if let Some(agent) = self.agents.get_mut(&record.agent_id) {
            agent.offered = agent.offered.minus(&record.resources);
        }
        self.dirty = true;
        Some(record)
    }

    /// Returns `resources` on `agent` unused, filtering them for the framework
    /// per `filters` (default 5 s; never shorter than the allocation interval).
    pub(super) fn refuse(
        &mut self,
        framework_id: &FrameworkId,
        agent_id: &AgentId,
        resources: Resources,
        filters: Option<Filters>,
    ) {
        let seconds =
            filters.and_then(|f| f.refuse_seconds).filter(|s| *s >= 0.0).unwrap_or(DEFAULT_REFUSE_SECONDS);
        let seconds = seconds.min(MAX_REFUSE_SECONDS).max(self.config.allocation_interval.as_secs_f64());
        let Some(framework) = self.frameworks.get_mut(framework_id) else { return };
        if resources.is_empty() {
            return;
        }
        framework.filters.push(RefusalFilter {
            agent_id: agent_id.clone(),
            resources,
            expires: Instant::now() + Duration::from_secs_f64(seconds),
        });
    }

    /// Rescinds (with RESCIND events) offers held longer than `offer_timeout`.
    pub(super) fn rescind_expired_offers(&mut self, now: Instant) {
        let Some(timeout) = self.config.offer_timeout else { return };
        let expired: Vec<(OfferId, FrameworkId)> = self
            .offers
            .iter()
            .filter(|(_, o)| now.duration_since(o.created) >= timeout)
            .map(|(id, o)| (id.clone(), o.framework_id.clone()))
            .collect();
        for (offer_id, framework_id) in expired {
            tracing::debug!(offer_id = %offer_id, framework_id = %framework_id, "offer timed out; rescinding");
            self.take_offer(&offer_id);
            self.send_event(&framework_id, Event::Rescind { offer_id });
        }
    }

    /// Withdraws every offer of a framework without telling it (its stream is
    /// being replaced or is gone).
    pub(super) fn withdraw_offers_of(&mut self, framework_id: &FrameworkId) {
        let ids: Vec<OfferId> = self
            .offers
            .iter()
            .filter(|(_, o)| &o.framework_id == framework_id)
            .map(|(id, _)| id.clone())
            .collect();
        for offer_id in ids {
            self.take_offer(&offer_id);
        }
    }
}
