//! Identifiers, base64 bytes, time values and labels: the small value types every
//! other message is built from.
//!
//! Mesos ids are messages wrapping one string (`{"value":"…"}`), so each id is a
//! struct with one `value` field rather than a bare string; that keeps the JSON
//! shape right by construction and stops a task id being passed as an agent id.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name {
            /// The id text as the master assigned it (or the framework chose it).
            pub value: String,
        }

        impl $name {
            /// Wraps an id string.
            pub fn new(value: impl Into<String>) -> Self {
                Self { value: value.into() }
            }

            /// The id text.
            pub fn as_str(&self) -> &str {
                &self.value
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }
    };
}

id_type!(
    /// Assigned by the master on the first SUBSCRIBE; must be stored and sent on
    /// every later call and re-subscribe, or the framework's tasks are orphaned.
    FrameworkId
);
id_type!(
    /// One offer; usable in at most one ACCEPT or DECLINE.
    OfferId
);
id_type!(
    /// An agent (`<master id>-S<n>`); stable while the agent stays registered.
    AgentId
);
id_type!(
    /// Chosen by the framework; unique among the framework's live tasks.
    TaskId
);
id_type!(
    /// An executor; for command tasks the agent makes it equal to the task id.
    ExecutorId
);
id_type!(
    /// Chosen by the framework for an operation it wants status updates for.
    OperationId
);
id_type!(
    /// A resource provider on an agent (opaque to dromos).
    ResourceProviderId
);

/// A container id; nested containers name their parent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContainerId {
    /// The container's own id.
    pub value: String,
    /// The enclosing container, for nested containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Box<ContainerId>>,
}

/// Proto `bytes`: standard base64 in JSON (`uuid`, `data`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    /// True when there are no bytes; used to leave empty `data` out of messages.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(value: Vec<u8>) -> Self {
        Self(value)
    }
}

impl From<&[u8]> for Bytes {
    fn from(value: &[u8]) -> Self {
        Self(value.to_vec())
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text.as_bytes()).map(Bytes).map_err(serde::de::Error::custom)
    }
}

/// A point in time, nanoseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimeInfo {
    /// Nanoseconds since the epoch (a plain JSON number in Mesos' encoding).
    pub nanoseconds: i64,
}

/// A span of time in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DurationInfo {
    /// Length in nanoseconds.
    pub nanoseconds: i64,
}

impl DurationInfo {
    /// Builds a duration from a `std::time::Duration`, saturating at `i64::MAX` ns.
    pub fn from_std(duration: std::time::Duration) -> Self {
        Self { nanoseconds: i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX) }
    }
}

/// Key/value labels; Mesos passes them through without interpreting them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    /// The labels, in order.
    #[serde(default)]
    pub labels: Vec<Label>,
}

/// One label; the value is optional in the proto.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Label key.
    pub key: String,
    /// Label value, absent for a bare key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A required key and value (Docker parameters, URL query).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    /// Parameter name (for Docker: the `docker run` flag without dashes).
    pub key: String,
    /// Parameter value.
    pub value: String,
}
