use super::ConstraintSet;
use crate::constraint::Constraint;
use crate::offer::AgentInfo;

fn agent(host: &str, rack: &str) -> AgentInfo {
    AgentInfo::new(host, host).with_text("rack", rack)
}

fn set(parts: &[&str], instances: u32, placed: &[&AgentInfo], visible: u32) -> ConstraintSet {
    let c = Constraint::from_parts(parts).expect("valid constraint");
    ConstraintSet::new(&[c], instances, placed, |_| visible)
}

#[test]
fn unique_hostname_rejects_second_instance_on_same_agent() {
    let a = agent("h1", "r1");
    let b = agent("h2", "r1");
    let s = set(&["hostname", "UNIQUE"], 3, &[&a], 0);
    assert!(!s.accepts(&a));
    assert!(s.accepts(&b));
}

#[test]
fn max_per_rack_allows_up_to_n() {
    let (a, b, c) = (agent("h1", "r1"), agent("h2", "r1"), agent("h3", "r2"));
    let cases = [(vec![&a], true), (vec![&a, &b], false)];
    for (placed, want) in cases {
        let s = set(&["rack", "MAX_PER", "2"], 5, &placed, 0);
        assert_eq!(s.accepts(&agent("h9", "r1")), want, "placed {}", placed.len());
        assert!(s.accepts(&c));
    }
}

#[test]
fn cluster_without_value_follows_first_placement() {
    let (a, b) = (agent("h1", "r1"), agent("h2", "r2"));
    let empty = set(&["rack", "CLUSTER"], 3, &[], 0);
    assert!(empty.accepts(&b), "first placement wins");
    let s = set(&["rack", "CLUSTER"], 3, &[&a], 0);
    assert!(s.accepts(&agent("h3", "r1")));
    assert!(!s.accepts(&b));
}

#[test]
fn group_by_with_value_balances_and_caps_groups() {
    let (r1, r2, r3, r4) = (agent("a", "r1"), agent("b", "r2"), agent("c", "r3"), agent("d", "r4"));
    // 4 instances over 2 groups: 2 per group.
    let cases: [(Vec<&AgentInfo>, &AgentInfo, bool); 5] = [
        (vec![], &r1, true),
        (vec![&r1], &r1, true),
        (vec![&r1, &r1], &r1, false),
        (vec![&r1, &r1], &r2, true),
        (vec![&r1, &r2], &r3, false), // only 2 groups allowed
    ];
    for (placed, offer, want) in cases {
        let s = set(&["rack", "GROUP_BY", "2"], 4, &placed, 0);
        assert_eq!(s.accepts(offer), want, "placed {} -> {}", placed.len(), offer.hostname);
    }
    let _ = r4;
}

#[test]
fn group_by_never_blocks_over_capacity_upgrades() {
    let (r1, r2, r3) = (agent("a", "r1"), agent("b", "r2"), agent("c", "r3"));
    // 3 instances on 3 racks, all full for instances=3; the 4th (upgrade) may go anywhere.
    let s = set(&["rack", "GROUP_BY", "3"], 3, &[&r1, &r2, &r3], 0);
    assert!(s.accepts(&r1));
}

#[test]
fn group_by_without_value_uses_visible_groups() {
    let (r1, r2) = (agent("a", "r1"), agent("b", "r2"));
    let s = set(&["rack", "GROUP_BY"], 4, &[&r1, &r1], 2);
    assert!(!s.accepts(&r1), "r1 already holds its share");
    assert!(s.accepts(&r2));
}

#[test]
fn missing_attribute_fails_everything_but_unlike() {
    let bare = AgentInfo::new("h1", "h1");
    let cases = [
        (&["rack", "UNIQUE"][..], false),
        (&["rack", "GROUP_BY"][..], false),
        (&["rack", "CLUSTER"][..], false),
        (&["rack", "MAX_PER", "3"][..], false),
        (&["rack", "UNLIKE", "r1"][..], true),
    ];
    for (parts, want) in cases {
        assert_eq!(set(parts, 3, &[], 1).accepts(&bare), want, "{parts:?}");
    }
}
