//! Everything accepted survives a restart: the service is dropped and
//! reopened on the same data directory and serves identical JSON.

use axum::http::StatusCode;
use serde_json::Value;
use tempfile::tempdir;

use super::support::Api;

async fn snapshot(api: &Api, app_versions: &[String]) -> Vec<(String, Value)> {
    let mut uris: Vec<String> = [
        "/v2/apps?embed=apps.tasks",
        "/v2/apps/prod/web",
        "/v2/apps/prod/web/versions",
        "/v2/groups",
        "/v2/groups/prod",
        "/v2/groups/versions",
        "/v2/deployments",
        "/v2/tasks",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    uris.extend(app_versions.iter().map(|v| format!("/v2/apps/prod/web/versions/{v}")));
    let mut out = Vec::new();
    for uri in uris {
        let reply = api.get(&uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.json);
        out.push((uri, reply.json));
    }
    out
}

#[tokio::test]
async fn a_restarted_service_serves_exactly_the_same_state() {
    let dir = tempdir().unwrap();
    let (before, versions) = {
        let api = Api::open(dir.path());
        let group = r#"{"id":"/prod","apps":[{"id":"web","cmd":"sleep 1","instances":2,"dependencies":["/prod/db"]},
                       {"id":"db","cmd":"sleep 2","portDefinitions":[{"port":0},{"port":0}]}]}"#;
        assert_eq!(api.post("/v2/groups", group).await.status, StatusCode::CREATED);
        let update =
            api.put("/v2/apps/prod/web?force=true", r#"{"cmd":"sleep 3","labels":{"tier":"web"}}"#).await;
        assert_eq!(update.status, StatusCode::OK, "{}", update.json);
        assert_eq!(
            api.post("/v2/apps", r#"{"id":"/solo","cmd":"sleep 4"}"#).await.status,
            StatusCode::CREATED
        );
        assert_eq!(api.delete("/v2/apps/solo").await.status, StatusCode::OK);
        let versions: Vec<String> = api.get("/v2/apps/prod/web/versions").await.json["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(versions.len(), 2);
        (snapshot(&api, &versions).await, versions)
    };
    let api = Api::open(dir.path());
    let after = snapshot(&api, &versions).await;
    for ((uri, want), (_, got)) in before.iter().zip(&after) {
        assert_eq!(got, want, "{uri} differs after restart");
    }
    let deployments = after.iter().find(|(u, _)| u == "/v2/deployments").unwrap();
    assert_eq!(deployments.1.as_array().unwrap().len(), 2, "running deployments are durable");
}
