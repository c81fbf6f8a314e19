//! The HTTP side of access: the authentication middleware (with CSRF
//! protection for cookie sessions and the audit of every mutation) and the
//! `/v2/access` endpoints (dromos' own, outside Marathon's API):
//!
//! | method & path | who | what |
//! | --- | --- | --- |
//! | `GET /v2/access/whoami` | anyone signed in | the caller, its teams and paths |
//! | `GET /v2/access/users` | admins | users (never their hashes) |
//! | `PUT /v2/access/users/{name}` | admins | create or change: `{"password","admin","teams"}` |
//! | `DELETE /v2/access/users/{name}` | admins | remove, with its tokens and sessions |
//! | `GET /v2/access/teams` | members: own; admins: all | teams with quota and usage |
//! | `PUT /v2/access/teams/{name}` | admins | `{"paths","read","quota"}` |
//! | `DELETE /v2/access/teams/{name}` | admins | remove |
//! | `GET /v2/access/tokens` | own; admins: all | token records (never the tokens) |
//! | `POST /v2/access/tokens` | own; admins: any user | `{"user","description"}` → the token, once |
//! | `DELETE /v2/access/tokens/{id}` | owner or admin | revoke |
//! | `GET /v2/access/audit?limit=N` | admins | newest entries first |
//! | `POST /v2/access/login` | anyone | form or JSON `{"user","password"}` → session cookie |
//! | `POST /v2/access/logout` | anyone | ends the session |
//! | `GET /login` | anyone | the sign-in page |

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use dromos_access::{AuditEntry, Caller, Credentials, Directory, Quota, Team};
use dromos_model::PathId;
use serde::Deserialize;
use serde_json::{json, Value};

use super::sessions::{self, COOKIE, SESSION_TTL, TAG_COOKIE};
use super::streams::Grant;
use super::{login, Access, RequestAccess};
use crate::http::marathon::error::ApiError;
use crate::service::ServiceError;

/// Largest body the audit reads back to record an error message.
const AUDIT_BODY_LIMIT: usize = 64 * 1024;

/// Paths served without authentication: liveness, assets, the sign-in
/// page.
fn is_public(path: &str) -> bool {
    path == "/ping"
        || path == "/login"
        || path == "/v2/access/login"
        || path == "/v2/access/logout"
        || path.starts_with("/pkg/")
        || path.starts_with("/favicon")
}

/// The embedded Mesos master's own API. dromos' scheduler reaches it over
/// loopback; once users exist, any other client must be an admin (a
/// framework subscribed to it can run any command on this machine).
fn is_mesos(path: &str) -> bool {
    path.starts_with("/api/v1/")
        || path.starts_with("/master/")
        || path.starts_with("/mesos/")
        || path.starts_with("/slave")
        || path == "/metrics/snapshot"
        || path == "/version"
}

/// API paths answer 401; console pages redirect to the sign-in page.
fn is_api(path: &str) -> bool {
    path.starts_with("/v2/") || path.starts_with("/api/") || path == "/metrics"
}

fn is_mutation(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
}

fn unauthorized(message: &str) -> Response {
    let mut response = (StatusCode::UNAUTHORIZED, Json(json!({"message": message}))).into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"dromos\""));
    response
}

/// Whether a cookie-authenticated mutation comes from our own pages: the
/// browser's `Origin` (or `Referer`) must name the host it was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|o| o.to_str().ok())
        .unwrap_or_default();
    let rest = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")).unwrap_or_default();
    let authority = rest.split('/').next().unwrap_or_default();
    !authority.is_empty() && authority == host
}

/// The middleware: authenticates, scopes, audits.
pub async fn authenticate(State(access): State<Arc<Access>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let remote = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let loopback = remote.is_none_or(|r| r.ip().is_loopback());
    if is_public(&path) || (is_mesos(&path) && loopback) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let mut by_cookie = false;
    let grant;
    let caller = if let Some(value) = headers.get(header::AUTHORIZATION) {
        let parsed = value
            .to_str()
            .map_err(|_| dromos_access::AccessError::Unauthenticated("malformed Authorization header".into()))
            .and_then(Credentials::from_header)
            .and_then(|credentials| {
                // Read before authenticating: a password changed in between
                // then ends the request's streams rather than sparing them.
                let hashes = access.directory();
                let caller = access.authenticate(&credentials)?;
                Ok((header_grant(&hashes, &credentials, &caller), caller))
            });
        match parsed {
            Ok((granted, caller)) => {
                grant = granted;
                caller
            }
            Err(err) => {
                tracing::info!(path = %path, error = %err, "authentication failed");
                access.service.metrics().increment("dromos.access.unauthenticated.counter");
                return unauthorized(&err.to_string());
            }
        }
    } else {
        let session = session_cookie(headers).and_then(|id| access.sessions.grant(id));
        match session.and_then(|s| Some((access.directory().caller_for(&s.user)?, s))) {
            Some((caller, session)) => {
                by_cookie = true;
                grant = Some(Grant::Session(session));
                caller
            }
            None => {
                let caller = access.authenticate(&Credentials::None).unwrap_or(Caller::Anonymous);
                grant = (caller == Caller::Open).then_some(Grant::Open);
                caller
            }
        }
    };
    if caller == Caller::Anonymous {
        if is_api(&path) {
            return unauthorized("credentials required (HTTP Basic, Bearer token or a console session)");
        }
        let next_path = request.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
        return Redirect::to(&format!("/login?next={}", urlencode(&next_path))).into_response();
    }
    if is_mesos(&path) && !caller.is_admin() {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"message": "only admins may use the Mesos API from afar"})),
        )
            .into_response();
    }
    let method = request.method().clone();
    if by_cookie && is_mutation(&method) && !same_origin(request.headers()) {
        tracing::warn!(path = %path, "cross-site request refused");
        return (StatusCode::FORBIDDEN, Json(json!({"message": "cross-site request refused"})))
            .into_response();
    }
    let from =
        request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.to_string()).unwrap_or_default();
    let scope = Arc::new(RequestAccess { caller, directory: access.directory() });
    let audited = is_mutation(&method) && is_api(&path);
    let response = super::scope(scope.clone(), next.run(request)).await;
    let response = match grant {
        Some(grant) => access.bind_stream(response, grant, &path),
        None => response,
    };
    if !audited {
        return response;
    }
    let status = response.status();
    let (response, error) = if status.is_client_error() || status.is_server_error() {
        let (parts, body) = response.into_parts();
        let bytes = to_bytes(body, AUDIT_BODY_LIMIT).await.unwrap_or_default();
        let message = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .or_else(|| Some(String::from_utf8_lossy(&bytes).chars().take(500).collect()));
        (Response::from_parts(parts, Body::from(bytes)), message)
    } else {
        (response, None)
    };
    access
        .audit(AuditEntry {
            seq: 0,
            at: Access::now(),
            who: scope.caller.name().to_owned(),
            from,
            action: format!("{method} {path}"),
            target: target_of(&path),
            status: status.as_u16(),
            error,
        })
        .await;
    response
}

/// What a request authenticated by an `Authorization` header may stream
/// for as long as: its token, or its user's current password.
fn header_grant(directory: &Directory, credentials: &Credentials, caller: &Caller) -> Option<Grant> {
    match (credentials, caller) {
        (_, Caller::Open) => Some(Grant::Open),
        (Credentials::Bearer(text), Caller::User(p)) => Some(Grant::Token {
            user: p.name.clone(),
            id: dromos_access::identity::token_id(text)?.to_owned(),
        }),
        (Credentials::Basic { user, .. }, Caller::User(_)) => Some(Grant::Password {
            user: user.clone(),
            hash: directory.user(user).and_then(|u| u.password_hash.clone()),
        }),
        _ => None,
    }
}

/// The app, group, deployment, user or team a path is about.
fn target_of(path: &str) -> String {
    for prefix in
        ["/v2/apps", "/v2/groups", "/v2/deployments/", "/v2/access/users/", "/v2/access/teams/", "/v2/queue"]
    {
        if let Some(rest) = path.strip_prefix(prefix) {
            let rest = rest.trim_end_matches("/restart").trim_end_matches("/delay");
            return if rest.is_empty() { "/".into() } else { rest.to_owned() };
        }
    }
    String::new()
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The `/v2/access` routes and `/login`.
pub fn routes(access: Arc<Access>) -> Router {
    Router::new()
        .route("/login", get(login_page))
        .route("/v2/access/login", post(login_submit))
        .route("/v2/access/logout", post(logout))
        .route("/v2/access/whoami", get(whoami))
        .route("/v2/access/users", get(list_users))
        .route("/v2/access/users/{name}", put(put_user).delete(delete_user))
        .route("/v2/access/teams", get(list_teams))
        .route("/v2/access/teams/{name}", put(put_team).delete(delete_team))
        .route("/v2/access/tokens", get(list_tokens).post(create_token))
        .route("/v2/access/tokens/{id}", delete(revoke_token))
        .route("/v2/access/audit", get(audit_log))
        .with_state(access)
}

type Answer = Result<Response, ApiError>;

fn caller() -> Caller {
    super::current_caller()
}

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    dromos_model::parse::parse_object(body).map_err(|e| ApiError::Service(ServiceError::Model(e)))
}

fn admin_only(what: &str) -> Result<(), ApiError> {
    super::enforce::check_admin(what).map_err(ApiError::Service)
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
    error: Option<String>,
}

async fn login_page(Query(q): Query<NextQuery>) -> Html<String> {
    let error = q.error.as_deref().map(|_| "Wrong user name or password.");
    Html(login::page(&login::safe_next(q.next.as_deref()), error))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginForm {
    user: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

async fn login_submit(State(access): State<Arc<Access>>, headers: HeaderMap, body: Bytes) -> Answer {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let form: LoginForm = if is_form {
        serde_urlencoded::from_bytes(&body).map_err(|e| ApiError::BadBody(format!("login form: {e}")))?
    } else {
        parse(&body)?
    };
    let next = login::safe_next(form.next.as_deref());
    let credentials = Credentials::Basic { user: form.user.clone(), password: form.password };
    let caller = match access.authenticate(&credentials) {
        Ok(Caller::User(p)) => Caller::User(p),
        _ => {
            tracing::info!(user = %form.user, "console sign-in failed");
            access.service.metrics().increment("dromos.access.login-failed.counter");
            if is_form {
                return Ok(Redirect::to(&format!("/login?error=1&next={}", urlencode(&next))).into_response());
            }
            return Ok(unauthorized("invalid credentials"));
        }
    };
    // This browser's earlier session (another user, say) ends: its tabs
    // must not keep streaming it under the new one's cookie.
    if let Some(earlier) = session_cookie(&headers) {
        access.sessions.close(earlier);
    }
    let no_randomness = || ServiceError::Internal("no randomness".into());
    let id = access.sessions.open(caller.name()).ok_or_else(no_randomness)?;
    let tag = sessions::new_tag().ok_or_else(no_randomness)?;
    tracing::info!(user = caller.name(), "console sign-in");
    let max_age = SESSION_TTL.as_secs();
    let cookies = [
        format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}"),
        format!("{TAG_COOKIE}={tag}; Path=/; SameSite=Strict; Max-Age={max_age}"),
    ];
    let mut response = if is_form {
        Redirect::to(&next).into_response()
    } else {
        Json(whoami_json(&caller)).into_response()
    };
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// The session id in a request's `Cookie` header.
fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::COOKIE).and_then(|c| c.to_str().ok()).and_then(sessions::from_cookie_header)
}

async fn logout(State(access): State<Arc<Access>>, headers: HeaderMap) -> Response {
    if let Some(id) = session_cookie(&headers) {
        access.sessions.close(id);
    }
    let mut response = Redirect::to("/login").into_response();
    for cleared in [
        "dromos_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        "dromos_session_tag=; Path=/; SameSite=Strict; Max-Age=0",
    ] {
        response.headers_mut().append(header::SET_COOKIE, HeaderValue::from_static(cleared));
    }
    response
}

fn whoami_json(caller: &Caller) -> Value {
    match caller {
        Caller::User(p) => json!({
            "name": p.name, "admin": p.admin, "teams": p.teams, "write": p.write, "read": p.read, "open": false,
        }),
        other => json!({"name": other.name(), "admin": other.is_admin(), "teams": [], "open": true}),
    }
}

async fn whoami() -> Json<Value> {
    Json(whoami_json(&caller()))
}

async fn list_users(State(access): State<Arc<Access>>) -> Answer {
    admin_only("list users")?;
    let users: Vec<Value> = access
        .directory()
        .users()
        .map(|u| json!({"name": u.name, "admin": u.admin, "teams": u.teams, "password": u.password_hash.is_some()}))
        .collect();
    Ok(Json(json!({"users": users})).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserBody {
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    admin: bool,
    #[serde(default)]
    teams: Vec<String>,
}

async fn put_user(State(access): State<Arc<Access>>, Path(name): Path<String>, body: Bytes) -> Answer {
    admin_only("manage users")?;
    let body: UserBody = parse(&body)?;
    let existed = access.directory().user(&name).is_some();
    // A new password ends the user's sessions (see `Access::install`).
    let user = access
        .change(|d| d.put_user(&name, body.password.as_deref(), body.admin, body.teams).cloned())
        .await?;
    tracing::info!(user = %user.name, admin = user.admin, teams = ?user.teams, created = !existed, "user saved");
    access.service.events().publish("user_changed_event", json!({"name": user.name}));
    let status = if existed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(json!({"name": user.name, "admin": user.admin, "teams": user.teams}))).into_response())
}

async fn delete_user(State(access): State<Arc<Access>>, Path(name): Path<String>) -> Answer {
    admin_only("manage users")?;
    // Its tokens and sessions end with it (see `Access::install`).
    let user = access.change(|d| d.remove_user(&name)).await?;
    tracing::info!(user = %user.name, "user removed");
    Ok(Json(json!({"name": user.name})).into_response())
}

fn team_json(access: &Access, team: &Team) -> Value {
    let usage = super::enforce::usage_under(&access.service.read(), &team.paths);
    json!({"name": team.name, "paths": team.paths, "read": team.read, "quota": team.quota, "usage": usage})
}

async fn list_teams(State(access): State<Arc<Access>>) -> Answer {
    let caller = caller();
    let directory = access.directory();
    let teams: Vec<Value> = directory
        .teams()
        .filter(|t| caller.is_admin() || matches!(&caller, Caller::User(p) if p.teams.contains(&t.name)))
        .map(|t| team_json(&access, t))
        .collect();
    Ok(Json(json!({"teams": teams})).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamBody {
    paths: Vec<PathId>,
    #[serde(default)]
    read: Vec<PathId>,
    #[serde(default)]
    quota: Quota,
}

async fn put_team(State(access): State<Arc<Access>>, Path(name): Path<String>, body: Bytes) -> Answer {
    admin_only("manage teams")?;
    let body: TeamBody = parse(&body)?;
    let existed = access.directory().team(&name).is_some();
    let team = Team { name: name.clone(), paths: body.paths, read: body.read, quota: body.quota };
    let team = access.change(|d| d.put_team(team).cloned()).await?;
    tracing::info!(team = %team.name, paths = ?team.paths, quota = ?team.quota, "team saved");
    let status = if existed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(team_json(&access, &team))).into_response())
}

async fn delete_team(State(access): State<Arc<Access>>, Path(name): Path<String>) -> Answer {
    admin_only("manage teams")?;
    let team = access.change(|d| d.remove_team(&name)).await?;
    tracing::info!(team = %team.name, "team removed");
    Ok(Json(json!({"name": team.name})).into_response())
}

fn owns(caller: &Caller, user: &str) -> bool {
    caller.is_admin() || matches!(caller, Caller::User(p) if p.name == user)
}

async fn list_tokens(State(access): State<Arc<Access>>) -> Answer {
    let caller = caller();
    let tokens: Vec<Value> = access
        .directory()
        .tokens()
        .filter(|t| owns(&caller, &t.user))
        .map(|t| json!({"id": t.id, "user": t.user, "description": t.description, "createdAt": t.created_at}))
        .collect();
    Ok(Json(json!({"tokens": tokens})).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    description: String,
}

async fn create_token(State(access): State<Arc<Access>>, body: Bytes) -> Answer {
    let body: TokenBody =
        if body.is_empty() { TokenBody { user: None, description: String::new() } } else { parse(&body)? };
    let caller = caller();
    let user = match (&body.user, &caller) {
        (Some(u), _) => u.clone(),
        (None, Caller::User(p)) => p.name.clone(),
        (None, _) => {
            return Err(ApiError::Service(ServiceError::Model(dromos_model::ModelError::Invalid(vec![
                dromos_model::Violation::new("/user", "required when not signed in as a user"),
            ]))));
        }
    };
    if !owns(&caller, &user) {
        return Err(ApiError::Service(ServiceError::Forbidden(format!(
            "{} may not create tokens for {user}",
            caller.name()
        ))));
    }
    let now = Access::now();
    let (text, record) = access.change(|d| d.create_token(&user, &body.description, &now)).await?;
    tracing::info!(user = %record.user, token_id = %record.id, "token created");
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": record.id, "user": record.user, "token": text, "description": record.description})),
    )
        .into_response())
}

async fn revoke_token(State(access): State<Arc<Access>>, Path(id): Path<String>) -> Answer {
    let caller = caller();
    let owner = access.directory().token(&id).map(|t| t.user.clone());
    match owner {
        Some(user) if owns(&caller, &user) => {}
        Some(_) => {
            return Err(ApiError::Service(ServiceError::Forbidden(format!(
                "{} may not revoke token {id}",
                caller.name()
            ))));
        }
        None => {
            return Err(ApiError::Service(ServiceError::NotFound(format!("token '{id}' does not exist"))));
        }
    }
    let record = access.change(|d| d.revoke_token(&id)).await?;
    tracing::info!(user = %record.user, token_id = %record.id, "token revoked");
    Ok(Json(json!({"id": record.id})).into_response())
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    limit: Option<String>,
}

async fn audit_log(State(access): State<Arc<Access>>, Query(q): Query<AuditQuery>) -> Answer {
    admin_only("read the audit log")?;
    let limit = match q.limit.as_deref() {
        None => 100,
        Some(raw) => raw.parse::<usize>().ok().filter(|n| (1..=10_000).contains(n)).ok_or_else(|| {
            ApiError::BadQuery(format!("limit: must be an integer from 1 to 10000, got '{raw}'"))
        })?,
    };
    let entries = access.audit_log(limit).await?;
    Ok(Json(json!({"entries": entries})).into_response())
}
