//! A catalogue of bad requests through HTTP, each with its exact status
//! and body. Inputs are valid except for the one defect named.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use tempfile::tempdir;

use super::support::Api;

const CMD_ARGS: &str = "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.";
const PORT_INDEX: &str =
    "Health check port indices must address an element of the ports array or container port mappings.";
const ID_PATTERN: &str = r"must fully match regular expression '^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])|(\.|\.\.)$'";

fn app(extra: &str) -> Vec<u8> {
    let sep = if extra.is_empty() { "" } else { "," };
    format!(r#"{{"id":"/a","cmd":"sleep 1"{sep}{extra}}}"#).into_bytes()
}

fn invalid_json(path: &str, error: &str) -> Value {
    json!({"message": "Invalid JSON", "details": [{"path": path, "errors": [error]}]})
}

fn invalid(path: &str, error: &str) -> Value {
    json!({"message": "Object is not valid", "details": [{"path": path, "errors": [error]}]})
}

fn message(text: &str) -> Value {
    json!({ "message": text })
}

/// (name, method, uri, body, status, exact body)
type Case = (&'static str, Method, String, Vec<u8>, StatusCode, Value);

fn catalogue() -> Vec<Case> {
    use StatusCode as S;
    let post = Method::POST;
    let apps = || "/v2/apps".to_string();
    let nested =
        format!(r#"{{"id":"/a","cmd":"x","ipAddress":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    vec![
        ("truncated json", post.clone(), apps(), b"{\"id\":".to_vec(), S::BAD_REQUEST, invalid_json("/id", "EOF while parsing a value at line 1 column 6")),
        ("empty body", post.clone(), apps(), Vec::new(), S::BAD_REQUEST, invalid_json("/", "EOF while parsing a value at line 1 column 0")),
        ("non utf-8 bytes", post.clone(), apps(), b"{\"id\":\"/a\xff\"}".to_vec(), S::BAD_REQUEST, invalid_json("/", "error.expected.utf8: invalid UTF-8 at byte 9")),
        ("array instead of app", post.clone(), apps(), b"[]".to_vec(), S::BAD_REQUEST, invalid_json("/", "error.expected.jsobject")),
        ("cpus as string", post.clone(), apps(), app(r#""cpus":"1""#), S::BAD_REQUEST, invalid_json("/cpus", "error.expected.jsnumber")),
        ("id as number", post.clone(), apps(), br#"{"id":1,"cmd":"x"}"#.to_vec(), S::BAD_REQUEST, invalid_json("/id", "error.expected.jsstring")),
        ("instances fractional", post.clone(), apps(), app(r#""instances":1.5"#), S::BAD_REQUEST, invalid_json("/instances", "error.expected.int")),
        ("requirePorts not a bool", post.clone(), apps(), app(r#""requirePorts":"yes""#), S::BAD_REQUEST, invalid_json("/requirePorts", "error.expected.jsboolean")),
        ("missing id", post.clone(), apps(), br#"{"cmd":"x"}"#.to_vec(), S::BAD_REQUEST, invalid_json("/id", "error.path.missing")),
        ("unknown top-level field", post.clone(), apps(), app(r#""intances":2"#), S::BAD_REQUEST, invalid_json("/intances", "unknown field")),
        ("unknown docker field", post.clone(), apps(), app(r#""container":{"docker":{"image":"x","imag":"y"}}"#), S::BAD_REQUEST, invalid_json("/container/docker/imag", "unknown field")),
        ("unknown health check field", post.clone(), apps(), app(r#""healthChecks":[{"portIdx":0}]"#), S::BAD_REQUEST, invalid_json("/healthChecks/0/portIdx", "unknown field")),
        ("unknown field in group app", post.clone(), "/v2/groups".into(), br#"{"id":"/g","apps":[{"id":"a","cmd":"x","cpu":1}]}"#.to_vec(), S::BAD_REQUEST, invalid_json("/apps/0/cpu", "unknown field")),
        ("deeply nested json", post.clone(), apps(), nested.into_bytes(), S::BAD_REQUEST, invalid_json("/ipAddress", "recursion limit exceeded at line 1 column 160")),
        ("invalid id characters", post.clone(), apps(), br#"{"id":"/My_App","cmd":"x"}"#.to_vec(), S::UNPROCESSABLE_ENTITY, invalid("/id", ID_PATTERN)),
        ("reserved suffix", post.clone(), apps(), br#"{"id":"/a/tasks","cmd":"x"}"#.to_vec(), S::UNPROCESSABLE_ENTITY, invalid("/id", "must not end with any of the following reserved keywords: restart, tasks, versions")),
        ("cmd and args together", post.clone(), apps(), app(r#""args":["a"]"#), S::UNPROCESSABLE_ENTITY, invalid("/", CMD_ARGS)),
        ("negative cpus", post.clone(), apps(), app(r#""cpus":-1"#), S::UNPROCESSABLE_ENTITY, invalid("/cpus", "must be greater than or equal to 0.001")),
        ("too many instances", post.clone(), apps(), app(r#""instances":10001"#), S::UNPROCESSABLE_ENTITY, invalid("/instances", "is greater than 10000")),
        ("unknown constraint operator", post.clone(), apps(), app(r#""constraints":[["hostname","UNIQ"]]"#), S::UNPROCESSABLE_ENTITY, invalid("/constraints/0", "Constraint operator \"UNIQ\" is not supported; must be one of: UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS")),
        ("portIndex out of range", post.clone(), apps(), app(r#""healthChecks":[{"portIndex":1}]"#), S::UNPROCESSABLE_ENTITY, invalid("/healthChecks/0/portIndex", PORT_INDEX)),
        ("health check on non-existent port", post.clone(), apps(), app(r#""portDefinitions":[],"healthChecks":[{"protocol":"TCP"}]"#), S::UNPROCESSABLE_ENTITY, invalid("/healthChecks/0/portIndex", PORT_INDEX)),
        ("minimumHealthCapacity above 1", post.clone(), apps(), app(r#""upgradeStrategy":{"minimumHealthCapacity":1.5}"#), S::UNPROCESSABLE_ENTITY, invalid("/upgradeStrategy/minimumHealthCapacity", "is greater than 1")),
        ("ipAddress unsupported", post.clone(), apps(), app(r#""ipAddress":{"networkName":"dcos"}"#), S::UNPROCESSABLE_ENTITY, invalid("/ipAddress", "ipAddress (IP-per-task) is not supported by dromos; use networks")),
        ("group app not a child", post.clone(), "/v2/groups".into(), br#"{"id":"/group","apps":[{"id":"/app","cmd":"x"}]}"#.to_vec(), S::UNPROCESSABLE_ENTITY, invalid("/apps/0/id", "identifier /app is not child of /group. Hint: use relative paths.")),
        ("bulk error path", Method::PUT, apps(), br#"[{"id":"/a","cmd":"x"},{"id":"/b","cmd":"x","cpus":-1}]"#.to_vec(), S::UNPROCESSABLE_ENTITY, invalid("/1/cpus", "must be greater than or equal to 0.001")),
        ("bulk missing id", Method::PUT, apps(), br#"[{"id":"/a","cmd":"x"},{"cmd":"x"}]"#.to_vec(), S::BAD_REQUEST, invalid_json("/1/id", "error.path.missing")),
        ("negative scaleBy", Method::PUT, "/v2/groups/g".into(), br#"{"scaleBy":-1}"#.to_vec(), S::UNPROCESSABLE_ENTITY, invalid("/scaleBy", "must be greater than or equal to 0")),
        ("body over 1 MiB", post.clone(), apps(), vec![b' '; 1024 * 1024 + 1], S::PAYLOAD_TOO_LARGE, message("Request body is larger than 1048576 bytes")),
        ("bad force value", post.clone(), "/v2/apps?force=yes".into(), app(""), S::BAD_REQUEST, message("Invalid value for query parameter force: 'yes' (expected true or false)")),
        ("bad partialUpdate value", Method::PUT, "/v2/apps/a?partialUpdate=1".into(), app(""), S::BAD_REQUEST, message("Invalid value for query parameter partialUpdate: '1' (expected true or false)")),
        ("bad task status filter", Method::GET, "/v2/tasks?status=dead".into(), Vec::new(), S::BAD_REQUEST, message("Invalid value for query parameter status: 'dead' (expected running or staging)")),
        ("bad label selector", Method::GET, "/v2/apps?label=a%20in%20b".into(), Vec::new(), S::UNPROCESSABLE_ENTITY, invalid("/label", "Can not parse label selector a in b")),
        ("unknown app", Method::GET, "/v2/apps/nope".into(), Vec::new(), S::NOT_FOUND, message("App '/nope' does not exist")),
        ("unknown app versions", Method::GET, "/v2/apps/nope/versions".into(), Vec::new(), S::NOT_FOUND, message("App '/nope' does not exist")),
        ("unknown version of known app", Method::GET, "/v2/apps/existing/versions/2001-01-01T00:00:00.000Z".into(), Vec::new(), S::NOT_FOUND, message("App '/existing' does not exist in version 2001-01-01T00:00:00.000Z")),
        ("delete unknown app", Method::DELETE, "/v2/apps/nope".into(), Vec::new(), S::NOT_FOUND, message("App '/nope' does not exist")),
        ("patch unknown app", Method::PATCH, "/v2/apps/nope".into(), br#"{"cpus":2}"#.to_vec(), S::NOT_FOUND, message("App '/nope' does not exist")),
        ("restart unknown app", post.clone(), "/v2/apps/nope/restart".into(), Vec::new(), S::NOT_FOUND, message("App '/nope' does not exist")),
        ("duplicate app", post.clone(), apps(), br#"{"id":"/existing","cmd":"sleep 1"}"#.to_vec(), S::CONFLICT, message("An app with id [/existing] already exists.")),
        ("hostile id in path: uppercase", Method::GET, "/v2/apps/ETC".into(), Vec::new(), S::NOT_FOUND, message("App '/ETC' does not exist")),
        ("hostile id in path: dot-dot resolves to root", Method::GET, "/v2/apps/..%2F..%2Fetc%2Fpasswd".into(), Vec::new(), S::NOT_FOUND, message("App '/etc/passwd' does not exist")),
        ("hostile id in path for write", Method::PUT, "/v2/apps/a_b%20c".into(), app(""), S::UNPROCESSABLE_ENTITY, invalid("/id", ID_PATTERN)),
        ("unknown group", Method::GET, "/v2/groups/nope".into(), Vec::new(), S::NOT_FOUND, message("Group '/nope' does not exist")),
        ("duplicate group", post.clone(), "/v2/groups".into(), br#"{"id":"/"}"#.to_vec(), S::CONFLICT, message("Group / is already created. Use PUT to change this group.")),
        ("unknown deployment", Method::DELETE, "/v2/deployments/unknown_deployment".into(), Vec::new(), S::NOT_FOUND, message("DeploymentPlan unknown_deployment does not exist")),
        ("invalid task id", post.clone(), "/v2/tasks/delete".into(), br#"{"ids":["not_known"]}"#.to_vec(), S::BAD_REQUEST, message("Invalid task id not_known")),
        ("unknown task of app", Method::DELETE, "/v2/apps/existing/tasks/existing.instance-1._app.1".into(), Vec::new(), S::NOT_FOUND, message("Task 'existing.instance-1._app.1' does not exist")),
        ("scale and wipe together", Method::DELETE, "/v2/apps/existing/tasks?scale=true&wipe=true".into(), Vec::new(), S::BAD_REQUEST, message("You cannot use scale and wipe at the same time.")),
        ("queue delay of unqueued app", Method::DELETE, "/v2/queue/existing/delay".into(), Vec::new(), S::NOT_FOUND, message("Application /existing not found in tasks queue.")),
        ("method not allowed on versions", post.clone(), "/v2/apps/existing/versions".into(), Vec::new(), S::METHOD_NOT_ALLOWED, message("HTTP method POST is not supported by this URL")),
        ("events without accept header", Method::GET, "/v2/events".into(), Vec::new(), S::METHOD_NOT_ALLOWED, message("HTTP method GET is not supported by this URL")),
        ("leader abdication", Method::DELETE, "/v2/leader".into(), Vec::new(), S::BAD_REQUEST, message("Leadership abdication is not supported: dromos runs as a single instance without high availability (--zk)")),
        ("unknown v2 path", Method::GET, "/v2/nothing".into(), Vec::new(), S::NOT_FOUND, message("URI not found: /v2/nothing")),
    ]
}

#[tokio::test]
async fn each_bad_request_gets_its_exact_status_and_body() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let created = api.post("/v2/apps", r#"{"id":"/existing","cmd":"sleep 1"}"#).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let cases = catalogue();
    assert!(cases.len() >= 40, "catalogue has {} cases", cases.len());
    let mut failures = Vec::new();
    for (name, method, uri, body, status, want) in cases {
        let reply = api.call(method, &uri, body).await;
        if reply.status != status || reply.json != want {
            failures.push(format!("{name}: want {status} {want}\n      got {} {}", reply.status, reply.json));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    let state = api.get("/v2/apps").await;
    assert_eq!(state.json["apps"].as_array().unwrap().len(), 1, "nothing bad was stored");
}

#[tokio::test]
async fn an_app_locked_by_a_deployment_is_refused_with_the_deployment_listed() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let created = api.post("/v2/apps", r#"{"id":"/web","cmd":"sleep 1"}"#).await;
    let deployment = created.header("marathon-deployment-id").unwrap().to_owned();
    let reply = api.put("/v2/apps/web", r#"{"cmd":"sleep 2"}"#).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(
        reply.json,
        json!({
            "message": "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
            "deployments": [{"id": deployment}]
        })
    );
    let forced = api.put("/v2/apps/web?force=true", r#"{"cmd":"sleep 2"}"#).await;
    assert_eq!(forced.status, StatusCode::OK, "{}", forced.json);
    let running = api.get("/v2/deployments").await;
    let ids: Vec<&str> = running.json.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [forced.json["deploymentId"].as_str().unwrap()], "force cancelled the first");
}
