//! `GET /v2/apps/*` lists the apps of the root, which exists before
//! anything was ever created, as in Marathon: a fresh store answers
//! `{"*":[]}`, while an unknown group below the root stays 404.

use axum::http::StatusCode;
use serde_json::json;
use tempfile::tempdir;

use super::support::Api;

#[tokio::test]
async fn a_fresh_store_lists_no_apps_of_the_root() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    for uri in ["/v2/apps/*", "/v2/apps/*/", "/marathon/v2/apps/*", "/v2/apps/*?embed=apps.tasks"] {
        let reply = api.get(uri).await;
        assert_eq!((reply.status, reply.json), (StatusCode::OK, json!({"*": []})), "GET {uri}");
    }
    let missing = api.get("/v2/apps/prod/*").await;
    assert_eq!(
        (missing.status, missing.json),
        (StatusCode::NOT_FOUND, json!({"message": "Group '/prod' does not exist"}))
    );
}

#[tokio::test]
async fn the_root_wildcard_lists_what_the_apps_listing_lists() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let created = api.post("/v2/groups", r#"{"id":"/prod","apps":[{"id":"web","cmd":"sleep 1"}]}"#).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    // The wildcard is served as one app is: tasks and the last failure too.
    let all = api.get("/v2/apps?embed=apps.tasks&embed=apps.lastTaskFailure").await.json["apps"].clone();
    assert_eq!(all.as_array().map(Vec::len), Some(1), "{all}");
    for uri in ["/v2/apps/*", "/v2/apps/prod/*"] {
        let reply = api.get(uri).await;
        assert_eq!((reply.status, reply.json), (StatusCode::OK, json!({"*": all})), "GET {uri}");
    }
    assert_eq!(api.delete("/v2/groups?force=true").await.status, StatusCode::OK);
    let emptied = api.get("/v2/apps/*").await;
    assert_eq!((emptied.status, emptied.json), (StatusCode::OK, json!({"*": []})));
    assert_eq!(api.get("/v2/apps/prod/*").await.status, StatusCode::NOT_FOUND);
}
