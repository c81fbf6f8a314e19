//! App `embed` values as Marathon reads them on every app endpoint: with
//! any of the prefixes `group.apps.`, `apps.`, `app.`, or none, and the
//! group wildcard `GET /v2/apps/{group}/*` with the defaults of one app
//! (counts, deployments, tasks, last task failure), not of the list.

use axum::http::StatusCode;
use serde_json::Value;
use tempfile::tempdir;

use super::support::Api;

fn has_tasks(app: &Value) -> bool {
    app.get("tasks").is_some_and(Value::is_array)
}

#[tokio::test]
async fn every_app_endpoint_reads_embeds_with_any_prefix_and_the_wildcard_embeds_tasks() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let created = api.post("/v2/groups", r#"{"id":"/prod","apps":[{"id":"web","cmd":"sleep 1"}]}"#).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);

    assert!(!has_tasks(&api.get("/v2/apps").await.json["apps"][0]), "a list embeds no tasks unasked");
    for embed in ["apps.tasks", "app.tasks", "group.apps.tasks", "tasks", "apps.failures"] {
        let listed = api.get(&format!("/v2/apps?embed={embed}")).await;
        assert_eq!(listed.status, StatusCode::OK);
        assert!(has_tasks(&listed.json["apps"][0]), "GET /v2/apps?embed={embed}: {}", listed.json);
    }
    for uri in ["/v2/apps/prod/*", "/v2/apps/*", "/v2/apps/prod/web"] {
        let reply = api.get(uri).await;
        let app = if uri.ends_with('*') { &reply.json["*"][0] } else { &reply.json["app"] };
        assert_eq!(reply.status, StatusCode::OK, "GET {uri}");
        assert!(has_tasks(app), "GET {uri} embeds tasks by default: {}", reply.json);
        assert!(app.get("tasksRunning").is_some() && app.get("deployments").is_some(), "GET {uri}: {app}");
    }
}
