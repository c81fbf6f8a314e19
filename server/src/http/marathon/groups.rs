//! `/v2/groups[/{id}]`, `/v2/groups[/{id}]/versions[/{version}]`,
//! `GET /v2/groups[/{id}]/apps`; a trailing slash changes nothing
//! (`/v2/groups/` is the root). `PATCH` only on `/v2/groups/{id}` (Marathon
//! has no `PATCH` of the root: 405).
//!
//! As in Marathon, a read of a path ending in `apps` lists the apps of the
//! group before it (`GET /v2/groups/apps` lists the root's, so a group
//! named `/apps` is read through its parent's tree, and its apps through
//! `/v2/groups/apps/apps`); every other method on such a path names the
//! group itself.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use dromos_model::{parse_group, parse_group_partial_update, parse_group_update, GroupUpdateKind};
use serde_json::json;

use super::error::ApiError;
use super::request::{Params, RawBody};
use super::views::{app_json, deployment_response, group_json, GroupEmbed};
use crate::service::groups::GroupChange;
use crate::service::{Service, ServiceError};

type Svc = State<Arc<Service>>;

/// What the part after `/v2/groups` names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum GroupPath {
    Group(String),
    /// `{id}/apps` read: the apps of group `{id}`.
    Apps(String),
    Versions(String),
    Version(String, String),
}

impl GroupPath {
    fn parse(rest: &str) -> GroupPath {
        let rest = rest.trim_matches('/');
        let segments: Vec<&str> = rest.split('/').collect();
        match segments.as_slice() {
            [head @ .., "apps"] => GroupPath::Apps(head.join("/")),
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
    let path = match GroupPath::parse(&rest) {
        GroupPath::Apps(_) if method != Method::GET => GroupPath::Group(rest.trim_matches('/').to_owned()),
        path => path,
    };
    match (method.as_str(), path) {
        ("GET", GroupPath::Apps(id)) => {
            let embed = GroupEmbed::from_values(&params.all("embed")).app;
            let apps: Vec<_> = service.group_apps(&id).iter().map(|a| app_json(a, embed)).collect();
            Ok(Json(json!(apps)).into_response())
        }
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
        let update = parse_group_update(body).map_err(ServiceError::from)?;
        if update.kind() != GroupUpdateKind::Definition {
            // A rollback or a scale, each alone: what Marathon does with it.
            let location = base.to_string();
            let result = service.create_group_from(base, update, force).await?;
            return Ok(deployment_response(StatusCode::CREATED, &result, Some(location)));
        }
        update.into_group(&base).map_err(ServiceError::from)?
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

    #[test]
    fn group_paths_ending_in_apps_list_the_apps_of_the_group_before() {
        assert_eq!(GroupPath::parse("apps"), GroupPath::Apps(String::new()));
        assert_eq!(GroupPath::parse("apps/"), GroupPath::Apps(String::new()));
        assert_eq!(GroupPath::parse("a/b/apps"), GroupPath::Apps("a/b".into()));
        assert_eq!(GroupPath::parse("apps/apps"), GroupPath::Apps("apps".into()));
        assert_eq!(GroupPath::parse("versions/apps"), GroupPath::Apps("versions".into()));
        assert_eq!(GroupPath::parse("apps/versions"), GroupPath::Versions("apps".into()));
        assert_eq!(GroupPath::parse("apps/x"), GroupPath::Group("apps/x".into()));
    }
}
