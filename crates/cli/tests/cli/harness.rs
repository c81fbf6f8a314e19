//! Running one CLI invocation in-process against a fake server, and the
//! table-driven `Case` that checks the request it sent and what it printed.

use std::io::Write as _;

use clap::Parser;
use dromos_cli::{execute, CliCommand, ClientArgs};
use serde_json::{json, Value};

use crate::fake_server::{Canned, FakeServer, Recorded};

/// The shape the `dromos` binary gives these commands.
#[derive(Debug, Parser)]
#[command(name = "dromos")]
pub struct TestCli {
    #[command(subcommand)]
    pub command: CliCommand,
    #[command(flatten)]
    pub args: ClientArgs,
}

/// What one invocation produced.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

/// Parses `argv` (after `dromos`) as the binary would and runs it in-process.
pub async fn invoke(argv: &[String]) -> Outcome {
    let cli = match TestCli::try_parse_from(std::iter::once("dromos".to_owned()).chain(argv.iter().cloned()))
    {
        Ok(cli) => cli,
        Err(error) => {
            let code = u8::try_from(error.exit_code()).expect("clap exit codes fit in u8");
            return Outcome { code, stdout: String::new(), stderr: error.to_string() };
        }
    };
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = match execute(cli.command, &cli.args, &mut stdout).await {
        Ok(()) => 0,
        Err(error) => {
            error.report(&mut stderr).expect("writing to a Vec cannot fail");
            error.exit_code()
        }
    };
    Outcome {
        code,
        stdout: String::from_utf8(stdout).expect("UTF-8 output"),
        stderr: String::from_utf8(stderr).expect("UTF-8 errors"),
    }
}

/// A temporary definition file holding `text`.
pub fn definition_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("creating a temp file");
    file.write_all(text.as_bytes()).expect("writing the temp file");
    file
}

/// One command against one canned answer.
pub struct Case {
    pub name: &'static str,
    /// Arguments after `dromos`; `{file}` is replaced by the path of a file holding `file`.
    pub argv: &'static [&'static str],
    pub file: Option<&'static str>,
    pub answer: Canned,
    /// (method, path?query, JSON body or Null for none).
    pub request: (&'static str, &'static str, Value),
    pub code: u8,
    pub stdout: &'static str,
    pub stderr: &'static str,
}

pub async fn check(case: Case) {
    let server = FakeServer::start(case.answer).await;
    let file = case.file.map(definition_file);
    let mut argv = vec!["--url".to_owned(), server.url.clone()];
    for arg in case.argv {
        let path = file.as_ref().map(|f| f.path().display().to_string());
        argv.push(match (*arg, path) {
            ("{file}", Some(path)) => path,
            (arg, _) => arg.to_owned(),
        });
    }
    let outcome = invoke(&argv).await;
    let requests = server.requests();
    let [Recorded { method, target, body }] = requests.as_slice() else {
        panic!("{}: expected exactly one request, got {requests:?}", case.name);
    };
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).expect("the CLI sends JSON bodies")
    };
    let (want_method, want_target, want_body) = case.request;
    assert_eq!(
        (method.as_str(), target.as_str(), &body),
        (want_method, want_target, &want_body),
        "{}: request",
        case.name
    );
    assert_eq!(
        outcome,
        Outcome { code: case.code, stdout: case.stdout.to_owned(), stderr: case.stderr.to_owned() },
        "{}: outcome",
        case.name
    );
}

pub fn ok(body: Value) -> Canned {
    Canned::json(200, body)
}

pub fn deployment_result() -> Canned {
    ok(json!({"deploymentId": "5ed4c0c5", "version": "2015-09-29T15:59:51.164Z"}))
}

pub fn locked() -> Canned {
    Canned::json(
        409,
        json!({"message": "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/97c1'.",
               "deployments": [{"id": "97c1"}]}),
    )
}
