//! Resources and attributes: what an agent offers and what a task consumes.
//!
//! dromos reads `name`, `type`, the value, `role`, `allocation_info` and
//! `reservations`, and must hand resources back to the master exactly as offered
//! (plus the amounts it takes). The parts it never interprets (disk info, provider
//! id, revocable/shared markers) are kept as opaque JSON so that copying an offered
//! resource into a task keeps them; they only ever hold what a master sent.

use serde::{Deserialize, Serialize};

use super::ids::Labels;
use super::proto_enum::proto_enum;

proto_enum!(
    /// Which of the value fields of a resource or attribute is set.
    ValueType {
        Scalar = "SCALAR",
        Ranges = "RANGES",
        Set = "SET",
        Text = "TEXT",
    }
);

/// A floating point amount; Mesos keeps three decimal digits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scalar {
    /// The amount (cpus, MB of mem or disk, gpus).
    pub value: f64,
}

/// An inclusive range of integers, e.g. ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Range {
    /// First value, inclusive.
    pub begin: u64,
    /// Last value, inclusive.
    pub end: u64,
}

/// A list of ranges; proto field name is the singular `range`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranges {
    /// The ranges, not necessarily merged or sorted.
    #[serde(default)]
    pub range: Vec<Range>,
}

/// A set of strings; proto field name is the singular `item`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Set {
    /// The items.
    #[serde(default)]
    pub item: Vec<String>,
}

/// A text value (attributes only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// The text.
    pub value: String,
}

/// The role a resource is allocated to (MULTI_ROLE frameworks); task resources must
/// carry the same allocation info as the offer they came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationInfo {
    /// The role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

proto_enum!(
    /// Static (agent flag) or dynamic (operator/framework) reservation.
    ReservationType {
        Unknown = "UNKNOWN",
        Static = "STATIC",
        Dynamic = "DYNAMIC",
    }
);

/// One reservation: the legacy `reservation` field or one entry of the
/// refinement-format `reservations` stack (last entry is the innermost role).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReservationInfo {
    /// Reservation kind (refinement format only).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ReservationType>,
    /// The role reserved for (refinement format only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Who reserved it (dynamic reservations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// Reservation labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
}

/// A named quantity of one kind; `kind` says which of `scalar`/`ranges`/`set` is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// `cpus`, `mem`, `disk`, `gpus`, `ports` or a custom name.
    pub name: String,
    /// Which value field is meaningful.
    #[serde(rename = "type")]
    pub kind: ValueType,
    /// Set when `kind` is SCALAR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scalar: Option<Scalar>,
    /// Set when `kind` is RANGES.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranges: Option<Ranges>,
    /// Set when `kind` is SET.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<Set>,
    /// Deprecated pre-refinement role (`"*"` = unreserved); copy it back as offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Allocation role of offered resources (MULTI_ROLE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation_info: Option<AllocationInfo>,
    /// Legacy-format dynamic reservation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation: Option<ReservationInfo>,
    /// Refinement-format reservation stack.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reservations: Vec<ReservationInfo>,
    /// Persistent volume / disk source info, passed through untouched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<serde_json::Value>,
    /// Resource provider id, passed through untouched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<serde_json::Value>,
    /// Present (as `{}`) on revocable resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocable: Option<serde_json::Value>,
    /// Present (as `{}`) on shared resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<serde_json::Value>,
}

impl Resource {
    fn bare(name: impl Into<String>, kind: ValueType) -> Self {
        Self {
            name: name.into(),
            kind,
            scalar: None,
            ranges: None,
            set: None,
            role: None,
            allocation_info: None,
            reservation: None,
            reservations: Vec::new(),
            disk: None,
            provider_id: None,
            revocable: None,
            shared: None,
        }
    }

    /// An unreserved scalar resource (`cpus`, `mem`, …).
    pub fn scalar(name: impl Into<String>, value: f64) -> Self {
        Self { scalar: Some(Scalar { value }), ..Self::bare(name, ValueType::Scalar) }
    }

    /// An unreserved ranges resource (`ports`).
    pub fn ranges(name: impl Into<String>, ranges: Vec<Range>) -> Self {
        Self { ranges: Some(Ranges { range: ranges }), ..Self::bare(name, ValueType::Ranges) }
    }

    /// An unreserved set resource.
    pub fn set(name: impl Into<String>, items: Vec<String>) -> Self {
        Self { set: Some(Set { item: items }), ..Self::bare(name, ValueType::Set) }
    }

    /// Same resource with the given allocation role (for MULTI_ROLE offers).
    pub fn allocated_to(mut self, role: impl Into<String>) -> Self {
        self.allocation_info = Some(AllocationInfo { role: Some(role.into()) });
        self
    }

    /// The scalar amount, or 0 when this is not a scalar.
    pub fn scalar_value(&self) -> f64 {
        self.scalar.map_or(0.0, |s| s.value)
    }
}

/// An agent attribute (`--attributes`), used for placement constraints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    /// Attribute name.
    pub name: String,
    /// Which value field is set.
    #[serde(rename = "type")]
    pub kind: ValueType,
    /// Set when SCALAR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scalar: Option<Scalar>,
    /// Set when RANGES.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranges: Option<Ranges>,
    /// Set when SET.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<Set>,
    /// Set when TEXT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
}

impl Attribute {
    /// A text attribute (`rack:r1`).
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind: ValueType::Text,
            scalar: None,
            ranges: None,
            set: None,
            text: Some(Text { value: value.into() }),
        }
    }
}
