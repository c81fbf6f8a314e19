//! What the API tells about why an app fails, in Marathon's shapes:
//! `lastTaskFailure` (always on `GET /v2/apps/{id}`, on request elsewhere,
//! gone with the app), `taskStats` from the current instances, and the
//! readiness verdicts in `/v2/deployments` and `embed=apps.readiness`.
//! Tasks and failures are reported as the run loop reports them.

use serde_json::{json, Value};
use server::service::failures::TaskFailureRecord;
use server::service::instances::{ReadinessRecord, ReadinessResponse, TaskRecord, TaskState};
use tempfile::tempdir;

use super::support::Api;

fn failure(app: &str, state: &str, version: &str) -> TaskFailureRecord {
    TaskFailureRecord {
        app_id: dromos_model::PathId::parse(app).unwrap(),
        task_id: format!("{}.instance-1._app.1", app.trim_start_matches('/')),
        state: state.into(),
        message: "Command exited with status 3".into(),
        host: "agent-host".into(),
        slave_id: Some("S1".into()),
        version: version.into(),
        timestamp: "2024-05-01T10:00:00.000Z".into(),
    }
}

fn task(id: &str, app: &str, version: &str, state: TaskState, started_secs_ago: Option<i64>) -> TaskRecord {
    let started = started_secs_ago.map(|s| (chrono::Utc::now() - chrono::Duration::seconds(s)).to_rfc3339());
    TaskRecord {
        id: format!("{}.instance-{id}._app.1", app.trim_start_matches('/')),
        app_id: dromos_model::PathId::parse(app).unwrap(),
        host: "agent-host".into(),
        agent_id: "S1".into(),
        ports: vec![],
        state,
        healthy: None,
        version: version.into(),
        staged_at: Some("2020-01-01T00:00:00.000Z".into()),
        started_at: started,
        readiness: None,
    }
}

async fn version_of(api: &Api, app: &str) -> String {
    api.get(&format!("/v2/apps{app}")).await.json["app"]["version"].as_str().unwrap().to_owned()
}

fn app_in<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["apps"].as_array().unwrap().iter().find(|a| a["id"] == id).unwrap()
}

#[tokio::test]
async fn last_task_failure_is_embedded_like_marathon_and_goes_with_the_app() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    api.post("/v2/apps", r#"{"id":"/crashy","cmd":"exit 3"}"#).await;
    api.post("/v2/apps", r#"{"id":"/calm","cmd":"sleep 100"}"#).await;
    let version = version_of(&api, "/crashy").await;
    assert!(api
        .service
        .record_task_failure(failure("/crashy", "TASK_FAILED", &version), false)
        .await
        .unwrap());
    let expected = json!({
        "appId": "/crashy", "taskId": "crashy.instance-1._app.1", "state": "TASK_FAILED",
        "message": "Command exited with status 3", "host": "agent-host", "slaveId": "S1",
        "version": version, "timestamp": "2024-05-01T10:00:00.000Z",
    });

    let single = api.get("/v2/apps/crashy").await.json;
    assert_eq!(single["app"]["lastTaskFailure"], expected, "always on the single-app GET");
    assert!(single["app"].get("taskStats").is_none(), "taskStats only on request");
    assert!(api.get("/v2/apps/calm").await.json["app"].get("lastTaskFailure").is_none(), "none, no key");

    let plain = api.get("/v2/apps").await.json;
    assert!(app_in(&plain, "/crashy").get("lastTaskFailure").is_none(), "lists only on request");
    for embed in ["apps.lastTaskFailure", "apps.failures"] {
        let list = api.get(&format!("/v2/apps?embed={embed}")).await.json;
        assert_eq!(app_in(&list, "/crashy")["lastTaskFailure"], expected, "{embed}");
    }
    let group = api.get("/v2/groups?embed=group.apps&embed=group.apps.lastTaskFailure").await.json;
    assert_eq!(app_in(&group, "/crashy")["lastTaskFailure"], expected);
    let metrics = api.get("/metrics").await.json;
    assert_eq!(metrics["counters"]["dromos.service.task-failure.counter"], json!({"count": 1}));

    assert_eq!(api.delete("/v2/apps/crashy").await.status, 200);
    api.post("/v2/apps?force=true", r#"{"id":"/crashy","cmd":"exit 3"}"#).await;
    let fresh = api.get("/v2/apps/crashy").await.json;
    assert!(fresh["app"].get("lastTaskFailure").is_none(), "forgotten with the deleted app: {fresh}");
}

#[tokio::test]
async fn task_stats_split_the_current_instances_by_version() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    api.post("/v2/apps", r#"{"id":"/web","cmd":"sleep 100","instances":2}"#).await;
    let configured = version_of(&api, "/web").await;
    for t in [
        task("1", "/web", &configured, TaskState::TaskRunning, Some(10)),
        task("2", "/web", "2020-01-01T00:00:00.000Z", TaskState::TaskRunning, Some(30)),
        task("3", "/web", &configured, TaskState::TaskStaging, None),
    ] {
        api.service.report_task(t, None).await.unwrap();
    }
    // Scaling moves lastScalingAt, not lastConfigChangeAt.
    assert_eq!(api.put("/v2/apps/web?force=true", r#"{"instances":3}"#).await.status, 200);

    let app = api.get("/v2/apps/web?embed=app.taskStats").await.json["app"].clone();
    let stats = &app["taskStats"];
    assert!(stats.get("startedAfterLastScaling").is_none(), "nothing launched since scaling: {stats}");
    let counts = |group: &str| stats[group]["stats"]["counts"].clone();
    assert_eq!(counts("withLatestConfig"), json!({"staged": 1, "running": 1, "healthy": 0, "unhealthy": 0}));
    assert_eq!(
        counts("withOutdatedConfig"),
        json!({"staged": 0, "running": 1, "healthy": 0, "unhealthy": 0})
    );
    assert_eq!(counts("totalSummary"), json!({"staged": 1, "running": 2, "healthy": 0, "unhealthy": 0}));
    let life = &stats["totalSummary"]["stats"]["lifeTime"];
    let (average, median) =
        (life["averageSeconds"].as_f64().unwrap(), life["medianSeconds"].as_f64().unwrap());
    assert!((20.0..25.0).contains(&average) && average == median, "(10 s + 30 s) / 2 and rising: {life}");
    let latest_life = stats["withLatestConfig"]["stats"]["lifeTime"]["averageSeconds"].as_f64().unwrap();
    assert!((10.0..15.0).contains(&latest_life), "only the running task has a life time: {latest_life}");

    let listed = api.get("/v2/apps?embed=apps.taskStats").await.json;
    assert_eq!(app_in(&listed, "/web")["taskStats"]["totalSummary"]["stats"]["counts"]["running"], 2);
    assert!(app_in(&api.get("/v2/apps").await.json, "/web").get("taskStats").is_none());
}

#[tokio::test]
async fn readiness_verdicts_show_in_deployments_and_on_the_app() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let web = r#"{"id":"/web","cmd":"python3 -m http.server $PORT0","instances":1,
        "portDefinitions":[{"port":0,"name":"http"}],
        "readinessChecks":[{"name":"ready","protocol":"HTTP","path":"/ready","portName":"http",
            "preserveLastResponse":true}]}"#;
    assert_eq!(api.post("/v2/apps", web).await.status, 201);
    let version = version_of(&api, "/web").await;
    let mut gated = task("1", "/web", &version, TaskState::TaskRunning, Some(2));
    gated.readiness = Some(ReadinessRecord {
        name: "ready".into(),
        task_id: gated.id.clone(),
        ready: false,
        last_response: Some(ReadinessResponse {
            status: 503,
            content_type: "text/plain".into(),
            body: "warming up".into(),
        }),
    });
    api.service.report_task(gated, None).await.unwrap();
    let verdict = json!({"name": "ready", "taskId": "web.instance-1._app.1", "ready": false,
        "lastResponse": {"status": 503, "contentType": "text/plain", "body": "warming up"}});

    let deployments = api.get("/v2/deployments").await.json;
    assert_eq!(
        deployments[0]["currentActions"],
        json!([{"action": "StartApplication", "app": "/web", "readinessCheckResults": [verdict.clone()]}])
    );
    let app = api.get("/v2/apps/web?embed=app.readiness").await.json;
    assert_eq!(app["app"]["readinessCheckResults"], json!([verdict]));
}
