//! `/v2/groups/` (and `/marathon/v2/groups/`) is the root group, as in
//! Marathon: the same requests on `/v2/groups` and on the slashed root, each
//! over its own fresh store, give the same statuses, headers that matter and
//! bodies (versions and deployment ids aside, which differ run to run).

use axum::http::{Method, StatusCode};
use serde_json::Value;
use tempfile::tempdir;

use super::support::{Api, Reply};

const PROD: &str = r#"{"id":"/prod","apps":[{"id":"web","cmd":"sleep 1","instances":2}],
                       "groups":[{"id":"db","apps":[{"id":"pg","cmd":"sleep 2"}]}]}"#;

/// `(method, suffix after the root, body)`: every method, successes and
/// refusals, in an order where each step depends on the ones before.
const FLOW: &[(&str, &str, &str)] = &[
    ("POST", "", PROD),
    ("POST", "", PROD),
    ("POST", "", "[]"),
    ("GET", "?embed=group.apps", ""),
    ("PUT", "?dryRun=true", r#"{"scaleBy":2}"#),
    ("PUT", "", r#"{"scaleBy":2}"#),
    ("PUT", "?force=true", r#"{"scaleBy":2}"#),
    ("PUT", "", "{bad"),
    ("PATCH", "", r#"{"enforceRole":true}"#),
    ("GET", "", ""),
    ("DELETE", "", ""),
    ("DELETE", "?force=true", ""),
    ("GET", "", ""),
];

/// Statuses Marathon gives for [`FLOW`] on `/v2/groups`.
const STATUSES: [u16; 13] = [201, 409, 400, 200, 200, 409, 200, 400, 405, 200, 409, 200, 200];

/// What the flow answered: status, `Location`, and the body with the times
/// and deployment ids of this run replaced by placeholders.
async fn run_flow(root: &str) -> Vec<(StatusCode, Option<String>, Value)> {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let mut answers = Vec::new();
    for (method, suffix, body) in FLOW {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let reply: Reply = api.call(method, &format!("{root}{suffix}"), (*body).to_owned()).await;
        let location = reply.header("location").map(str::to_owned);
        answers.push((reply.status, location, scrubbed(reply.json)));
    }
    answers
}

fn scrubbed(value: Value) -> Value {
    const RUN_SPECIFIC: [&str; 4] = ["version", "deploymentId", "lastScalingAt", "lastConfigChangeAt"];
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if RUN_SPECIFIC.contains(&k.as_str()) && v.is_string() {
                        Value::String(format!("<{k}>"))
                    } else {
                        scrubbed(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(scrubbed).collect()),
        Value::String(text) if is_deployment_id(&text) => Value::String("<deployment id>".into()),
        other => other,
    }
}

/// A UUID: what deployment ids are.
fn is_deployment_id(text: &str) -> bool {
    let groups: Vec<usize> = text.split('-').map(str::len).collect();
    groups == [8, 4, 4, 4, 12] && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

#[tokio::test]
async fn every_method_on_the_slashed_root_answers_as_on_v2_groups() {
    let plain = run_flow("/v2/groups").await;
    let statuses: Vec<u16> = plain.iter().map(|(s, _, _)| s.as_u16()).collect();
    assert_eq!(statuses, STATUSES, "{plain:#?}");
    assert_eq!(plain[0].1.as_deref(), Some("/prod"), "POST answers with the new group's location");
    assert_eq!(plain[9].2["groups"][0]["apps"][0]["instances"], 4, "scaleBy reached the apps");
    assert_eq!(plain[12].2["groups"], Value::Array(vec![]), "DELETE emptied the root");
    assert_eq!(plain[8].2, serde_json::json!({"message": "HTTP method PATCH is not supported by this URL"}));
    for root in ["/v2/groups/", "/marathon/v2/groups/"] {
        let slashed = run_flow(root).await;
        for (step, (want, got)) in plain.iter().zip(&slashed).enumerate() {
            let (method, suffix, _) = FLOW[step];
            assert_eq!(got, want, "{method} {root}{suffix} (step {step})");
        }
    }
}
