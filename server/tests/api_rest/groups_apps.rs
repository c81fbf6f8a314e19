//! `GET /v2/groups/{id}/apps` lists the apps directly or transitively in a
//! group as a bare array, with the `group.apps.*` embeds, as in Marathon.
//! A read of a path ending in `apps` is always this listing
//! (`/v2/groups/apps` is the root's); other methods on it name the group.
//! An unknown group has no apps (200 `[]`, as in Marathon).

use axum::http::StatusCode;
use serde_json::{json, Value};
use tempfile::tempdir;

use super::support::Api;

const PROD: &str = r#"{"id":"/prod","apps":[{"id":"web","cmd":"sleep 1","instances":2}],
                       "groups":[{"id":"db","apps":[{"id":"pg","cmd":"sleep 2"}]}]}"#;

fn ids(apps: &Value) -> Vec<&str> {
    apps.as_array().expect("an array of apps").iter().map(|a| a["id"].as_str().expect("an id")).collect()
}

#[tokio::test]
async fn a_group_lists_its_apps_transitively_as_the_group_tree_renders_them() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let created = api.post("/v2/groups", PROD).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let web = api.get("/v2/groups/prod?embed=group.apps").await.json["apps"][0].clone();
    let pg = api.get("/v2/groups/prod/db?embed=group.apps").await.json["apps"][0].clone();
    for uri in ["/v2/groups/prod/apps", "/v2/groups/prod/apps/", "/marathon/v2/groups/prod/apps"] {
        let reply = api.get(uri).await;
        assert_eq!((reply.status, reply.json), (StatusCode::OK, json!([pg, web])), "GET {uri}");
    }
    let db = api.get("/v2/groups/prod/db/apps").await;
    assert_eq!((db.status, db.json), (StatusCode::OK, json!([pg])));
    let root = api.get("/v2/groups/apps").await;
    assert_eq!((root.status, root.json), (StatusCode::OK, json!([pg, web])));

    let counted = api.get("/v2/groups/prod/apps?embed=group.apps.counts").await.json;
    let want =
        api.get("/v2/groups/prod?embed=group.apps&embed=group.apps.counts").await.json["apps"][0].clone();
    assert_eq!(counted[1], want, "the group.apps.* embeds apply");
    assert!(counted[1].get("tasksRunning").is_some(), "{counted}");

    let unknown = api.get("/v2/groups/nope/apps").await;
    assert_eq!((unknown.status, unknown.json), (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn a_fresh_root_has_no_apps() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    for uri in ["/v2/groups/apps", "/v2/groups/apps/", "/marathon/v2/groups/apps"] {
        let reply = api.get(uri).await;
        assert_eq!((reply.status, reply.json), (StatusCode::OK, json!([])), "GET {uri}");
    }
}

#[tokio::test]
async fn reads_of_a_group_named_apps_list_apps_while_writes_name_the_group() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let created = api.post("/v2/groups/apps", r#"{"apps":[{"id":"a","cmd":"sleep 1"}]}"#).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert_eq!(created.header("location"), Some("/apps"));
    let other = api.post("/v2/groups", r#"{"id":"/other","apps":[{"id":"b","cmd":"sleep 1"}]}"#).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.json);

    assert_eq!(ids(&api.get("/v2/groups/apps").await.json), ["/apps/a", "/other/b"], "the root's apps");
    assert_eq!(ids(&api.get("/v2/groups/apps/apps").await.json), ["/apps/a"], "the apps of /apps");
    let tree = api.get("/v2/groups").await.json;
    assert_eq!(tree["groups"][0]["id"], json!("/apps"), "the group itself, through the root: {tree}");

    let scaled = api.put("/v2/groups/apps?force=true", r#"{"scaleBy":3}"#).await;
    assert_eq!(scaled.status, StatusCode::OK, "{}", scaled.json);
    let apps = api.get("/v2/groups/apps/apps").await.json;
    assert_eq!(apps[0]["instances"], json!(3), "{apps}");

    let deleted = api.delete("/v2/groups/apps?force=true").await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.json);
    assert_eq!(api.get("/v2/groups/apps/apps").await.json, json!([]));
    assert_eq!(ids(&api.get("/v2/groups/apps").await.json), ["/other/b"]);
}
