//! Environment variables and the secrets they may reference.
//!
//! `env` values are either plain strings or a reference to a declared secret:
//! `{"PASSWORD": {"secret": "db-pass"}}` with `"secrets": {"db-pass":
//! {"source": "/db/password"}}`. Validation checks that every reference
//! names a declared secret.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One environment variable value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EnvValue {
    /// A literal value.
    Value(String),
    /// The value of the named entry of the app's `secrets`.
    Secret {
        /// Key into `secrets`.
        secret: String,
    },
}

/// A declared secret: where the secret store finds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretDef {
    /// Store-specific locator, non-empty.
    pub source: String,
}

impl Serialize for EnvValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            EnvValue::Value(v) => serializer.serialize_str(v),
            EnvValue::Secret { secret } => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("secret", secret)?;
                map.end()
            }
        }
    }
}

/// The `expecting` text; the JSON error mapping recognises its prefix.
pub(crate) const ENV_EXPECTING: &str = "a string or an object {\"secret\": name}";

struct EnvValueVisitor;

impl<'de> Visitor<'de> for EnvValueVisitor {
    type Value = EnvValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ENV_EXPECTING)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<EnvValue, E> {
        Ok(EnvValue::Value(v.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EnvValue, A::Error> {
        let mut secret: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "secret" {
                return Err(de::Error::unknown_field(&key, &["secret"]));
            }
            if secret.is_some() {
                return Err(de::Error::duplicate_field("secret"));
            }
            secret = Some(map.next_value()?);
        }
        let secret = secret.ok_or_else(|| de::Error::missing_field("secret"))?;
        Ok(EnvValue::Secret { secret })
    }
}

impl<'de> Deserialize<'de> for EnvValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(EnvValueVisitor)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_both_forms() {
        for json in [r#""plain""#, r#"{"secret":"db"}"#] {
            let v: EnvValue = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&v).unwrap(), json);
        }
    }

    #[test]
    fn rejects_other_shapes() {
        for json in ["1", "true", "[]", "{}", r#"{"secret":"a","x":1}"#, r#"{"secret":1}"#] {
            assert!(serde_json::from_str::<EnvValue>(json).is_err(), "{json}");
        }
    }
}
