use super::{Constraint, ConstraintError, Field, Operator};
use crate::offer::{AgentInfo, Attribute, AttributeValue};

#[test]
fn parse_rejects_bad_values_with_marathon_messages() {
    let cases: [(&[&str], ConstraintError); 9] = [
        (&["hostname"], ConstraintError::WrongArity),
        (&["", "UNIQUE"], ConstraintError::EmptyField),
        (&["hostname", "SPREAD"], ConstraintError::UnknownOperator("SPREAD".into())),
        (&["hostname", "UNIQUE", "x"], ConstraintError::UniqueWithValue),
        (&["rack", "GROUP_BY", "two"], ConstraintError::GroupByNotInteger),
        (&["rack", "MAX_PER"], ConstraintError::MaxPerNotInteger),
        (&["rack", "LIKE", "("], ConstraintError::BadRegex),
        (&["rack", "UNLIKE", ""], ConstraintError::BadRegex),
        (&["rack", "IS", "a b"], ConstraintError::BadIsValue),
    ];
    for (parts, want) in cases {
        assert_eq!(Constraint::from_parts(parts).err(), Some(want), "{parts:?}");
    }
}

#[test]
fn parse_accepts_every_operator() {
    let cases: [&[&str]; 9] = [
        &["hostname", "UNIQUE"],
        &["@hostname", "CLUSTER", "a"],
        &["rack", "CLUSTER"],
        &["@zone", "GROUP_BY"],
        &["@zone", "GROUP_BY", "3"],
        &["rack", "LIKE", "r[0-9]+"],
        &["rack", "UNLIKE", "r1"],
        &["rack", "MAX_PER", "2"],
        &["weight", "IS", "0.80"],
    ];
    for parts in cases {
        let parsed = Constraint::from_parts(parts);
        assert!(parsed.is_ok(), "{parts:?}: {parsed:?}");
    }
}

#[test]
fn group_by_zero_means_no_value() {
    let c = Constraint::parse("rack", "GROUP_BY", Some("0")).expect("valid");
    assert!(matches!(c.op, Operator::GroupBy(None)));
}

#[test]
fn fields_read_hostname_fault_domain_and_attributes() {
    let mut agent = AgentInfo::new("a1", "host-1").with_text("rack", "r7");
    agent.zone = Some("z1".into());
    agent.attributes.push(Attribute { name: "weight".into(), value: AttributeValue::Scalar(0.80) });
    let cases = [
        ("hostname", Some("host-1")),
        ("@hostname", Some("host-1")),
        ("@zone", Some("z1")),
        ("@region", None),
        ("rack", Some("r7")),
        ("weight", Some("0.8")),
        ("missing", None),
    ];
    for (name, want) in cases {
        assert_eq!(Field::parse(name).value_of(&agent).as_deref(), want, "{name}");
    }
}

#[test]
fn static_operators_match_like_marathon() {
    // (constraint, agent value, verdict)
    let cases: [(&[&str], Option<&str>, Option<bool>); 12] = [
        (&["rack", "LIKE", "r[0-9]"], Some("r7"), Some(true)),
        (&["rack", "LIKE", "r[0-9]"], Some("r77"), Some(false)), // full match, not find
        (&["rack", "LIKE", "r"], Some("rack"), Some(false)),
        (&["rack", "UNLIKE", "r7"], Some("r7"), Some(false)),
        (&["rack", "UNLIKE", "r7"], Some("r8"), Some(true)),
        (&["rack", "UNLIKE", "r7"], None, Some(true)), // missing attribute matches only UNLIKE
        (&["rack", "LIKE", ".*"], None, Some(false)),
        (&["rack", "UNIQUE"], None, Some(false)),
        (&["weight", "IS", "0.80"], Some("0.8"), Some(true)),
        (&["weight", "IS", "0.8001"], Some("0.8"), Some(true)),
        (&["rack", "CLUSTER", "r1"], Some("r2"), Some(false)),
        (&["rack", "UNIQUE"], Some("r1"), None), // depends on placed instances
    ];
    for (parts, value, want) in cases {
        let c = Constraint::from_parts(parts).expect("valid constraint");
        assert_eq!(c.static_verdict(value), want, "{parts:?} on {value:?}");
    }
}

#[test]
fn display_round_trips_marathon_notation() {
    let c = Constraint::from_parts(&["rack", "MAX_PER", "2"]).expect("valid");
    assert_eq!(c.to_string(), "rack:MAX_PER:2");
}
