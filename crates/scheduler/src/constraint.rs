//! Placement constraints: `[field, OPERATOR, value?]` as in Marathon.
//!
//! This module parses and validates constraints and defines how a field is read
//! from an agent. How a constraint judges an offer given the instances already
//! placed lives in `matcher::constraint_state`, which keeps per-value counts so
//! a check costs a hash lookup, not a scan of all instances.
//!
//! Semantics (Marathon's, with the decisions dromos made where Marathon is
//! vague):
//! - `UNIQUE`: no other instance of the run spec has the offer's value.
//! - `CLUSTER v`: the value equals `v`; `CLUSTER` without value: the value equals
//!   that of the first placed instance (the first placement "wins").
//! - `GROUP_BY n`: spread over `n` values; a new value is accepted while fewer
//!   than `n` are in use, a used value while it holds fewer than `total / n`
//!   instances (or exactly that while remainder slots are unused), with
//!   `total = max(instances, placed + 1)` so that rolling upgrades with
//!   over-capacity never block. `GROUP_BY` without a value (or with `0`) uses
//!   the same rule with `n` = the number of distinct values *visible* in the
//!   matching round (offered, or already holding an instance). Unlike
//!   Marathon's value-less variant, the result does not depend on offer order
//!   within a round; a value that is neither offered nor used is unknown.
//! - `LIKE re` / `UNLIKE re`: the whole value matches / does not match `re`.
//! - `MAX_PER n`: fewer than `n` instances have the offer's value.
//! - `IS v`: equality; numeric `v` is normalised like scalar attributes (`0.###`).
//! - An agent lacking the field satisfies only `UNLIKE`.

use std::borrow::Cow;
use std::fmt;

use regex::Regex;
use thiserror::Error;

use crate::offer::{format_scalar, AgentInfo};

/// Why a constraint could not be built. Messages follow Marathon's 422 texts.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConstraintError {
    /// Not 2 or 3 elements.
    #[error("Each constraint must have either 2 or 3 fields")]
    WrongArity,
    /// Empty field name.
    #[error("Missing field and operator")]
    EmptyField,
    /// Unknown operator.
    #[error("Constraint operator must be one of the following: [CLUSTER, GROUP_BY, IS, LIKE, MAX_PER, UNIQUE, UNLIKE]")]
    UnknownOperator(String),
    /// `UNIQUE` with a value.
    #[error("UNIQUE does not accept a value")]
    UniqueWithValue,
    /// `GROUP_BY` with a non-integer value.
    #[error("GROUP BY must define an integer value or else no value at all")]
    GroupByNotInteger,
    /// `MAX_PER` without an integer value.
    #[error("MAX_PER requires an integer value")]
    MaxPerNotInteger,
    /// `LIKE`/`UNLIKE` without a valid regex.
    #[error("LIKE and UNLIKE require a non-empty, regular expression value")]
    BadRegex,
    /// `IS` with a missing or malformed value.
    #[error("IS requires a value matching ^[a-zA-Z0-9_/.-]*$")]
    BadIsValue,
    /// `CLUSTER` with an empty value.
    #[error("CLUSTER requires a non-empty value when one is given")]
    EmptyClusterValue,
}

/// Which property of an agent a constraint looks at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    /// `hostname` or `@hostname`.
    Hostname,
    /// `@region`.
    Region,
    /// `@zone`.
    Zone,
    /// Any other name: an agent attribute.
    Attribute(String),
}

impl Field {
    /// Parses a field name; `hostname` and `@hostname` are the same field.
    pub fn parse(name: &str) -> Self {
        match name {
            "hostname" | "@hostname" => Self::Hostname,
            "@region" => Self::Region,
            "@zone" => Self::Zone,
            other => Self::Attribute(other.to_owned()),
        }
    }

    /// Reads the field from an agent, formatted as Marathon compares it.
    pub fn value_of<'a>(&self, agent: &'a AgentInfo) -> Option<Cow<'a, str>> {
        match self {
            Self::Hostname => Some(Cow::Borrowed(agent.hostname.as_str())),
            Self::Region => agent.region.as_deref().map(Cow::Borrowed),
            Self::Zone => agent.zone.as_deref().map(Cow::Borrowed),
            Self::Attribute(name) => agent.attribute(name),
        }
    }
}

/// A constraint operator with its parsed value.
#[derive(Debug, Clone)]
pub enum Operator {
    /// One instance per value.
    Unique,
    /// All instances on one value (given, or the first placed).
    Cluster(Option<String>),
    /// Spread evenly over `n` values (or over the visible values if `None`).
    GroupBy(Option<u32>),
    /// Value must fully match.
    Like(Regex),
    /// Value must not fully match.
    Unlike(Regex),
    /// At most `n` instances per value.
    MaxPer(u32),
    /// Value must equal (normalised).
    Is(String),
}

impl Operator {
    /// Marathon's operator name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Unique => "UNIQUE",
            Self::Cluster(_) => "CLUSTER",
            Self::GroupBy(_) => "GROUP_BY",
            Self::Like(_) => "LIKE",
            Self::Unlike(_) => "UNLIKE",
            Self::MaxPer(_) => "MAX_PER",
            Self::Is(_) => "IS",
        }
    }
}

/// A validated placement constraint.
#[derive(Debug, Clone)]
pub struct Constraint {
    /// The field as written (kept for display and round-tripping).
    pub field_name: String,
    /// The parsed field.
    pub field: Field,
    /// Operator and value.
    pub op: Operator,
    /// The value as written, if any.
    pub value: Option<String>,
}

impl PartialEq for Constraint {
    fn eq(&self, other: &Self) -> bool {
        self.field_name == other.field_name && self.op.name() == other.op.name() && self.value == other.value
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{}:{}:{}", self.field_name, self.op.name(), value),
            None => write!(f, "{}:{}", self.field_name, self.op.name()),
        }
    }
}

impl Constraint {
    /// Parses `[field, operator, value?]` as given in an app definition.
    pub fn from_parts<S: AsRef<str>>(parts: &[S]) -> Result<Self, ConstraintError> {
        match parts {
            [field, op] => Self::parse(field.as_ref(), op.as_ref(), None),
            [field, op, value] => Self::parse(field.as_ref(), op.as_ref(), Some(value.as_ref())),
            _ => Err(ConstraintError::WrongArity),
        }
    }

    /// Parses and validates one constraint.
    pub fn parse(field: &str, op: &str, value: Option<&str>) -> Result<Self, ConstraintError> {
        if field.is_empty() {
            return Err(ConstraintError::EmptyField);
        }
        let op = match op {
            "UNIQUE" => match value {
                None => Operator::Unique,
                Some(_) => return Err(ConstraintError::UniqueWithValue),
            },
            "CLUSTER" => match value {
                Some("") => return Err(ConstraintError::EmptyClusterValue),
                other => Operator::Cluster(other.map(str::to_owned)),
            },
            "GROUP_BY" => Operator::GroupBy(parse_optional_count(value)?),
            "LIKE" => Operator::Like(full_match_regex(value)?),
            "UNLIKE" => Operator::Unlike(full_match_regex(value)?),
            "MAX_PER" => Operator::MaxPer(
                value.and_then(|v| v.trim().parse().ok()).ok_or(ConstraintError::MaxPerNotInteger)?,
            ),
            "IS" => Operator::Is(normalise_is_value(value)?),
            other => return Err(ConstraintError::UnknownOperator(other.to_owned())),
        };
        Ok(Self {
            field_name: field.to_owned(),
            field: Field::parse(field),
            op,
            value: value.map(str::to_owned),
        })
    }

    /// Checks that depend only on the offer's value, not on placed instances
    /// (`LIKE`, `UNLIKE`, `IS`, `CLUSTER v`). `None` means "depends on placed".
    pub(crate) fn static_verdict(&self, value: Option<&str>) -> Option<bool> {
        match (&self.op, value) {
            (Operator::Unlike(_), None) => Some(true),
            (Operator::Unlike(re), Some(v)) => Some(!re.is_match(v)),
            (_, None) => Some(false),
            (Operator::Like(re), Some(v)) => Some(re.is_match(v)),
            (Operator::Is(want), Some(v)) => Some(normalised_equals(want, v)),
            (Operator::Cluster(Some(want)), Some(v)) => Some(want == v),
            _ => None,
        }
    }
}

fn parse_optional_count(value: Option<&str>) -> Result<Option<u32>, ConstraintError> {
    match value {
        None => Ok(None),
        Some(v) => match v.trim().parse::<u32>() {
            Ok(0) => Ok(None),
            Ok(n) => Ok(Some(n)),
            Err(_) => Err(ConstraintError::GroupByNotInteger),
        },
    }
}

/// Compiles `value` anchored at both ends (Java's `String.matches`).
fn full_match_regex(value: Option<&str>) -> Result<Regex, ConstraintError> {
    match value {
        Some(pattern) if !pattern.is_empty() => {
            Regex::new(&format!("^(?:{pattern})$")).map_err(|_| ConstraintError::BadRegex)
        }
        _ => Err(ConstraintError::BadRegex),
    }
}

fn normalise_is_value(value: Option<&str>) -> Result<String, ConstraintError> {
    let value = value.ok_or(ConstraintError::BadIsValue)?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '.' | '-');
    if !value.chars().all(allowed) {
        return Err(ConstraintError::BadIsValue);
    }
    Ok(match value.parse::<f64>() {
        Ok(number) if number.is_finite() => format_scalar(number),
        _ => value.to_owned(),
    })
}

/// `IS` equality: `want` is already normalised; a numeric agent value is
/// normalised too, so `0.80` matches `0.8`.
fn normalised_equals(want: &str, value: &str) -> bool {
    if want == value {
        return true;
    }
    match value.parse::<f64>() {
        Ok(number) if number.is_finite() => format_scalar(number) == want,
        _ => false,
    }
}

#[cfg(test)]
#[path = "constraint_tests.rs"]
mod tests;
