//! Conformance of this crate's JSON with the Mesos v1 `.proto` files.
//!
//! A real master silently drops a JSON key it does not know, so a misspelt field
//! would be lost without an error. This test compiles the `.proto` files from
//! `shared/spec/mesos` at test time (protox, pure Rust) and checks that
//! * every kind of call dromos sends decodes as `mesos.v1.scheduler.Call` with
//!   unknown fields denied, uses exactly the proto field names (prost-reflect alone
//!   would also accept camelCase), and sets every `required` field;
//! * every recorded event fixture decodes both as `mesos.v1.scheduler.Event` and
//!   as this crate's `Event`, and re-encodes (as the embedded master will) into
//!   JSON that passes the same checks.
//!
//! When the spec folder is absent (a checkout without `shared/`) the tests print
//! why and pass.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/sample_calls.rs"]
mod sample_calls;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use dromos_mesos::v1::{Call, Event};
use prost_reflect::{
    DescriptorPool, DeserializeOptions, DynamicMessage, Kind, MessageDescriptor, ReflectMessage,
    Value as ProtoValue,
};
use protox::file::{File, FileResolver};
use serde_json::Value;

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/mesos")
}

/// Serves the spec files under the names they import each other by
/// (`mesos/v1/mesos.proto` is stored as `include_mesos_v1_mesos.proto`).
struct SpecResolver {
    files: HashMap<String, PathBuf>,
}

impl FileResolver for SpecResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        let path = self.files.get(name).ok_or_else(|| protox::Error::file_not_found(name))?;
        let source = std::fs::read_to_string(path).map_err(protox::Error::new)?;
        File::from_source(name, &source)
    }
}

/// The compiled descriptors, or None (with a message) when the spec is absent.
fn pool() -> Option<DescriptorPool> {
    let dir = spec_dir();
    if !dir.join("include_mesos_v1_scheduler_scheduler.proto").is_file() {
        println!("SKIPPED: Mesos .proto files not found at {}; conformance not checked", dir.display());
        return None;
    }
    let files = [
        ("mesos/v1/mesos.proto", "include_mesos_v1_mesos.proto"),
        ("mesos/v1/scheduler/scheduler.proto", "include_mesos_v1_scheduler_scheduler.proto"),
    ]
    .into_iter()
    .map(|(name, file)| (name.to_owned(), dir.join(file)))
    .collect();
    let mut compiler = protox::Compiler::with_file_resolver(SpecResolver { files });
    compiler.open_file("mesos/v1/scheduler/scheduler.proto").expect("the Mesos scheduler proto compiles");
    Some(compiler.descriptor_pool())
}

fn message(pool: &DescriptorPool, name: &str) -> MessageDescriptor {
    pool.get_message_by_name(name).expect(name)
}

/// Every JSON key must be the exact proto field name of its message (Mesos looks
/// fields up with `FindFieldByName`); recurses into nested messages.
fn check_keys(json: &Value, desc: &MessageDescriptor, path: &str, errors: &mut Vec<String>) {
    let Value::Object(map) = json else {
        errors.push(format!("{path}: expected an object for {}", desc.full_name()));
        return;
    };
    for (key, value) in map {
        let here = format!("{path}.{key}");
        let Some(field) = desc.get_field_by_name(key) else {
            errors.push(format!("{here}: no field `{key}` in {}", desc.full_name()));
            continue;
        };
        let Kind::Message(inner) = field.kind() else {
            continue;
        };
        if field.is_map() {
            let value_desc = inner.map_entry_value_field();
            if let (Value::Object(entries), Kind::Message(v)) = (value, value_desc.kind()) {
                for (k, entry) in entries {
                    check_keys(entry, &v, &format!("{here}[{k}]"), errors);
                }
            }
        } else if let Value::Array(items) = value {
            for (i, item) in items.iter().enumerate() {
                check_keys(item, &inner, &format!("{here}[{i}]"), errors);
            }
        } else {
            check_keys(value, &inner, &here, errors);
        }
    }
}

/// Every `required` field of every message present must be set (Mesos answers 400
/// otherwise).
fn check_required(message: &DynamicMessage, path: &str, errors: &mut Vec<String>) {
    let desc = message.descriptor();
    for field in desc.fields() {
        if field.is_required() && !message.has_field(&field) {
            errors.push(format!("{path}: required `{}` missing", field.name()));
        }
    }
    for (field, value) in message.fields() {
        let here = format!("{path}.{}", field.name());
        match value {
            ProtoValue::Message(inner) => check_required(inner, &here, errors),
            ProtoValue::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let ProtoValue::Message(inner) = item {
                        check_required(inner, &format!("{here}[{i}]"), errors);
                    }
                }
            }
            ProtoValue::Map(entries) => {
                for entry in entries.values() {
                    if let ProtoValue::Message(inner) = entry {
                        check_required(inner, &here, errors);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Decodes `json` as `desc` with unknown fields denied, and runs the key and
/// required-field checks. Returns every problem found.
fn conform(json: &Value, desc: &MessageDescriptor) -> Vec<String> {
    let mut errors = Vec::new();
    check_keys(json, desc, "$", &mut errors);
    let text = json.to_string();
    let mut de = serde_json::Deserializer::from_str(&text);
    let options = DeserializeOptions::new().deny_unknown_fields(true);
    match DynamicMessage::deserialize_with_options(desc.clone(), &mut de, &options) {
        Ok(decoded) => check_required(&decoded, "$", &mut errors),
        Err(e) => errors.push(format!("prost-reflect: {e}")),
    }
    errors
}

#[test]
fn every_call_dromos_sends_conforms_to_scheduler_proto() {
    let Some(pool) = pool() else { return };
    let desc = message(&pool, "mesos.v1.scheduler.Call");
    let samples = sample_calls::all();
    let covered: BTreeSet<_> = samples.iter().map(|(_, c)| sample_calls::variant(&c.body)).collect();
    assert_eq!(covered.len(), sample_calls::VARIANTS, "a CallBody variant has no sample");

    for (name, call) in samples {
        let json = serde_json::to_value(&call).expect(name);
        let errors = conform(&json, &desc);
        assert!(errors.is_empty(), "call `{name}` does not conform:\n{}\n{json}", errors.join("\n"));
        let back: Call = serde_json::from_value(json).expect(name);
        assert_eq!(back, call, "call `{name}` does not round-trip");
    }
}

fn fixtures() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events");
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .map(|entry| entry.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("fixture readable");
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, serde_json::from_str(&text).expect("fixture is JSON"))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn event_fixtures_decode_as_proto_and_as_crate_events() {
    let fixtures = fixtures();
    let types: BTreeSet<_> = fixtures.iter().map(|(_, j)| j["type"].as_str().unwrap().to_owned()).collect();
    let expected = [
        "SUBSCRIBED",
        "OFFERS",
        "INVERSE_OFFERS",
        "RESCIND",
        "RESCIND_INVERSE_OFFER",
        "UPDATE",
        "UPDATE_OPERATION_STATUS",
        "MESSAGE",
        "FAILURE",
        "ERROR",
        "HEARTBEAT",
    ];
    assert_eq!(types, expected.iter().map(|s| (*s).to_owned()).collect(), "one fixture per event type");

    let pool = pool();
    let desc = pool.as_ref().map(|p| message(p, "mesos.v1.scheduler.Event"));
    for (name, json) in fixtures {
        if let Some(desc) = &desc {
            let errors = conform(&json, desc);
            assert!(errors.is_empty(), "fixture {name} is not a valid Event:\n{}", errors.join("\n"));
        }
        let event: Event = serde_json::from_value(json.clone()).expect(&name);
        assert_eq!(event.event_type().as_str(), json["type"].as_str().unwrap(), "{name}");
        assert_ne!(event, Event::Unrecognized, "{name}");

        // The embedded master encodes events with the same types.
        let encoded = serde_json::to_value(&event).expect(&name);
        if let Some(desc) = &desc {
            let errors = conform(&encoded, desc);
            assert!(errors.is_empty(), "re-encoded {name} is not a valid Event:\n{}", errors.join("\n"));
        }
        let again: Event = serde_json::from_value(encoded).expect(&name);
        assert_eq!(again, event, "{name} does not round-trip");
    }
}

#[test]
fn the_checks_catch_what_a_master_would_drop() {
    let Some(pool) = pool() else { return };
    let desc = message(&pool, "mesos.v1.scheduler.Call");
    let cases = [
        (serde_json::json!({"type":"REVIVE","revive":{"role":"web"}}), "no field `role`"),
        (serde_json::json!({"type":"TEARDOWN","frameworkId":{"value":"F"}}), "no field `frameworkId`"),
        (serde_json::json!({"type":"KILL","kill":{}}), "required `task_id` missing"),
        (serde_json::json!({"type":"NOT_A_CALL"}), "prost-reflect"),
    ];
    for (json, expected) in cases {
        let errors = conform(&json, &desc).join("\n");
        assert!(errors.contains(expected), "{json}: expected {expected:?}, got:\n{errors}");
    }
}
