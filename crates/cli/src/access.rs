//! `dromos user|team|token|audit|whoami`: users, teams with their group
//! paths and quotas, API tokens and the audit log, over `/v2/access`.
//!
//! While no user exists dromos runs open on loopback, so the first admin is
//! created without credentials: `dromos user add root --admin
//! --password-stdin`. After that every command needs credentials:
//! `--token` (`DROMOS_TOKEN`) or `--user` (`DROMOS_USER`) with the password
//! in `DROMOS_PASSWORD` (never on the command line, where `ps` shows it).

use std::io::BufRead as _;

use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{json, Map, Value};

use crate::client::Client;
use crate::error::CliError;
use crate::output::Output;
use crate::table::{amount, Table};

/// Subcommands of `dromos user`.
#[derive(Debug, Clone, Subcommand)]
pub enum UserCmd {
    /// Create or change a user (admins only; anyone while dromos is open).
    Add {
        /// Login name: a-z, 0-9, '-', '_', '.'.
        name: String,
        /// Make the user an admin (may do everything).
        #[arg(long)]
        admin: bool,
        /// A team the user belongs to (repeatable).
        #[arg(long = "team", value_name = "TEAM")]
        teams: Vec<String>,
        /// Read the password from the first line of standard input
        /// (without it the user signs in with tokens only).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Remove a user with its tokens and sessions.
    Remove { name: String },
}

/// Subcommands of `dromos team`.
#[derive(Debug, Clone, Subcommand)]
pub enum TeamCmd {
    /// Create or change a team: the group paths it owns and its quota.
    Add(TeamArgs),
    /// List teams with their quota and usage.
    List,
    /// Remove a team (its members stay, without its paths).
    Remove { name: String },
}

/// `dromos team add`.
#[derive(Debug, Clone, Args)]
pub struct TeamArgs {
    /// Team name.
    pub name: String,
    /// A group path the members may change (repeatable, at least one).
    #[arg(long = "path", value_name = "PATH", required = true)]
    pub paths: Vec<String>,
    /// A group path the members may only read (repeatable).
    #[arg(long = "read", value_name = "PATH")]
    pub read: Vec<String>,
    /// Quota: CPUs over all instances of the team's apps.
    #[arg(long)]
    pub cpus: Option<f64>,
    /// Quota: memory (MiB) over all instances.
    #[arg(long)]
    pub mem: Option<f64>,
    /// Quota: disk (MiB) over all instances.
    #[arg(long)]
    pub disk: Option<f64>,
    /// Quota: number of instances.
    #[arg(long)]
    pub instances: Option<u64>,
}

/// Subcommands of `dromos token`.
#[derive(Debug, Clone, Subcommand)]
pub enum TokenCmd {
    /// Create an API token (printed once; dromos keeps only its digest).
    Create {
        /// The user it acts as (admins only; default: yourself).
        #[arg(long = "for", value_name = "USER")]
        for_user: Option<String>,
        /// What the token is for.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// List tokens (yours; admins: all).
    List,
    /// Revoke a token by id.
    Revoke { id: String },
}

async fn send(
    client: &Client,
    method: Method,
    path: &[&str],
    body: Option<&Value>,
) -> Result<Value, CliError> {
    let url = client.url(path, &[]);
    Ok(client.send(method, url, body).await?.body)
}

fn read_password() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Usage(format!("cannot read the password from standard input: {e}")))?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err(CliError::Usage("--password-stdin: standard input held no password".into()));
    }
    Ok(password)
}

/// Runs a `dromos user` command.
pub async fn run_user(cmd: UserCmd, client: &Client, out: &mut Output<'_>) -> Result<(), CliError> {
    match cmd {
        UserCmd::Add { name, admin, teams, password_stdin } => {
            let mut body = json!({"admin": admin, "teams": teams});
            if password_stdin {
                body["password"] = Value::String(read_password()?);
            }
            let answer = send(client, Method::PUT, &["v2/access/users", &name], Some(&body)).await?;
            if out.is_json() {
                return out.json(&answer);
            }
            let role = if admin { "admin" } else { "user" };
            out.text(&format!("{role} {name} saved\n"))
        }
        UserCmd::List => {
            let answer = send(client, Method::GET, &["v2/access/users"], None).await?;
            if out.is_json() {
                return out.json(&answer);
            }
            let mut table = Table::new(["NAME", "ADMIN", "TEAMS", "PASSWORD"]);
            for user in answer["users"].as_array().into_iter().flatten() {
                let teams: Vec<&str> =
                    user["teams"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                table.row([
                    user["name"].as_str().unwrap_or_default().to_owned(),
                    yes_no(user["admin"].as_bool()),
                    teams.join(","),
                    yes_no(user["password"].as_bool()),
                ]);
            }
            out.text(&table.render())
        }
        UserCmd::Remove { name } => {
            let answer = send(client, Method::DELETE, &["v2/access/users", &name], None).await?;
            if out.is_json() {
                return out.json(&answer);
            }
            out.text(&format!("user {name} removed\n"))
        }
    }
}

fn yes_no(value: Option<bool>) -> String {
    if value.unwrap_or(false) { "yes" } else { "no" }.to_owned()
}

/// Runs a `dromos team` command.
pub async fn run_team(cmd: TeamCmd, client: &Client, out: &mut Output<'_>) -> Result<(), CliError> {
    match cmd {
        TeamCmd::Add(args) => {
            let mut quota = Map::new();
            for (key, value) in [("cpus", args.cpus), ("mem", args.mem), ("disk", args.disk)] {
                if let Some(v) = value {
                    quota.insert(key.into(), json!(v));
                }
            }
            if let Some(n) = args.instances {
                quota.insert("instances".into(), json!(n));
            }
            let body = json!({"paths": args.paths, "read": args.read, "quota": quota});
            let answer = send(client, Method::PUT, &["v2/access/teams", &args.name], Some(&body)).await?;
            if out.is_json() {
                return out.json(&answer);
            }
            out.text(&format!("team {} saved\n", args.name))
        }
        TeamCmd::List => {
            let answer = send(client, Method::GET, &["v2/access/teams"], None).await?;
            if out.is_json() {
                return out.json(&answer);
            }
            let mut table = Table::new(["NAME", "PATHS", "CPUS", "MEM", "INSTANCES"]);
            for team in answer["teams"].as_array().into_iter().flatten() {
                let paths: Vec<&str> =
                    team["paths"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                let of = |key: &str| {
                    let used = amount(team["usage"][key].as_f64().unwrap_or(0.0));
                    match team["quota"][key].as_f64() {
                        Some(limit) => format!("{used}/{}", amount(limit)),
                        None => used,
                    }
                };
                table.row([
                    team["name"].as_str().unwrap_or_default().to_owned(),
                    paths.join(","),
                    of("cpus"),
                    of("mem"),
                    of("instances"),
                ]);
            }
            out.text(&table.render())
        }
        TeamCmd::Remove { name } => {
            let answer = send(client, Method::DELETE, &["v2/access/teams", &name], None).await?;
            if out.is_json() {
                return out.json(&answer);
            }
            out.text(&format!("team {name} removed\n"))
        }
    }
}

/// Runs a `dromos token` command.
pub async fn run_token(cmd: TokenCmd, client: &Client, out: &mut Output<'_>) -> Result<(), CliError> {
    match cmd {
        TokenCmd::Create { for_user, description } => {
            let mut body = json!({"description": description});
            if let Some(user) = for_user {
                body["user"] = Value::String(user);
            }
            let answer = send(client, Method::POST, &["v2/access/tokens"], Some(&body)).await?;
            if out.is_json() {
                return out.json(&answer);
            }
            // The token alone on stdout, so `TOKEN=$(dromos token create)` works.
            out.text(&format!("{}\n", answer["token"].as_str().unwrap_or_default()))
        }
        TokenCmd::List => {
            let answer = send(client, Method::GET, &["v2/access/tokens"], None).await?;
            if out.is_json() {
                return out.json(&answer);
            }
            let mut table = Table::new(["ID", "USER", "CREATED", "DESCRIPTION"]);
            for token in answer["tokens"].as_array().into_iter().flatten() {
                let field = |k: &str| token[k].as_str().unwrap_or_default().to_owned();
                table.row([field("id"), field("user"), field("createdAt"), field("description")]);
            }
            out.text(&table.render())
        }
        TokenCmd::Revoke { id } => {
            let answer = send(client, Method::DELETE, &["v2/access/tokens", &id], None).await?;
            if out.is_json() {
                return out.json(&answer);
            }
            out.text(&format!("token {id} revoked\n"))
        }
    }
}

/// `dromos audit`: the newest entries of the audit log.
pub async fn run_audit(limit: u32, client: &Client, out: &mut Output<'_>) -> Result<(), CliError> {
    let limit = limit.to_string();
    let url = client.url(&["v2/access/audit"], &[("limit", &limit)]);
    let answer = client.send(Method::GET, url, None).await?.body;
    if out.is_json() {
        return out.json(&answer);
    }
    let mut table = Table::new(["SEQ", "AT", "WHO", "FROM", "ACTION", "STATUS", "ERROR"]);
    for entry in answer["entries"].as_array().into_iter().flatten() {
        let field = |k: &str| entry[k].as_str().unwrap_or_default().to_owned();
        table.row([
            entry["seq"].to_string(),
            field("at"),
            field("who"),
            field("from"),
            field("action"),
            entry["status"].to_string(),
            field("error"),
        ]);
    }
    out.text(&table.render())
}

/// `dromos whoami`.
pub async fn run_whoami(client: &Client, out: &mut Output<'_>) -> Result<(), CliError> {
    let answer = send(client, Method::GET, &["v2/access/whoami"], None).await?;
    if out.is_json() {
        return out.json(&answer);
    }
    let teams: Vec<&str> =
        answer["teams"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let role = if answer["open"].as_bool() == Some(true) {
        "open (no users configured)"
    } else if answer["admin"].as_bool() == Some(true) {
        "admin"
    } else {
        "member"
    };
    out.text(&format!(
        "{} ({role}){}\n",
        answer["name"].as_str().unwrap_or_default(),
        if teams.is_empty() { String::new() } else { format!(", teams: {}", teams.join(", ")) }
    ))
}
