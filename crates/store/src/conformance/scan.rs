//! Prefix scans: `list`, `keys` and `DeletePrefix` order and isolation.

use super::{apply_ok, keys_ok, open, Case, Location};
use crate::op::Op;
use crate::store::Store;

pub(super) const CASES: &[Case] = cases![
    list_returns_keys_in_byte_order,
    prefixes_match_literally_and_only_their_keys,
    keys_and_list_agree,
    delete_prefix_removes_exactly_the_prefix,
    delete_prefix_of_empty_clears_only_that_namespace,
];

/// Keys put in an order unlike their sorted one.
const UNSORTED: &[&str] =
    &["b", "a", "ab", "a/b", "a@2", "a@10", "A", "_", "%", "é", "z", "aa", "a\u{0}", "a\u{7f}", "/", "a/"];

fn put_all(store: &dyn Store, ns: &str, keys: &[&str]) {
    let ops: Vec<Op> = keys.iter().map(|k| Op::put(ns, *k, k.as_bytes().to_vec())).collect();
    apply_ok(store, &ops);
}

fn sorted(keys: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
    out.sort();
    out
}

fn list_returns_keys_in_byte_order(location: &dyn Location) {
    let store = open(location);
    put_all(store.as_ref(), "apps", UNSORTED);
    let listed = store.list("apps", "").expect("conformance: list");
    let listed_keys: Vec<String> = listed.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(listed_keys, sorted(UNSORTED));
    for (key, value) in &listed {
        assert_eq!(value.as_slice(), key.as_bytes(), "value listed with {key:?}");
    }
}

fn prefixes_match_literally_and_only_their_keys(location: &dyn Location) {
    let store = open(location);
    put_all(store.as_ref(), "apps", UNSORTED);
    let cases: [(&str, &[&str]); 8] = [
        ("a", &["a", "a\u{0}", "a/", "a/b", "a@10", "a@2", "aa", "ab", "a\u{7f}"]),
        ("a@", &["a@10", "a@2"]),
        ("a/", &["a/", "a/b"]),
        ("%", &["%"]),
        ("_", &["_"]),
        ("é", &["é"]),
        ("q", &[]),
        ("ab/", &[]),
    ];
    for (prefix, want) in cases {
        assert_eq!(keys_ok(store.as_ref(), "apps", prefix), sorted(want), "prefix {prefix:?}");
    }
}

fn keys_and_list_agree(location: &dyn Location) {
    let store = open(location);
    put_all(store.as_ref(), "apps", UNSORTED);
    for prefix in ["", "a", "a/", "z", "nothing"] {
        let listed: Vec<String> =
            store.list("apps", prefix).expect("conformance: list").into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys_ok(store.as_ref(), "apps", prefix), listed, "prefix {prefix:?}");
    }
}

fn delete_prefix_removes_exactly_the_prefix(location: &dyn Location) {
    let store = open(location);
    let keys = ["/web@1", "/web@2", "/web2@1", "/web/api@1", "/wea@1", "/wec@1"];
    put_all(store.as_ref(), "apps", &keys);
    put_all(store.as_ref(), "groups", &keys);
    apply_ok(store.as_ref(), &[Op::delete_prefix("apps", "/web@")]);
    assert_eq!(keys_ok(store.as_ref(), "apps", ""), sorted(&["/wea@1", "/web/api@1", "/web2@1", "/wec@1"]));
    assert_eq!(keys_ok(store.as_ref(), "groups", ""), sorted(&keys), "other namespaces untouched");
    apply_ok(store.as_ref(), &[Op::delete_prefix("apps", "/nothing")]);
    assert_eq!(keys_ok(store.as_ref(), "apps", "").len(), 4, "deleting an unused prefix is a no-op");
}

fn delete_prefix_of_empty_clears_only_that_namespace(location: &dyn Location) {
    let store = open(location);
    put_all(store.as_ref(), "instances", UNSORTED);
    put_all(store.as_ref(), "instances2", UNSORTED);
    apply_ok(store.as_ref(), &[Op::delete_prefix("instances", "")]);
    assert_eq!(keys_ok(store.as_ref(), "instances", ""), Vec::<String>::new());
    assert_eq!(keys_ok(store.as_ref(), "instances2", "").len(), UNSORTED.len());
}
