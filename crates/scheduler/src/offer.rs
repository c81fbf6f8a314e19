//! Offers and agents in the scheduler's own terms (the `mesos` module converts
//! Mesos protobuf offers into these; Mesos types never reach the core).

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::resources::{PortRange, ScalarKind};

/// The role of unreserved resources.
pub const UNRESERVED_ROLE: &str = "*";

/// What the scheduler knows about an agent: identity, fault domain and
/// attributes. Shared (`Arc`) between offers and the instances placed on it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AgentInfo {
    /// Mesos agent id.
    pub agent_id: String,
    /// Agent hostname (`hostname` / `@hostname` constraints).
    pub hostname: String,
    /// Fault-domain region (`@region`).
    pub region: Option<String>,
    /// Fault-domain zone (`@zone`).
    pub zone: Option<String>,
    /// Agent attributes (`--attributes` on the agent).
    pub attributes: Vec<Attribute>,
}

impl AgentInfo {
    /// An agent with no fault domain and no attributes.
    pub fn new(agent_id: impl Into<String>, hostname: impl Into<String>) -> Self {
        Self { agent_id: agent_id.into(), hostname: hostname.into(), ..Self::default() }
    }

    /// Adds a text attribute (builder style).
    pub fn with_text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push(Attribute { name: name.into(), value: AttributeValue::Text(value.into()) });
        self
    }

    /// The value of a named attribute formatted as Marathon compares it.
    pub fn attribute(&self, name: &str) -> Option<Cow<'_, str>> {
        self.attributes.iter().find(|a| a.name == name).map(|a| a.value.to_marathon_string())
    }
}

/// A named agent attribute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribute {
    /// Attribute name, e.g. `rack`.
    pub name: String,
    /// Attribute value.
    pub value: AttributeValue,
}

/// The four Mesos attribute value types.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum AttributeValue {
    /// `rack:r1`
    Text(String),
    /// `weight:0.5`
    Scalar(f64),
    /// `slots:[1-2,5-6]`, as inclusive `(begin, end)` pairs.
    Ranges(Vec<(u64, u64)>),
    /// `tags:{a,b}`
    Set(Vec<String>),
}

impl AttributeValue {
    /// The string Marathon compares constraints against: text as is, scalars
    /// as `0.###` (half-even), ranges as `[b-e,…]` sorted, sets as `{a,b}` sorted.
    pub fn to_marathon_string(&self) -> Cow<'_, str> {
        match self {
            Self::Text(text) => Cow::Borrowed(text),
            Self::Scalar(value) => Cow::Owned(format_scalar(*value)),
            Self::Ranges(ranges) => {
                let mut sorted = ranges.clone();
                sorted.sort_unstable();
                let parts: Vec<String> = sorted.iter().map(|(b, e)| format!("{b}-{e}")).collect();
                Cow::Owned(format!("[{}]", parts.join(",")))
            }
            Self::Set(items) => {
                let mut sorted = items.clone();
                sorted.sort_unstable();
                Cow::Owned(format!("{{{}}}", sorted.join(",")))
            }
        }
    }
}

/// Formats a scalar like Java's `DecimalFormat("0.###")` with HALF_EVEN
/// rounding: at most three decimals, trailing zeros dropped.
pub fn format_scalar(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let scaled = (value * 1000.0).round_ties_even();
    let negative = scaled < 0.0;
    // Saturating cast; attribute scalars are far below u64::MAX / 1000.
    let abs = scaled.abs() as u64;
    let (int, frac) = (abs / 1000, abs % 1000);
    let sign = if negative && abs != 0 { "-" } else { "" };
    if frac == 0 {
        format!("{sign}{int}")
    } else {
        let digits = format!("{frac:03}");
        format!("{sign}{int}.{}", digits.trim_end_matches('0'))
    }
}

/// One resource in an offer, with the role it is allocated to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferedResource {
    /// `*` for unreserved resources, otherwise the reservation role.
    pub role: String,
    /// The amount.
    pub amount: OfferedAmount,
}

/// A scalar amount or a set of port ranges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum OfferedAmount {
    /// `cpus`, `mem`, `disk` or `gpus`.
    Scalar(ScalarKind, f64),
    /// The `ports` resource.
    Ports(Vec<PortRange>),
}

/// A resource offer from one agent.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// Mesos offer id (what ACCEPT / DECLINE name).
    pub id: String,
    /// The offering agent.
    pub agent: Arc<AgentInfo>,
    /// Offered resources; several entries of one kind (different roles) add up.
    pub resources: Vec<OfferedResource>,
    /// The agent is scheduled for maintenance (Mesos unavailability): no new
    /// launches go there.
    pub maintenance: bool,
}

impl Offer {
    /// An empty offer; add resources with the builder methods.
    pub fn new(id: impl Into<String>, agent: Arc<AgentInfo>) -> Self {
        Self { id: id.into(), agent, resources: Vec::new(), maintenance: false }
    }

    /// Adds a scalar resource for `role`.
    pub fn with_scalar(mut self, role: &str, kind: ScalarKind, amount: f64) -> Self {
        self.resources
            .push(OfferedResource { role: role.to_owned(), amount: OfferedAmount::Scalar(kind, amount) });
        self
    }

    /// Adds unreserved cpus, mem (MiB) and disk (MiB).
    pub fn with_unreserved(self, cpus: f64, mem: f64, disk: f64) -> Self {
        self.with_scalar(UNRESERVED_ROLE, ScalarKind::Cpus, cpus)
            .with_scalar(UNRESERVED_ROLE, ScalarKind::Mem, mem)
            .with_scalar(UNRESERVED_ROLE, ScalarKind::Disk, disk)
    }

    /// Adds a port range for `role`.
    pub fn with_ports(mut self, role: &str, begin: u16, end: u16) -> Self {
        self.resources.push(OfferedResource {
            role: role.to_owned(),
            amount: OfferedAmount::Ports(vec![PortRange::new(begin, end)]),
        });
        self
    }

    /// Marks the agent as in maintenance.
    pub fn in_maintenance(mut self) -> Self {
        self.maintenance = true;
        self
    }
}

/// An offer to decline, with how long Mesos should not re-offer it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decline {
    /// The offer.
    pub offer_id: String,
    /// Mesos `Filters.refuse_seconds`.
    pub refuse_seconds: f64,
}

#[cfg(test)]
mod tests {
    use super::{format_scalar, AttributeValue};

    #[test]
    fn attribute_values_format_as_marathon_compares_them() {
        let cases = [
            (AttributeValue::Text("r1".into()), "r1"),
            (AttributeValue::Scalar(0.8), "0.8"),
            (AttributeValue::Scalar(0.8001), "0.8"),
            (AttributeValue::Scalar(2.0), "2"),
            (AttributeValue::Scalar(1.2345), "1.234"),
            (AttributeValue::Scalar(1.2355), "1.236"),
            (AttributeValue::Ranges(vec![(5, 6), (1, 2)]), "[1-2,5-6]"),
            (AttributeValue::Set(vec!["b".into(), "a".into()]), "{a,b}"),
        ];
        for (value, want) in cases {
            assert_eq!(value.to_marathon_string(), want, "{value:?}");
        }
    }

    #[test]
    fn negative_zero_formats_without_sign() {
        assert_eq!(format_scalar(-0.0001), "0");
        assert_eq!(format_scalar(-1.5), "-1.5");
    }
}
