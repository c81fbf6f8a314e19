//! Teams end to end on the real binary: the permission matrix (anonymous,
//! a member of team A, a member of team B, an admin — against resources of
//! A and B, on every REST endpoint that reads or changes them), quotas,
//! tokens, console sessions with CSRF protection, and the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use end2end::dromos::DromosProcess;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Who makes a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Anonymous,
    MemberA,
    MemberB,
    Admin,
}

const ROLES: [Role; 4] = [Role::Anonymous, Role::MemberA, Role::MemberB, Role::Admin];

struct Cluster {
    process: DromosProcess,
    http: reqwest::Client,
    token_a: String,
    token_b: String,
}

impl Cluster {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.process.url)
    }

    async fn call(&self, role: Role, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path));
        request = match role {
            Role::Anonymous => request,
            Role::MemberA => request.bearer_auth(&self.token_a),
            Role::MemberB => request.bearer_auth(&self.token_b),
            Role::Admin => request.basic_auth("root", Some("root-password")),
        };
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("dromos answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

async fn setup() -> Cluster {
    let process = DromosProcess::start(Path::new(env!("CARGO_BIN_EXE_dromos")), &[]).expect("dromos starts");
    let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let mut cluster = Cluster { process, http, token_a: String::new(), token_b: String::new() };

    // Open mode: anyone on loopback may do anything, so the first admin.
    let (status, body) = cluster.call(Role::Anonymous, Method::GET, "/v2/access/whoami", None).await;
    assert_eq!((status, body["open"].clone()), (StatusCode::OK, json!(true)));
    let (status, body) = cluster
        .call(
            Role::Anonymous,
            Method::PUT,
            "/v2/access/users/root",
            Some(json!({"password": "root-password", "admin": true})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = cluster.call(Role::Anonymous, Method::GET, "/v2/apps", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the first user ends open mode");

    for (team, path) in [("a", "/team-a"), ("b", "/team-b")] {
        let quota = if team == "a" { json!({"instances": 3, "cpus": 1.0}) } else { json!({}) };
        let (status, body) = cluster
            .call(
                Role::Admin,
                Method::PUT,
                &format!("/v2/access/teams/{team}"),
                Some(json!({"paths": [path], "quota": quota})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for (user, team) in [("alice", "a"), ("bob", "b")] {
        let (status, body) = cluster
            .call(
                Role::Admin,
                Method::PUT,
                &format!("/v2/access/users/{user}"),
                Some(json!({"password": format!("{user}-password"), "teams": [team]})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = cluster
        .call(
            Role::Admin,
            Method::POST,
            "/v2/access/tokens",
            Some(json!({"user": "alice", "description": "ci"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    cluster.token_a = body["token"].as_str().unwrap().to_owned();
    let (_, body) =
        cluster.call(Role::Admin, Method::POST, "/v2/access/tokens", Some(json!({"user": "bob"}))).await;
    cluster.token_b = body["token"].as_str().unwrap().to_owned();

    for team in ["team-a", "team-b"] {
        let app = json!({"id": format!("/{team}/web"), "cmd": "sleep 1000", "cpus": 0.01, "mem": 16, "instances": 1});
        let (status, body) = cluster.call(Role::Admin, Method::POST, "/v2/apps", Some(app)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    cluster
}

/// What `role` may do to team `team`'s resources: `read`, `write`.
fn allowed(role: Role, team: char) -> (bool, bool) {
    match (role, team) {
        (Role::Admin, _) | (Role::MemberA, 'a') | (Role::MemberB, 'b') => (true, true),
        _ => (false, false),
    }
}

fn expect(role: Role, allowed: bool, ok: StatusCode) -> StatusCode {
    match (role, allowed) {
        (_, true) => ok,
        (Role::Anonymous, false) => StatusCode::UNAUTHORIZED,
        (_, false) => StatusCode::FORBIDDEN,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_permission_matrix_holds_for_every_role_and_team() {
    let cluster = setup().await;
    for role in ROLES {
        for team in ["team-a", "team-b"] {
            let id = format!("/{team}/victim-{}", format!("{role:?}").to_lowercase());
            let app = json!({"id": id, "cmd": "sleep 1", "instances": 0});
            let (status, body) = cluster.call(Role::Admin, Method::POST, "/v2/apps", Some(app)).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for role in ROLES {
        for team in ['a', 'b'] {
            let (read, write) = allowed(role, team);
            let g = format!("/team-{team}");
            let tag = format!("{role:?}").to_lowercase();
            let cases: Vec<(Method, String, Option<Value>, bool, StatusCode)> = vec![
                (Method::GET, format!("/v2/apps{g}/web"), None, read, StatusCode::OK),
                (Method::GET, format!("/v2/apps{g}/web/versions"), None, read, StatusCode::OK),
                (Method::GET, format!("/v2/apps{g}/web/tasks"), None, read, StatusCode::OK),
                (Method::GET, format!("/v2/groups{g}"), None, read, StatusCode::OK),
                (Method::GET, format!("/v2/groups{g}/versions"), None, read, StatusCode::OK),
                (
                    Method::POST,
                    "/v2/apps".into(),
                    Some(json!({"id": format!("{g}/new-{tag}"), "cmd": "sleep 1", "instances": 0})),
                    write,
                    StatusCode::CREATED,
                ),
                (
                    Method::PUT,
                    format!("/v2/apps{g}/web?force=true"),
                    Some(json!({"cmd": format!("sleep 100{}", tag.len())})),
                    write,
                    StatusCode::OK,
                ),
                (
                    Method::PATCH,
                    format!("/v2/apps{g}/web?force=true"),
                    Some(json!({"labels": {"by": tag}})),
                    write,
                    StatusCode::OK,
                ),
                (Method::POST, format!("/v2/apps{g}/web/restart?force=true"), None, write, StatusCode::OK),
                (
                    Method::PUT,
                    format!("/v2/groups{g}?force=true"),
                    Some(json!({"dependencies": []})),
                    write,
                    StatusCode::OK,
                ),
                (Method::DELETE, format!("/v2/apps{g}/victim-{tag}?force=true"), None, write, StatusCode::OK),
            ];
            for (method, path, body, allowed, ok) in cases {
                let want = expect(role, allowed, ok);
                let (got, answer) = cluster.call(role, method.clone(), &path, body).await;
                checked += 1;
                if got != want {
                    failures.push(format!("{role:?} {method} {path}: want {want}, got {got} {answer}"));
                }
                if got == StatusCode::FORBIDDEN || got == StatusCode::UNAUTHORIZED {
                    assert!(answer["message"].is_string(), "Marathon-style body: {answer}");
                }
            }
        }
        // Lists are filtered, never refused, for signed-in users.
        let (status, apps) = cluster.call(role, Method::GET, "/v2/apps", None).await;
        let ids: Vec<&str> = apps["apps"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x["id"].as_str()).collect())
            .unwrap_or_default();
        let own: Vec<&str> = match role {
            Role::Anonymous => vec![],
            Role::MemberA => vec!["/team-a/"],
            Role::MemberB => vec!["/team-b/"],
            Role::Admin => vec!["/team-a/", "/team-b/"],
        };
        checked += 1;
        if role == Role::Anonymous {
            if status != StatusCode::UNAUTHORIZED {
                failures.push(format!("anonymous GET /v2/apps: {status}"));
            }
        } else {
            let visible = |id: &&str| own.iter().any(|p| id.starts_with(p));
            let webs = ids.iter().filter(|id| id.ends_with("/web")).count();
            if !ids.iter().all(visible) || webs != own.len() {
                failures.push(format!("{role:?} GET /v2/apps lists {ids:?}"));
            }
        }
        let (status, root) = cluster.call(role, Method::GET, "/v2/groups", None).await;
        if role != Role::Anonymous {
            let groups: Vec<&str> = root["groups"]
                .as_array()
                .map(|g| g.iter().filter_map(|x| x["id"].as_str()).collect())
                .unwrap_or_default();
            let want_groups: Vec<&str> = match role {
                Role::MemberA => vec!["/team-a"],
                Role::MemberB => vec!["/team-b"],
                _ => vec!["/team-a", "/team-b"],
            };
            checked += 1;
            if status != StatusCode::OK || groups != want_groups {
                failures.push(format!("{role:?} GET /v2/groups: {status} {groups:?}"));
            }
        }
        for (path, admin_only) in
            [("/v2/access/users", true), ("/v2/access/audit", true), ("/v2/access/whoami", false)]
        {
            let (status, _) = cluster.call(role, Method::GET, path, None).await;
            let may = role != Role::Anonymous && (role == Role::Admin || !admin_only);
            let want = expect(role, may, StatusCode::OK);
            checked += 1;
            if status != want {
                failures.push(format!("{role:?} GET {path}: want {want}, got {status}"));
            }
        }
    }
    println!("permission matrix: {checked} checks, {} failures", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quotas_tokens_sessions_and_the_audit_log() {
    let cluster = setup().await;

    // Team A may run 3 instances and 1 cpu in all; web has 1 × 0.01.
    let (status, body) = cluster
        .call(Role::MemberA, Method::PUT, "/v2/apps/team-a/web?force=true", Some(json!({"instances": 4})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["details"][0]["path"], "/instances");
    assert_eq!(
        body["details"][0]["errors"][0],
        "quota of team 'a' exceeded: instances would be 4 of 3 (over by 1)"
    );
    let big = json!({"id": "/team-a/big", "cmd": "sleep 1", "cpus": 2, "instances": 1});
    let (status, body) = cluster.call(Role::MemberA, Method::POST, "/v2/apps", Some(big)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["details"][0]["path"], "/cpus");
    let (status, _) = cluster
        .call(Role::MemberA, Method::PUT, "/v2/apps/team-a/web?force=true", Some(json!({"instances": 3})))
        .await;
    assert_eq!(status, StatusCode::OK, "up to the quota is fine");
    let (status, teams) = cluster.call(Role::MemberA, Method::GET, "/v2/access/teams", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(teams["teams"].as_array().unwrap().len(), 1, "members see their own team: {teams}");
    assert_eq!(teams["teams"][0]["usage"]["instances"], 3);

    // Hostile and malformed input is refused with the field named.
    let (status, body) = cluster
        .call(
            Role::Admin,
            Method::PUT,
            "/v2/access/users/%3Cscript%3E",
            Some(json!({"password": "long-enough"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["details"][0]["path"], "/name");
    let (status, body) =
        cluster.call(Role::Admin, Method::PUT, "/v2/access/users/carol", Some(json!({"passwrd": "x"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("passwrd"), "the unknown field is named: {body}");
    let (status, body) = cluster
        .call(
            Role::Admin,
            Method::PUT,
            "/v2/access/teams/c",
            Some(json!({"paths": ["/c"], "quota": {"mem": -1}})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["details"][0]["path"], "/quota/mem");
    let (status, _) = cluster.call(Role::Admin, Method::GET, "/v2/access/audit?limit=0", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let wrong = cluster
        .http
        .get(cluster.url("/v2/apps"))
        .bearer_auth("dromos_000000000000_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().contains_key("www-authenticate"));

    // Members manage only their own tokens; a revoked token stops working.
    let (status, _) =
        cluster.call(Role::MemberB, Method::POST, "/v2/access/tokens", Some(json!({"user": "alice"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, own) = cluster.call(Role::MemberB, Method::POST, "/v2/access/tokens", Some(json!({}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, listed) = cluster.call(Role::MemberB, Method::GET, "/v2/access/tokens", None).await;
    assert!(listed["tokens"].as_array().unwrap().iter().all(|t| t["user"] == "bob"), "{listed}");
    assert!(!listed.to_string().contains("dromos_"), "token texts are never listed again");
    let id = own["id"].as_str().unwrap();
    let (status, _) =
        cluster.call(Role::MemberA, Method::DELETE, &format!("/v2/access/tokens/{id}"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        cluster.call(Role::MemberB, Method::DELETE, &format!("/v2/access/tokens/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    let revoked = cluster
        .http
        .get(cluster.url("/v2/apps"))
        .bearer_auth(own["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);

    // Console sessions: HttpOnly SameSite cookie; cross-site writes refused.
    let login = cluster
        .http
        .post(cluster.url("/v2/access/login"))
        .json(&json!({"user": "alice", "password": "alice-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = login.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();
    let listed = cluster.http.get(cluster.url("/v2/apps")).header("cookie", &session).send().await.unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    let host = cluster.process.url.trim_start_matches("http://").to_owned();
    let cross = cluster
        .http
        .post(cluster.url("/v2/apps/team-a/web/restart?force=true"))
        .header("cookie", &session)
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN, "cross-site request refused");
    let same = cluster
        .http
        .post(cluster.url("/v2/apps/team-a/web/restart?force=true"))
        .header("cookie", &session)
        .header("origin", format!("http://{host}"))
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::OK);
    let bad_login = cluster
        .http
        .post(cluster.url("/v2/access/login"))
        .json(&json!({"user": "alice", "password": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_login.status(), StatusCode::UNAUTHORIZED);

    // The audit log has every mutation, refused ones included.
    let (status, audit) = cluster.call(Role::Admin, Method::GET, "/v2/access/audit?limit=1000", None).await;
    assert_eq!(status, StatusCode::OK);
    let entries = audit["entries"].as_array().unwrap();
    let find = |who: &str, action: &str, status: u16| {
        entries.iter().any(|e| e["who"] == who && e["action"] == action && e["status"] == status)
    };
    assert!(find("alice", "PUT /v2/apps/team-a/web", 422), "quota refusal audited: {audit}");
    assert!(find("alice", "PUT /v2/apps/team-a/web", 200));
    assert!(find("bob", "POST /v2/access/tokens", 403));
    assert!(find("alice", "POST /v2/apps/team-a/web/restart", 200), "session writes audited");
    assert!(find("root", "PUT /v2/access/users/alice", 201));
    let quota = entries.iter().find(|e| e["status"] == 422 && e["who"] == "alice").unwrap();
    assert!(quota["error"].as_str().unwrap_or_default().contains("Object is not valid"), "{quota}");
    assert!(quota["from"].as_str().unwrap().starts_with("127.0.0.1:"));
    let seqs: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first");
}

#[tokio::test]
async fn serving_beyond_loopback_without_users_needs_insecure() {
    let bin = Path::new(env!("CARGO_BIN_EXE_dromos"));
    let output = std::process::Command::new(bin)
        .args(["--http-addr", "0.0.0.0:0"])
        .env("DROMOS_DATA_DIR", tempfile::tempdir().unwrap().path())
        .output()
        .expect("dromos runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--insecure"), "{stderr}");
}

/// Runs `dromos <args>` as a client of `url`; (exit code, stdout, stderr).
fn cli(url: &str, env: &[(&str, &str)], stdin: Option<&str>, args: &[&str]) -> (i32, String, String) {
    use std::io::Write as _;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dromos"));
    command
        .args(args)
        .env("DROMOS_URL", url)
        .env_remove("DROMOS_TOKEN")
        .env_remove("DROMOS_USER")
        .env_remove("DROMOS_PASSWORD")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("dromos runs");
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_manages_users_teams_tokens_and_reads_the_audit_log() {
    let process = DromosProcess::start(Path::new(env!("CARGO_BIN_EXE_dromos")), &[]).expect("dromos starts");
    let url = process.url.clone();
    let root = [("DROMOS_USER", "root"), ("DROMOS_PASSWORD", "root-password")];

    let (code, out, err) =
        cli(&url, &[], Some("root-password\n"), &["user", "add", "root", "--admin", "--password-stdin"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "admin root saved\n");
    let (code, _, err) = cli(&url, &[], None, &["whoami"]);
    assert_eq!(code, 1, "no credentials any more: {err}");
    assert!(err.contains("credentials required"), "{err}");
    let (code, _, err) = cli(&url, &[("DROMOS_USER", "root")], None, &["whoami"]);
    assert_eq!(code, 2, "a user without DROMOS_PASSWORD is a usage error: {err}");

    let (code, out, err) =
        cli(&url, &root, None, &["team", "add", "a", "--path", "/team-a", "--instances", "2", "--cpus", "1"]);
    assert_eq!((code, out.as_str()), (0, "team a saved\n"), "{err}");
    let (code, _, err) = cli(
        &url,
        &root,
        Some("alice-password\n"),
        &["user", "add", "alice", "--team", "a", "--password-stdin"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = cli(&url, &root, None, &["user", "add", "mallory", "--team", "nope"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("/teams/0"), "the field is named: {err}");

    let (code, token, err) =
        cli(&url, &root, None, &["token", "create", "--for", "alice", "--description", "ci"]);
    assert_eq!(code, 0, "{err}");
    let token = token.trim().to_owned();
    assert!(token.starts_with("dromos_"), "{token}");
    let alice = [("DROMOS_TOKEN", token.as_str())];
    let (code, out, err) = cli(&url, &alice, None, &["whoami"]);
    assert_eq!((code, out.as_str()), (0, "alice (member), teams: a\n"), "{err}");
    let (code, _, err) = cli(&url, &alice, None, &["user", "list"]);
    assert_eq!(code, 1, "members may not list users");
    assert!(err.contains("only admins may list users"), "{err}");
    let (code, out, _) = cli(&url, &alice, None, &["team", "list"]);
    assert_eq!(code, 0);
    assert!(out.contains("/team-a") && out.contains("0/2"), "usage against quota: {out}");

    let (code, out, err) = cli(&url, &root, None, &["audit", "--limit", "20"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("PUT /v2/access/users/alice") && out.contains("POST /v2/access/tokens"), "{out}");
    assert!(
        out.contains("PUT /v2/access/users/mallory") && out.contains("422"),
        "refusals are audited: {out}"
    );
    let (code, out, _) = cli(&url, &root, None, &["user", "list", "--json"]);
    assert_eq!(code, 0);
    let users: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(users["users"].as_array().unwrap().len(), 2);
    assert!(!out.contains("argon2"), "hashes never leave the server");
}

/// A server function: path, form fields, the words of its refusal.
type ServerFnCall<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_server_functions_follow_the_same_rules() {
    let cluster = setup().await;
    let mut failures = Vec::new();
    for role in [Role::MemberA, Role::MemberB, Role::Admin] {
        for team in ['a', 'b'] {
            let (_, may) = allowed(role, team);
            let id = format!("/team-{team}/web");
            let calls: [ServerFnCall; 3] = [
                ("/api/apps/get", vec![("id", &id)], "may not read"),
                (
                    "/api/apps/scale",
                    vec![("id", &id), ("instances", "1"), ("force", "true")],
                    "may not change",
                ),
                ("/api/apps/restart", vec![("id", &id), ("force", "true")], "may not change"),
            ];
            for (path, form, refusal) in calls {
                let mut request = cluster.http.post(cluster.url(path)).form(&form);
                request = match role {
                    Role::MemberA => request.bearer_auth(&cluster.token_a),
                    Role::MemberB => request.bearer_auth(&cluster.token_b),
                    _ => request.basic_auth("root", Some("root-password")),
                };
                let response = request.send().await.unwrap();
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                let ok =
                    if may { status.is_success() } else { !status.is_success() && body.contains(refusal) };
                if !ok {
                    failures.push(format!("{role:?} {path} {id}: {status} {body}"));
                }
            }
        }
    }
    // A task's output is readable only by who may read its app.
    let task_id = team_b_task(&cluster).await;
    let output = format!("/v2/tasks/{task_id}/files/stdout");
    for (role, want) in [
        (Role::MemberA, StatusCode::FORBIDDEN),
        (Role::MemberB, StatusCode::OK),
        (Role::Admin, StatusCode::OK),
        (Role::Anonymous, StatusCode::UNAUTHORIZED),
    ] {
        let (status, body) = cluster.call(role, Method::GET, &output, None).await;
        assert_eq!(status, want, "{role:?} reads {output}: {body}");
    }
    let anonymous =
        cluster.http.post(cluster.url("/api/apps/get")).form(&[("id", "/team-a/web")]).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Signs `user` in to the console; the `Cookie` header value of its session.
/// The id of team B's task, once it has started.
async fn team_b_task(cluster: &Cluster) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (_, tasks) = cluster.call(Role::Admin, Method::GET, "/v2/apps/team-b/web/tasks", None).await;
        if let Some(id) = tasks["tasks"][0]["id"].as_str() {
            return id.to_owned();
        }
        assert!(std::time::Instant::now() < deadline, "team B's task never started: {tasks}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sign_in(cluster: &Cluster, user: &str, password: &str) -> String {
    let login = cluster
        .http
        .post(cluster.url("/v2/access/login"))
        .json(&json!({"user": user, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK, "{user} signs in");
    let cookie = login.headers().get("set-cookie").unwrap().to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

/// Opens an event stream (`GET path` as `text/event-stream`); streams have
/// no overall timeout, unlike the cluster's client.
async fn open_stream(
    path: &str,
    cluster: &Cluster,
    auth: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> reqwest::Response {
    let request = reqwest::Client::new().get(cluster.url(path)).header("accept", "text/event-stream");
    let response = auth(request).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path} opens");
    response
}

/// Whether the stream's body finishes cleanly within `limit`.
async fn ends_within(stream: &mut reqwest::Response, limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.chunk()).await {
            Ok(Ok(None)) => return true,
            Ok(Ok(Some(_))) => continue,
            Ok(Err(error)) => panic!("the stream broke instead of ending: {error}"),
            Err(_) => return false,
        }
    }
}

/// Whether an event (not a keep-alive) arrives on the stream within `limit`.
async fn event_within(stream: &mut reqwest::Response, limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.chunk()).await {
            Ok(Ok(Some(bytes))) if String::from_utf8_lossy(&bytes).contains("event:") => return true,
            Ok(Ok(Some(_))) => continue,
            Ok(Ok(None)) => panic!("the stream ended"),
            Ok(Err(error)) => panic!("the stream broke: {error}"),
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_end_with_the_session_or_token_that_opened_them() {
    let cluster = setup().await;
    let first = sign_in(&cluster, "alice", "alice-password").await;
    let second = sign_in(&cluster, "alice", "alice-password").await;
    let bob = sign_in(&cluster, "bob", "bob-password").await;
    let mut signed_out = open_stream("/v2/events", &cluster, |r| r.header("cookie", &first)).await;
    let mut other_session = open_stream("/v2/events", &cluster, |r| r.header("cookie", &second)).await;
    let mut by_token = open_stream("/v2/events", &cluster, |r| r.bearer_auth(&cluster.token_a)).await;
    let mut by_password =
        open_stream("/v2/events", &cluster, |r| r.basic_auth("root", Some("root-password"))).await;
    let task_id = team_b_task(&cluster).await;
    let follow = format!("/v2/tasks/{task_id}/files/stdout/follow");
    let mut log = open_stream(&follow, &cluster, |r| r.header("cookie", &bob)).await;

    // Signing out ends that session's stream, and only that one.
    let logout =
        cluster.http.post(cluster.url("/v2/access/logout")).header("cookie", &first).send().await.unwrap();
    assert_eq!(logout.url().path(), "/login", "signing out leads to the sign-in page");
    assert!(ends_within(&mut signed_out, Duration::from_secs(2)).await, "the signed-out stream ends");
    let again = reqwest::Client::new()
        .get(cluster.url("/v2/events"))
        .header("accept", "text/event-stream")
        .header("cookie", &first)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED, "the old cookie opens nothing");
    let (status, _) =
        cluster.call(Role::Admin, Method::POST, "/v2/apps/team-a/web/restart?force=true", None).await;
    assert_eq!(status, StatusCode::OK);
    for (name, stream) in [
        ("another session", &mut other_session),
        ("a token", &mut by_token),
        ("a password", &mut by_password),
    ] {
        assert!(event_within(stream, Duration::from_secs(10)).await, "{name}'s stream goes on");
    }

    // A log follow ends with its session too.
    let logout =
        cluster.http.post(cluster.url("/v2/access/logout")).header("cookie", &bob).send().await.unwrap();
    assert_eq!(logout.url().path(), "/login");
    assert!(ends_within(&mut log, Duration::from_secs(2)).await, "the log follow ends");

    // A new password ends the user's sessions; revoking a token, its streams.
    let (status, body) = cluster
        .call(
            Role::Admin,
            Method::PUT,
            "/v2/access/users/alice",
            Some(json!({"password": "new-password", "teams": ["a"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(ends_within(&mut other_session, Duration::from_secs(2)).await, "the password change ends it");
    let token_id = cluster.token_a.trim_start_matches("dromos_").split('_').next().unwrap().to_owned();
    let (status, body) =
        cluster.call(Role::Admin, Method::DELETE, &format!("/v2/access/tokens/{token_id}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(ends_within(&mut by_token, Duration::from_secs(2)).await, "revoking the token ends it");

    // Basic credentials that still hold keep their stream; every ended one is counted.
    let (status, _) =
        cluster.call(Role::Admin, Method::POST, "/v2/apps/team-a/web/restart?force=true", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(event_within(&mut by_password, Duration::from_secs(10)).await, "root's stream goes on");

    // Signing in from a browser that holds a session replaces it; beside the
    // session cookie comes a tag that scripts may read, cleared at sign-out.
    let earlier = sign_in(&cluster, "bob", "bob-password").await;
    let mut replaced = open_stream("/v2/events", &cluster, |r| r.header("cookie", &earlier)).await;
    let login = cluster
        .http
        .post(cluster.url("/v2/access/login"))
        .header("cookie", &earlier)
        .json(&json!({"user": "root", "password": "root-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let cookies: Vec<&str> =
        login.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap()).collect();
    assert!(cookies[0].starts_with("dromos_session=") && cookies[0].contains("HttpOnly"), "{cookies:?}");
    assert!(cookies[1].starts_with("dromos_session_tag=") && !cookies[1].contains("HttpOnly"), "{cookies:?}");
    assert!(ends_within(&mut replaced, Duration::from_secs(2)).await, "the replaced session's stream ends");
    let direct = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let logout = direct.post(cluster.url("/v2/access/logout")).send().await.unwrap();
    let cleared: Vec<&str> =
        logout.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap()).collect();
    assert_eq!(cleared.len(), 2, "{cleared:?}");
    assert!(cleared.iter().all(|c| c.contains("Max-Age=0")), "{cleared:?}");
    let (_, metrics) = cluster.call(Role::Admin, Method::GET, "/metrics", None).await;
    assert_eq!(metrics["counters"]["dromos.access.streams-ended.counter"]["count"], 5, "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_groups_apps_by_wildcard_need_sight_of_the_group_as_the_group_does() {
    let cluster = setup().await;
    let deep = json!({"id": "/team-b/api/v1", "cmd": "sleep 1", "instances": 0});
    let (status, body) = cluster.call(Role::Admin, Method::POST, "/v2/apps", Some(deep)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ids = |body: &Value| -> Vec<String> {
        let apps = body["*"].as_array().map(Vec::as_slice).unwrap_or_default();
        apps.iter().filter_map(|a| a["id"].as_str().map(str::to_owned)).collect()
    };
    let mut failures = Vec::new();
    for role in ROLES {
        for team in ['a', 'b'] {
            let (read, _) = allowed(role, team);
            let path = format!("/v2/apps/team-{team}/*");
            let want = expect(role, read, StatusCode::OK);
            let (status, body) = cluster.call(role, Method::GET, &path, None).await;
            let own: Vec<String> = match team {
                'a' => vec!["/team-a/web".into()],
                _ => vec!["/team-b/api/v1".into(), "/team-b/web".into()],
            };
            let refusal = match role {
                Role::Anonymous => None,
                _ => Some(json!(format!("{} may not read /team-{team}", user_of(role)))),
            };
            let ok = match (status == want, read) {
                (false, _) => false,
                (true, true) => ids(&body) == own,
                (true, false) => refusal.is_none_or(|m| body["message"] == m) && body["message"].is_string(),
            };
            if !ok {
                failures.push(format!("{role:?} GET {path}: want {want}, got {status} {body}"));
            }
            // The group's own listing filters its apps and refuses nobody
            // signed in, as in Marathon.
            let listing = format!("/v2/groups/team-{team}/apps");
            let (status, body) = cluster.call(role, Method::GET, &listing, None).await;
            let listed: Vec<&str> = body
                .as_array()
                .map(|a| a.iter().filter_map(|x| x["id"].as_str()).collect())
                .unwrap_or_default();
            let want_listed: Vec<&str> = if read { own.iter().map(String::as_str).collect() } else { vec![] };
            let want_status = expect(role, role != Role::Anonymous, StatusCode::OK);
            if status != want_status || (status.is_success() && listed != want_listed) {
                failures.push(format!("{role:?} GET {listing}: {status} {body}"));
            }
        }
        // The root is on the way to everyone's apps: filtered, not refused.
        let (status, body) = cluster.call(role, Method::GET, "/v2/apps/*", None).await;
        let seen = ids(&body);
        let visible = |id: &String| match role {
            Role::MemberA => id.starts_with("/team-a/"),
            Role::MemberB => id.starts_with("/team-b/"),
            _ => true,
        };
        let want = expect(role, role != Role::Anonymous, StatusCode::OK);
        if status != want || (status.is_success() && (seen.is_empty() || !seen.iter().all(visible))) {
            failures.push(format!("{role:?} GET /v2/apps/*: {status} {body}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The user a role signs in as.
fn user_of(role: Role) -> &'static str {
    match role {
        Role::MemberA => "alice",
        Role::MemberB => "bob",
        Role::Admin => "root",
        Role::Anonymous => "(anonymous)",
    }
}
