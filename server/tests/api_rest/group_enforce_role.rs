//! `enforceRole: true` in a group body (`PUT`, and `POST` alike) only on a
//! top-level group, as in Marathon: below it, whether the URL names a nested
//! group or the body nests one, the request is refused with 422 at the
//! field's pointer and records nothing. `false` is accepted at any depth.

use axum::http::StatusCode;
use serde_json::{json, Value};
use tempfile::tempdir;

use super::support::Api;

const PROD: &str = r#"{"id":"/prod","apps":[{"id":"web","cmd":"sleep 1"}],
                       "groups":[{"id":"db","apps":[{"id":"pg","cmd":"sleep 2"}]}]}"#;

fn not_top_level(details: &[(&str, &str)]) -> Value {
    let details: Vec<Value> = details
        .iter()
        .map(|(path, id)| {
            let error =
                format!("enforceRole can only be set for top-level groups, and {id} is not top-level");
            json!({"path": path, "errors": [error]})
        })
        .collect();
    json!({"message": "Object is not valid", "details": details})
}

#[tokio::test]
async fn enforce_role_below_the_top_level_is_refused_and_records_nothing() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    assert_eq!(api.post("/v2/groups", PROD).await.status, StatusCode::CREATED);
    let versions = api.get("/v2/groups/versions").await.json;
    let tree = api.get("/v2/groups").await.json;
    let nested_db =
        r#"{"groups":[{"id":"db","enforceRole":true,"groups":[{"id":"pg","enforceRole":true}]}]}"#;
    let cases: Vec<(&str, &str, Value)> = vec![
        ("/v2/groups/prod/db", r#"{"enforceRole":true}"#, not_top_level(&[("/enforceRole", "/prod/db")])),
        (
            "/v2/groups/prod/db?dryRun=true",
            r#"{"enforceRole":true}"#,
            not_top_level(&[("/enforceRole", "/prod/db")]),
        ),
        (
            "/marathon/v2/groups/prod/db/?force=true",
            r#"{"enforceRole":true}"#,
            not_top_level(&[("/enforceRole", "/prod/db")]),
        ),
        (
            "/v2/groups/prod?force=true",
            nested_db,
            not_top_level(&[
                ("/groups/0/enforceRole", "/prod/db"),
                ("/groups/0/groups/0/enforceRole", "/prod/db/pg"),
            ]),
        ),
        ("/v2/groups?force=true", r#"{"enforceRole":true}"#, not_top_level(&[("/enforceRole", "/")])),
        (
            "/v2/groups/?force=true",
            r#"{"groups":[{"id":"prod","groups":[{"id":"db","enforceRole":true}]}]}"#,
            not_top_level(&[("/groups/0/groups/0/enforceRole", "/prod/db")]),
        ),
    ];
    for (uri, body, want) in cases {
        let reply = api.put(uri, body).await;
        assert_eq!((reply.status, reply.json), (StatusCode::UNPROCESSABLE_ENTITY, want), "PUT {uri} {body}");
    }
    let posted = api.post("/v2/groups", r#"{"id":"/qa","groups":[{"id":"x","enforceRole":true}]}"#).await;
    assert_eq!(
        (posted.status, posted.json),
        (StatusCode::UNPROCESSABLE_ENTITY, not_top_level(&[("/groups/0/enforceRole", "/qa/x")]))
    );
    let posted_below = api.post("/v2/groups/prod", r#"{"id":"cache","enforceRole":true}"#).await;
    assert_eq!(
        (posted_below.status, posted_below.json),
        (StatusCode::UNPROCESSABLE_ENTITY, not_top_level(&[("/enforceRole", "/prod/cache")]))
    );
    assert_eq!(api.get("/v2/groups/versions").await.json, versions, "no refused request recorded a version");
    assert_eq!(api.get("/v2/groups").await.json, tree);
}

#[tokio::test]
async fn top_level_groups_may_enforce_their_role_and_any_group_may_turn_it_off() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    assert_eq!(api.post("/v2/groups", PROD).await.status, StatusCode::CREATED);

    let top = api.put("/v2/groups/prod?force=true", r#"{"enforceRole":true}"#).await;
    assert_eq!(top.status, StatusCode::OK, "{}", top.json);
    assert_eq!(api.get("/v2/groups/prod").await.json["enforceRole"], true);

    let off = api.put("/v2/groups/prod/db?force=true", r#"{"enforceRole":false}"#).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.json);
    let db = api.get("/v2/groups/prod/db").await.json;
    assert_eq!(db["enforceRole"], false);

    let from_root =
        api.put("/v2/groups?force=true", r#"{"groups":[{"id":"staging","enforceRole":true}]}"#).await;
    assert_eq!(from_root.status, StatusCode::OK, "{}", from_root.json);
    assert_eq!(api.get("/v2/groups/staging").await.json["enforceRole"], true);

    let created = api.post("/v2/groups", r#"{"id":"/qa","enforceRole":true}"#).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert_eq!(api.get("/v2/groups/qa").await.json["enforceRole"], true);
}
