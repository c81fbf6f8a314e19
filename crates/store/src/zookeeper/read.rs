//! Reads: one key, or the keys (and values) of a namespace under a prefix.
//!
//! A listing lists the namespace node's children, decodes and filters them,
//! sorts them by key bytes, then sends every `getData` at once and collects
//! the answers in order (one round trip of pipelined requests, not one per
//! key). A key deleted between the two steps is left out, as if the listing
//! had happened after the delete.

use zookeeper_client::{Client, Error as ZkError};

use super::keys::{decode_key, encode_key};
use super::session::store_error;
use super::values::decode_value;
use crate::error::StoreError;

/// The value at node `path`, or `None` if there is no node.
pub(crate) async fn get(client: &Client, path: &str, limit: usize) -> Result<Option<Vec<u8>>, StoreError> {
    match client.get_data(path).await {
        Ok((data, _stat)) => decode(path, &data, limit).map(Some),
        Err(ZkError::NoNode) => Ok(None),
        Err(err) => Err(store_error(err)),
    }
}

/// The keys below namespace node `ns_path` starting with `prefix`, in byte
/// order. Children dromos did not write are skipped with a warning.
pub(crate) async fn keys(client: &Client, ns_path: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
    let children = match client.list_children(ns_path).await {
        Ok(children) => children,
        Err(ZkError::NoNode) => return Ok(Vec::new()),
        Err(err) => return Err(store_error(err)),
    };
    let mut keys: Vec<String> = children
        .iter()
        .filter_map(|name| {
            let key = decode_key(name);
            if key.is_none() {
                tracing::warn!(node = %format!("{ns_path}/{name}"), "skipping a znode dromos did not write");
            }
            key
        })
        .filter(|key| key.starts_with(prefix))
        .collect();
    keys.sort_unstable();
    Ok(keys)
}

/// The entries below `ns_path` starting with `prefix`, in key order.
pub(crate) async fn list(
    client: &Client,
    ns_path: &str,
    prefix: &str,
    limit: usize,
) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let keys = keys(client, ns_path, prefix).await?;
    let paths: Vec<String> = keys.iter().map(|key| format!("{ns_path}/{}", encode_key(key))).collect();
    // Every request is sent before the first answer is awaited.
    let pending: Vec<_> = paths.iter().map(|path| client.get_data(path)).collect();
    let mut entries = Vec::with_capacity(keys.len());
    for ((key, path), reply) in keys.into_iter().zip(&paths).zip(pending) {
        match reply.await {
            Ok((data, _stat)) => entries.push((key, decode(path, &data, limit)?)),
            Err(ZkError::NoNode) => {}
            Err(err) => return Err(store_error(err)),
        }
    }
    Ok(entries)
}

/// Decodes node data, naming the node when it is damaged.
pub(crate) fn decode(path: &str, data: &[u8], limit: usize) -> Result<Vec<u8>, StoreError> {
    decode_value(data, limit).map_err(|err| StoreError::Corrupt { detail: format!("znode {path}: {err}") })
}
