//! The scheduler endpoint's HTTP contract: status codes for bad calls, the
//! stream headers, and content-type leniency.

use std::time::Duration;

use dromos_mesos::client::STREAM_ID_HEADER;
use dromos_mesos::v1::FrameworkInfo;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::Harness;

const JSON: &str = "application/json";

fn subscribe_body(name: &str) -> String {
    json!({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"root","name":name}}}).to_string()
}

async fn post(
    harness: &Harness,
    path: &str,
    content_type: Option<&str>,
    stream: Option<&str>,
    body: String,
) -> reqwest::Response {
    let mut request = reqwest::Client::new().post(harness.url(path)).body(body);
    if let Some(content_type) = content_type {
        request = request.header("Content-Type", content_type);
    }
    if let Some(stream) = stream {
        request = request.header(STREAM_ID_HEADER, stream);
    }
    request.send().await.expect("the request is answered")
}

#[tokio::test]
async fn subscribe_streams_recordio_with_a_stream_id_under_every_mount_and_charset() {
    let harness = Harness::start().await;
    let cases = [
        ("/api/v1/scheduler", "application/json"),
        ("/master/api/v1/scheduler", "application/json; charset=utf-8"),
        ("/mesos/api/v1/scheduler", "Application/JSON;charset=UTF-8"),
    ];
    for (path, content_type) in cases {
        let mut response = post(&harness, path, Some(content_type), None, subscribe_body(path)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["content-type"], JSON);
        assert!(!response.headers()[STREAM_ID_HEADER].is_empty());
        let chunk =
            tokio::time::timeout(Duration::from_secs(5), response.chunk()).await.unwrap().unwrap().unwrap();
        let text = String::from_utf8_lossy(&chunk);
        let (length, rest) = text.split_once('\n').expect("a RecordIO header");
        let length: usize = length.parse().expect("a decimal length");
        let record: serde_json::Value = serde_json::from_str(&rest[..length]).expect("a JSON event");
        assert_eq!(record["type"], "SUBSCRIBED", "{path}");
        assert_eq!(record["subscribed"]["heartbeat_interval_seconds"], 1.0);
    }
}

#[tokio::test]
async fn bad_calls_get_the_status_codes_mesos_uses() {
    let harness = Harness::start().await;
    let fw = harness.framework_with(FrameworkInfo::new("root", "api")).await;
    let session = fw.scheduler().session().expect("subscribed");
    let fid = fw.id.as_str();
    let stream = session.stream_id.as_str();
    let revive = json!({"framework_id":{"value":fid},"type":"REVIVE"}).to_string();
    let header_cases = [
        ("valid call", Some(JSON), Some(stream), StatusCode::ACCEPTED),
        ("charset is fine", Some("application/json; charset=utf-8"), Some(stream), StatusCode::ACCEPTED),
        ("no content type", None, Some(stream), StatusCode::BAD_REQUEST),
        ("text content type", Some("text/plain"), Some(stream), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("protobuf", Some("application/x-protobuf"), Some(stream), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("wrong stream id", Some(JSON), Some("not-the-stream"), StatusCode::BAD_REQUEST),
        ("missing stream id", Some(JSON), None, StatusCode::BAD_REQUEST),
    ];
    for (name, content_type, stream_id, expected) in header_cases {
        let response = post(&harness, "/api/v1/scheduler", content_type, stream_id, revive.clone()).await;
        assert_eq!(response.status(), expected, "{name}: {}", response.text().await.unwrap_or_default());
    }
    let body_cases = [
        ("malformed JSON", "{\"type\":".to_owned(), StatusCode::BAD_REQUEST),
        ("unknown type name", json!({"type":"FROBNICATE"}).to_string(), StatusCode::BAD_REQUEST),
        ("no type", json!({"framework_id":{"value":fid}}).to_string(), StatusCode::BAD_REQUEST),
        ("UNKNOWN type", json!({"type":"UNKNOWN"}).to_string(), StatusCode::NOT_IMPLEMENTED),
        ("unimplemented type", json!({"type":"UPDATE_FRAMEWORK"}).to_string(), StatusCode::NOT_IMPLEMENTED),
        (
            "missing body",
            json!({"framework_id":{"value":fid},"type":"KILL"}).to_string(),
            StatusCode::BAD_REQUEST,
        ),
        ("no framework id", json!({"type":"REVIVE"}).to_string(), StatusCode::BAD_REQUEST),
        (
            "unknown framework",
            json!({"framework_id":{"value":"nope"},"type":"REVIVE"}).to_string(),
            StatusCode::BAD_REQUEST,
        ),
        ("subscribe with a stream id", subscribe_body("x"), StatusCode::BAD_REQUEST),
    ];
    for (name, body, expected) in body_cases {
        let response = post(&harness, "/api/v1/scheduler", Some(JSON), Some(stream), body).await;
        assert_eq!(response.status(), expected, "{name}: {}", response.text().await.unwrap_or_default());
    }
    let get = reqwest::get(harness.url("/api/v1/scheduler")).await.unwrap();
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn calls_of_a_disconnected_framework_are_forbidden() {
    let harness = Harness::start().await;
    let mut info = FrameworkInfo::new("root", "gone");
    info.failover_timeout = Some(60.0);
    let fw = harness.framework_with(info).await;
    let (fid, stream) = (fw.id.clone(), fw.scheduler().session().expect("subscribed").stream_id);
    drop(fw);
    let revive = json!({"framework_id":{"value":fid.as_str()},"type":"REVIVE"}).to_string();
    let mut status = StatusCode::ACCEPTED;
    for _ in 0..50 {
        status =
            post(&harness, "/api/v1/scheduler", Some(JSON), Some(&stream), revive.clone()).await.status();
        if status != StatusCode::ACCEPTED {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn roles_without_multi_role_are_refused_on_the_stream() {
    let harness = Harness::start().await;
    let body =
        json!({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"root","name":"r","roles":["web"]}}});
    let response = post(&harness, "/api/v1/scheduler", Some(JSON), None, body.to_string()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = tokio::time::timeout(Duration::from_secs(5), response.text()).await.unwrap().unwrap();
    assert!(text.contains("\"type\":\"ERROR\"") && text.contains("MULTI_ROLE"), "{text}");
}
