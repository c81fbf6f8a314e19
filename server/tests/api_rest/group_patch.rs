//! `PATCH /v2/groups/{id}`: a top-level group's `enforceRole` changes
//! without a deployment and without touching its apps, as a new root
//! version that survives a restart; everything else is refused with
//! Marathon's status and body, and nothing is recorded for a refusal.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use dromos_access::{Caller, Directory, Principal};
use dromos_model::{GroupPartialUpdate, PathId};
use serde_json::{json, Value};
use server::access::RequestAccess;
use server::service::ServiceError;
use tempfile::tempdir;

use super::support::{Api, Reply};

const PROD: &str = r#"{"id":"/prod","apps":[{"id":"web","cmd":"sleep 1","instances":2}],
                       "groups":[{"id":"db","apps":[{"id":"pg","cmd":"sleep 2"}]}]}"#;
const PUT_ONLY: &str = "cannot be changed by PATCH (only enforceRole can); use PUT /v2/groups/{id}";

async fn patch(api: &Api, uri: &str, body: &str) -> Reply {
    api.call(Method::PATCH, uri, body.to_owned()).await
}

async fn root_versions(api: &Api) -> Vec<Value> {
    api.get("/v2/groups/versions").await.json.as_array().cloned().unwrap_or_default()
}

/// `/prod` with two apps (their deployment stays running: no run loop).
async fn with_prod(api: &Api) {
    let created = api.post("/v2/groups", PROD).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
}

#[tokio::test]
async fn patch_sets_enforce_role_without_a_deployment_as_a_new_root_version() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    with_prod(&api).await;
    let web_before = api.get("/v2/apps/prod/web").await.json["app"].clone();
    let deployments_before = api.get("/v2/deployments").await.json;
    let versions_before = api.get("/v2/groups/prod/versions").await.json.as_array().unwrap().len();
    let mut events = api.service.events().subscribe();

    let reply = patch(&api, "/v2/groups/prod", r#"{"enforceRole":true}"#).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert!(reply.header("Marathon-Deployment-Id").is_none(), "no deployment");
    assert_eq!(reply.json["id"], "/prod");
    assert_eq!(reply.json["enforceRole"], true);
    assert_eq!(reply.json["apps"][0]["id"], "/prod/web");
    assert_eq!(reply.json["groups"][0]["id"], "/prod/db");
    assert!(reply.json["groups"][0].get("enforceRole").is_none(), "sub-groups keep theirs");

    let group = api.get("/v2/groups/prod").await.json;
    assert_eq!(group, reply.json, "GET shows what PATCH answered");
    assert_eq!(api.get("/v2/apps/prod/web").await.json["app"], web_before, "the app is untouched");
    assert_eq!(api.get("/v2/deployments").await.json, deployments_before, "no deployment started");

    let versions = api.get("/v2/groups/prod/versions").await.json;
    assert_eq!(versions.as_array().unwrap().len(), versions_before + 1);
    assert_eq!(versions[0], group["version"], "the newest version is the patch");
    assert_eq!(root_versions(&api).await[0], group["version"]);
    let at_version = api.get(&format!("/v2/groups/prod/versions/{}", versions[0].as_str().unwrap())).await;
    assert_eq!(at_version.json["enforceRole"], true);
    let previous = api.get(&format!("/v2/groups/prod/versions/{}", versions[1].as_str().unwrap())).await;
    assert!(previous.json.get("enforceRole").is_none(), "older versions keep what they had");

    let event = events.try_recv().expect("an event was published");
    assert_eq!(event.event_type, "group_change_success");
    assert_eq!(event.data["groupId"], "/prod");
    assert_eq!(event.data["version"], group["version"]);
    assert!(events.try_recv().is_err(), "no deployment events");

    let off = patch(&api, "/marathon/v2/groups/prod/", r#"{"enforceRole":false}"#).await;
    assert_eq!((off.status, &off.json["enforceRole"]), (StatusCode::OK, &json!(false)));
    let on_again = patch(&api, "/v2/groups/prod", r#"{"enforceRole":true}"#).await;
    assert_eq!(on_again.json["enforceRole"], true);
    let default = patch(&api, "/v2/groups/prod", "{}").await;
    assert_eq!(
        (default.status, &default.json["enforceRole"]),
        (StatusCode::OK, &json!(false)),
        "absent is Marathon's default (off)"
    );
    let metrics = api.get("/metrics").await.json;
    assert_eq!(metrics["counters"]["dromos.service.patch-group.counter"], json!({"count": 4}));
}

#[tokio::test]
async fn a_patched_group_keeps_its_setting_and_versions_after_a_restart() {
    let dir = tempdir().unwrap();
    let (group, versions) = {
        let api = Api::open(dir.path());
        with_prod(&api).await;
        assert_eq!(patch(&api, "/v2/groups/prod", r#"{"enforceRole":true}"#).await.status, StatusCode::OK);
        (api.get("/v2/groups/prod").await.json, api.get("/v2/groups/prod/versions").await.json)
    };
    let api = Api::open(dir.path());
    assert_eq!(api.get("/v2/groups/prod").await.json, group);
    assert_eq!(group["enforceRole"], true);
    assert_eq!(api.get("/v2/groups/prod/versions").await.json, versions);
}

fn message(text: &str) -> Value {
    json!({ "message": text })
}

fn invalid(details: &[(&str, &str)]) -> Value {
    let details: Vec<Value> = details.iter().map(|(p, e)| json!({"path": p, "errors": [e]})).collect();
    json!({"message": "Object is not valid", "details": details})
}

fn invalid_json(path: &str, error: &str) -> Value {
    json!({"message": "Invalid JSON", "details": [{"path": path, "errors": [error]}]})
}

#[tokio::test]
async fn refused_patches_answer_like_marathon_and_record_nothing() {
    use StatusCode as S;
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    with_prod(&api).await;
    assert_eq!(api.post("/v2/apps", r#"{"id":"/solo","cmd":"sleep 1"}"#).await.status, S::CREATED);
    let versions = root_versions(&api).await;
    let group = api.get("/v2/groups/prod").await.json;
    let top_level = invalid(&[("/", "Path needs to be top-level")]);
    let no_patch = message("HTTP method PATCH is not supported by this URL");
    let by_path: Vec<(&str, StatusCode, Value)> = vec![
        ("/v2/groups/nope", S::NOT_FOUND, message("Group '/nope' does not exist")),
        ("/v2/groups/solo", S::NOT_FOUND, message("Group '/solo' does not exist")),
        ("/v2/groups/No_Such", S::NOT_FOUND, message("Group '/No_Such' does not exist")),
        ("/v2/groups/prod/db", S::UNPROCESSABLE_ENTITY, top_level.clone()),
        ("/v2/groups/prod/nope", S::UNPROCESSABLE_ENTITY, top_level),
        ("/v2/groups", S::METHOD_NOT_ALLOWED, no_patch.clone()),
        ("/marathon/v2/groups", S::METHOD_NOT_ALLOWED, no_patch.clone()),
        ("/v2/groups/prod/versions", S::METHOD_NOT_ALLOWED, no_patch),
    ];
    for (uri, status, want) in by_path {
        let reply = patch(&api, uri, r#"{"enforceRole":true}"#).await;
        assert_eq!((reply.status, reply.json), (status, want), "{uri}");
    }
    let huge = format!(r#"{{"enforceRole":true,"labels":"{}"}}"#, "x".repeat(1024 * 1024));
    let by_body: Vec<(&str, StatusCode, Value)> = vec![
        (r#"{"id":"/prod","enforceRole":true}"#, S::UNPROCESSABLE_ENTITY, invalid(&[("/id", PUT_ONLY)])),
        (r#"{"apps":[]}"#, S::UNPROCESSABLE_ENTITY, invalid(&[("/apps", PUT_ONLY)])),
        (r#"{"groups":[]}"#, S::UNPROCESSABLE_ENTITY, invalid(&[("/groups", PUT_ONLY)])),
        (r#"{"dependencies":["/x"]}"#, S::UNPROCESSABLE_ENTITY, invalid(&[("/dependencies", PUT_ONLY)])),
        (r#"{"scaleBy":2}"#, S::UNPROCESSABLE_ENTITY, invalid(&[("/scaleBy", PUT_ONLY)])),
        (
            r#"{"version":"2020-01-01T00:00:00.000Z"}"#,
            S::UNPROCESSABLE_ENTITY,
            invalid(&[("/version", PUT_ONLY)]),
        ),
        (r#"{"enforceRol":true}"#, S::UNPROCESSABLE_ENTITY, invalid(&[("/enforceRol", "unknown field")])),
        (
            r#"{"scaleBy":2,"x":1,"enforceRole":true}"#,
            S::UNPROCESSABLE_ENTITY,
            invalid(&[("/scaleBy", PUT_ONLY), ("/x", "unknown field")]),
        ),
        (
            r#"{"enforceRole":"yes"}"#,
            S::BAD_REQUEST,
            invalid_json("/enforceRole", "error.expected.jsboolean"),
        ),
        (
            r#"{"enforceRole":tru}"#,
            S::BAD_REQUEST,
            invalid_json("/enforceRole", "expected ident at line 1 column 19"),
        ),
        ("[]", S::BAD_REQUEST, invalid_json("/", "error.expected.jsobject")),
        ("", S::BAD_REQUEST, invalid_json("/", "EOF while parsing a value at line 1 column 0")),
        (&huge, S::PAYLOAD_TOO_LARGE, message("Request body is larger than 1048576 bytes")),
    ];
    for (body, status, want) in by_body {
        let reply = patch(&api, "/v2/groups/prod", body).await;
        assert_eq!((reply.status, reply.json), (status, want), "{}", &body[..body.len().min(60)]);
    }
    assert_eq!(root_versions(&api).await, versions, "no refused patch recorded a version");
    assert_eq!(api.get("/v2/groups/prod").await.json, group);
}

fn member_of(name: &str, write: &str) -> Arc<RequestAccess> {
    let principal = Principal {
        name: name.into(),
        admin: false,
        teams: vec![name.into()],
        write: vec![PathId::parse(write).unwrap()],
        read: vec![],
    };
    access(Caller::User(principal))
}

fn access(caller: Caller) -> Arc<RequestAccess> {
    Arc::new(RequestAccess { caller, directory: Arc::new(Directory::default()) })
}

#[tokio::test]
async fn patching_a_group_needs_write_access_to_it() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    with_prod(&api).await;
    assert_eq!(api.post("/v2/groups", r#"{"id":"/staging"}"#).await.status, StatusCode::CREATED);
    let on = GroupPartialUpdate { enforce_role: Some(true) };
    let service = api.service.clone();

    let own = server::access::scope(member_of("alice", "/prod"), service.patch_group("prod", on)).await;
    assert_eq!(own.map(|g| g.enforce_role).ok(), Some(Some(true)));
    let other = server::access::scope(member_of("alice", "/prod"), service.patch_group("staging", on)).await;
    assert!(matches!(other, Err(ServiceError::Forbidden(_))), "{other:?}");
    let inner = server::access::scope(member_of("bob", "/prod/db"), service.patch_group("prod", on)).await;
    assert!(matches!(inner, Err(ServiceError::Forbidden(_))), "write below a group is not enough: {inner:?}");
    let anonymous = server::access::scope(access(Caller::Anonymous), service.patch_group("prod", on)).await;
    assert!(matches!(anonymous, Err(ServiceError::Unauthenticated(_))), "{anonymous:?}");
    let missing = server::access::scope(member_of("alice", "/prod"), service.patch_group("nope", on)).await;
    assert!(
        matches!(missing, Err(ServiceError::Forbidden(_))),
        "refused before existence is told: {missing:?}"
    );
    assert!(api.get("/v2/groups/staging").await.json.get("enforceRole").is_none());
}
