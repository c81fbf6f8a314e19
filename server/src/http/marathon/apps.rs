//! `/v2/apps` and `/v2/apps/{id}[/restart|/tasks[/{taskId}]|/versions[/{v}]]`.
//!
//! App ids contain slashes, so everything below `/v2/apps/` is one
//! wildcard split by [`AppPath::parse`]. Ids may not end in `restart`,
//! `tasks` or `versions`, which makes the split unambiguous, except that
//! `…/tasks/<x>` is always read as task `<x>` of the app before it.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use dromos_model::{parse_app, parse_app_update, parse_app_updates};
use serde_json::json;

use super::error::ApiError;
use super::request::{accepts, Caller, Params, RawBody};
use super::views::{self, app_json, deployment_response, AppEmbed};
use crate::service::apps::{AppFilter, UpdateMode};
use crate::service::selector::LabelSelector;
use crate::service::tasks::{KillOutcome, KillSelector};
use crate::service::{Service, ServiceError};

type Svc = State<Arc<Service>>;

/// What the part after `/v2/apps/` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppPath {
    /// `{id}`
    App(String),
    /// `{group}/*`: apps of a group.
    GroupApps(String),
    /// `{id}/restart`
    Restart(String),
    /// `{id}/tasks`
    Tasks(String),
    /// `{id}/tasks/{taskId}`
    Task(String, String),
    /// `{id}/versions`
    Versions(String),
    /// `{id}/versions/{version}`
    Version(String, String),
}

impl AppPath {
    /// Splits the wildcard tail of `/v2/apps/`.
    pub fn parse(rest: &str) -> AppPath {
        let rest = rest.trim_end_matches('/');
        let (head, last) = rest.rsplit_once('/').unwrap_or(("", rest));
        let (head2, second_last) = head.rsplit_once('/').unwrap_or(("", head));
        match (second_last, last) {
            (_, "restart") if !head.is_empty() => AppPath::Restart(head.into()),
            (_, "tasks") if !head.is_empty() => AppPath::Tasks(head.into()),
            (_, "versions") if !head.is_empty() => AppPath::Versions(head.into()),
            (_, "*") => AppPath::GroupApps(head.into()),
            ("tasks", task) if !head2.is_empty() => AppPath::Task(head2.into(), task.into()),
            ("versions", v) if !head2.is_empty() => AppPath::Version(head2.into(), v.into()),
            _ => AppPath::App(rest.into()),
        }
    }
}

fn filter_of(params: &Params) -> Result<AppFilter, ApiError> {
    let label = params.one("label").map(LabelSelector::parse).transpose().map_err(|e| {
        ApiError::Service(ServiceError::Model(dromos_model::ModelError::Invalid(vec![
            dromos_model::Violation::new("/label", e.to_string()),
        ])))
    })?;
    Ok(AppFilter {
        cmd: params.one("cmd").map(str::to_owned),
        id: params.one("id").map(str::to_owned),
        label,
    })
}

/// Prefixes an app `embed` value may carry on any app endpoint; Marathon
/// strips whichever one is there (or none), so `embed=app.tasks` works on
/// the list and `embed=tasks` everywhere.
const EMBED_PREFIXES: [&str; 3] = ["group.apps.", "apps.", "app."];

/// `base` plus what the `embed` parameters ask for (Marathon's `resolveApp`).
fn embed_of(params: &Params, base: AppEmbed) -> AppEmbed {
    let values: Vec<&str> = params
        .all("embed")
        .into_iter()
        .map(|v| EMBED_PREFIXES.iter().find_map(|p| v.strip_prefix(p)).unwrap_or(v))
        .collect();
    base.with(&values)
}

/// `GET /v2/apps`
pub async fn list(State(service): Svc, params: Params) -> Result<Json<serde_json::Value>, ApiError> {
    let filter = filter_of(&params)?;
    let embed = embed_of(&params, AppEmbed::list_default());
    let apps: Vec<_> = service.apps(&filter).iter().map(|a| app_json(a, embed)).collect();
    Ok(Json(json!({ "apps": apps })))
}

/// `POST /v2/apps`: 201 + `Location` + the app.
pub async fn create(
    State(service): Svc,
    params: Params,
    Caller(origin): Caller,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let force = params.flag("force", false)?;
    let app = parse_app(&body).map_err(ServiceError::from)?;
    let (status, result) = service.create_app(app, force, &origin).await?;
    let body = app_json(&status, AppEmbed { counts: true, deployments: true, ..AppEmbed::default() });
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    views::set_deployment_headers(&mut response, &result.deployment_id, Some(status.app.id.to_string()));
    Ok(response)
}

/// `PUT /v2/apps` (`partialUpdate`, default true) and `PATCH /v2/apps`.
pub async fn update_many(
    State(service): Svc,
    method: Method,
    params: Params,
    Caller(origin): Caller,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let force = params.flag("force", false)?;
    let patch = method == Method::PATCH;
    let partial = patch || params.flag("partialUpdate", true)?;
    let updates = parse_app_updates(&body).map_err(ServiceError::from)?;
    let mode = if partial { UpdateMode::Merge } else { UpdateMode::Replace };
    let result = service.update_apps(updates, mode, !patch, force, &origin).await?;
    Ok(deployment_response(StatusCode::OK, &result, None))
}

/// Every method on `/v2/apps/{*rest}`.
pub async fn dispatch(
    State(service): Svc,
    method: Method,
    Path(rest): Path<String>,
    headers: HeaderMap,
    params: Params,
    caller: Caller,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let path = AppPath::parse(&rest);
    match (method.as_str(), path) {
        ("GET", AppPath::App(id)) => {
            let embed = embed_of(&params, AppEmbed::single_default());
            Ok(Json(json!({ "app": app_json(&service.app(&id)?, embed) })).into_response())
        }
        ("GET", AppPath::GroupApps(group)) => {
            // Served by Marathon's `show`, so with the one app's defaults.
            let embed = embed_of(&params, AppEmbed::single_default());
            let apps: Vec<_> = service.apps_in_group(&group)?.iter().map(|a| app_json(a, embed)).collect();
            Ok(Json(json!({ "*": apps })).into_response())
        }
        ("PUT" | "PATCH", AppPath::App(id)) => {
            update_one(&service, &method, &id, &params, caller, &body).await
        }
        ("DELETE", AppPath::App(id)) => {
            let result = service.delete_app(&id, params.flag("force", true)?).await?;
            Ok(deployment_response(StatusCode::OK, &result, None))
        }
        ("POST", AppPath::Restart(id)) => {
            let result = service.restart_app(&id, params.flag("force", false)?).await?;
            Ok(deployment_response(StatusCode::OK, &result, None))
        }
        ("GET", AppPath::Tasks(id)) => app_tasks(&service, &id, &headers),
        ("DELETE", AppPath::Tasks(id)) => {
            let selector = KillSelector::App { app: id, host: params.one("host").map(str::to_owned) };
            kill(&service, selector, &params, "tasks").await
        }
        ("DELETE", AppPath::Task(id, task)) => {
            kill(&service, KillSelector::AppTask { app: id, task }, &params, "task").await
        }
        ("GET", AppPath::Versions(id)) => {
            Ok(Json(json!({ "versions": service.app_versions(&id)? })).into_response())
        }
        ("GET", AppPath::Version(id, v)) => {
            Ok(Json(json!(service.app_version(&id, &v)?.as_ref())).into_response())
        }
        (m, _) => Err(ApiError::MethodNotAllowed(m.to_string())),
    }
}

async fn update_one(
    service: &Service,
    method: &Method,
    id: &str,
    params: &Params,
    Caller(origin): Caller,
    body: &[u8],
) -> Result<Response, ApiError> {
    let force = params.flag("force", false)?;
    let patch = *method == Method::PATCH;
    let partial = patch || params.flag("partialUpdate", true)?;
    let update = parse_app_update(body).map_err(ServiceError::from)?;
    let mode = if partial { UpdateMode::Merge } else { UpdateMode::Replace };
    let (result, created) = service.update_app(id, update, mode, !patch, force, &origin).await?;
    if created {
        let location = format!("/{}", id.trim_matches('/'));
        return Ok(deployment_response(StatusCode::CREATED, &result, Some(location)));
    }
    Ok(deployment_response(StatusCode::OK, &result, None))
}

fn app_tasks(service: &Service, id: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let status = service.app(id)?;
    let ports = crate::service::ports::service_ports(&status.app);
    if accepts(headers, "text/plain") && !accepts(headers, "application/json") {
        let text = views::tasks_text(&[(status.app.id.to_string(), ports, status.tasks)]);
        return Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response());
    }
    let tasks: Vec<_> = status.tasks.into_iter().map(|t| (t, ports.clone())).collect();
    Ok(Json(views::tasks_json(&tasks)).into_response())
}

/// Kill requests; `key` is `tasks` or `task` for the non-scaling answer.
pub async fn kill(
    service: &Service,
    selector: KillSelector,
    params: &Params,
    key: &str,
) -> Result<Response, ApiError> {
    let scale = params.flag("scale", false)?;
    let wipe = params.flag("wipe", false)?;
    let force = params.flag("force", false)?;
    if scale && wipe {
        return Err(ServiceError::BadRequest("You cannot use scale and wipe at the same time.".into()).into());
    }
    match service.kill_tasks(selector, scale, force).await? {
        KillOutcome::Scaled(result) => Ok(deployment_response(StatusCode::OK, &result, None)),
        KillOutcome::Killed(tasks) => {
            let json: Vec<_> =
                tasks.iter().map(|t| t.to_json(&service.service_ports_of(&t.app_id))).collect();
            let body = if key == "task" {
                json!({ "task": json.into_iter().next() })
            } else {
                json!({ "tasks": json })
            };
            Ok(Json(body).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AppPath;

    #[test]
    fn wildcard_tails_split_into_resources() {
        let cases = [
            ("a", AppPath::App("a".into())),
            ("prod/web/", AppPath::App("prod/web".into())),
            ("prod/web/restart", AppPath::Restart("prod/web".into())),
            ("prod/web/tasks", AppPath::Tasks("prod/web".into())),
            (
                "prod/web/tasks/web.instance-1._app.1",
                AppPath::Task("prod/web".into(), "web.instance-1._app.1".into()),
            ),
            ("prod/web/versions", AppPath::Versions("prod/web".into())),
            (
                "web/versions/2015-01-01T00:00:00.000Z",
                AppPath::Version("web".into(), "2015-01-01T00:00:00.000Z".into()),
            ),
            ("prod/*", AppPath::GroupApps("prod".into())),
            ("restart", AppPath::App("restart".into())),
        ];
        for (raw, want) in cases {
            assert_eq!(AppPath::parse(raw), want, "{raw}");
        }
    }
}
