//! Tests of the editor document: pointers, field parsing, validation.

use serde_json::json;

use super::{editable, humanize, parse_field, push, remove_at, render_field, set, validate, FieldKind};

#[test]
fn field_text_becomes_typed_json_and_back() {
    let cases = [
        (FieldKind::Text, "web", Some(json!("web"))),
        (FieldKind::Text, "", None),
        (FieldKind::Number, "2", Some(json!(2))),
        (FieldKind::Number, " 0.5 ", Some(json!(0.5))),
        (FieldKind::Number, "1.", Some(json!(1.0))),
        (FieldKind::Number, "abc", Some(json!("abc"))),
        (FieldKind::Number, "   ", None),
    ];
    for (kind, text, want) in cases {
        assert_eq!(parse_field(kind, text), want, "{kind:?} {text:?}");
    }
    assert_eq!(render_field(Some(&json!(0.5))), "0.5");
    assert_eq!(render_field(Some(&json!("x"))), "x");
    assert_eq!(render_field(None), "");
}

#[test]
fn set_creates_paths_replaces_and_removes() {
    let mut doc = json!({"id": "a"});
    set(&mut doc, "/container/docker/image", Some(json!("nginx")));
    set(&mut doc, "/env/A~1B", Some(json!("1")));
    assert_eq!(doc, json!({"id": "a", "container": {"docker": {"image": "nginx"}}, "env": {"A/B": "1"}}));
    set(&mut doc, "/id", None);
    set(&mut doc, "/container/docker/image", Some(json!("redis")));
    assert_eq!(doc, json!({"container": {"docker": {"image": "redis"}}, "env": {"A/B": "1"}}));
}

#[test]
fn arrays_append_one_past_the_end_and_drop_when_emptied() {
    let mut doc = json!({});
    push(&mut doc, "/constraints", json!(["hostname", "UNIQUE"]));
    set(&mut doc, "/constraints/0/2", Some(json!("x")));
    assert_eq!(doc, json!({"constraints": [["hostname", "UNIQUE", "x"]]}));
    set(&mut doc, "/constraints/0/2", None);
    set(&mut doc, "/constraints/5/0", Some(json!("ignored")));
    assert_eq!(doc, json!({"constraints": [["hostname", "UNIQUE"]]}));
    remove_at(&mut doc, "/constraints", 0);
    assert_eq!(doc, json!({}));
}

#[test]
fn validation_is_the_servers_with_paths() {
    assert!(validate(&json!({"id": "web", "cmd": "sleep 1", "cpus": 0.1})).is_empty());
    let cases = [
        (json!({"id": "web", "cmd": "x", "cpus": -1}), "/cpus"),
        (json!({"id": "web", "cmd": "x", "cpus": "abc"}), "/cpus"),
        (json!({"id": "web", "cmd": "x", "instances": 1.5}), "/instances"),
    ];
    for (doc, path) in cases {
        let violations = validate(&doc);
        assert!(violations.iter().any(|v| v.path == path), "{doc}: {violations:?}");
    }
}

#[test]
fn marathon_codes_read_as_sentences() {
    assert_eq!(humanize("error.expected.jsnumber"), "must be a number");
    assert_eq!(humanize("error.path.missing"), "is required");
    assert_eq!(humanize("must be greater than or equal to 0.001"), "must be greater than or equal to 0.001");
}

#[test]
fn editing_starts_without_server_stamps() {
    let doc = editable(json!({"id": "/a", "version": "v", "versionInfo": {}, "cpus": 1}));
    assert_eq!(doc, json!({"id": "/a", "cpus": 1}));
}
