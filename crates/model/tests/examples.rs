//! Every Marathon example definition in `shared/spec/marathon/examples/`:
//! the outcome dromos gives it (accepted, or rejected at exactly these
//! paths). Skipped with a message when the reference tree is absent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use dromos_model::{parse_app, parse_apps, parse_group, ModelError};

#[derive(Clone, Copy)]
enum Kind {
    App,
    Apps,
    Group,
}

/// (file, kind, violation paths; empty = accepted). Why each rejection:
/// `app.json` has cmd+args, IP-per-task, portDefinitions in bridge mode and
/// an undeclared secret; the volume apps use persistent/external volumes;
/// `pinger-container` uses `ipAddress`; `ucr-docker` runs a docker image in
/// the MESOS containerizer; `group.json` is a group as `GET` shows it, with
/// a `version` beside the other fields of every group, which Marathon's
/// group validation refuses as dromos does (a `version` asks for a
/// rollback and must come alone).
const TABLE: &[(&str, Kind, &[&str])] = &[
    ("articles__app-simple.json", Kind::App, &[]),
    ("rest-api-examples__app-check-http-example.json", Kind::App, &[]),
    ("rest-api-examples__app.json", Kind::App, &["/", "/env/PASSWORD", "/ipAddress", "/portDefinitions"]),
    ("rest-api-examples__apps_create.json", Kind::Apps, &[]),
    (
        "rest-api-examples__group.json",
        Kind::Group,
        &["/version", "/groups/0/version", "/groups/0/groups/0/version", "/groups/0/groups/1/version"],
    ),
    ("system-tests-apps__docker-http-server.json", Kind::App, &[]),
    (
        "system-tests-apps__external-volume-mesos-app.json",
        Kind::App,
        &["/container/volumes", "/container/volumes/0/external"],
    ),
    ("system-tests-apps__fake-framework.json", Kind::App, &[]),
    ("system-tests-apps__http-server.json", Kind::App, &[]),
    ("system-tests-apps__large-sleep.json", Kind::App, &[]),
    ("system-tests-apps__mesos-app.json", Kind::App, &[]),
    (
        "system-tests-apps__persistent-volume-app.json",
        Kind::App,
        &["/container/volumes", "/container/volumes/0/persistent"],
    ),
    ("system-tests-apps__pinger-container-app.json", Kind::App, &["/ipAddress"]),
    ("system-tests-apps__pinger-localhost-app.json", Kind::App, &[]),
    ("system-tests-apps__private-docker-app.json", Kind::App, &[]),
    ("system-tests-apps__sleep-app.json", Kind::App, &[]),
    ("system-tests-apps__ucr-docker-http-server.json", Kind::App, &["/container/type"]),
    ("system-tests-groups__sleep-group.json", Kind::Group, &[]),
];

fn examples_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/marathon/examples");
    dir.is_dir().then_some(dir)
}

fn outcome(kind: Kind, bytes: &[u8]) -> Result<(), ModelError> {
    match kind {
        Kind::App => parse_app(bytes).map(drop),
        Kind::Apps => parse_apps(bytes).map(drop),
        Kind::Group => parse_group(bytes).map(drop),
    }
}

#[test]
fn every_marathon_example_has_the_expected_outcome() {
    let Some(dir) = examples_dir() else {
        println!("SKIPPED: {}/../../../shared is absent", env!("CARGO_MANIFEST_DIR"));
        return;
    };
    let mut failures = Vec::new();
    for (file, kind, want) in TABLE {
        let path = dir.join(file);
        let Ok(bytes) = std::fs::read(&path) else {
            println!("SKIPPED: {file} not present");
            continue;
        };
        let got: BTreeSet<String> = match outcome(*kind, &bytes) {
            Ok(()) => BTreeSet::new(),
            Err(ModelError::Invalid(v)) => v.into_iter().map(|v| v.path).collect(),
            Err(e @ ModelError::InvalidJson(_)) => {
                failures.push(format!("{file}: unexpected 400 {:?}", e.violations()));
                continue;
            }
        };
        let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
        if got != want {
            failures.push(format!("{file}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_example_file_is_listed_in_the_table() {
    let Some(dir) = examples_dir() else {
        println!("SKIPPED: {}/../../../shared is absent", env!("CARGO_MANIFEST_DIR"));
        return;
    };
    let listed: BTreeSet<&str> = TABLE.iter().map(|(f, _, _)| *f).collect();
    let unlisted: Vec<String> = std::fs::read_dir(dir)
        .expect("readable examples dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.ends_with(".json") && !listed.contains(name.as_str()))
        .collect();
    assert!(unlisted.is_empty(), "classify these examples in TABLE: {unlisted:?}");
}

#[test]
fn accepted_examples_serialize_to_a_fixed_point() {
    let Some(dir) = examples_dir() else {
        println!("SKIPPED: {}/../../../shared is absent", env!("CARGO_MANIFEST_DIR"));
        return;
    };
    for (file, kind, want) in TABLE {
        if !want.is_empty() || !matches!(kind, Kind::App) {
            continue;
        }
        let Ok(bytes) = std::fs::read(dir.join(file)) else {
            continue;
        };
        let app = parse_app(&bytes).expect("accepted in TABLE");
        let json = serde_json::to_vec(&app).unwrap();
        assert_eq!(parse_app(&json).unwrap(), app, "{file}");
    }
}

#[test]
fn group_example_resolves_children_and_migrates_legacy_fields() {
    let Some(dir) = examples_dir() else {
        println!("SKIPPED: {}/../../../shared is absent", env!("CARGO_MANIFEST_DIR"));
        return;
    };
    let Ok(bytes) = std::fs::read(dir.join("rest-api-examples__group.json")) else {
        return;
    };
    let group = parse_group(&without_versions(&bytes)).unwrap();
    let ids: Vec<String> = group.transitive_apps().iter().map(|a| a.id.to_string()).collect();
    assert_eq!(ids, ["/tools/oauth-server", "/tools/datadog-agent", "/tools/docker/registry"]);
    let oauth = group.transitive_apps()[0];
    assert_eq!(oauth.port_definitions[0].port, 1980, "legacy ports → portDefinitions");
    let registry = group.transitive_apps()[2];
    assert!(registry.port_definitions.is_empty(), "mirrored service ports dropped in bridge mode");
    assert_eq!(registry.port_mappings()[0].container_port, 5000, "docker.portMappings moved");
}

/// A group document without the `version` of any group in it (the example
/// shows them as `GET` does; a body may send one only alone).
fn without_versions(bytes: &[u8]) -> Vec<u8> {
    fn strip(group: &mut serde_json::Value) {
        if let Some(object) = group.as_object_mut() {
            object.remove("version");
            for sub in object.get_mut("groups").and_then(|g| g.as_array_mut()).into_iter().flatten() {
                strip(sub);
            }
        }
    }
    let mut group: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    strip(&mut group);
    serde_json::to_vec(&group).unwrap()
}
