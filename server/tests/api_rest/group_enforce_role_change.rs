//! A `PUT /v2/groups[/{id}]` that carries services (apps anywhere in the
//! body, a rollback `version`, a `scaleBy`) may not also change an existing
//! group's `enforceRole`, as in Marathon: 422 with Marathon's message at the
//! field's pointer, for dry runs and forced updates alike, and nothing is
//! recorded. The same changes made in separate requests go through.

use axum::http::StatusCode;
use serde_json::{json, Value};
use tempfile::tempdir;

use super::support::Api;

const PROD: &str = r#"{"id":"/prod","apps":[{"id":"web","cmd":"sleep 1"}],
                       "groups":[{"id":"db","apps":[{"id":"pg","cmd":"sleep 2"}]}]}"#;
const CHANGED: &str = "enforceRole cannot be modified in a request that adds, removes or modifies services; \
                       please make these changes in separate requests.";
/// A `scaleBy` comes alone, so beside `enforceRole` it is refused first.
const NOT_ALONE: &str = "not allowed in conjunction with other properties.";
const WEB: &str = r#"{"id":"web","cmd":"sleep 3"}"#;

fn refused(details: &[(&str, &[&str])]) -> Value {
    let details: Vec<Value> =
        details.iter().map(|(path, errors)| json!({"path": path, "errors": errors})).collect();
    json!({"message": "Object is not valid", "details": details})
}

#[tokio::test]
async fn enforce_role_changes_beside_services_are_refused_and_record_nothing() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    assert_eq!(api.post("/v2/groups", PROD).await.status, StatusCode::CREATED);
    let created = api.post("/v2/groups", r#"{"id":"/secure","enforceRole":true}"#).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let versions = api.get("/v2/groups/versions").await.json;
    let tree = api.get("/v2/groups").await.json;
    let not_top_level = "enforceRole can only be set for top-level groups, and /prod/db is not top-level";
    let cases: Vec<(&str, String, Value)> = vec![
        (
            "/v2/groups/prod",
            format!(r#"{{"enforceRole":true,"apps":[{WEB}]}}"#),
            refused(&[("/enforceRole", &[CHANGED])]),
        ),
        (
            "/v2/groups/prod?dryRun=true",
            format!(r#"{{"enforceRole":true,"apps":[{WEB}]}}"#),
            refused(&[("/enforceRole", &[CHANGED])]),
        ),
        (
            "/marathon/v2/groups/prod/?force=true",
            r#"{"id":"/prod","enforceRole":true,"apps":[]}"#.into(),
            refused(&[("/enforceRole", &[CHANGED])]),
        ),
        (
            "/v2/groups/prod",
            r#"{"enforceRole":true,"scaleBy":2}"#.into(),
            refused(&[("/scaleBy", &[NOT_ALONE])]),
        ),
        (
            "/v2/groups/secure",
            format!(r#"{{"enforceRole":false,"apps":[{WEB}]}}"#),
            refused(&[("/enforceRole", &[CHANGED])]),
        ),
        (
            "/v2/groups?force=true",
            format!(
                r#"{{"groups":[{{"id":"unrelated","apps":[{WEB}]}},{{"id":"/prod","enforceRole":true}}]}}"#
            ),
            refused(&[("/groups/1/enforceRole", &[CHANGED])]),
        ),
        (
            "/v2/groups/",
            format!(r#"{{"groups":[{{"id":"secure","apps":[{WEB}]}}]}}"#),
            refused(&[("/groups/0/enforceRole", &[CHANGED])]),
        ),
        (
            "/v2/groups/prod",
            format!(r#"{{"apps":[{WEB}],"groups":[{{"id":"db","enforceRole":true}}]}}"#),
            refused(&[("/groups/0/enforceRole", &[not_top_level, CHANGED])]),
        ),
    ];
    for (uri, body, want) in cases {
        let reply = api.put(uri, &body).await;
        assert_eq!((reply.status, reply.json), (StatusCode::UNPROCESSABLE_ENTITY, want), "PUT {uri} {body}");
    }
    assert_eq!(api.get("/v2/groups/versions").await.json, versions, "no refused request recorded a version");
    assert_eq!(api.get("/v2/groups").await.json, tree);
}

#[tokio::test]
async fn the_same_changes_in_separate_requests_go_through() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    assert_eq!(api.post("/v2/groups", PROD).await.status, StatusCode::CREATED);
    let ok = |reply: &super::support::Reply| assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);

    ok(&api.put("/v2/groups/prod?force=true", r#"{"enforceRole":true}"#).await);
    ok(&api.put("/v2/groups/prod?force=true", &format!(r#"{{"apps":[{WEB}]}}"#)).await);
    ok(&api.put("/v2/groups/prod?force=true", &format!(r#"{{"enforceRole":true,"apps":[{WEB}]}}"#)).await);
    let prod = api.get("/v2/groups/prod").await.json;
    assert_eq!((&prod["enforceRole"], &prod["apps"][0]["cmd"]), (&json!(true), &json!("sleep 3")));

    ok(&api.put("/v2/groups/prod?force=true", r#"{"scaleBy":2}"#).await);
    ok(&api.put("/v2/groups/qa?force=true", &format!(r#"{{"enforceRole":true,"apps":[{WEB}]}}"#)).await);
    assert_eq!(api.get("/v2/groups/qa").await.json["enforceRole"], true, "a new group may set it");
    ok(&api
        .put("/v2/groups?force=true", r#"{"groups":[{"id":"prod","enforceRole":false},{"id":"dev"}]}"#)
        .await);
    assert_eq!(
        api.get("/v2/groups/prod").await.json["enforceRole"],
        false,
        "no services: the change is made"
    );
}
