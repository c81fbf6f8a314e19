//! Batch operations, the size limits every backend declares, and the
//! validation that runs before a backend writes anything.
//!
//! Validation is shared so that every backend rejects exactly the same
//! batches, and rejects them before touching storage.

use crate::error::StoreError;

/// The longest namespace, in bytes. Namespaces become path segments in
/// backends such as ZooKeeper, hence also the `[a-z0-9_-]` alphabet.
pub const MAX_NAMESPACE_LEN: usize = 64;

/// One step of an atomic batch given to [`crate::Store::apply`].
///
/// Steps run in order inside the batch: a `Put` after a `DeletePrefix`
/// survives it, and an `Expect` sees the effect of the steps before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Creates or overwrites `ns`/`key`.
    Put {
        /// Namespace, see [`validate_namespace`].
        ns: String,
        /// Any UTF-8 string up to [`Limits::max_key_len`] bytes, including empty.
        key: String,
        /// Any bytes up to [`Limits::max_value_size`], including empty.
        value: Vec<u8>,
    },
    /// Removes `ns`/`key`; removing an absent key is not an error.
    Delete {
        /// Namespace.
        ns: String,
        /// Key.
        key: String,
    },
    /// Removes every key of `ns` that starts with `prefix` (all of `ns` when
    /// `prefix` is empty).
    DeletePrefix {
        /// Namespace.
        ns: String,
        /// Byte prefix of the keys to remove.
        prefix: String,
    },
    /// Guard: the batch fails with [`StoreError::Conflict`], applying
    /// nothing, unless `ns`/`key` currently holds `value` (`None`: absent).
    /// Used to fence writes, e.g. on a leader epoch.
    Expect {
        /// Namespace.
        ns: String,
        /// Key.
        key: String,
        /// The value the key must hold, or `None` if it must be absent.
        value: Option<Vec<u8>>,
    },
}

impl Op {
    /// A [`Op::Put`].
    pub fn put(ns: impl Into<String>, key: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        Op::Put { ns: ns.into(), key: key.into(), value: value.into() }
    }

    /// A [`Op::Delete`].
    pub fn delete(ns: impl Into<String>, key: impl Into<String>) -> Self {
        Op::Delete { ns: ns.into(), key: key.into() }
    }

    /// A [`Op::DeletePrefix`].
    pub fn delete_prefix(ns: impl Into<String>, prefix: impl Into<String>) -> Self {
        Op::DeletePrefix { ns: ns.into(), prefix: prefix.into() }
    }

    /// A [`Op::Expect`].
    pub fn expect(ns: impl Into<String>, key: impl Into<String>, value: Option<Vec<u8>>) -> Self {
        Op::Expect { ns: ns.into(), key: key.into(), value }
    }

    /// The namespace this step touches.
    pub fn ns(&self) -> &str {
        match self {
            Op::Put { ns, .. }
            | Op::Delete { ns, .. }
            | Op::DeletePrefix { ns, .. }
            | Op::Expect { ns, .. } => ns,
        }
    }

    /// Bytes this step contributes to the batch payload (keys and values).
    pub fn payload_len(&self) -> usize {
        match self {
            Op::Put { key, value, .. } => key.len() + value.len(),
            Op::Delete { key, .. } => key.len(),
            Op::DeletePrefix { prefix, .. } => prefix.len(),
            Op::Expect { key, value, .. } => key.len() + value.as_ref().map_or(0, Vec::len),
        }
    }
}

/// What a backend accepts. Callers can read them from
/// [`crate::Store::limits`] to split work before hitting them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest key (or prefix), in bytes.
    pub max_key_len: usize,
    /// Largest value, in bytes. ZooKeeper's node limit is about 1 MB, so
    /// the default is 1 MiB; values are never split across entries.
    pub max_value_size: usize,
    /// Largest batch payload (sum of keys and values), in bytes.
    pub max_batch_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_key_len: 1024, max_value_size: 1024 * 1024, max_batch_bytes: 16 * 1024 * 1024 }
    }
}

/// Accepts 1..=[`MAX_NAMESPACE_LEN`] bytes of `[a-z0-9_-]`.
pub fn validate_namespace(ns: &str) -> Result<(), StoreError> {
    let ok = !ns.is_empty()
        && ns.len() <= MAX_NAMESPACE_LEN
        && ns.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidNamespace { ns: ns.to_owned() })
    }
}

/// Checks a key (or prefix) against `limits`.
pub fn validate_key(ns: &str, key: &str, limits: &Limits) -> Result<(), StoreError> {
    if key.len() > limits.max_key_len {
        return Err(StoreError::InvalidKey { ns: ns.to_owned(), len: key.len(), limit: limits.max_key_len });
    }
    Ok(())
}

/// Checks a whole batch before anything is written: namespaces, key
/// lengths, value sizes and the batch payload. Backends must call it first.
pub fn validate_batch(ops: &[Op], limits: &Limits) -> Result<(), StoreError> {
    let mut total = 0usize;
    for op in ops {
        validate_namespace(op.ns())?;
        let (key, value) = match op {
            Op::Put { key, value, .. } => (key, Some(value)),
            Op::Delete { key, .. } | Op::Expect { key, .. } => (key, None),
            Op::DeletePrefix { prefix, .. } => (prefix, None),
        };
        validate_key(op.ns(), key, limits)?;
        if let Some(value) = value.filter(|v| v.len() > limits.max_value_size) {
            return Err(StoreError::TooLarge {
                ns: op.ns().to_owned(),
                key: key.clone(),
                size: value.len(),
                limit: limits.max_value_size,
            });
        }
        total = total.saturating_add(op.payload_len());
    }
    if total > limits.max_batch_bytes {
        return Err(StoreError::BatchTooLarge { size: total, limit: limits.max_batch_bytes });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{validate_batch, validate_namespace, Limits, Op};
    use crate::error::StoreError;

    #[test]
    fn namespace_validation_accepts_only_the_safe_alphabet() {
        let cases = [
            ("apps", true),
            ("instance-intents_2", true),
            (&"a".repeat(64)[..], true),
            (&"a".repeat(65)[..], false),
            ("", false),
            ("Apps", false),
            ("a/b", false),
            ("a.b", false),
            ("ä", false),
        ];
        for (ns, ok) in cases {
            assert_eq!(validate_namespace(ns).is_ok(), ok, "namespace {ns:?}");
        }
    }

    #[test]
    fn batch_validation_reports_the_first_violation() {
        let limits = Limits { max_key_len: 4, max_value_size: 8, max_batch_bytes: 20 };
        let cases: Vec<(&str, Vec<Op>, Option<&str>)> = vec![
            ("empty batch", vec![], None),
            ("at every limit", vec![Op::put("a", "kkkk", vec![0; 8])], None),
            ("bad namespace", vec![Op::delete("A", "k")], Some("namespace")),
            ("long key", vec![Op::delete("a", "kkkkk")], Some("key")),
            ("long prefix", vec![Op::delete_prefix("a", "kkkkk")], Some("key")),
            ("big value", vec![Op::put("a", "k", vec![0; 9])], Some("value")),
            (
                "big batch",
                vec![
                    Op::put("a", "k", vec![0; 8]),
                    Op::put("a", "j", vec![0; 8]),
                    Op::put("a", "i", vec![0; 8]),
                ],
                Some("batch"),
            ),
        ];
        for (name, ops, want) in cases {
            let got = match validate_batch(&ops, &limits) {
                Ok(()) => None,
                Err(StoreError::InvalidNamespace { .. }) => Some("namespace"),
                Err(StoreError::InvalidKey { .. }) => Some("key"),
                Err(StoreError::TooLarge { .. }) => Some("value"),
                Err(StoreError::BatchTooLarge { .. }) => Some("batch"),
                Err(other) => panic!("{name}: unexpected {other}"),
            };
            assert_eq!(got, want, "{name}");
        }
    }
}
