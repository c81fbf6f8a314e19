//! The planner on hand-made snapshots: create-or-set, prefix deletes and
//! `Expect` replayed in batch order.

use super::{plan, Entry, Reads, Snapshot, Write};
use crate::error::StoreError;
use crate::op::Op;
use crate::zookeeper::values::encode_value;

const BASE: &str = "/dromos/state";

/// A snapshot where namespace `apps` holds `/web` = `v1` and `/web@1`.
fn seeded() -> Snapshot {
    let mut snapshot = Snapshot::default();
    snapshot.namespaces.insert("apps".to_owned());
    let web = ("apps".to_owned(), "/web".to_owned());
    snapshot.keys.insert(web, Entry::Value(b"v1".to_vec()));
    snapshot.listed.insert("apps".to_owned(), vec!["/web".to_owned(), "/web@1".to_owned()]);
    snapshot
}

fn create(path: &str, value: &[u8]) -> Write {
    Write::Create { path: format!("{BASE}/{path}"), data: encode_value(value) }
}

fn set(path: &str, value: &[u8]) -> Write {
    Write::Set { path: format!("{BASE}/{path}"), data: encode_value(value) }
}

fn delete(path: &str) -> Write {
    Write::Delete { path: format!("{BASE}/{path}") }
}

fn namespace(ns: &str) -> Write {
    Write::Create { path: format!("{BASE}/{ns}"), data: Vec::new() }
}

#[test]
fn batches_become_the_writes_with_the_same_effect() {
    let cases: Vec<(&str, Vec<Op>, Vec<Write>)> = vec![
        ("empty batch writes nothing", vec![], vec![]),
        (
            "put of an existing key sets it",
            vec![Op::put("apps", "/web", "v2")],
            vec![set("apps/=%2Fweb", b"v2")],
        ),
        (
            "put into a new namespace creates it first, once",
            vec![Op::put("groups", "a", "1"), Op::put("groups", "b", "2")],
            vec![namespace("groups"), create("groups/=a", b"1"), create("groups/=b", b"2")],
        ),
        (
            "put twice creates then sets",
            vec![Op::put("apps", "/x", "1"), Op::put("apps", "/x", "2")],
            vec![create("apps/=%2Fx", b"1"), set("apps/=%2Fx", b"2")],
        ),
        ("deleting an absent key writes nothing", vec![Op::delete("apps", "/nope")], vec![]),
        (
            "delete after put deletes the created node",
            vec![Op::put("apps", "/x", "1"), Op::delete("apps", "/x")],
            vec![create("apps/=%2Fx", b"1"), delete("apps/=%2Fx")],
        ),
        (
            "prefix delete covers listed keys and keys put earlier in the batch",
            vec![
                Op::put("apps", "/web@2", "2"),
                Op::delete_prefix("apps", "/web@"),
                Op::put("apps", "/web@3", "3"),
            ],
            vec![
                create("apps/=%2Fweb@2", b"2"),
                delete("apps/=%2Fweb@1"),
                delete("apps/=%2Fweb@2"),
                create("apps/=%2Fweb@3", b"3"),
            ],
        ),
        (
            "expect that holds adds no write",
            vec![Op::expect("apps", "/web", Some(b"v1".to_vec())), Op::expect("apps", "/none", None)],
            vec![],
        ),
        (
            "expect sees the steps before it",
            vec![Op::delete("apps", "/web"), Op::expect("apps", "/web", None)],
            vec![delete("apps/=%2Fweb")],
        ),
    ];
    for (name, ops, want) in cases {
        let mut snapshot = seeded();
        for (ns, key) in Reads::of(&ops).exists.into_iter().chain(Reads::of(&ops).values) {
            let listed = snapshot.listed.get(&ns).is_some_and(|keys| keys.contains(&key));
            snapshot.keys.entry((ns, key)).or_insert(if listed { Entry::Present } else { Entry::Absent });
        }
        assert_eq!(plan(BASE, &ops, &snapshot).expect(name), want, "{name}");
    }
}

#[test]
fn failed_expectations_are_conflicts_naming_the_key() {
    let cases: Vec<(&str, Vec<Op>, &str)> = vec![
        ("wrong value", vec![Op::expect("apps", "/web", Some(b"v0".to_vec()))], "/web"),
        ("present, absent expected", vec![Op::expect("apps", "/web", None)], "/web"),
        ("absent, present expected", vec![Op::expect("apps", "/none", Some(vec![]))], "/none"),
        (
            "value changed earlier in the batch",
            vec![Op::put("apps", "/web", "v2"), Op::expect("apps", "/web", Some(b"v1".to_vec()))],
            "/web",
        ),
        (
            "deleted by a prefix earlier in the batch",
            vec![Op::delete_prefix("apps", ""), Op::expect("apps", "/web", Some(b"v1".to_vec()))],
            "/web",
        ),
    ];
    for (name, ops, want_key) in cases {
        let mut snapshot = seeded();
        snapshot.keys.insert(("apps".to_owned(), "/none".to_owned()), Entry::Absent);
        match plan(BASE, &ops, &snapshot) {
            Err(StoreError::Conflict { ns, key }) => {
                assert_eq!((ns.as_str(), key.as_str()), ("apps", want_key))
            }
            other => panic!("{name}: expected Conflict, got {other:?}"),
        }
    }
}

#[test]
fn reads_ask_for_exactly_what_the_batch_depends_on() {
    let ops = [
        Op::put("apps", "a", "1"),
        Op::delete("groups", "b"),
        Op::delete_prefix("instances", "x"),
        Op::expect("meta", "epoch", None),
    ];
    let reads = Reads::of(&ops);
    let pair = |ns: &str, key: &str| (ns.to_owned(), key.to_owned());
    assert_eq!(reads.namespaces.into_iter().collect::<Vec<_>>(), vec!["apps".to_owned()]);
    assert_eq!(reads.exists.into_iter().collect::<Vec<_>>(), vec![pair("apps", "a"), pair("groups", "b")]);
    assert_eq!(reads.values.into_iter().collect::<Vec<_>>(), vec![pair("meta", "epoch")]);
    assert_eq!(reads.scans.into_iter().collect::<Vec<_>>(), vec!["instances".to_owned()]);
}
