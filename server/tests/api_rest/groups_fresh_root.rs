//! The root group exists before anything was ever created, as in Marathon:
//! a fresh store answers `/v2/groups` with the empty root at the epoch
//! version Marathon gives its fresh root, lists that version, refuses to
//! create the root again, and empties it with a new version and a
//! deployment without steps. Reads store nothing; unknown groups stay 404.

use axum::http::StatusCode;
use serde_json::{json, Value};
use tempfile::tempdir;

use super::support::Api;

const EPOCH: &str = "1970-01-01T00:00:00.000Z";

fn empty_root(version: &str) -> Value {
    json!({"id": "/", "apps": [], "groups": [], "pods": [], "dependencies": [], "version": version})
}

#[tokio::test]
async fn a_fresh_store_has_the_empty_root_at_the_epoch() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    for uri in ["/v2/groups", "/v2/groups/", "/marathon/v2/groups", "/marathon/v2/groups/"] {
        let reply = api.get(uri).await;
        assert_eq!((reply.status, reply.json), (StatusCode::OK, empty_root(EPOCH)), "GET {uri}");
    }
    let versions = api.get("/v2/groups/versions").await;
    assert_eq!((versions.status, versions.json), (StatusCode::OK, json!([EPOCH])));
    let at_epoch = api.get(&format!("/v2/groups/versions/{EPOCH}")).await;
    assert_eq!((at_epoch.status, at_epoch.json), (StatusCode::OK, empty_root(EPOCH)));
    let apps = api.get("/v2/apps").await;
    assert_eq!((apps.status, apps.json), (StatusCode::OK, json!({"apps": []})));
    for (uri, message) in [
        ("/v2/groups/nope", "Group '/nope' does not exist"),
        ("/v2/groups/nope/versions", "Group '/nope' does not exist"),
        ("/v2/groups/versions/2020-01-01T00:00:00.000Z", "Group '/' does not exist"),
    ] {
        let reply = api.get(uri).await;
        assert_eq!(
            (reply.status, reply.json),
            (StatusCode::NOT_FOUND, json!({"message": message})),
            "GET {uri}"
        );
    }
    let again = api.post("/v2/groups", r#"{"id":"/"}"#).await;
    assert_eq!(
        (again.status, again.json),
        (
            StatusCode::CONFLICT,
            json!({"message": "Group / is already created. Use PUT to change this group."})
        )
    );
    assert_eq!(api.get("/v2/groups/versions").await.json, json!([EPOCH]), "nothing was stored");
}

#[tokio::test]
async fn the_fresh_root_renders_every_embed_as_an_emptied_root_does() {
    let fresh_dir = tempdir().unwrap();
    let fresh = Api::open(fresh_dir.path());
    let emptied_dir = tempdir().unwrap();
    let emptied = Api::open(emptied_dir.path());
    let created = emptied.post("/v2/groups", r#"{"id":"/prod","apps":[{"id":"web","cmd":"sleep 1"}]}"#).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert_eq!(emptied.delete("/v2/groups?force=true").await.status, StatusCode::OK);
    let emptied_version = emptied.get("/v2/groups").await.json["version"].clone();
    for query in
        ["", "?embed=group.apps", "?embed=group.groups", "?embed=group.pods", "?embed=group.apps.tasks"]
    {
        let mut want = emptied.get(&format!("/v2/groups{query}")).await.json;
        assert_eq!(want["version"], emptied_version);
        want["version"] = json!(EPOCH);
        let got = fresh.get(&format!("/v2/groups{query}")).await;
        assert_eq!((got.status, got.json), (StatusCode::OK, want), "GET /v2/groups{query}");
    }
}

#[tokio::test]
async fn deleting_the_fresh_root_is_a_change_without_steps() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let reply = api.delete("/v2/groups").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let deployment = reply.json["deploymentId"].as_str().unwrap().to_owned();
    assert_eq!(reply.header("Marathon-Deployment-Id"), Some(deployment.as_str()));
    let version = reply.json["version"].as_str().unwrap().to_owned();
    assert!(version.as_str() > EPOCH, "{version}");
    assert_eq!(api.get("/v2/deployments").await.json, json!([]), "nothing to deploy");
    assert_eq!(api.get("/v2/groups").await.json, empty_root(&version));
    assert_eq!(api.get("/v2/groups/versions").await.json, json!([version]));

    let again = api.delete("/v2/groups/").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.json);
    drop(api);
    let restarted = Api::open(dir.path());
    let root = restarted.get("/v2/groups").await.json;
    assert_eq!(root, empty_root(again.json["version"].as_str().unwrap()), "the emptied root was stored");
}

#[tokio::test]
async fn the_fresh_root_can_be_rolled_back_to_and_scaled() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let scaled = api.put("/v2/groups", r#"{"scaleBy":2}"#).await;
    assert_eq!(scaled.status, StatusCode::OK, "{}", scaled.json);
    let created = api.post("/v2/groups", r#"{"id":"/prod","apps":[{"id":"web","cmd":"sleep 1"}]}"#).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let rollback = api.put("/v2/groups?force=true", &format!(r#"{{"version":"{EPOCH}"}}"#)).await;
    let unavailable = format!("Group / not available in version {EPOCH}");
    assert_eq!(
        (rollback.status, rollback.json),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"message": "Object is not valid", "details": [{"path": "/version", "errors": [unavailable]}]})
        ),
        "the epoch is a version only while nothing was stored (422, as in Marathon)"
    );

    let fresh_dir = tempdir().unwrap();
    let fresh = Api::open(fresh_dir.path());
    let to_epoch = fresh.put("/v2/groups", &format!(r#"{{"version":"{EPOCH}"}}"#)).await;
    assert_eq!(to_epoch.status, StatusCode::OK, "{}", to_epoch.json);
    let version = to_epoch.json["version"].as_str().unwrap();
    assert_eq!(fresh.get("/v2/groups").await.json, empty_root(version));
}
