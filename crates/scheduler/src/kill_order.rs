//! Which instances to kill first when a run spec has too many
//! (Marathon's `ScalingProposition`).
//!
//! Order: explicitly sentenced instances; then, while a `GROUP_BY` field is
//! unbalanced by more than one, an instance from the largest group; then the
//! rest by condition weight (lost, unreachable, unhealthy, not yet running,
//! everything else) and, within a weight, by `killSelection` (youngest or
//! oldest first, by running-since or staged-at time).

use std::cmp::Reverse;
use std::collections::HashMap;

use crate::constraint::{Constraint, Field, Operator};
use crate::instance::{Condition, Health, Instance};
use crate::run_spec::KillSelection;

/// Lower weights are killed first.
fn weight(instance: &Instance) -> u8 {
    match instance.condition {
        Condition::Unreachable | Condition::UnreachableInactive => 1,
        c if c.is_lost() => 0,
        _ if instance.health == Health::Unhealthy => 2,
        Condition::Running => 4,
        _ => 3,
    }
}

/// The time kill selection orders by: when it started running, else when it
/// was staged.
fn age_key(instance: &Instance) -> u64 {
    instance.running_since.unwrap_or(instance.staged_at).0
}

/// Sorts `candidates` into kill preference order (first = killed first).
pub fn preference_order<'i>(candidates: &[&'i Instance], selection: KillSelection) -> Vec<&'i Instance> {
    let mut sorted = candidates.to_vec();
    match selection {
        KillSelection::YoungestFirst => {
            sorted.sort_by_key(|i| (weight(i), Reverse(age_key(i)), i.id.clone()))
        }
        KillSelection::OldestFirst => sorted.sort_by_key(|i| (weight(i), age_key(i), i.id.clone())),
    }
    sorted
}

/// Picks `count` instances to kill from `candidates`.
pub fn select_kills<'i>(
    candidates: &[&'i Instance],
    count: usize,
    selection: KillSelection,
    constraints: &[Constraint],
    sentenced: &[String],
) -> Vec<&'i Instance> {
    let mut remaining = preference_order(candidates, selection);
    let mut out: Vec<&Instance> = Vec::with_capacity(count);
    remaining.retain(|i| {
        let take = out.len() < count && sentenced.contains(&i.id);
        if take {
            out.push(i);
        }
        !take
    });
    for field in constraints.iter().filter(|c| matches!(c.op, Operator::GroupBy(_))).map(|c| &c.field) {
        while out.len() < count {
            let Some(pos) = largest_group_pick(&remaining, field) else {
                break;
            };
            out.push(remaining.remove(pos));
        }
    }
    let missing = count.saturating_sub(out.len());
    out.extend(remaining.into_iter().take(missing));
    out
}

/// Index (in preference order) of an instance in the largest group, if the
/// groups differ by more than one.
fn largest_group_pick(remaining: &[&Instance], field: &Field) -> Option<usize> {
    let value = |i: &Instance| i.agent.as_deref().and_then(|a| field.value_of(a)).map(|v| v.into_owned());
    let mut counts: HashMap<Option<String>, usize> = HashMap::new();
    for i in remaining {
        *counts.entry(value(i)).or_default() += 1;
    }
    let max = counts.values().copied().max()?;
    let min = counts.values().copied().min()?;
    if max - min <= 1 {
        return None;
    }
    remaining.iter().position(|i| counts.get(&value(i)) == Some(&max))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::select_kills;
    use crate::constraint::Constraint;
    use crate::instance::{Condition, Health, Instance};
    use crate::offer::AgentInfo;
    use crate::run_spec::KillSelection;
    use crate::time::Timestamp;

    fn inst(id: &str, rack: &str, condition: Condition, health: Health, since: u64) -> Instance {
        let agent = Arc::new(AgentInfo::new(id, id).with_text("rack", rack));
        let mut i = Instance::provisioned(id, "/a", "v1", agent, Timestamp(since));
        i.condition = condition;
        i.health = health;
        i.running_since = (condition == Condition::Running).then_some(Timestamp(since));
        i
    }

    fn ids(v: &[&Instance]) -> Vec<String> {
        v.iter().map(|i| i.id.clone()).collect()
    }

    #[test]
    fn kill_selection_orders_by_condition_then_age() {
        let all = [
            inst("old", "r1", Condition::Running, Health::Healthy, 1),
            inst("young", "r1", Condition::Running, Health::Healthy, 9),
            inst("staging", "r1", Condition::Staging, Health::Pending, 5),
            inst("sick", "r1", Condition::Running, Health::Unhealthy, 3),
            inst("lost", "r1", Condition::Unreachable, Health::Healthy, 2),
        ];
        let refs: Vec<&Instance> = all.iter().collect();
        let cases = [
            (KillSelection::YoungestFirst, vec!["lost", "sick", "staging", "young", "old"]),
            (KillSelection::OldestFirst, vec!["lost", "sick", "staging", "old", "young"]),
        ];
        for (selection, want) in cases {
            assert_eq!(ids(&select_kills(&refs, 5, selection, &[], &[])), want, "{selection:?}");
        }
    }

    #[test]
    fn sentenced_instances_go_first() {
        let all = [
            inst("a", "r1", Condition::Running, Health::Healthy, 1),
            inst("b", "r1", Condition::Staging, Health::Pending, 1),
        ];
        let refs: Vec<&Instance> = all.iter().collect();
        let got = select_kills(&refs, 1, KillSelection::YoungestFirst, &[], &["a".to_owned()]);
        assert_eq!(ids(&got), vec!["a"]);
    }

    #[test]
    fn scale_down_rebalances_group_by_first() {
        let all = [
            inst("a1", "r1", Condition::Running, Health::Healthy, 1),
            inst("a2", "r1", Condition::Running, Health::Healthy, 2),
            inst("a3", "r1", Condition::Running, Health::Healthy, 3),
            inst("b1", "r2", Condition::Running, Health::Healthy, 9),
        ];
        let refs: Vec<&Instance> = all.iter().collect();
        let c = Constraint::from_parts(&["rack", "GROUP_BY"]).expect("valid");
        // Youngest-first alone would pick b1; balancing picks from r1.
        let got = select_kills(&refs, 1, KillSelection::YoungestFirst, &[c], &[]);
        assert_eq!(ids(&got), vec!["a3"]);
    }
}
