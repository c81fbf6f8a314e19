//! Constraint checks against the instances already placed, incrementally.
//!
//! Each constraint of a run spec keeps a count of placed instances per field
//! value (existing active instances plus those placed earlier in this round),
//! so a check is a hash lookup and a placement is an increment.

use std::collections::HashMap;

use crate::constraint::{Constraint, Operator};
use crate::offer::AgentInfo;

/// The tracked state of one constraint.
#[derive(Debug, Clone)]
struct Tracked {
    constraint: Constraint,
    counts: HashMap<String, u32>,
    /// Value of the first placed instance (value-less `CLUSTER`).
    first: Option<String>,
    placed: u32,
    /// Number of groups for `GROUP_BY`: the given value, or the values
    /// visible in the round.
    groups: u32,
}

/// All constraints of one run spec, with their placement counts.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConstraintSet {
    items: Vec<Tracked>,
    instances: u32,
}

impl ConstraintSet {
    /// `placed` are the agents of the run spec's active instances;
    /// `visible_groups` counts distinct values of a field among the round's
    /// offers and `placed` (only asked for value-less `GROUP_BY`).
    pub(crate) fn new(
        constraints: &[Constraint],
        instances: u32,
        placed: &[&AgentInfo],
        mut visible_groups: impl FnMut(&Constraint) -> u32,
    ) -> Self {
        let items = constraints
            .iter()
            .map(|c| {
                let groups = match c.op {
                    Operator::GroupBy(Some(n)) => n,
                    Operator::GroupBy(None) => visible_groups(c).max(1),
                    _ => 0,
                };
                let mut tracked =
                    Tracked { constraint: c.clone(), counts: HashMap::new(), first: None, placed: 0, groups };
                for agent in placed {
                    tracked.record(agent);
                }
                tracked
            })
            .collect();
        Self { items, instances }
    }

    /// Whether every constraint accepts an instance on `agent`.
    pub(crate) fn accepts(&self, agent: &AgentInfo) -> bool {
        self.items.iter().all(|t| t.accepts(agent, self.instances))
    }

    /// Records an instance placed on `agent`.
    pub(crate) fn record(&mut self, agent: &AgentInfo) {
        for t in &mut self.items {
            t.record(agent);
        }
    }
}

impl Tracked {
    fn record(&mut self, agent: &AgentInfo) {
        if let Some(value) = self.constraint.field.value_of(agent) {
            if self.first.is_none() {
                self.first = Some(value.to_string());
            }
            match self.counts.get_mut(value.as_ref()) {
                Some(count) => *count += 1,
                None => {
                    self.counts.insert(value.into_owned(), 1);
                }
            }
        }
        self.placed += 1;
    }

    fn accepts(&self, agent: &AgentInfo, instances: u32) -> bool {
        let value = self.constraint.field.value_of(agent);
        if let Some(verdict) = self.constraint.static_verdict(value.as_deref()) {
            return verdict;
        }
        let Some(value) = value else { return false };
        let count = self.counts.get(value.as_ref()).copied().unwrap_or(0);
        match &self.constraint.op {
            Operator::Unique => count == 0,
            Operator::MaxPer(n) => count < *n,
            Operator::Cluster(_) => self.first.as_deref().is_none_or(|first| first == value),
            Operator::GroupBy(_) => self.group_accepts(count, instances),
            // Static operators were decided above.
            Operator::Like(_) | Operator::Unlike(_) | Operator::Is(_) => true,
        }
    }

    /// `total = max(instances, placed + 1)` spread over `groups`: a new group
    /// is welcome while fewer than `groups` are used; a used group accepts
    /// below `total / groups`, or at it while remainder slots are free.
    fn group_accepts(&self, count: u32, instances: u32) -> bool {
        let groups = self.groups.max(1);
        let in_use = u32::try_from(self.counts.len()).unwrap_or(u32::MAX);
        if count == 0 {
            return in_use < groups;
        }
        let total = instances.max(self.placed + 1);
        let per_group = total / groups;
        let remainder = total % groups;
        let above = self.counts.values().filter(|c| **c > per_group).count();
        count < per_group || (count == per_group && u32::try_from(above).unwrap_or(u32::MAX) < remainder)
    }
}

#[cfg(test)]
#[path = "constraint_state_tests.rs"]
mod tests;
