//! `resourceLimits`: how far above its request (`cpus`, `mem`) a task may
//! burst. Each limit is a number or `"unlimited"`; a number must not be
//! below the request.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ResourceLimit {
    /// No upper bound.
    Unlimited,
    /// Upper bound in the resource's unit (shares, MiB).
    Limit(f64),
}

/// The `resourceLimits` object.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceLimits {
    /// CPU shares limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<ResourceLimit>,
    /// Memory limit in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem: Option<ResourceLimit>,
}

impl Serialize for ResourceLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ResourceLimit::Unlimited => serializer.serialize_str("unlimited"),
            ResourceLimit::Limit(v) => serializer.serialize_f64(*v),
        }
    }
}

/// The `expecting` text; the JSON error mapping recognises its prefix.
pub(crate) const LIMIT_EXPECTING: &str = "a number or \"unlimited\"";

struct LimitVisitor;

impl Visitor<'_> for LimitVisitor {
    type Value = ResourceLimit;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(LIMIT_EXPECTING)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v == "unlimited" {
            Ok(ResourceLimit::Unlimited)
        } else {
            Err(de::Error::unknown_variant(v, &["unlimited"]))
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(ResourceLimit::Limit(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(ResourceLimit::Limit(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(ResourceLimit::Limit(v as f64))
    }
}

impl<'de> Deserialize<'de> for ResourceLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LimitVisitor)
    }
}
