//! The dromos command-line client: `dromos app|group|deployment|task ...`
//! against a running dromos (or Marathon) over the Marathon-compatible REST
//! API. The `dromos` binary parses [`CliCommand`] and [`ClientArgs`] with its
//! own clap tree and hands them to [`run`].
//!
//! Layout:
//! - [`client`]: a thin typed layer over `reqwest`; every failure becomes a [`CliError`].
//! - [`access`]: users, teams, tokens, the audit log (`/v2/access`).
//! - one module per resource ([`app`], [`group`], [`deployment`], [`task`]): the
//!   clap subcommands, the requests they send and how the answers are shown.
//! - `status`: the derived app status (Running/Deploying/Suspended/Waiting).
//! - [`table`]: aligned plain-text columns; `output`: JSON vs human output.
//! - `input`: reading definition files, checked before anything is sent.
//! - [`error`]: [`CliError`] and its exit codes (1 API, 2 usage, 3 unreachable).
//!
//! Everything runs on the caller's Tokio runtime; the only blocking I/O is
//! reading a definition file (or stdin) and writing to stdout, both small.

pub mod access;
pub mod app;
pub mod client;
pub mod deployment;
pub mod error;
pub mod group;
mod input;
mod output;
mod status;
pub mod table;
pub mod task;
pub mod task_log;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

pub use app::AppCmd;
pub use client::Client;
pub use deployment::DeploymentCmd;
pub use error::CliError;
pub use group::GroupCmd;
pub use task::TaskCmd;

use output::Output;

/// The client subcommands of `dromos`; `serve` belongs to the server crate.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum CliCommand {
    /// Manage apps: long-running services kept at a number of instances.
    #[command(subcommand)]
    App(AppCmd),
    /// Manage groups: trees of apps deployed together.
    #[command(subcommand)]
    Group(GroupCmd),
    /// Watch, roll back or stop running deployments.
    #[command(subcommand)]
    Deployment(DeploymentCmd),
    /// List or kill tasks (running instances), or show their output.
    #[command(subcommand)]
    Task(TaskCmd),
    /// Manage users (admins).
    #[command(subcommand)]
    User(access::UserCmd),
    /// Manage teams: the group paths they own and their quotas (admins).
    #[command(subcommand)]
    Team(access::TeamCmd),
    /// Create, list and revoke API tokens.
    #[command(subcommand)]
    Token(access::TokenCmd),
    /// Show the newest entries of the audit log (admins).
    Audit {
        /// How many entries (newest first).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        limit: u32,
    },
    /// Show who the credentials in use belong to.
    Whoami,
}

/// How to reach the server and how to print. The flags are `global`, so they
/// may be given before or after the subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct ClientArgs {
    /// Base URL of the dromos server (a path prefix is kept, for proxies).
    #[arg(long, env = "DROMOS_URL", default_value = "http://127.0.0.1:8080", global = true)]
    pub url: String,
    /// Print the server's JSON instead of tables (for scripts).
    #[arg(long, global = true)]
    pub json: bool,
    /// Seconds to wait for each answer from the server.
    #[arg(
        long,
        env = "DROMOS_TIMEOUT",
        default_value_t = 30,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub timeout: u64,
    /// API token (`dromos token create`) sent as `Authorization: Bearer`.
    #[arg(long, env = "DROMOS_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<String>,
    /// User name for HTTP Basic; the password comes from `DROMOS_PASSWORD`.
    #[arg(long, env = "DROMOS_USER", global = true)]
    pub user: Option<String>,
}

/// Runs `command`, writing results to stdout and failures to stderr, and
/// returns the exit code (0 ok, 1 API error, 2 usage error, 3 unreachable).
pub async fn run(command: CliCommand, args: ClientArgs) -> ExitCode {
    let mut stdout = std::io::stdout();
    let result = execute(command, &args, &mut stdout).await;
    // Best effort: nothing sensible remains to do when stdout cannot be flushed.
    let _ = stdout.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Best effort: stderr is the last place a failure could be told.
            let _ = error.report(&mut std::io::stderr());
            ExitCode::from(error.exit_code())
        }
    }
}

/// Runs `command`, writing results to `out`; the caller reports the error.
/// This is [`run`] without the process plumbing, for embedding and tests.
pub async fn execute(
    command: CliCommand,
    args: &ClientArgs,
    out: &mut (dyn Write + Send),
) -> Result<(), CliError> {
    let client =
        Client::new(&args.url, Duration::from_secs(args.timeout))?.with_credentials(credentials(args)?);
    let mut output = Output::new(out, args.json);
    match command {
        CliCommand::App(cmd) => app::run(cmd, &client, &mut output).await,
        CliCommand::Group(cmd) => group::run(cmd, &client, &mut output).await,
        CliCommand::Deployment(cmd) => deployment::run(cmd, &client, &mut output).await,
        CliCommand::Task(cmd) => task::run(cmd, &client, &mut output).await,
        CliCommand::User(cmd) => access::run_user(cmd, &client, &mut output).await,
        CliCommand::Team(cmd) => access::run_team(cmd, &client, &mut output).await,
        CliCommand::Token(cmd) => access::run_token(cmd, &client, &mut output).await,
        CliCommand::Audit { limit } => access::run_audit(limit, &client, &mut output).await,
        CliCommand::Whoami => access::run_whoami(&client, &mut output).await,
    }
}

/// The credentials of `args`: a token, or a user with `DROMOS_PASSWORD`.
fn credentials(args: &ClientArgs) -> Result<client::Credentials, CliError> {
    match (&args.token, &args.user) {
        (Some(_), Some(_)) => Err(CliError::Usage("give either --token or --user, not both".into())),
        (Some(token), None) => Ok(client::Credentials::Bearer(token.clone())),
        (None, Some(user)) => {
            let password = std::env::var("DROMOS_PASSWORD").map_err(|_| {
                CliError::Usage(format!(
                    "--user {user}: set its password in the DROMOS_PASSWORD environment variable"
                ))
            })?;
            Ok(client::Credentials::Basic { user: user.clone(), password })
        }
        (None, None) => Ok(client::Credentials::None),
    }
}
