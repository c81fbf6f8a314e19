//! Partial updates (PATCH / `partialUpdate=true`) and group updates:
//! present fields replace, absent fields keep, and the result is valid.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dromos_model::{
    parse_app, parse_app_update, parse_group, parse_group_update, GroupUpdateKind, ModelError, NetworkMode,
    PathId,
};

fn base() -> dromos_model::AppDefinition {
    parse_app(br#"{"id":"/web","cmd":"serve","cpus":0.5,"instances":3,"labels":{"a":"b"},"healthChecks":[{"protocol":"TCP"}]}"#)
        .unwrap()
}

#[test]
fn present_fields_replace_and_absent_fields_keep() {
    let patched = parse_app_update(br#"{"instances":5,"labels":{}}"#).unwrap().apply_to(&base()).unwrap();
    let mut want = base();
    want.instances = 5;
    want.labels.clear();
    assert_eq!(patched, want);
}

#[test]
fn id_in_a_patch_body_is_ignored() {
    let patched = parse_app_update(br#"{"id":"/other","mem":64}"#).unwrap().apply_to(&base()).unwrap();
    assert_eq!(patched.id, PathId::parse("/web").unwrap());
    assert_eq!(patched.mem, 64.0);
}

#[test]
fn setting_args_clears_cmd_and_setting_cmd_clears_args() {
    let with_args = parse_app_update(br#"{"args":["serve","--fast"]}"#).unwrap().apply_to(&base()).unwrap();
    assert_eq!(with_args.cmd, None);
    assert_eq!(with_args.args, ["serve", "--fast"]);
    let back = parse_app_update(br#"{"cmd":"serve"}"#).unwrap().apply_to(&with_args).unwrap();
    assert!(back.args.is_empty());
}

#[test]
fn switching_to_bridge_networking_replaces_port_definitions_with_a_mapping() {
    let update = br#"{"networks":[{"mode":"container/bridge"}],"container":{"docker":{"image":"nginx"}}}"#;
    let patched = parse_app_update(update).unwrap().apply_to(&base()).unwrap();
    assert_eq!(patched.networks[0].mode, NetworkMode::ContainerBridge);
    assert!(patched.port_definitions.is_empty());
    let m = &patched.port_mappings()[0];
    assert_eq!((m.container_port, m.host_port, m.name.as_deref()), (0, Some(0), Some("default")));
}

#[test]
fn an_invalid_patch_reports_the_merged_violations() {
    let err = parse_app_update(br#"{"cpus":-1}"#).unwrap().apply_to(&base()).unwrap_err();
    assert_eq!(err.violations()[0].path, "/cpus");
    assert!(matches!(err, ModelError::Invalid(_)));
}

#[test]
fn only_id_and_version_is_a_rollback() {
    let u = parse_app_update(br#"{"id":"/web","version":"2015-09-28T19:47:37.681Z"}"#).unwrap();
    assert!(u.is_version_rollback());
    let u = parse_app_update(br#"{"version":"2015-09-28T19:47:37.681Z","cpus":1}"#).unwrap();
    assert!(!u.is_version_rollback());
}

#[test]
fn creating_from_an_update_resolves_the_id_against_the_group() {
    let app = parse_app_update(br#"{"id":"../db","cmd":"x"}"#)
        .unwrap()
        .into_app(&PathId::parse("/prod/web").unwrap())
        .unwrap();
    assert_eq!(app.id.to_string(), "/prod/db");
}

#[test]
fn group_update_kinds() {
    let cases: [(&[u8], GroupUpdateKind); 3] = [
        (
            br#"{"version":"2015-09-28T19:47:37.681Z"}"#,
            GroupUpdateKind::Rollback(dromos_model::Timestamp::parse("2015-09-28T19:47:37.681Z").unwrap()),
        ),
        (br#"{"scaleBy":1.5}"#, GroupUpdateKind::ScaleBy(1.5)),
        (br#"{"apps":[]}"#, GroupUpdateKind::Definition),
    ];
    for (body, want) in cases {
        assert_eq!(parse_group_update(body).unwrap().kind(), want);
    }
}

#[test]
fn group_update_keeps_what_it_does_not_mention() {
    let current = parse_group(
        br#"{"id":"/g","apps":[{"id":"a","cmd":"x"}],"groups":[{"id":"s"}],"dependencies":["/db"]}"#,
    )
    .unwrap();
    let updated = parse_group_update(br#"{"groups":[]}"#).unwrap().apply_to(&current).unwrap();
    assert_eq!(updated.apps, current.apps);
    assert!(updated.groups.is_empty());
    assert_eq!(updated.dependencies, current.dependencies);
}

#[test]
fn group_children_resolve_relative_ids_and_dependencies() {
    let g = parse_group(br#"{"id":"/prod","apps":[{"id":"web","cmd":"x","dependencies":["db","../shared/cache"]}],"groups":[{"id":"db"}]}"#)
        .unwrap();
    assert_eq!(g.apps[0].id.to_string(), "/prod/web");
    let deps: Vec<String> = g.apps[0].dependencies.iter().map(|d| d.to_string()).collect();
    assert_eq!(deps, ["/prod/db", "/shared/cache"]);
    assert_eq!(g.groups[0].id.to_string(), "/prod/db");
}

#[test]
fn stored_definitions_read_back_through_deserialize() {
    let app = base();
    let json = serde_json::to_string(&app).unwrap();
    let back: dromos_model::AppDefinition = serde_json::from_str(&json).unwrap();
    assert_eq!(back, app);
    let group = parse_group(br#"{"id":"/g","apps":[{"id":"a","cmd":"x"}]}"#).unwrap();
    let back: dromos_model::Group = serde_json::from_str(&serde_json::to_string(&group).unwrap()).unwrap();
    assert_eq!(back, group);
}
