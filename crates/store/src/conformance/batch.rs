//! Batches: order of steps, all-or-nothing on every kind of failure, size
//! limits and `Expect` guards.

use super::{apply_ok, get_ok, keys_ok, open, Case, Location};
use crate::error::StoreError;
use crate::op::Op;
use crate::store::Store;

pub(super) const CASES: &[Case] = cases![
    empty_batch_is_a_no_op,
    steps_apply_in_order,
    value_at_the_size_limit_is_accepted,
    oversized_value_fails_the_whole_batch,
    oversized_batch_fails_whole,
    expect_guards_the_whole_batch,
    expect_sees_earlier_steps_of_its_batch,
];

/// A store holding `/web@1` and `meta/epoch = 1`, the state failed batches
/// must leave untouched.
fn seeded(location: &dyn Location) -> Box<dyn Store> {
    let store = open(location);
    apply_ok(
        store.as_ref(),
        &[Op::put("apps", "/web@1", b"v1".to_vec()), Op::put("meta", "epoch", b"1".to_vec())],
    );
    store
}

/// Asserts the seeded state, unchanged, on `store` and after a reopen.
fn assert_still_seeded(location: &dyn Location, store: Box<dyn Store>, context: &str) {
    check_seeded(store.as_ref(), context);
    drop(store);
    let reopened = open(location);
    check_seeded(reopened.as_ref(), &format!("{context}, after reopen"));
}

fn check_seeded(store: &dyn Store, context: &str) {
    assert_eq!(keys_ok(store, "apps", ""), vec!["/web@1".to_owned()], "{context}: apps");
    assert_eq!(get_ok(store, "apps", "/web@1").as_deref(), Some(&b"v1"[..]), "{context}");
    assert_eq!(keys_ok(store, "meta", ""), vec!["epoch".to_owned()], "{context}: meta");
    assert_eq!(get_ok(store, "meta", "epoch").as_deref(), Some(&b"1"[..]), "{context}");
    assert_eq!(keys_ok(store, "deployments", ""), Vec::<String>::new(), "{context}: deployments");
}

/// Steps that would change the seeded state in every way if applied.
fn changes_everything() -> Vec<Op> {
    vec![
        Op::put("apps", "/web@1", b"changed".to_vec()),
        Op::put("apps", "/web@2", b"v2".to_vec()),
        Op::delete("meta", "epoch"),
        Op::put("deployments", "d1", b"plan".to_vec()),
    ]
}

fn empty_batch_is_a_no_op(location: &dyn Location) {
    let store = seeded(location);
    apply_ok(store.as_ref(), &[]);
    assert_still_seeded(location, store, "empty batch");
}

fn steps_apply_in_order(location: &dyn Location) {
    let store = open(location);
    apply_ok(
        store.as_ref(),
        &[
            Op::put("apps", "/a@1", b"1".to_vec()),
            Op::put("apps", "/a@2", b"2".to_vec()),
            Op::delete_prefix("apps", "/a@"),
            Op::put("apps", "/a@3", b"3".to_vec()),
            Op::put("apps", "/b", b"first".to_vec()),
            Op::put("apps", "/b", b"second".to_vec()),
            Op::put("apps", "/c", b"gone".to_vec()),
            Op::delete("apps", "/c"),
        ],
    );
    assert_eq!(keys_ok(store.as_ref(), "apps", ""), vec!["/a@3".to_owned(), "/b".to_owned()]);
    assert_eq!(get_ok(store.as_ref(), "apps", "/b").as_deref(), Some(&b"second"[..]));
}

fn value_at_the_size_limit_is_accepted(location: &dyn Location) {
    let store = open(location);
    let limit = store.limits().max_value_size;
    let value: Vec<u8> = (0..limit).map(|i| (i % 251) as u8).collect();
    apply_ok(store.as_ref(), &[Op::put("apps", "big", value.clone())]);
    drop(store);
    let store = open(location);
    assert!(
        get_ok(store.as_ref(), "apps", "big") == Some(value),
        "a value of exactly the limit survives reopen"
    );
}

fn oversized_value_fails_the_whole_batch(location: &dyn Location) {
    let store = seeded(location);
    let limit = store.limits().max_value_size;
    let mut ops = changes_everything();
    ops.push(Op::put("apps", "/huge", vec![7u8; limit + 1]));
    match store.apply(&ops) {
        Err(StoreError::TooLarge { size, limit: reported, key, .. }) => {
            assert_eq!((size, reported, key.as_str()), (limit + 1, limit, "/huge"));
        }
        other => panic!("oversized value: expected TooLarge, got {other:?}"),
    }
    assert_still_seeded(location, store, "after TooLarge");
}

fn oversized_batch_fails_whole(location: &dyn Location) {
    let store = seeded(location);
    let limits = store.limits();
    let per_value = limits.max_value_size.min(limits.max_batch_bytes);
    let count = limits.max_batch_bytes / per_value + 1;
    let mut ops = changes_everything();
    ops.extend((0..count).map(|i| Op::put("apps", format!("/bulk-{i}"), vec![1u8; per_value])));
    let result = store.apply(&ops);
    assert!(
        matches!(result, Err(StoreError::BatchTooLarge { .. })),
        "expected BatchTooLarge, got {result:?}"
    );
    assert_still_seeded(location, store, "after BatchTooLarge");
}

fn expect_guards_the_whole_batch(location: &dyn Location) {
    let store = seeded(location);
    let failing: [(&str, Op); 3] = [
        ("wrong value", Op::expect("apps", "/web@1", Some(b"v0".to_vec()))),
        ("absent expected, present found", Op::expect("apps", "/web@1", None)),
        ("present expected, absent found", Op::expect("meta", "leader", Some(b"me".to_vec()))),
    ];
    let mut store = store;
    for (name, guard) in failing {
        for guard_first in [true, false] {
            let mut ops = changes_everything();
            if guard_first {
                ops.insert(0, guard.clone());
            } else {
                ops.push(guard.clone());
            }
            let result = store.apply(&ops);
            assert!(
                matches!(result, Err(StoreError::Conflict { .. })),
                "{name}: expected Conflict, got {result:?}"
            );
            assert_still_seeded(location, store, name);
            store = open(location);
        }
    }
    let mut ops = vec![Op::expect("meta", "epoch", Some(b"1".to_vec())), Op::expect("meta", "leader", None)];
    ops.extend(changes_everything());
    apply_ok(store.as_ref(), &ops);
    assert_eq!(
        get_ok(store.as_ref(), "apps", "/web@1").as_deref(),
        Some(&b"changed"[..]),
        "holding guards apply"
    );
    assert_eq!(get_ok(store.as_ref(), "meta", "epoch"), None);
}

fn expect_sees_earlier_steps_of_its_batch(location: &dyn Location) {
    let store = seeded(location);
    apply_ok(
        store.as_ref(),
        &[
            Op::put("meta", "epoch", b"2".to_vec()),
            Op::expect("meta", "epoch", Some(b"2".to_vec())),
            Op::put("apps", "/web@2", b"v2".to_vec()),
        ],
    );
    assert_eq!(get_ok(store.as_ref(), "apps", "/web@2").as_deref(), Some(&b"v2"[..]));
    let result =
        store.apply(&[Op::delete("meta", "epoch"), Op::expect("meta", "epoch", Some(b"2".to_vec()))]);
    assert!(matches!(result, Err(StoreError::Conflict { .. })), "expected Conflict, got {result:?}");
    assert_eq!(get_ok(store.as_ref(), "meta", "epoch").as_deref(), Some(&b"2"[..]), "rolled back");
}
