//! The SQL behind each [`crate::Store`] call, on an open connection.
//!
//! Prefix scans are key ranges `[prefix, successor(prefix))` over the
//! `(ns, key)` primary key, so they use the index whatever the prefix holds
//! (`%` and `_` have no special meaning, unlike with `LIKE`).

use rusqlite::{Connection, OptionalExtension, Row};

use crate::error::StoreError;
use crate::op::Op;

/// The smallest byte string greater than every string starting with
/// `prefix`; `None` when there is none (empty prefix: scan the namespace).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Decodes a stored key; a non-UTF-8 key can only come from outside dromos.
fn key_of(row: &Row<'_>) -> Result<String, StoreError> {
    let bytes: Vec<u8> = row.get(0)?;
    String::from_utf8(bytes)
        .map_err(|err| StoreError::Corrupt { detail: format!("stored key is not UTF-8: {err}") })
}

/// Selects `columns` (`key` first) of the entries of `ns` under `prefix`,
/// in key order, and maps each row with `map`.
fn scan<T>(
    conn: &Connection,
    columns: &str,
    ns: &str,
    prefix: &str,
    mut map: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let start = prefix.as_bytes();
    let end = prefix_end(start);
    let sql = match end {
        Some(_) => {
            format!("SELECT {columns} FROM entries WHERE ns = ?1 AND key >= ?2 AND key < ?3 ORDER BY key")
        }
        None => format!("SELECT {columns} FROM entries WHERE ns = ?1 AND key >= ?2 ORDER BY key"),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = match &end {
        Some(end) => stmt.query(rusqlite::params![ns, start, end])?,
        None => stmt.query(rusqlite::params![ns, start])?,
    };
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(map(row)?);
    }
    Ok(out)
}

/// The value of `ns`/`key`.
pub(super) fn get(conn: &Connection, ns: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT value FROM entries WHERE ns = ?1 AND key = ?2")?;
    let value = stmt.query_row(rusqlite::params![ns, key.as_bytes()], |row| row.get(0)).optional()?;
    Ok(value)
}

/// Entries of `ns` under `prefix`, in key order.
pub(super) fn list(conn: &Connection, ns: &str, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    scan(conn, "key, value", ns, prefix, |row| Ok((key_of(row)?, row.get(1)?)))
}

/// Keys of `ns` under `prefix`, in key order.
pub(super) fn keys(conn: &Connection, ns: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
    scan(conn, "key", ns, prefix, key_of)
}

/// One step of a batch, inside the batch's transaction.
pub(super) fn apply_op(conn: &Connection, op: &Op) -> Result<(), StoreError> {
    match op {
        Op::Put { ns, key, value } => {
            conn.prepare_cached(
                "INSERT INTO entries (ns, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value",
            )?
            .execute(rusqlite::params![ns, key.as_bytes(), value])?;
        }
        Op::Delete { ns, key } => {
            conn.prepare_cached("DELETE FROM entries WHERE ns = ?1 AND key = ?2")?
                .execute(rusqlite::params![ns, key.as_bytes()])?;
        }
        Op::DeletePrefix { ns, prefix } => delete_prefix(conn, ns, prefix)?,
        Op::Expect { ns, key, value } => {
            if get(conn, ns, key)? != *value {
                return Err(StoreError::Conflict { ns: ns.clone(), key: key.clone() });
            }
        }
    }
    Ok(())
}

fn delete_prefix(conn: &Connection, ns: &str, prefix: &str) -> Result<(), StoreError> {
    let start = prefix.as_bytes();
    match prefix_end(start) {
        Some(end) => conn
            .prepare_cached("DELETE FROM entries WHERE ns = ?1 AND key >= ?2 AND key < ?3")?
            .execute(rusqlite::params![ns, start, end])?,
        None => conn.prepare_cached("DELETE FROM entries WHERE ns = ?1")?.execute(rusqlite::params![ns])?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn prefix_end_is_the_least_upper_bound_of_the_prefix() {
        let cases: [(&[u8], Option<&[u8]>); 5] = [
            (b"", None),
            (b"a", Some(b"b")),
            (b"app@", Some(b"appA")),
            (b"a\xff", Some(b"b")),
            (b"\xff\xff", None),
        ];
        for (prefix, want) in cases {
            assert_eq!(prefix_end(prefix).as_deref(), want, "prefix {prefix:?}");
        }
    }
}
