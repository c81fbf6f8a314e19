//! The audit log's entries: every mutation, who made it, from where, and
//! how it ended — including the ones that were refused.

use serde::{Deserialize, Serialize};

/// One audited request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditEntry {
    /// Monotonic sequence number (the store key).
    pub seq: u64,
    /// ISO-8601 time the request was answered.
    pub at: String,
    /// The caller ([`crate::Caller::name`]).
    pub who: String,
    /// Remote address of the request (`ip:port`).
    pub from: String,
    /// What was asked: `POST /v2/apps`, `server fn scale_app`, `cli user add`.
    pub action: String,
    /// The app, group, user or team it was about, when known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target: String,
    /// HTTP status of the answer.
    pub status: u16,
    /// The error message when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl AuditEntry {
    /// Store key for `seq`: zero-padded so text order is time order.
    pub fn key(seq: u64) -> String {
        format!("{seq:020}")
    }

    /// Whether the request succeeded.
    pub fn succeeded(&self) -> bool {
        (200..400).contains(&self.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_like_numbers() {
        assert!(AuditEntry::key(9) < AuditEntry::key(10));
        assert!(AuditEntry::key(99_999) < AuditEntry::key(100_000));
    }
}
