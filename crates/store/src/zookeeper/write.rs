//! `apply`: read what the batch depends on, plan, commit as one `multi`.
//!
//! Atomicity comes from ZooKeeper's `multi`: all writes or none. Isolation
//! comes from the *state root* (`<root>/state`): every commit starts with
//! `setData(root, batch id, expected version)`. Since every writer bumps
//! the root, a commit only succeeds if no other batch committed since the
//! root was read, which happens before the snapshot; on a race the batch
//! is read and planned again (optimistic concurrency, [`ATTEMPTS`] tries).
//!
//! A commit whose answer is lost (connection loss, timeout) is resolved
//! instead of guessed: the root then holds our batch id (applied), or the
//! root moved on to another batch (never applied: ours needed the old
//! version), or nothing happened yet, and we bump the root ourselves, which
//! makes our in-flight `multi` fail for good. Only if ZooKeeper stays away
//! past the call's deadline, or several batches landed meanwhile, is the
//! outcome unknown: then the caller gets [`StoreError::Unavailable`] and must
//! read back after reconnecting.

use std::time::Duration;

use zookeeper_client::{Client, Error as ZkError, MultiWriteError};

use super::keys::encode_key;
use super::plan::{plan, Entry, Reads, Snapshot, Write};
use super::read::decode;
use super::session::{outcome_unknown, store_error};
use crate::error::StoreError;
use crate::op::Op;

/// Tries before giving up on a batch that keeps racing other writers.
const ATTEMPTS: usize = 8;

/// Pause between tries while resolving a lost answer.
const RESOLVE_PAUSE: Duration = Duration::from_millis(100);

/// The multi request limit: ZooKeeper's default `jute.maxbuffer` is
/// 1 MiB − 1 (1,048,575 bytes); this keeps 48 KiB of margin for framing.
pub const WIRE_LIMIT: usize = 1_000_000;

/// One batch to commit under the state root `base`.
pub(crate) struct Batch<'a> {
    /// The state root, `<root>/state`.
    pub base: &'a str,
    /// The validated steps.
    pub ops: &'a [Op],
    /// Unique among all writers: marks the root when this batch commits.
    pub id: [u8; 16],
    /// Largest value, to bound decompression of values read for `Expect`.
    pub value_limit: usize,
}

/// How a commit attempt ended.
enum Commit {
    Done,
    /// Another writer committed first; plan again.
    Raced,
    /// The answer was lost; the root version the commit required.
    Unknown(i32),
}

/// Applies `batch` atomically; see the module docs.
pub(crate) async fn apply(client: &Client, batch: &Batch<'_>) -> Result<(), StoreError> {
    for _ in 0..ATTEMPTS {
        let (root_version, snapshot) = read_snapshot(client, batch).await?;
        let writes = plan(batch.base, batch.ops, &snapshot)?;
        if writes.is_empty() {
            return Ok(());
        }
        let size = 64 + batch.base.len() + batch.id.len() + writes.iter().map(Write::wire_len).sum::<usize>();
        if size > WIRE_LIMIT {
            return Err(StoreError::BatchTooLarge { size, limit: WIRE_LIMIT });
        }
        match commit(client, batch, root_version, &writes).await? {
            Commit::Done => return Ok(()),
            Commit::Raced => continue,
            Commit::Unknown(version) => {
                if resolve(client, batch, version).await? {
                    return Ok(());
                }
            }
        }
    }
    Err(StoreError::Unavailable {
        detail: format!("batch lost the race with other writers {ATTEMPTS} times"),
    })
}

/// The root's version, then everything the batch depends on; requests are
/// pipelined, and ZooKeeper answers one session's requests in order, so
/// the root is read before the rest.
async fn read_snapshot(client: &Client, batch: &Batch<'_>) -> Result<(i32, Snapshot), StoreError> {
    let reads = Reads::of(batch.ops);
    let base = batch.base;
    let ns_path = |ns: &str| format!("{base}/{ns}");
    let key_path = |(ns, key): &(String, String)| format!("{base}/{ns}/{}", encode_key(key));
    let root = client.check_stat(base);
    let namespaces: Vec<_> =
        reads.namespaces.iter().map(|ns| (ns, client.check_stat(&ns_path(ns)))).collect();
    let exists: Vec<_> = reads
        .exists
        .iter()
        .filter(|id| !reads.values.contains(*id))
        .map(|id| (id, client.check_stat(&key_path(id))))
        .collect();
    let value_paths: Vec<String> = reads.values.iter().map(key_path).collect();
    let values: Vec<_> =
        reads.values.iter().zip(&value_paths).map(|(id, p)| (id, p, client.get_data(p))).collect();
    let scan_paths: Vec<String> = reads.scans.iter().map(|ns| ns_path(ns)).collect();
    let scans: Vec<_> =
        reads.scans.iter().zip(&scan_paths).map(|(ns, p)| (ns, client.list_children(p))).collect();

    let root_version = match root.await.map_err(store_error)? {
        Some(stat) => stat.version,
        None => return Err(StoreError::Corrupt { detail: format!("state root {base} is missing") }),
    };
    let mut snapshot = Snapshot::default();
    for (ns, reply) in namespaces {
        if reply.await.map_err(store_error)?.is_some() {
            snapshot.namespaces.insert(ns.clone());
        }
    }
    for (id, reply) in exists {
        let entry = if reply.await.map_err(store_error)?.is_some() { Entry::Present } else { Entry::Absent };
        snapshot.keys.insert(id.clone(), entry);
    }
    for (id, path, reply) in values {
        let entry = match reply.await {
            Ok((data, _)) => Entry::Value(decode(path, &data, batch.value_limit)?),
            Err(ZkError::NoNode) => Entry::Absent,
            Err(err) => return Err(store_error(err)),
        };
        snapshot.keys.insert(id.clone(), entry);
    }
    for (ns, reply) in scans {
        let names = match reply.await {
            Ok(names) => names,
            Err(ZkError::NoNode) => Vec::new(),
            Err(err) => return Err(store_error(err)),
        };
        let keys = names.iter().filter_map(|name| super::keys::decode_key(name)).collect();
        snapshot.listed.insert(ns.clone(), keys);
    }
    Ok((root_version, snapshot))
}

/// Sends the `multi`: the root guard first, then the writes.
async fn commit(
    client: &Client,
    batch: &Batch<'_>,
    root_version: i32,
    writes: &[Write],
) -> Result<Commit, StoreError> {
    let mut multi = client.new_multi_writer();
    let invalid = |err: ZkError| StoreError::Backend { detail: format!("ZooKeeper refused a path: {err}") };
    multi.add_set_data(batch.base, &batch.id, Some(root_version)).map_err(invalid)?;
    for write in writes {
        match write {
            Write::Create { path, data } => multi.add_create(path, data, &super::session::persistent()),
            Write::Set { path, data } => multi.add_set_data(path, data, None),
            Write::Delete { path } => multi.add_delete(path, None),
        }
        .map_err(invalid)?;
    }
    match multi.commit().await {
        Ok(_) => Ok(Commit::Done),
        Err(MultiWriteError::OperationFailed { index: 0, source: ZkError::BadVersion }) => Ok(Commit::Raced),
        // The root guard held, yet a node was not as read: someone wrote
        // below the root without bumping it. Read again.
        Err(MultiWriteError::OperationFailed { source: ZkError::NodeExists | ZkError::NoNode, .. }) => {
            tracing::warn!(base = batch.base, "state changed without a root bump; replanning");
            Ok(Commit::Raced)
        }
        Err(MultiWriteError::OperationFailed { index, source }) => Err(StoreError::Backend {
            detail: format!("ZooKeeper refused step {index} of the batch: {source}"),
        }),
        Err(MultiWriteError::RequestFailed { source }) if outcome_unknown(&source) => {
            Ok(Commit::Unknown(root_version))
        }
        Err(MultiWriteError::RequestFailed { source }) => Err(store_error(source)),
    }
}

/// After a lost answer: `Ok(true)` if the batch was applied, `Ok(false)` if
/// it never will be (plan again); see the module docs.
async fn resolve(client: &Client, batch: &Batch<'_>, version: i32) -> Result<bool, StoreError> {
    loop {
        match client.get_data(batch.base).await {
            Ok((data, stat)) if stat.version == version.wrapping_add(1) => return Ok(data == batch.id),
            Ok((_, stat)) if stat.version != version => {
                return Err(StoreError::Unavailable {
                    detail: "connection lost during a commit, and other batches landed since: \
                             outcome unknown, read back before retrying"
                        .to_owned(),
                });
            }
            Ok(_) => match client.set_data(batch.base, &[], Some(version)).await {
                Ok(_) => return Ok(false),
                Err(ZkError::BadVersion) => continue,
                Err(err) if outcome_unknown(&err) => tokio::time::sleep(RESOLVE_PAUSE).await,
                Err(err) => return Err(store_error(err)),
            },
            Err(err) if outcome_unknown(&err) => tokio::time::sleep(RESOLVE_PAUSE).await,
            Err(err) => return Err(store_error(err)),
        }
    }
}
