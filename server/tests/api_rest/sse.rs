//! `/v2/events` on a real socket: a filtered subscriber sees the events of
//! an app creation, in Marathon's SSE framing.

use std::time::Duration;

use tempfile::tempdir;
use tokio::net::TcpListener;

use super::support::Api;

#[tokio::test]
async fn filtered_subscribers_receive_api_post_and_deployment_info() {
    let dir = tempdir().unwrap();
    let api = Api::open(dir.path());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = api.router.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await
    });
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/v2/events?event_type=api_post_event&event_type=deployment_info");
    let mut stream = client.get(&url).header("Accept", "text/event-stream").send().await.unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let created = client
        .post(format!("http://{addr}/v2/apps"))
        .body(r#"{"id":"/sse","cmd":"sleep 1"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let mut text = String::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        while !(text.contains("event: api_post_event") && text.contains("event: deployment_info")) {
            match stream.chunk().await.unwrap() {
                Some(chunk) => text.push_str(&String::from_utf8_lossy(&chunk)),
                None => break,
            }
        }
    })
    .await;
    assert!(read.is_ok(), "events did not arrive: {text}");
    let api_post = text.split("\n\n").find(|m| m.contains("event: api_post_event")).unwrap();
    let data = api_post.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
    let json: serde_json::Value = serde_json::from_str(data).unwrap();
    assert_eq!(json["eventType"], "api_post_event");
    assert_eq!(json["uri"], "/v2/apps");
    assert_eq!(json["clientIp"], "127.0.0.1");
    assert_eq!(json["appDefinition"]["id"], "/sse");
    assert!(!text.contains("event: group_change_success"), "filtered out: {text}");
    assert!(!text.contains("event_stream_attached"), "filtered out: {text}");
    server.abort();
}
