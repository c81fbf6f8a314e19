//! `/v2/tasks`, `/v2/tasks/delete`, `/v2/deployments[/{id}]`,
//! `/v2/queue` and `/v2/queue/{id}/delay`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use dromos_model::{ModelError, Violation};
use serde::Deserialize;
use serde_json::{json, Value};

use super::apps::kill;
use super::error::ApiError;
use super::request::{accepts, Params, RawBody};
use super::views::{self, app_json, deployment_response, AppEmbed};
use crate::service::apps::AppStatus;
use crate::service::instances::TaskRecord;
use crate::service::tasks::KillSelector;
use crate::service::{Service, ServiceError};

type Svc = State<Arc<Service>>;

/// `GET /v2/tasks` (`status=running|staging`, JSON or `text/plain`).
pub async fn list(State(service): Svc, params: Params, headers: HeaderMap) -> Result<Response, ApiError> {
    let wanted: Vec<String> =
        params.all("status").into_iter().chain(params.all("status[]")).map(str::to_lowercase).collect();
    if let Some(bad) = wanted.iter().find(|s| !matches!(s.as_str(), "running" | "staging")) {
        return Err(ApiError::BadQuery(format!(
            "Invalid value for query parameter status: '{bad}' (expected running or staging)"
        )));
    }
    let keep = |t: &TaskRecord| {
        wanted.is_empty()
            || wanted.iter().any(|w| match w.as_str() {
                "running" => t.state == crate::service::instances::TaskState::TaskRunning,
                _ => t.state.is_staged(),
            })
    };
    let tasks: Vec<TaskRecord> = service.tasks().into_iter().filter(keep).collect();
    if accepts(&headers, "text/plain") && !accepts(&headers, "application/json") {
        let mut by_app: BTreeMap<String, Vec<TaskRecord>> = BTreeMap::new();
        for t in tasks {
            by_app.entry(t.app_id.to_string()).or_default().push(t);
        }
        let apps: Vec<(String, Vec<i32>, Vec<TaskRecord>)> = service
            .apps(&Default::default())
            .into_iter()
            .map(|a: AppStatus| {
                let id = a.app.id.to_string();
                let tasks = by_app.remove(&id).unwrap_or_default();
                (id, crate::service::ports::service_ports(&a.app), tasks)
            })
            .collect();
        return Ok(
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], views::tasks_text(&apps)).into_response()
        );
    }
    let with_ports: Vec<(TaskRecord, Vec<i32>)> = tasks
        .into_iter()
        .map(|t| {
            let ports = service.service_ports_of(&t.app_id);
            (t, ports)
        })
        .collect();
    Ok(Json(views::tasks_json(&with_ports)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskIds {
    ids: Vec<String>,
}

/// `POST /v2/tasks/delete` with `{"ids": [...]}`.
pub async fn delete(
    State(service): Svc,
    params: Params,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let ids: TaskIds = serde_json::from_slice(&body).map_err(|e| {
        ServiceError::Model(ModelError::InvalidJson(vec![Violation::new("/", e.to_string())]))
    })?;
    kill(&service, KillSelector::Ids(ids.ids), &params, "tasks").await
}

/// `GET /v2/deployments`
pub async fn deployments(State(service): Svc) -> Json<Value> {
    let readiness = service.readiness_by_app();
    Json(Value::Array(service.deployments().iter().map(|d| d.to_json(&readiness)).collect()))
}

/// `DELETE /v2/deployments/{id}`: rollback (200) or, with `force`, 202.
pub async fn cancel(
    State(service): Svc,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let force = params.flag("force", false)?;
    match service.cancel_deployment(&id, force).await? {
        Some(result) => Ok(deployment_response(StatusCode::OK, &result, None)),
        None => Ok(StatusCode::ACCEPTED.into_response()),
    }
}

/// `GET /v2/queue` (`embed=lastUnusedOffers`).
pub async fn queue(State(service): Svc, params: Params) -> Json<Value> {
    let offers = params.all("embed").contains(&"lastUnusedOffers");
    let items: Vec<Value> = service
        .queue()
        .into_iter()
        .map(|(item, app)| {
            let app = app
                .map(|a| {
                    app_json(
                        &AppStatus {
                            app: a,
                            counts: Default::default(),
                            deployments: Vec::new(),
                            tasks: Vec::new(),
                            last_failure: None,
                        },
                        AppEmbed::default(),
                    )
                })
                .unwrap_or(Value::Null);
            item.to_json(app, offers)
        })
        .collect();
    Json(json!({ "queue": items }))
}

/// `DELETE /v2/queue/{id}/delay`
pub async fn reset_delay(State(service): Svc, Path(rest): Path<String>) -> Result<Response, ApiError> {
    let Some(id) = rest.trim_end_matches('/').strip_suffix("/delay") else {
        return Err(ApiError::MethodNotAllowed("DELETE".into()));
    };
    service.reset_delay(id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
