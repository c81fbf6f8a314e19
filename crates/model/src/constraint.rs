//! Placement constraints: `["hostname", "UNIQUE"]`, `["rack", "GROUP_BY", "3"]`.
//!
//! On the wire a constraint is Marathon's 2- or 3-element string array. It is
//! parsed with [`Constraint::from_parts`], which applies Marathon's rules
//! (`SchedulingValidation.scala`) and returns the message to report at
//! `/constraints/{i}`; a bad operator is therefore a 422 naming it, not a
//! JSON type error. Semantics (what each operator accepts) live in the
//! scheduler; this module only defines and checks the vocabulary.

use std::fmt;

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

/// The operators Marathon knows, in its documentation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConstraintOperator {
    /// At most one instance per distinct field value.
    Unique,
    /// All instances on the same value (the given one, or the first placed).
    Cluster,
    /// Spread evenly over the values (optionally over at least `n` values).
    GroupBy,
    /// Field value must full-match the regex.
    Like,
    /// Field value must not full-match the regex (also matches when absent).
    Unlike,
    /// At most `n` instances per field value.
    MaxPer,
    /// Field value equals the given text (scalars compared normalised).
    Is,
}

impl ConstraintOperator {
    /// Every operator, for error messages and generators.
    pub const ALL: [ConstraintOperator; 7] = [
        ConstraintOperator::Unique,
        ConstraintOperator::Cluster,
        ConstraintOperator::GroupBy,
        ConstraintOperator::Like,
        ConstraintOperator::Unlike,
        ConstraintOperator::MaxPer,
        ConstraintOperator::Is,
    ];

    /// The wire name (`GROUP_BY`).
    pub fn as_str(self) -> &'static str {
        match self {
            ConstraintOperator::Unique => "UNIQUE",
            ConstraintOperator::Cluster => "CLUSTER",
            ConstraintOperator::GroupBy => "GROUP_BY",
            ConstraintOperator::Like => "LIKE",
            ConstraintOperator::Unlike => "UNLIKE",
            ConstraintOperator::MaxPer => "MAX_PER",
            ConstraintOperator::Is => "IS",
        }
    }

    /// Parses a wire name (case-sensitive, as Marathon).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.as_str() == name)
    }
}

impl fmt::Display for ConstraintOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One checked constraint. Built only through [`Constraint::from_parts`] or
/// [`Constraint::new`], so the value always fits the operator.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Constraint {
    /// `hostname`/`@hostname`, `@region`, `@zone`, or an agent attribute name.
    pub field: String,
    /// What to check.
    pub operator: ConstraintOperator,
    /// The operator's argument; see each operator for whether it is required.
    pub value: Option<String>,
}

/// Allowed characters of an `IS` value (Marathon's `^[a-zA-Z0-9_/.-]*$`).
fn is_valid_is_value(v: &str) -> bool {
    v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'/' | b'.' | b'-'))
}

/// Marathon full-matches with Java regexes; we anchor a Rust regex.
#[cfg(feature = "regex")]
fn compiles_as_regex(v: &str) -> bool {
    !v.is_empty() && regex::Regex::new(&format!("^(?:{v})$")).is_ok()
}

/// Without the `regex` feature (the browser build) only emptiness is
/// checked here; the server, built with the feature, rejects bad patterns.
#[cfg(not(feature = "regex"))]
fn compiles_as_regex(v: &str) -> bool {
    !v.is_empty()
}

impl Constraint {
    /// Builds and checks a constraint; the error is the violation message.
    pub fn new(
        field: impl Into<String>,
        operator: ConstraintOperator,
        value: Option<String>,
    ) -> Result<Self, String> {
        let field = field.into();
        if field.is_empty() {
            return Err("Constraint field must not be empty".to_string());
        }
        check_value(operator, value.as_deref())?;
        Ok(Constraint { field, operator, value })
    }

    /// Parses Marathon's array form `[field, OPERATOR(, value)]`.
    pub fn from_parts(parts: &[String]) -> Result<Self, String> {
        let (field, op, value) = match parts {
            [field, op] => (field, op, None),
            [field, op, value] => (field, op, Some(value.clone())),
            _ => return Err("Each constraint must have either 2 or 3 fields".to_string()),
        };
        let operator = ConstraintOperator::parse(op).ok_or_else(|| {
            let all: Vec<&str> = ConstraintOperator::ALL.iter().map(|o| o.as_str()).collect();
            format!("Constraint operator {op:?} is not supported; must be one of: {}", all.join(", "))
        })?;
        Constraint::new(field.clone(), operator, value)
    }

    /// The value parsed as an integer, for `MAX_PER` and `GROUP_BY`.
    pub fn int_value(&self) -> Option<i32> {
        self.value.as_deref().and_then(|v| v.parse().ok())
    }
}

fn check_value(operator: ConstraintOperator, value: Option<&str>) -> Result<(), String> {
    use ConstraintOperator as Op;
    let ok = match operator {
        Op::Unique => value.is_none(),
        Op::Cluster => value.is_none_or(|v| !v.is_empty()),
        Op::GroupBy => value.is_none_or(|v| v.parse::<i32>().is_ok_and(|n| n >= 0)),
        Op::MaxPer => value.is_some_and(|v| v.parse::<i32>().is_ok_and(|n| n >= 0)),
        Op::Like | Op::Unlike => value.is_some_and(compiles_as_regex),
        Op::Is => value.is_some_and(|v| !v.is_empty() && is_valid_is_value(v)),
    };
    if ok {
        return Ok(());
    }
    Err(match operator {
        Op::Unique => "UNIQUE does not accept a value",
        Op::Cluster => "CLUSTER requires a non-empty value or else no value at all",
        Op::GroupBy => "GROUP BY must define an integer value or else no value at all",
        Op::MaxPer => "MAX_PER requires an integer value",
        Op::Like | Op::Unlike => "LIKE and UNLIKE require a non-empty, regular expression value",
        Op::Is => "IS requires a non-empty value matching ^[a-zA-Z0-9_/.-]*$",
    }
    .to_string())
}

impl Serialize for Constraint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = if self.value.is_some() { 3 } else { 2 };
        let mut seq = serializer.serialize_seq(Some(len))?;
        seq.serialize_element(&self.field)?;
        seq.serialize_element(self.operator.as_str())?;
        if let Some(v) = &self.value {
            seq.serialize_element(v)?;
        }
        seq.end()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parts(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn accepts_every_operator_in_its_valid_form() {
        let ok: &[&[&str]] = &[
            &["hostname", "UNIQUE"],
            &["rack", "CLUSTER", "rack-1"],
            &["rack", "CLUSTER"],
            &["rack", "GROUP_BY"],
            &["rack", "GROUP_BY", "3"],
            &["hostname", "LIKE", "srv2.*"],
            &["hostname", "UNLIKE", "a|b"],
            &["hostname", "MAX_PER", "2"],
            &["gpu", "IS", "0.8"],
            &["@zone", "IS", "us-east/1a_b"],
        ];
        for p in ok {
            assert!(Constraint::from_parts(&parts(p)).is_ok(), "{p:?}");
        }
    }

    #[test]
    fn rejects_with_marathons_messages() {
        let cases: &[(&[&str], &str)] = &[
            (&["hostname"], "Each constraint must have either 2 or 3 fields"),
            (&["a", "UNIQUE", "b", "c"], "Each constraint must have either 2 or 3 fields"),
            (&["", "UNIQUE"], "Constraint field must not be empty"),
            (&["hostname", "UNIQUE", "x"], "UNIQUE does not accept a value"),
            (&["rack", "GROUP_BY", "x"], "GROUP BY must define an integer value or else no value at all"),
            (&["rack", "MAX_PER"], "MAX_PER requires an integer value"),
            (&["rack", "MAX_PER", "1.5"], "MAX_PER requires an integer value"),
            (&["h", "LIKE", "("], "LIKE and UNLIKE require a non-empty, regular expression value"),
            (&["h", "UNLIKE"], "LIKE and UNLIKE require a non-empty, regular expression value"),
            (&["h", "IS"], "IS requires a non-empty value matching ^[a-zA-Z0-9_/.-]*$"),
            (&["h", "IS", "a b"], "IS requires a non-empty value matching ^[a-zA-Z0-9_/.-]*$"),
        ];
        for (p, msg) in cases {
            assert_eq!(Constraint::from_parts(&parts(p)).unwrap_err(), *msg, "{p:?}");
        }
    }

    #[test]
    fn unknown_operator_is_named_in_the_message() {
        let err = Constraint::from_parts(&parts(&["hostname", "UNIQ"])).unwrap_err();
        assert!(err.contains("\"UNIQ\""), "{err}");
        assert!(err.contains("UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS"), "{err}");
    }

    #[test]
    fn serializes_as_marathon_array() {
        let c = Constraint::from_parts(&parts(&["hostname", "UNIQUE"])).unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"["hostname","UNIQUE"]"#);
        let c = Constraint::from_parts(&parts(&["rack", "MAX_PER", "2"])).unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"["rack","MAX_PER","2"]"#);
        assert_eq!(c.int_value(), Some(2));
    }
}
