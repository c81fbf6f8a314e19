//! Single keys: put, get, overwrite, delete, odd keys and values,
//! namespaces, validation and persistence across reopen.

use super::{apply_ok, get_ok, keys_ok, open, Case, Location};
use crate::error::StoreError;
use crate::op::Op;

pub(super) const CASES: &[Case] = cases![
    put_then_get_returns_the_value,
    get_of_an_absent_key_is_none,
    put_overwrites_the_previous_value,
    delete_removes_and_deleting_an_absent_key_is_ok,
    empty_keys_and_values_round_trip,
    binary_values_round_trip,
    hostile_keys_round_trip_and_stay_distinct,
    keys_over_the_limit_are_rejected,
    invalid_namespaces_are_rejected_everywhere,
    namespaces_are_isolated,
    reopen_keeps_every_acknowledged_batch,
];

fn put_then_get_returns_the_value(location: &dyn Location) {
    let store = open(location);
    apply_ok(store.as_ref(), &[Op::put("apps", "/web@1", b"{\"id\":\"/web\"}".to_vec())]);
    assert_eq!(get_ok(store.as_ref(), "apps", "/web@1").as_deref(), Some(&b"{\"id\":\"/web\"}"[..]));
}

fn get_of_an_absent_key_is_none(location: &dyn Location) {
    let store = open(location);
    assert_eq!(get_ok(store.as_ref(), "apps", "missing"), None);
    apply_ok(store.as_ref(), &[Op::put("apps", "present", b"x".to_vec())]);
    assert_eq!(get_ok(store.as_ref(), "apps", "presen"), None, "a prefix of a key is not the key");
}

fn put_overwrites_the_previous_value(location: &dyn Location) {
    let store = open(location);
    apply_ok(store.as_ref(), &[Op::put("meta", "framework-id", b"one".to_vec())]);
    apply_ok(store.as_ref(), &[Op::put("meta", "framework-id", b"two".to_vec())]);
    assert_eq!(get_ok(store.as_ref(), "meta", "framework-id").as_deref(), Some(&b"two"[..]));
    assert_eq!(keys_ok(store.as_ref(), "meta", ""), vec!["framework-id".to_owned()]);
}

fn delete_removes_and_deleting_an_absent_key_is_ok(location: &dyn Location) {
    let store = open(location);
    apply_ok(store.as_ref(), &[Op::put("apps", "a", b"1".to_vec()), Op::put("apps", "b", b"2".to_vec())]);
    apply_ok(store.as_ref(), &[Op::delete("apps", "a")]);
    assert_eq!(get_ok(store.as_ref(), "apps", "a"), None);
    assert_eq!(get_ok(store.as_ref(), "apps", "b").as_deref(), Some(&b"2"[..]));
    apply_ok(store.as_ref(), &[Op::delete("apps", "a"), Op::delete("apps", "never-existed")]);
    assert_eq!(keys_ok(store.as_ref(), "apps", ""), vec!["b".to_owned()]);
}

fn empty_keys_and_values_round_trip(location: &dyn Location) {
    let store = open(location);
    apply_ok(
        store.as_ref(),
        &[Op::put("meta", "", b"empty key".to_vec()), Op::put("meta", "empty-value", Vec::new())],
    );
    assert_eq!(get_ok(store.as_ref(), "meta", "").as_deref(), Some(&b"empty key"[..]));
    assert_eq!(get_ok(store.as_ref(), "meta", "empty-value"), Some(Vec::new()));
    assert_eq!(keys_ok(store.as_ref(), "meta", ""), vec![String::new(), "empty-value".to_owned()]);
    apply_ok(store.as_ref(), &[Op::delete("meta", "")]);
    assert_eq!(get_ok(store.as_ref(), "meta", ""), None);
}

fn binary_values_round_trip(location: &dyn Location) {
    let store = open(location);
    let every_byte: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let values: [(&str, Vec<u8>); 4] = [
        ("every-byte", every_byte),
        ("nul", vec![0]),
        ("invalid-utf8", vec![0xff, 0xfe, 0xc3]),
        ("gzip-magic", vec![0x1f, 0x8b, 0x08, 0x00]),
    ];
    let ops: Vec<Op> = values.iter().map(|(k, v)| Op::put("blobs", *k, v.clone())).collect();
    apply_ok(store.as_ref(), &ops);
    for (key, value) in &values {
        assert_eq!(get_ok(store.as_ref(), "blobs", key).as_ref(), Some(value), "value of {key}");
    }
}

/// Keys that break naive path, SQL, URL or shell encodings.
fn hostile_keys(max_key_len: usize) -> Vec<String> {
    let mut keys: Vec<String> = [
        "/",
        "//",
        "a/b/c",
        "/prod/web@2015-09-01T00:00:00.000Z",
        ".",
        "..",
        "../../etc/passwd",
        "'; DROP TABLE entries; --",
        "\"quoted\"",
        "back\\slash",
        "100%",
        "a_b",
        "*",
        "?",
        "#frag",
        "with space",
        "new\nline",
        "tab\t",
        "nul\0byte",
        "zk:sequence-0000000001",
        "ünïcödé",
        "日本語",
        "emoji 🚀",
        "\u{feff}bom",
        "\u{10ffff}",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    keys.push("k".repeat(max_key_len));
    keys.push("é".repeat(max_key_len / 2));
    keys
}

fn hostile_keys_round_trip_and_stay_distinct(location: &dyn Location) {
    let store = open(location);
    let keys = hostile_keys(store.limits().max_key_len);
    let ops: Vec<Op> =
        keys.iter().enumerate().map(|(i, k)| Op::put("apps", k.clone(), i.to_string())).collect();
    apply_ok(store.as_ref(), &ops);
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(get_ok(store.as_ref(), "apps", key), Some(i.to_string().into_bytes()), "value of {key:?}");
    }
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), keys.len(), "test keys are distinct");
    assert_eq!(keys_ok(store.as_ref(), "apps", ""), sorted, "every hostile key listed once, in byte order");
    drop(store);
    let store = open(location);
    assert_eq!(keys_ok(store.as_ref(), "apps", ""), sorted, "hostile keys survive reopen");
}

fn keys_over_the_limit_are_rejected(location: &dyn Location) {
    let store = open(location);
    let long = "k".repeat(store.limits().max_key_len + 1);
    let attempts: [(&str, Result<(), StoreError>); 5] = [
        ("put", store.apply(&[Op::put("apps", long.clone(), b"v".to_vec())])),
        ("delete", store.apply(&[Op::delete("apps", long.clone())])),
        ("delete_prefix", store.apply(&[Op::delete_prefix("apps", long.clone())])),
        ("get", store.get("apps", &long).map(drop)),
        ("list", store.list("apps", &long).map(drop)),
    ];
    for (what, result) in attempts {
        assert!(matches!(result, Err(StoreError::InvalidKey { .. })), "{what}: {result:?}");
    }
    assert_eq!(keys_ok(store.as_ref(), "apps", ""), Vec::<String>::new());
}

fn invalid_namespaces_are_rejected_everywhere(location: &dyn Location) {
    let store = open(location);
    for ns in ["", "Apps", "a/b", "ns with space", &"n".repeat(65)] {
        let attempts: [(&str, Result<(), StoreError>); 4] = [
            ("apply", store.apply(&[Op::put(ns, "k", b"v".to_vec())])),
            ("get", store.get(ns, "k").map(drop)),
            ("list", store.list(ns, "").map(drop)),
            ("keys", store.keys(ns, "").map(drop)),
        ];
        for (what, result) in attempts {
            assert!(
                matches!(result, Err(StoreError::InvalidNamespace { .. })),
                "{what} in {ns:?}: {result:?}"
            );
        }
    }
}

fn namespaces_are_isolated(location: &dyn Location) {
    let store = open(location);
    apply_ok(
        store.as_ref(),
        &[
            Op::put("apps", "/web", b"app".to_vec()),
            Op::put("groups", "/web", b"group".to_vec()),
            Op::put("apps2", "/web", b"other".to_vec()),
        ],
    );
    assert_eq!(get_ok(store.as_ref(), "apps", "/web").as_deref(), Some(&b"app"[..]));
    assert_eq!(get_ok(store.as_ref(), "groups", "/web").as_deref(), Some(&b"group"[..]));
    apply_ok(store.as_ref(), &[Op::delete_prefix("apps", ""), Op::delete("groups", "/nothing")]);
    assert_eq!(keys_ok(store.as_ref(), "apps", ""), Vec::<String>::new());
    assert_eq!(keys_ok(store.as_ref(), "groups", ""), vec!["/web".to_owned()]);
    assert_eq!(
        keys_ok(store.as_ref(), "apps2", ""),
        vec!["/web".to_owned()],
        "a namespace prefix is not its parent"
    );
}

fn reopen_keeps_every_acknowledged_batch(location: &dyn Location) {
    let store = open(location);
    for i in 0..20u32 {
        apply_ok(
            store.as_ref(),
            &[
                Op::put("apps", format!("/app-{i:02}@1"), i.to_be_bytes().to_vec()),
                Op::put("meta", "last", i.to_be_bytes().to_vec()),
            ],
        );
    }
    apply_ok(store.as_ref(), &[Op::delete("apps", "/app-07@1")]);
    let before = store.list("apps", "").expect("conformance: list before reopen");
    drop(store);
    let store = open(location);
    assert_eq!(store.list("apps", "").expect("conformance: list after reopen"), before);
    assert_eq!(before.len(), 19);
    assert_eq!(get_ok(store.as_ref(), "meta", "last"), Some(19u32.to_be_bytes().to_vec()));
}
