//! Turning a batch of [`Op`]s into the znode writes of one `multi`.
//!
//! Pure: the planner never talks to ZooKeeper. [`Reads::of`] says what the
//! batch needs to know, the caller reads it into a [`Snapshot`], and
//! [`plan`] replays the batch on that snapshot, step by step, deciding
//! create-or-set for each `Put`, which keys a `DeletePrefix` removes, and
//! whether each `Expect` holds given the steps before it. The caller
//! commits the writes guarded by the version of the state root read before
//! the snapshot, so the plan is only applied if nothing changed meanwhile.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::keys::encode_key;
use super::values::encode_value;
use crate::error::StoreError;
use crate::op::Op;

/// A namespace and a key in it.
pub(crate) type NsKey = (String, String);

/// What must be read before planning a batch.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Reads {
    /// Namespaces written to: does their node exist?
    pub namespaces: BTreeSet<String>,
    /// Keys put or deleted: do they exist?
    pub exists: BTreeSet<NsKey>,
    /// Keys an `Expect` looks at: their values.
    pub values: BTreeSet<NsKey>,
    /// Namespaces a `DeletePrefix` scans: their keys.
    pub scans: BTreeSet<String>,
}

impl Reads {
    /// Everything `ops` depends on.
    pub(crate) fn of(ops: &[Op]) -> Self {
        let mut reads = Reads::default();
        for op in ops {
            match op {
                Op::Put { ns, key, .. } => {
                    reads.namespaces.insert(ns.clone());
                    reads.exists.insert((ns.clone(), key.clone()));
                }
                Op::Delete { ns, key } => {
                    reads.exists.insert((ns.clone(), key.clone()));
                }
                Op::DeletePrefix { ns, .. } => {
                    reads.scans.insert(ns.clone());
                }
                Op::Expect { ns, key, .. } => {
                    reads.values.insert((ns.clone(), key.clone()));
                }
            }
        }
        reads
    }
}

/// What a key held when the batch was planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    /// No node.
    Absent,
    /// A node whose value was not read.
    Present,
    /// A node and its (decoded) value.
    Value(Vec<u8>),
}

/// The answers to a [`Reads`].
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    /// Namespaces whose node exists.
    pub namespaces: HashSet<String>,
    /// Keys read one by one.
    pub keys: HashMap<NsKey, Entry>,
    /// The keys of each scanned namespace.
    pub listed: HashMap<String, Vec<String>>,
}

/// One write of the `multi`, with its full path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Write {
    /// Creates a persistent node holding `data`.
    Create { path: String, data: Vec<u8> },
    /// Replaces the data of an existing node.
    Set { path: String, data: Vec<u8> },
    /// Removes an existing node.
    Delete { path: String },
}

impl Write {
    /// An upper bound of the bytes this write adds to the `multi` request:
    /// path, data, and a generous 64 bytes of headers, ACL and flags.
    pub(crate) fn wire_len(&self) -> usize {
        match self {
            Write::Create { path, data } | Write::Set { path, data } => 64 + path.len() + data.len(),
            Write::Delete { path } => 64 + path.len(),
        }
    }
}

/// Replays `ops` on `snapshot` and returns the writes that have the same
/// effect, namespaces under `base`; `Err(Conflict)` if an `Expect` fails.
pub(crate) fn plan(base: &str, ops: &[Op], snapshot: &Snapshot) -> Result<Vec<Write>, StoreError> {
    let mut replay =
        Replay { base, snapshot, keys: HashMap::new(), namespaces: HashSet::new(), writes: Vec::new() };
    for op in ops {
        match op {
            Op::Put { ns, key, value } => replay.put(ns, key, value),
            Op::Delete { ns, key } => replay.delete(ns, key),
            Op::DeletePrefix { ns, prefix } => {
                for key in replay.keys_with_prefix(ns, prefix) {
                    replay.delete(ns, &key);
                }
            }
            Op::Expect { ns, key, value } => {
                let holds = match (replay.entry(ns, key), value) {
                    (Entry::Absent, None) => true,
                    (Entry::Value(current), Some(wanted)) => current == *wanted,
                    // `Present` only comes from scans; `Expect` keys are always read.
                    _ => false,
                };
                if !holds {
                    return Err(StoreError::Conflict { ns: ns.clone(), key: key.clone() });
                }
            }
        }
    }
    Ok(replay.writes)
}

/// The state of a batch being replayed.
struct Replay<'a> {
    base: &'a str,
    snapshot: &'a Snapshot,
    /// Keys written by earlier steps of the batch.
    keys: HashMap<NsKey, Entry>,
    /// Namespaces created by earlier steps of the batch.
    namespaces: HashSet<String>,
    writes: Vec<Write>,
}

impl Replay<'_> {
    fn entry(&self, ns: &str, key: &str) -> Entry {
        let id = (ns.to_owned(), key.to_owned());
        if let Some(entry) = self.keys.get(&id).or_else(|| self.snapshot.keys.get(&id)) {
            return entry.clone();
        }
        let listed = self.snapshot.listed.get(ns).is_some_and(|keys| keys.iter().any(|k| k == key));
        if listed {
            Entry::Present
        } else {
            Entry::Absent
        }
    }

    fn path(&self, ns: &str, key: &str) -> String {
        format!("{}/{ns}/{}", self.base, encode_key(key))
    }

    fn put(&mut self, ns: &str, key: &str, value: &[u8]) {
        if !self.snapshot.namespaces.contains(ns) && self.namespaces.insert(ns.to_owned()) {
            self.writes.push(Write::Create { path: format!("{}/{ns}", self.base), data: Vec::new() });
        }
        let (path, data) = (self.path(ns, key), encode_value(value));
        let write = match self.entry(ns, key) {
            Entry::Absent => Write::Create { path, data },
            Entry::Present | Entry::Value(_) => Write::Set { path, data },
        };
        self.writes.push(write);
        self.keys.insert((ns.to_owned(), key.to_owned()), Entry::Value(value.to_vec()));
    }

    fn delete(&mut self, ns: &str, key: &str) {
        if self.entry(ns, key) != Entry::Absent {
            self.writes.push(Write::Delete { path: self.path(ns, key) });
            self.keys.insert((ns.to_owned(), key.to_owned()), Entry::Absent);
        }
    }

    /// Keys of `ns` that exist at this step and start with `prefix`.
    fn keys_with_prefix(&self, ns: &str, prefix: &str) -> Vec<String> {
        let listed = self.snapshot.listed.get(ns).into_iter().flatten();
        let written = self.keys.keys().filter(|(n, _)| n == ns).map(|(_, k)| k);
        let candidates: BTreeSet<&String> = listed.chain(written).filter(|k| k.starts_with(prefix)).collect();
        candidates.into_iter().filter(|k| self.entry(ns, k) != Entry::Absent).cloned().collect()
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
