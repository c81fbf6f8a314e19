//! Happy paths with exact answers: create/update/rollback/delete apps,
//! service ports, deployments and their cancellation, groups (dry run,
//! scaleBy, rollback), tasks reported by the run loop seam, and the
//! misc endpoints.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::json;
use server::service::instances::{TaskRecord, TaskState};
use tempfile::tempdir;

use super::support::Api;

#[tokio::test]
async fn creating_an_app_answers_201_with_location_status_and_a_visible_deployment() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let reply = api.post("/v2/apps", r#"{"id":"web","cmd":"sleep 1","instances":2}"#).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.header("location"), Some("/web"));
    let deployment = reply.header("marathon-deployment-id").unwrap().to_owned();
    let app = &reply.json;
    assert_eq!(app["id"], "/web");
    assert_eq!(app["portDefinitions"], json!([{"port": 10000, "protocol": "tcp", "name": "default"}]));
    for count in ["tasksStaged", "tasksRunning", "tasksHealthy", "tasksUnhealthy"] {
        assert_eq!(app[count], 0, "{count}");
    }
    assert_eq!(app["deployments"], json!([{"id": deployment}]));
    let version = app["version"].as_str().unwrap().to_owned();
    assert_eq!(app["versionInfo"], json!({"lastScalingAt": version, "lastConfigChangeAt": version}));
    let deployments = api.get("/v2/deployments").await;
    assert_eq!(
        deployments.json,
        json!([{
            "id": deployment, "version": version, "affectedApps": ["/web"], "affectedPods": [],
            "steps": [
                {"actions": [{"action": "StartApplication", "app": "/web"}]},
                {"actions": [{"action": "ScaleApplication", "app": "/web"}]}
            ],
            "currentActions": [{"action": "StartApplication", "app": "/web", "readinessCheckResults": []}],
            "currentStep": 1, "totalSteps": 2
        }])
    );
    let marathon = api.get("/marathon/v2/apps").await;
    assert_eq!(marathon.json, api.get("/v2/apps").await.json, "also under /marathon");
}

#[tokio::test]
async fn updates_scale_or_restart_keep_service_ports_and_roll_back_by_version() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    api.post("/v2/apps", r#"{"id":"/a","cmd":"sleep 1","portDefinitions":[{"port":0},{"port":0}]}"#).await;
    api.post("/v2/apps", r#"{"id":"/b","cmd":"sleep 1"}"#).await;
    let v1 = api.get("/v2/apps/a").await.json["app"].clone();
    assert_eq!(v1["portDefinitions"][0]["port"], 10000);
    assert_eq!(v1["portDefinitions"][1]["port"], 10001);
    assert_eq!(api.get("/v2/apps/b").await.json["app"]["portDefinitions"][0]["port"], 10002);

    let scale = api.put("/v2/apps/a?force=true", r#"{"instances":3}"#).await;
    assert_eq!(scale.status, StatusCode::OK);
    assert_eq!(scale.header("marathon-deployment-id"), scale.json["deploymentId"].as_str());
    let scaled = api.get("/v2/apps/a").await.json["app"].clone();
    assert_eq!(scaled["version"], scale.json["version"]);
    assert_eq!(scaled["versionInfo"]["lastConfigChangeAt"], v1["version"], "a scale is not a config change");
    let plan = api.get("/v2/deployments").await.json;
    let scale_plan = plan.as_array().unwrap().iter().find(|d| d["id"] == scale.json["deploymentId"]).unwrap();
    assert_eq!(scale_plan["steps"], json!([{"actions": [{"action": "ScaleApplication", "app": "/a"}]}]));

    let replace = api
        .put(
            "/v2/apps/a?force=true&partialUpdate=false",
            r#"{"cmd":"sleep 2","portDefinitions":[{"port":0},{"port":0}]}"#,
        )
        .await;
    assert_eq!(replace.status, StatusCode::OK, "{}", replace.json);
    let replaced = api.get("/v2/apps/a").await.json["app"].clone();
    assert_eq!(replaced["portDefinitions"], v1["portDefinitions"], "re-posted zeros keep the ports");
    assert_eq!(replaced["instances"], 1, "a replace takes defaults");
    assert_eq!(replaced["versionInfo"]["lastConfigChangeAt"], replace.json["version"]);

    let versions = api.get("/v2/apps/a/versions").await.json["versions"].clone();
    assert_eq!(versions.as_array().unwrap().len(), 3);
    assert_eq!(versions[2], v1["version"], "newest first");
    let old = api.get(&format!("/v2/apps/a/versions/{}", v1["version"].as_str().unwrap())).await;
    let definition: serde_json::Map<String, serde_json::Value> = v1
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !k.starts_with("tasks") && *k != "deployments")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(old.json, serde_json::Value::Object(definition), "a version is the plain definition");

    let rollback = api
        .put("/v2/apps/a?force=true", &format!(r#"{{"version":"{}"}}"#, v1["version"].as_str().unwrap()))
        .await;
    assert_eq!(rollback.status, StatusCode::OK, "{}", rollback.json);
    let back = api.get("/v2/apps/a").await.json["app"].clone();
    assert_eq!(back["cmd"], "sleep 1");
    assert_eq!(back["instances"], 1);

    let restart = api.post("/v2/apps/a/restart?force=true", "").await;
    assert_eq!(restart.status, StatusCode::OK);
    let restarted = api.get("/v2/apps/a").await.json["app"].clone();
    assert_eq!(restarted["versionInfo"]["lastConfigChangeAt"], restart.json["version"]);

    let delete = api.delete("/v2/apps/a").await;
    assert_eq!(delete.status, StatusCode::OK);
    assert_eq!(api.get("/v2/apps/a").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn put_creates_a_missing_app_with_201_and_patch_merges() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let created = api.put("/v2/apps/x/y", r#"{"cmd":"sleep 1"}"#).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.header("location"), Some("/x/y"));
    let patched = api.call(Method::PATCH, "/v2/apps/x/y?force=true", r#"{"mem":64}"#).await;
    assert_eq!(patched.status, StatusCode::OK);
    let app = api.get("/v2/apps/x/y").await.json["app"].clone();
    assert_eq!((app["mem"].as_f64(), app["cmd"].as_str()), (Some(64.0), Some("sleep 1")));
    let listed = api.get("/v2/apps/x/*").await;
    assert_eq!(listed.json["*"][0]["id"], "/x/y");
}

#[tokio::test]
async fn list_filters_by_cmd_id_and_label() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    api.post("/v2/apps", r#"{"id":"/prod/web","cmd":"python -m http.server","labels":{"tier":"web"}}"#).await;
    api.post("/v2/apps", r#"{"id":"/prod/db","cmd":"postgres","labels":{"tier":"db"}}"#).await;
    let cases = [
        ("/v2/apps?cmd=PYTHON", vec!["/prod/web"]),
        ("/v2/apps?id=prod", vec!["/prod/db", "/prod/web"]),
        ("/v2/apps?label=tier==db", vec!["/prod/db"]),
        ("/v2/apps?label=tier%20notin%20(db)", vec!["/prod/web"]),
        ("/v2/apps?id=nothing", vec![]),
    ];
    for (uri, want) in cases {
        let got: Vec<String> = api.get(uri).await.json["apps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(got, want, "{uri}");
    }
}

#[tokio::test]
async fn groups_dry_run_scale_and_roll_back() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let created =
        api.post("/v2/groups", r#"{"id":"/g","apps":[{"id":"a","cmd":"sleep 1","instances":2}]}"#).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert_eq!(created.header("location"), Some("/g"));
    let v1 = created.json["version"].as_str().unwrap().to_owned();
    let tree = api.get("/v2/groups?embed=group.groups").await.json;
    assert_eq!(
        tree,
        json!({"id": "/", "groups": [{"id": "/g", "groups": [], "dependencies": [], "version": v1}], "dependencies": [], "version": v1})
    );

    let dry =
        api.put("/v2/groups/g?dryRun=true", r#"{"apps":[{"id":"a","cmd":"sleep 2","instances":2}]}"#).await;
    assert_eq!(dry.status, StatusCode::OK);
    assert_eq!(dry.json, json!({"steps": [{"actions": [{"action": "RestartApplication", "app": "/g/a"}]}]}));
    assert_eq!(api.get("/v2/apps/g/a").await.json["app"]["cmd"], "sleep 1", "dry run changes nothing");

    let scaled = api.put("/v2/groups/g?force=true", r#"{"scaleBy":1.5}"#).await;
    assert_eq!(scaled.status, StatusCode::OK, "{}", scaled.json);
    assert_eq!(api.get("/v2/apps/g/a").await.json["app"]["instances"], 3);

    let rollback = api.put("/v2/groups/g?force=true", &format!(r#"{{"version":"{v1}"}}"#)).await;
    assert_eq!(rollback.status, StatusCode::OK, "{}", rollback.json);
    assert_eq!(api.get("/v2/apps/g/a").await.json["app"]["instances"], 2);
    let versions = api.get("/v2/groups/g/versions").await.json;
    assert_eq!(versions.as_array().unwrap().len(), 3);

    let deleted = api.call(Method::DELETE, "/v2/groups/g?force=true", Body::empty()).await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(api.get("/v2/groups/g").await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.get("/v2/apps").await.json, json!({"apps": []}));
}

#[tokio::test]
async fn cancelling_a_deployment_rolls_back_or_with_force_just_stops() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let created = api.post("/v2/apps", r#"{"id":"/a","cmd":"sleep 1"}"#).await;
    let first = created.header("marathon-deployment-id").unwrap().to_owned();
    let rollback = api.delete(&format!("/v2/deployments/{first}")).await;
    assert_eq!(rollback.status, StatusCode::OK, "{}", rollback.json);
    assert_eq!(api.get("/v2/apps/a").await.status, StatusCode::NOT_FOUND, "the new app is rolled back");
    let revert = rollback.json["deploymentId"].as_str().unwrap().to_owned();
    let listed = api.get("/v2/deployments").await.json;
    assert_eq!(listed[0]["steps"], json!([{"actions": [{"action": "StopApplication", "app": "/a"}]}]));
    let forced =
        api.call(Method::DELETE, &format!("/v2/deployments/{revert}?force=true"), Body::empty()).await;
    assert_eq!((forced.status, forced.json), (StatusCode::ACCEPTED, serde_json::Value::Null));
    assert_eq!(api.get("/v2/deployments").await.json, json!([]));
}

#[tokio::test]
async fn tasks_reported_by_the_run_loop_show_in_every_view() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    api.post("/v2/apps", r#"{"id":"/web","cmd":"sleep 1"}"#).await;
    let task = TaskRecord {
        id: "web.instance-1._app.1".into(),
        app_id: dromos_model::PathId::parse("/web").unwrap(),
        host: "agent-1".into(),
        agent_id: "S1".into(),
        ports: vec![31001],
        state: TaskState::TaskRunning,
        healthy: Some(true),
        version: "2020-01-01T00:00:00.000Z".into(),
        staged_at: Some("2020-01-01T00:00:01.000Z".into()),
        started_at: Some("2020-01-01T00:00:02.000Z".into()),
        readiness: None,
    };
    api.service.report_task(task, None).await.unwrap();
    let expected = json!({
        "appId": "/web", "id": "web.instance-1._app.1", "host": "agent-1", "ports": [31001],
        "servicePorts": [10000], "ipAddresses": [], "slaveId": "S1", "state": "TASK_RUNNING",
        "stagedAt": "2020-01-01T00:00:01.000Z", "startedAt": "2020-01-01T00:00:02.000Z",
        "version": "2020-01-01T00:00:00.000Z",
        "healthCheckResults": [{"alive": true, "consecutiveFailures": 0, "firstSuccess": null, "lastSuccess": null,
                                "lastFailure": null, "lastFailureCause": null, "instanceId": "web.instance-1"}],
        "localVolumes": [], "role": "*"
    });
    assert_eq!(api.get("/v2/tasks").await.json, json!({"tasks": [expected.clone()]}));
    assert_eq!(api.get("/v2/tasks?status=staging").await.json, json!({"tasks": []}));
    assert_eq!(api.get("/v2/apps/web/tasks").await.json, json!({"tasks": [expected.clone()]}));
    let app = api.get("/v2/apps?embed=apps.tasks").await.json["apps"][0].clone();
    assert_eq!((app["tasksRunning"].clone(), app["tasksHealthy"].clone()), (json!(1), json!(1)));
    assert_eq!(app["tasks"], json!([expected]));
    let text = api.call_with(Method::GET, "/v2/tasks", &[("accept", "text/plain")], Body::empty()).await;
    assert_eq!(text.json, json!("web\t10000\tagent-1:31001\t\n"));
    let killed = api.delete("/v2/apps/web/tasks/web.instance-1._app.1").await;
    assert_eq!(killed.json["task"]["id"], "web.instance-1._app.1");
    let scaled = api.delete("/v2/apps/web/tasks?scale=true&force=true").await;
    assert_eq!(scaled.status, StatusCode::OK);
    assert_eq!(api.get("/v2/apps/web").await.json["app"]["instances"], 0, "scaled down by the killed count");
}

#[tokio::test]
async fn misc_endpoints_answer_like_marathon() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    api.post("/v2/apps", r#"{"id":"/m","cmd":"sleep 1"}"#).await;
    assert_eq!(api.get("/v2/leader").await.json, json!({"leader": "127.0.0.1:8080"}));
    assert_eq!(api.get("/v2/queue?embed=lastUnusedOffers").await.json, json!({"queue": []}));
    let metrics = api.get("/metrics").await.json;
    assert_eq!(metrics["counters"]["dromos.service.create-app.counter"], json!({"count": 1}));
    assert_eq!(metrics["gauges"]["marathon.apps.active.gauge"], json!({"value": 1.0}));
    let prometheus = api.get("/metrics/prometheus").await.json;
    assert!(prometheus.as_str().unwrap().contains("marathon_deployments_active_gauge 1\n"), "{prometheus}");
}
