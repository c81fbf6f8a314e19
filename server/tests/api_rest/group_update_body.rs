//! What a `PUT`/`POST /v2/groups[/{id}]` body may combine, and which group
//! it changes, as in Marathon: a rollback `version` or a `scaleBy` must be
//! the only field of its group document (422 naming the field otherwise,
//! at any depth, nothing recorded), a rollback to a version the group
//! never had is a 422 too, a scale of a missing group creates it, a `POST`
//! of only a `version` restores a group that is gone (409 if it is there),
//! and the body's `id` is resolved against the URL's group
//! (`{"id": "cache"}` sent to `/prod` changes `/prod/cache`).

use axum::http::{Method, StatusCode};
use dromos_model::PathId;
use serde_json::{json, Value};
use tempfile::tempdir;

use super::support::Api;

const PROD: &str = r#"{"id":"/prod","apps":[{"id":"web","cmd":"sleep 1","instances":1}],
                       "groups":[{"id":"db","apps":[{"id":"pg","cmd":"sleep 2"}]}]}"#;
const NOT_ALONE: &str = "not allowed in conjunction with other properties.";

fn not_alone(paths: &[&str]) -> Value {
    let details: Vec<Value> = paths.iter().map(|p| json!({"path": p, "errors": [NOT_ALONE]})).collect();
    json!({"message": "Object is not valid", "details": details})
}

async fn instances(api: &Api, app: &str) -> Value {
    api.get(&format!("/v2/apps{app}")).await.json["app"]["instances"].clone()
}

#[tokio::test]
async fn a_rollback_or_a_scale_beside_other_fields_is_refused_and_records_nothing() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let created = api.post("/v2/groups", PROD).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let v1 = api.get("/v2/groups/prod").await.json["version"].as_str().unwrap().to_owned();
    let versions = api.get("/v2/groups/versions").await.json;
    let tree = api.get("/v2/groups").await.json;

    let version = format!(r#""version":"{v1}""#);
    let cases: Vec<(Method, &str, String, Value)> = vec![
        (Method::PUT, "/v2/groups/prod", r#"{"scaleBy":2,"apps":[]}"#.into(), not_alone(&["/scaleBy"])),
        (
            Method::PUT,
            "/v2/groups/prod?force=true",
            format!(r#"{{"id":"/prod",{version}}}"#),
            not_alone(&["/version"]),
        ),
        (
            Method::PUT,
            "/v2/groups/prod?dryRun=true",
            r#"{"scaleBy":2,"dependencies":[]}"#.into(),
            not_alone(&["/scaleBy"]),
        ),
        (
            Method::PUT,
            "/v2/groups/prod",
            format!(r#"{{{version},"scaleBy":2}}"#),
            not_alone(&["/version", "/scaleBy"]),
        ),
        (
            Method::PUT,
            "/v2/groups",
            format!(r#"{{"groups":[{{"id":"prod",{version}}}]}}"#),
            not_alone(&["/groups/0/version"]),
        ),
        (
            Method::PUT,
            "/v2/groups/prod",
            r#"{"groups":[{"id":"db","scaleBy":2}]}"#.into(),
            not_alone(&["/groups/0/scaleBy"]),
        ),
        (Method::POST, "/v2/groups", r#"{"id":"/dev","scaleBy":2}"#.into(), not_alone(&["/scaleBy"])),
        (Method::POST, "/v2/groups/dev", format!(r#"{{"apps":[],{version}}}"#), not_alone(&["/version"])),
        (
            Method::PUT,
            "/v2/groups/prod?force=true",
            r#"{"version":"2001-01-01T00:00:00.000Z"}"#.into(),
            json!({"message": "Object is not valid", "details": [{"path": "/version",
                   "errors": ["Group /prod not available in version 2001-01-01T00:00:00.000Z"]}]}),
        ),
    ];
    for (method, uri, body, want) in cases {
        let reply = api.call(method.clone(), uri, body.clone()).await;
        assert_eq!(
            (reply.status, reply.json),
            (StatusCode::UNPROCESSABLE_ENTITY, want),
            "{method} {uri} {body}"
        );
    }
    assert_eq!(api.get("/v2/groups/versions").await.json, versions, "no refused request recorded a version");
    assert_eq!(api.get("/v2/groups").await.json, tree);

    let at_unknown = api.get("/v2/groups/prod/versions/2001-01-01T00:00:00.000Z").await;
    assert_eq!(
        (at_unknown.status, at_unknown.json),
        (StatusCode::NOT_FOUND, json!({"message": "Group '/prod' does not exist"})),
        "a read of a version the group never had is a 404 worded as Marathon does"
    );

    let scaled = api.put("/v2/groups/prod?force=true", r#"{"scaleBy":2}"#).await;
    assert_eq!(scaled.status, StatusCode::OK, "alone, a scale goes through: {}", scaled.json);
    assert_eq!(
        (instances(&api, "/prod/web").await, instances(&api, "/prod/db/pg").await),
        (json!(2), json!(2))
    );
    let rolled_back = api.put("/v2/groups/prod?force=true", &format!("{{{version}}}")).await;
    assert_eq!(rolled_back.status, StatusCode::OK, "alone, a rollback goes through: {}", rolled_back.json);
    let new_group = api.put("/v2/groups/qa?force=true", r#"{"scaleBy":2}"#).await;
    assert_eq!(new_group.status, StatusCode::OK, "scaling a missing group creates it: {}", new_group.json);
    let qa = api.get("/v2/groups/qa").await;
    assert_eq!((qa.status, &qa.json["apps"], &qa.json["groups"]), (StatusCode::OK, &json!([]), &json!([])));
    let on_app = api.put("/v2/groups/prod/web?force=true", r#"{"scaleBy":2}"#).await;
    assert_eq!(
        (on_app.status, on_app.json),
        (StatusCode::CONFLICT, json!({"message": "An app with id [/prod/web] already exists."}))
    );
    assert_eq!(
        (instances(&api, "/prod/web").await, instances(&api, "/prod/db/pg").await),
        (json!(1), json!(1))
    );
}

#[tokio::test]
async fn the_body_id_names_the_group_changed_resolved_against_the_url() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let created = api.post("/v2/groups", PROD).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);

    let relative = r#"{"id":"cache","apps":[{"id":"redis","cmd":"sleep 3"}]}"#;
    let reply = api.put("/v2/groups/prod?force=true", relative).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(api.get("/v2/apps/prod/cache/redis").await.status, StatusCode::OK);
    let prod = api.get("/v2/groups/prod").await.json;
    let apps: Vec<&Value> = prod["apps"].as_array().unwrap().iter().map(|a| &a["id"]).collect();
    let groups: Vec<&Value> = prod["groups"].as_array().unwrap().iter().map(|g| &g["id"]).collect();
    assert_eq!(apps, [&json!("/prod/web")], "/prod itself is untouched: {prod}");
    assert_eq!(groups, [&json!("/prod/cache"), &json!("/prod/db")], "{prod}");

    let same = api.put("/v2/groups/prod?force=true", r#"{"id":"/prod","enforceRole":true}"#).await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.json);
    let prod = api.get("/v2/groups/prod").await.json;
    assert_eq!((&prod["enforceRole"], prod["apps"].as_array().map(Vec::len)), (&json!(true), Some(1)));

    let from_root =
        api.put("/v2/groups?force=true", r#"{"id":"/dev","apps":[{"id":"api","cmd":"sleep 4"}]}"#).await;
    assert_eq!(from_root.status, StatusCode::OK, "{}", from_root.json);
    assert_eq!(api.get("/v2/apps/dev/api").await.status, StatusCode::OK);
    assert_eq!(api.get("/v2/apps/api").await.status, StatusCode::NOT_FOUND, "not the root's app");

    let dry = r#"{"id":"queue","apps":[{"id":"mq","cmd":"sleep 5"}]}"#;
    let planned = api.put("/v2/groups/prod?dryRun=true", dry).await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.json);
    assert_eq!(
        planned.json["steps"][0]["actions"][0],
        json!({"action": "StartApplication", "app": "/prod/queue/mq"}),
        "{}",
        planned.json
    );
    assert_eq!(
        api.get("/v2/apps/prod/queue/mq").await.status,
        StatusCode::NOT_FOUND,
        "a dry run deploys nothing"
    );

    let tree = api.get("/v2/groups").await.json;
    let bad = api.put("/v2/groups/prod", r#"{"id":"Bad_Id","apps":[]}"#).await;
    let message = PathId::parse("Bad_Id").unwrap_err().to_string();
    let want = json!({"message": "Object is not valid", "details": [{"path": "/id", "errors": [message]}]});
    assert_eq!((bad.status, bad.json), (StatusCode::UNPROCESSABLE_ENTITY, want));
    assert_eq!(api.get("/v2/groups").await.json, tree, "nothing recorded");
}

#[tokio::test]
async fn a_post_of_only_a_version_restores_a_group_that_is_gone_and_only_then() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let created = api.post("/v2/groups", PROD).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let v1 = api.get("/v2/groups/prod").await.json["version"].as_str().unwrap().to_owned();
    let body = format!(r#"{{"version":"{v1}"}}"#);

    let exists = api.post("/v2/groups/prod", &body).await;
    let message = "Group /prod is already created. Use PUT to change this group.";
    assert_eq!((exists.status, exists.json), (StatusCode::CONFLICT, json!({"message": message})));
    let never = api.post("/v2/groups/other", &body).await;
    let unavailable = format!("Group /other not available in version {v1}");
    let want =
        json!({"message": "Object is not valid", "details": [{"path": "/version", "errors": [unavailable]}]});
    assert_eq!((never.status, never.json), (StatusCode::UNPROCESSABLE_ENTITY, want));

    assert_eq!(api.delete("/v2/groups/prod?force=true").await.status, StatusCode::OK);
    assert_eq!(api.get("/v2/apps/prod/web").await.status, StatusCode::NOT_FOUND);
    let restored = api.post("/v2/groups/prod?force=true", &body).await;
    assert_eq!(restored.status, StatusCode::CREATED, "{}", restored.json);
    assert_eq!(restored.header("location"), Some("/prod"));
    assert_eq!(
        (instances(&api, "/prod/web").await, instances(&api, "/prod/db/pg").await),
        (json!(1), json!(1))
    );

    let scaled = api.post("/v2/groups/qa", r#"{"scaleBy":2}"#).await;
    assert_eq!(
        (scaled.status, scaled.header("location")),
        (StatusCode::CREATED, Some("/qa")),
        "{}",
        scaled.json
    );
    assert_eq!(api.get("/v2/groups/qa").await.json["apps"], json!([]));
}
