//! `/v2/groups[/{id}]`, `/v2/groups[/{id}]/versions[/{version}]`; a trailing
//! slash changes nothing (`/v2/groups/` is the root). `PATCH` only on
//! `/v2/groups/{id}` (Marathon has no `PATCH` of the root: 405).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use dromos_model::{parse_group, parse_group_partial_update, parse_group_update};
use serde_json::json;

use super::error::ApiError;
use super::request::{Params, RawBody};
use super::views::{deployment_response, group_json, GroupEmbed};
use crate::service::groups::GroupChange;
use crate::service::{Service, ServiceError};

type Svc = State<Arc<Service>>;

/// What the part after `/v2/groups` names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum GroupPath {
    Group(String),
    Versions(String),
    Version(String, String),
}

impl GroupPath {
    fn parse(rest: &str) -> GroupPath {
        let rest = rest.trim_matches('/');
        let segments: Vec<&str> = rest.split('/').collect();
        match segments.as_slice() {
            [head @ .., "versions"] => GroupPath::Versions(head.join("/")),
            [head @ .., "versions", v] => GroupPath::Version(head.join("/"), (*v).to_owned()),
            _ => GroupPath::Group(rest.to_owned()),
        }
    }
}

/// Every method on `/v2/groups` and `/v2/groups/` (the root group, as in
/// Marathon; `{*rest}` does not match an empty tail).
pub async fn root(service: Svc, method: Method, params: Params, body: RawBody) -> Result<Response, ApiError> {
    handle(service, method, String::new(), params, body).await
}

/// Every method on `/v2/groups/{*rest}`.
pub async fn dispatch(
    service: Svc,
    method: Method,
    Path(rest): Path<String>,
    params: Params,
    body: RawBody,
) -> Result<Response, ApiError> {
    handle(service, method, rest, params, body).await
}

async fn handle(
    State(service): Svc,
    method: Method,
    rest: String,
    params: Params,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    match (method.as_str(), GroupPath::parse(&rest)) {
        ("GET", GroupPath::Group(id)) => {
            let embed = GroupEmbed::from_values(&params.all("embed"));
            Ok(Json(group_json(&service.group(&id)?, embed)).into_response())
        }
        ("GET", GroupPath::Versions(id)) => Ok(Json(json!(service.group_versions(&id)?)).into_response()),
        ("GET", GroupPath::Version(id, v)) => {
            let embed = GroupEmbed::from_values(&[]);
            Ok(Json(group_json(&service.group_version(&id, &v)?, embed)).into_response())
        }
        ("POST", GroupPath::Group(id)) => create(&service, &id, &params, &body).await,
        ("PUT", GroupPath::Group(id)) => {
            let update = parse_group_update(&body).map_err(ServiceError::from)?;
            let force = params.flag("force", false)?;
            let dry_run = params.flag("dryRun", false)?;
            match service.update_group(&id, update, force, dry_run).await? {
                GroupChange::DryRun(steps) => {
                    Ok(Json(json!({ "steps": crate::service::deployment::steps_json(&steps) }))
                        .into_response())
                }
                GroupChange::Deployed(result) => Ok(deployment_response(StatusCode::OK, &result, None)),
            }
        }
        ("PATCH", GroupPath::Group(id)) if !id.is_empty() => {
            let patch = parse_group_partial_update(&body).map_err(ServiceError::from)?;
            let group = service.patch_group(&id, patch).await?;
            Ok(Json(group_json(&group, GroupEmbed::from_values(&[]))).into_response())
        }
        ("DELETE", GroupPath::Group(id)) => {
            let result = service.delete_group(&id, params.flag("force", false)?).await?;
            Ok(deployment_response(StatusCode::OK, &result, None))
        }
        (m, _) => Err(ApiError::MethodNotAllowed(m.to_string())),
    }
}

async fn create(service: &Service, base: &str, params: &Params, body: &[u8]) -> Result<Response, ApiError> {
    let force = params.flag("force", false)?;
    let group = if base.is_empty() {
        parse_group(body).map_err(ServiceError::from)?
    } else {
        let base = crate::service::apps::write_id(base)?;
        parse_group_update(body).and_then(|u| u.into_group(&base)).map_err(ServiceError::from)?
    };
    let location = group.id.to_string();
    let result = service.create_group(group, force).await?;
    Ok(deployment_response(StatusCode::CREATED, &result, Some(location)))
}

#[cfg(test)]
mod tests {
    use super::GroupPath;

    #[test]
    fn group_paths_split_versions() {
        assert_eq!(GroupPath::parse("a/b"), GroupPath::Group("a/b".into()));
        assert_eq!(GroupPath::parse("versions"), GroupPath::Versions(String::new()));
        assert_eq!(GroupPath::parse("a/versions"), GroupPath::Versions("a".into()));
        assert_eq!(GroupPath::parse("a/versions/v1"), GroupPath::Version("a".into(), "v1".into()));
    }
}
