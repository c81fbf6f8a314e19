//! Which ids the group listings refuse, as in Marathon: `GET
//! /v2/groups/{id}/apps` never fails on its id (an unknown group and an id
//! no group can have both hold no apps: 200 `[]`), while
//! `GET /v2/groups/{id}` and `GET /v2/apps/{id}/*` answer 404 for both,
//! naming the group as an absolute id.

use axum::http::StatusCode;
use serde_json::json;
use tempfile::tempdir;

use super::support::Api;

const PROD: &str = r#"{"id":"/prod","apps":[{"id":"web","cmd":"sleep 1"}]}"#;

#[tokio::test]
async fn only_the_apps_listing_of_a_group_answers_an_unknown_or_invalid_id_with_no_apps() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let created = api.post("/v2/groups", PROD).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);

    for group in ["Not_Valid", "prod/Bad_Seg", "nope", "prod/nope"] {
        let uri = format!("/v2/groups/{group}/apps");
        let reply = api.get(&uri).await;
        assert_eq!((reply.status, reply.json), (StatusCode::OK, json!([])), "GET {uri}");

        let missing = json!({"message": format!("Group '/{group}' does not exist")});
        for uri in [format!("/v2/groups/{group}"), format!("/v2/apps/{group}/*")] {
            let reply = api.get(&uri).await;
            assert_eq!((reply.status, reply.json), (StatusCode::NOT_FOUND, missing.clone()), "GET {uri}");
        }
    }
    let listed = api.get("/v2/groups/prod/apps").await;
    assert_eq!(listed.json[0]["id"], "/prod/web", "a known group still lists its apps: {}", listed.json);
}
