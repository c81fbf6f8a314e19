//! `POST /api/v1/scheduler`: checks in Mesos' order (content type, JSON,
//! call validation, stream id), then SUBSCRIBE opens a streaming RecordIO
//! response and every other call is handed to the master (202 on success).
//!
//! Unlike Mesos, `Content-Type: application/json; charset=utf-8` is accepted
//! (Mesos compares the header exactly). Protobuf bodies are answered 415.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dromos_mesos::client::STREAM_ID_HEADER;
use dromos_mesos::recordio;
use dromos_mesos::v1::{Call, CallBody, CallType, FrameworkId};

use crate::cluster::LocalCluster;
use crate::master::{CallError, Subscription};

pub(super) async fn handle(State(cluster): State<LocalCluster>, headers: HeaderMap, body: Bytes) -> Response {
    match serve(&cluster, &headers, &body).await {
        Ok(response) => response,
        Err(error) => {
            tracing::debug!(status = %error.status(), %error, "scheduler call refused");
            error.into_response()
        }
    }
}

async fn serve(cluster: &LocalCluster, headers: &HeaderMap, body: &[u8]) -> Result<Response, CallError> {
    check_content_type(headers)?;
    let call = decode(body)?;
    let stream_id = headers.get(STREAM_ID_HEADER).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let Call { framework_id, body } = call;
    match body {
        CallBody::Subscribe(subscribe) => {
            check_accept(headers)?;
            if stream_id.is_some() {
                return Err(CallError::bad("Expecting 'Mesos-Stream-Id' header to be absent for SUBSCRIBE"));
            }
            if framework_id.is_some() && framework_id != subscribe.framework_info.id {
                return Err(CallError::bad("'framework_id' differs from 'subscribe.framework_info.id'"));
            }
            let subscription =
                cluster.subscribe(subscribe.framework_info, subscribe.suppressed_roles).await?;
            Ok(stream_response(cluster.clone(), subscription))
        }
        body => {
            cluster.call(Call { framework_id, body }, stream_id).await?;
            Ok(StatusCode::ACCEPTED.into_response())
        }
    }
}

/// The media type without parameters, lower-cased.
fn media_type(value: &str) -> String {
    value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

fn check_content_type(headers: &HeaderMap) -> Result<(), CallError> {
    let value = headers
        .get(CONTENT_TYPE)
        .ok_or_else(|| CallError::bad("Expecting 'Content-Type' to be present"))?
        .to_str()
        .map_err(|_| CallError::bad("Invalid 'Content-Type' header"))?;
    match media_type(value).as_str() {
        "application/json" => Ok(()),
        "application/x-protobuf" => Err(CallError::UnsupportedMediaType(
            "The dromos local master only accepts application/json".to_owned(),
        )),
        _ => Err(CallError::UnsupportedMediaType(
            "Expecting 'Content-Type' of application/json or application/x-protobuf".to_owned(),
        )),
    }
}

/// The event stream is JSON; an `Accept` that rules JSON out gets 406.
fn check_accept(headers: &HeaderMap) -> Result<(), CallError> {
    let Some(value) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else { return Ok(()) };
    let ok = value
        .split(',')
        .map(media_type)
        .any(|m| matches!(m.as_str(), "application/json" | "application/*" | "*/*"));
    if ok {
        Ok(())
    } else {
        Err(CallError::NotAcceptable("Expecting 'Accept' to allow application/json".to_owned()))
    }
}

/// JSON → Call, telling apart bad JSON (400), a missing or unknown type (400,
/// as Mesos drops unknown enum names), UNKNOWN (501) and types this master
/// does not implement (501).
fn decode(body: &[u8]) -> Result<Call, CallError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| CallError::BadRequest(format!("Failed to parse body into JSON: {e}")))?;
    match value.get("type").and_then(serde_json::Value::as_str).map(CallType::from_wire) {
        None | Some(CallType::Unrecognized) => {
            Err(CallError::bad("Failed to validate scheduler::Call: Expecting 'type' to be present"))
        }
        Some(CallType::Unknown) => Err(CallError::NotImplemented("Received 'UNKNOWN' call".to_owned())),
        Some(
            kind @ (CallType::AcknowledgeOperationStatus
            | CallType::ReconcileOperations
            | CallType::UpdateFramework),
        ) => Err(CallError::NotImplemented(format!("{kind} is not implemented by the dromos local master"))),
        Some(_) => serde_json::from_value(value)
            .map_err(|e| CallError::BadRequest(format!("Failed to validate scheduler::Call: {e}"))),
    }
}

/// Tells the master when the HTTP side of a subscription is dropped (client
/// gone, or the stream ended).
struct StreamGuard {
    cluster: LocalCluster,
    framework_id: FrameworkId,
    stream_id: String,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.cluster.stream_closed(self.framework_id.clone(), std::mem::take(&mut self.stream_id));
    }
}

/// 200 with `Mesos-Stream-Id` and a body of RecordIO-framed JSON events.
fn stream_response(cluster: LocalCluster, subscription: Subscription) -> Response {
    let Subscription { stream_id, framework_id, events } = subscription;
    let guard =
        framework_id.map(|framework_id| StreamGuard { cluster, framework_id, stream_id: stream_id.clone() });
    let stream = futures_util::stream::unfold((events, guard), |(mut events, guard)| async move {
        let event = events.recv().await?;
        let record = match serde_json::to_vec(&event) {
            Ok(json) => Bytes::from(recordio::encode(&json)),
            Err(error) => {
                tracing::error!(%error, "cannot encode event; skipped");
                Bytes::new()
            }
        };
        Some((Ok::<_, Infallible>(record), (events, guard)))
    });
    let response = Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, "application/json")
        .header(STREAM_ID_HEADER, stream_id)
        .body(Body::from_stream(stream));
    response.unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
