//! Task output: `GET /v2/tasks/{taskId}/files/{stdout|stderr}` and
//! `GET /v2/tasks/{taskId}/files/{stdout|stderr}/follow` (also under
//! `/marathon`). Mounted by [`crate::cluster::routes`], because the files
//! live where the tasks run.
//!
//! * read: `?offset=N&length=M` answers Mesos' `/files/read` shape
//!   `{"data": "...", "offset": N}` (invalid UTF-8 replaced); `offset=-1`
//!   answers the size (`{"data":"","offset":<size>}`); no offset answers
//!   the last 64 KiB. `length` is capped at 1 MiB.
//! * follow: `text/event-stream`; `event: data` with `{"offset":N,"data":".."}`
//!   for each chunk as the file grows, then one `event: eof` with
//!   `{"offset":<size>}` once the task is terminal and everything was sent.
//!   Default start: the last 64 KiB; `offset=-1` starts at the end.
//!
//! Errors: an unknown task is 404 `{"message":"Task '<id>' does not exist"}`,
//! another file name is 404, a malformed number is 400 naming the
//! parameter. With an external Mesos master the sandboxes are on its agents:
//! 501 says so.

use std::convert::Infallible;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use dromos_local::files::{self, FollowEvent, SandboxFile, TaskSandbox, Window};
use dromos_local::LocalCluster;
use futures_util::StreamExt;
use serde_json::json;

use super::error::ApiError;
use super::request::Params;

/// Where task output comes from.
#[derive(Debug, Clone)]
pub enum TaskFiles {
    /// The embedded cluster: sandboxes on this machine.
    Local(LocalCluster),
    /// An external Mesos master (`--master` URL): not served.
    Remote(String),
}

/// The two routes, at `/v2/...` and `/marathon/v2/...`.
pub fn routes(files: TaskFiles) -> Router {
    let v2 = Router::new()
        .route("/v2/tasks/{task_id}/files/{file}", get(read))
        .route("/v2/tasks/{task_id}/files/{file}/follow", get(follow));
    Router::new().merge(v2.clone()).nest("/marathon", v2).with_state(files)
}

/// Why a task output request failed; each maps to one status.
#[derive(Debug, thiserror::Error)]
enum FilesError {
    #[error("File '{0}' does not exist (expected stdout or stderr)")]
    UnknownFile(String),
    #[error("Task '{0}' does not exist")]
    UnknownTask(String),
    #[error(
        "Task output is served for the embedded cluster only; with the Mesos master {0}, read it from the agent's /files/read endpoint"
    )]
    Remote(String),
    #[error(transparent)]
    Query(#[from] ApiError),
    /// The caller may not read the task's app.
    #[error(transparent)]
    Access(crate::service::ServiceError),
    #[error("An internal error occurred. The server log has the details.")]
    Internal,
}

impl IntoResponse for FilesError {
    fn into_response(self) -> Response {
        if let Self::Access(error) = self {
            return ApiError::Service(error).into_response();
        }
        let status = match &self {
            Self::UnknownFile(_) | Self::UnknownTask(_) => StatusCode::NOT_FOUND,
            Self::Remote(_) => StatusCode::NOT_IMPLEMENTED,
            Self::Query(_) => StatusCode::BAD_REQUEST,
            Self::Internal | Self::Access(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Json(json!({ "message": self.to_string() }))).into_response()
    }
}

/// `GET /v2/tasks/{taskId}/files/{file}`.
async fn read(
    State(files): State<TaskFiles>,
    Path((task_id, file)): Path<(String, String)>,
    params: Params,
) -> Result<Response, FilesError> {
    let file = parse_file(&file)?;
    let window = read_window(&params)?;
    let (_, sandbox) = locate(&files, &task_id).await?;
    let path = sandbox.dir.join(file.name());
    match files::read(&path, window).await {
        Ok(chunk) => Ok(Json(chunk).into_response()),
        Err(error) => {
            tracing::error!(task_id = %task_id, path = %path.display(), %error, "cannot read task output");
            Err(FilesError::Internal)
        }
    }
}

/// `GET /v2/tasks/{taskId}/files/{file}/follow`.
async fn follow(
    State(files): State<TaskFiles>,
    Path((task_id, file)): Path<(String, String)>,
    params: Params,
) -> Result<Response, FilesError> {
    let file = parse_file(&file)?;
    let start = follow_start(&params)?;
    let (cluster, sandbox) = locate(&files, &task_id).await?;
    let start = match start {
        Start::End => match files::file_size(&sandbox.dir.join(file.name())).await {
            Ok(size) => Some(size),
            Err(error) => {
                tracing::error!(task_id = %task_id, %error, "cannot read task output size");
                return Err(FilesError::Internal);
            }
        },
        Start::Offset(offset) => offset,
    };
    tracing::debug!(task_id = %task_id, file = file.name(), ?start, "following task output");
    let events = files::follow(cluster, task_id, &sandbox.dir, file, start).map(|event| {
        let sse = match event {
            FollowEvent::Data(chunk) => SseEvent::default().event("data").data(json!(chunk).to_string()),
            FollowEvent::Eof { offset } => {
                SseEvent::default().event("eof").data(json!({ "offset": offset }).to_string())
            }
        };
        Ok::<_, Infallible>(sse)
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()).into_response())
}

fn parse_file(name: &str) -> Result<SandboxFile, FilesError> {
    SandboxFile::parse(name).ok_or_else(|| FilesError::UnknownFile(name.to_owned()))
}

/// The task's sandbox, or why there is none to read.
async fn locate(files: &TaskFiles, task_id: &str) -> Result<(LocalCluster, TaskSandbox), FilesError> {
    // A task's output belongs to its app: only who may read the app may read it.
    match crate::service::instances::app_of_task(task_id) {
        Some(app) => crate::access::enforce::check_read(&app).map_err(FilesError::Access)?,
        None => {
            crate::access::enforce::check_admin("read the output of this task").map_err(FilesError::Access)?
        }
    }
    let cluster = match files {
        TaskFiles::Local(cluster) => cluster,
        TaskFiles::Remote(master) => return Err(FilesError::Remote(master.clone())),
    };
    match cluster.task_sandbox(task_id).await {
        Some(sandbox) => Ok((cluster.clone(), sandbox)),
        None => Err(FilesError::UnknownTask(task_id.to_owned())),
    }
}

/// `offset` (≥ -1) and `length` (≥ 0) of a read.
fn read_window(params: &Params) -> Result<Window, ApiError> {
    let length = params.one("length").map(|v| number(v, "length", 0)).transpose()?;
    let length = length.map(|l| l.unsigned_abs());
    match params.one("offset").map(|v| number(v, "offset", -1)).transpose()? {
        None => Ok(Window::Tail(length.unwrap_or(files::DEFAULT_TAIL))),
        Some(-1) => Ok(Window::Size),
        Some(offset) => Ok(Window::From { offset: offset.unsigned_abs(), length }),
    }
}

/// Where a follow starts.
#[derive(Debug, PartialEq, Eq)]
enum Start {
    /// At the current end of the file (`offset=-1`).
    End,
    /// At an offset, or (None) the last 64 KiB.
    Offset(Option<u64>),
}

fn follow_start(params: &Params) -> Result<Start, ApiError> {
    match params.one("offset").map(|v| number(v, "offset", -1)).transpose()? {
        Some(-1) => Ok(Start::End),
        Some(offset) => Ok(Start::Offset(Some(offset.unsigned_abs()))),
        None => Ok(Start::Offset(None)),
    }
}

/// An integer query parameter of at least `min`; a 400 naming it otherwise.
fn number(value: &str, name: &str, min: i64) -> Result<i64, ApiError> {
    match value.trim().parse::<i64>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(ApiError::BadQuery(format!(
            "Invalid value for query parameter {name}: '{value}' (expected an integer of at least {min})"
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use serde_json::{json, Value};
    use tower::ServiceExt;

    use super::{follow_start, read_window, routes, Start, TaskFiles};
    use crate::http::marathon::request::Params;
    use dromos_local::files::Window;

    #[test]
    fn query_parameters_select_the_window() {
        let cases = [
            ("", Window::Tail(65536)),
            ("length=10", Window::Tail(10)),
            ("offset=-1", Window::Size),
            ("offset=5", Window::From { offset: 5, length: None }),
            ("offset=5&length=3", Window::From { offset: 5, length: Some(3) }),
        ];
        for (query, want) in cases {
            assert_eq!(read_window(&Params::parse(query)).unwrap(), want, "{query}");
        }
        assert_eq!(follow_start(&Params::parse("offset=-1")).unwrap(), Start::End);
        assert_eq!(follow_start(&Params::parse("")).unwrap(), Start::Offset(None));
    }

    #[test]
    fn bad_numbers_name_the_parameter() {
        for (query, name) in [("offset=x", "offset"), ("offset=-2", "offset"), ("length=-1", "length")] {
            let error = read_window(&Params::parse(query)).unwrap_err().to_string();
            assert!(error.contains(&format!("query parameter {name}")), "{query}: {error}");
        }
    }

    async fn get(files: TaskFiles, uri: &str) -> (u16, Value) {
        let response = routes(files).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn an_external_master_is_not_served_and_bad_input_is_refused_first() {
        let remote = || TaskFiles::Remote("http://mesos:5050".into());
        let (status, body) = get(remote(), "/v2/tasks/t1/files/stdout").await;
        assert_eq!(status, 501);
        assert!(body["message"].as_str().unwrap().contains("/files/read"), "{body}");
        let (status, body) = get(remote(), "/marathon/v2/tasks/t1/files/stdout?offset=abc").await;
        assert_eq!(status, 400);
        assert_eq!(
            body,
            json!({"message": "Invalid value for query parameter offset: 'abc' (expected an integer of at least -1)"})
        );
        let (status, body) = get(remote(), "/v2/tasks/t1/files/secrets/follow").await;
        assert_eq!(
            (status, body),
            (404, json!({"message": "File 'secrets' does not exist (expected stdout or stderr)"}))
        );
    }
}
