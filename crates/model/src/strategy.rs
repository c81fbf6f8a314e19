//! Lifecycle policies: how upgrades roll (`upgradeStrategy`), what happens
//! to unreachable instances (`unreachableStrategy`) and which instances go
//! first on scale-down (`killSelection`).

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bounds of a rolling upgrade, as fractions of `instances`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpgradeStrategy {
    /// Healthy share kept during the upgrade, 0..=1 (default 1).
    #[serde(default = "one")]
    pub minimum_health_capacity: f64,
    /// Extra share allowed during the upgrade, 0..=1 (default 1).
    #[serde(default = "one")]
    pub maximum_over_capacity: f64,
}

fn one() -> f64 {
    1.0
}

impl Default for UpgradeStrategy {
    fn default() -> Self {
        UpgradeStrategy { minimum_health_capacity: 1.0, maximum_over_capacity: 1.0 }
    }
}

/// What to do with instances on an unreachable agent. Wire form is the
/// string `"disabled"` or `{"inactiveAfterSeconds": .., "expungeAfterSeconds": ..}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnreachableStrategy {
    /// Never replace; wait for the agent.
    Disabled,
    /// Replace after `inactive_after_seconds`, kill the original if it
    /// comes back after `expunge_after_seconds` (inactive ≤ expunge).
    Enabled {
        /// Seconds before a replacement is launched.
        inactive_after_seconds: i64,
        /// Seconds before the original is expunged.
        expunge_after_seconds: i64,
    },
}

impl Default for UnreachableStrategy {
    /// Marathon's code default: enabled with both timers at 0.
    fn default() -> Self {
        UnreachableStrategy::Enabled { inactive_after_seconds: 0, expunge_after_seconds: 0 }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EnabledWire {
    #[serde(default)]
    inactive_after_seconds: i64,
    #[serde(default)]
    expunge_after_seconds: i64,
}

impl Serialize for UnreachableStrategy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            UnreachableStrategy::Disabled => serializer.serialize_str("disabled"),
            UnreachableStrategy::Enabled { inactive_after_seconds, expunge_after_seconds } => {
                EnabledWire { inactive_after_seconds, expunge_after_seconds }.serialize(serializer)
            }
        }
    }
}

/// The `expecting` text; the JSON error mapping recognises its prefix.
pub(crate) const UNREACHABLE_EXPECTING: &str = "\"disabled\" or an object";

struct UnreachableVisitor;

impl<'de> Visitor<'de> for UnreachableVisitor {
    type Value = UnreachableStrategy;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(UNREACHABLE_EXPECTING)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v == "disabled" {
            Ok(UnreachableStrategy::Disabled)
        } else {
            Err(de::Error::unknown_variant(v, &["disabled"]))
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let w = EnabledWire::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(UnreachableStrategy::Enabled {
            inactive_after_seconds: w.inactive_after_seconds,
            expunge_after_seconds: w.expunge_after_seconds,
        })
    }
}

impl<'de> Deserialize<'de> for UnreachableStrategy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UnreachableVisitor)
    }
}

/// Which instances are killed first when scaling down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KillSelection {
    /// Newest first (default).
    #[default]
    YoungestFirst,
    /// Oldest first.
    OldestFirst,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_strategy_wire_forms() {
        let cases = [
            (r#""disabled""#, UnreachableStrategy::Disabled, r#""disabled""#),
            (
                r#"{"inactiveAfterSeconds":5}"#,
                UnreachableStrategy::Enabled { inactive_after_seconds: 5, expunge_after_seconds: 0 },
                r#"{"inactiveAfterSeconds":5,"expungeAfterSeconds":0}"#,
            ),
        ];
        for (input, want, output) in cases {
            let got: UnreachableStrategy = serde_json::from_str(input).unwrap();
            assert_eq!(got, want);
            assert_eq!(serde_json::to_string(&got).unwrap(), output);
        }
        assert!(serde_json::from_str::<UnreachableStrategy>(r#""enabled""#).is_err());
        assert!(serde_json::from_str::<UnreachableStrategy>(r#"{"x":1}"#).is_err());
    }
}
