//! Everything that can go wrong in a CLI invocation, and the one mapping from
//! a failure to its exit code and its message on stderr.
//!
//! Exit codes are part of the CLI's contract with scripts:
//! `1` the server refused or answered oddly, `2` the invocation or its input
//! file was wrong (clap uses `2` for its own usage errors too), `3` the server
//! could not be reached at all.

use std::io::{self, Write};

/// One field-level complaint from a Marathon `400`/`422` body
/// (`{"details":[{"path":"/cpus","errors":["..."]}]}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON pointer-like path of the offending field, `/` when the server gave none.
    pub path: String,
    /// The server's messages for that field, in its order.
    pub errors: Vec<String>,
}

/// A failed CLI invocation. Every variant maps to exactly one exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The server answered with a non-2xx status; `message` is its `message` field
    /// (or a summary of a non-JSON body).
    #[error("{message} (HTTP {status})")]
    Api {
        status: u16,
        message: String,
        /// Field errors of a validation failure (400/422); empty otherwise.
        details: Vec<FieldError>,
        /// Deployments that lock the resource (409); empty otherwise.
        deployments: Vec<String>,
    },
    /// A 2xx answer the CLI cannot use: not JSON, or JSON of the wrong shape.
    #[error("unexpected answer from {url}: {reason}")]
    UnexpectedResponse { url: String, reason: String },
    /// No TCP connection (refused, unknown host, reset before an answer).
    #[error("could not reach dromos at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// Connected, but no answer within `--timeout`.
    #[error("dromos at {url} did not answer within {seconds}s")]
    Timeout { url: String, seconds: u64 },
    /// The command line itself is wrong in a way clap cannot express (e.g. a bad `--url`).
    #[error("{0}")]
    Usage(String),
    /// A definition file (or stdin) could not be read.
    #[error("cannot read {path}: {source}")]
    ReadInput {
        path: String,
        #[source]
        source: io::Error,
    },
    /// A definition file is not JSON; nothing was sent to the server.
    #[error("{path} is not valid JSON (line {line}, column {column}): {message}")]
    InvalidJson { path: String, line: usize, column: usize, message: String },
    /// Writing to stdout failed (e.g. the reading end of a pipe went away).
    #[error("cannot write output: {0}")]
    Output(#[source] io::Error),
}

impl CliError {
    /// The process exit code for this failure (see the module docs).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Api { .. } | Self::UnexpectedResponse { .. } | Self::Output(_) => 1,
            Self::Usage(_) | Self::ReadInput { .. } | Self::InvalidJson { .. } => 2,
            Self::Unreachable { .. } | Self::Timeout { .. } => 3,
        }
    }

    /// Writes the human message for this failure: an `error:` line, then one
    /// indented line per field error, then a hint where one helps.
    pub fn report(&self, err: &mut dyn Write) -> io::Result<()> {
        if let Self::Output(source) = self {
            if source.kind() == io::ErrorKind::BrokenPipe {
                return Ok(());
            }
        }
        writeln!(err, "error: {self}")?;
        match self {
            Self::Api {
                details,
                deployments,
                ..
            } => {
                for detail in details {
                    writeln!(err, "  {}: {}", detail.path, detail.errors.join("; "))?;
                }
                if !deployments.is_empty() {
                    writeln!(
                        err,
                        "hint: locked by deployment {}; add --force to override it, or see `dromos deployment list`",
                        deployments.join(", ")
                    )?;
                }
            }
            Self::Unreachable { .. } | Self::Timeout { .. } => writeln!(
                err,
                "hint: is dromos running? Start one with `dromos serve`, or point --url (DROMOS_URL) at a running server"
            )?,
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{CliError, FieldError};

    fn api(status: u16) -> CliError {
        CliError::Api { status, message: "m".into(), details: vec![], deployments: vec![] }
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        let cases = [
            (api(404), 1),
            (CliError::UnexpectedResponse { url: "u".into(), reason: "r".into() }, 1),
            (CliError::Usage("bad".into()), 2),
            (CliError::InvalidJson { path: "a.json".into(), line: 1, column: 2, message: "x".into() }, 2),
            (CliError::Unreachable { url: "u".into(), reason: "r".into() }, 3),
            (CliError::Timeout { url: "u".into(), seconds: 1 }, 3),
        ];
        for (error, code) in cases {
            assert_eq!(error.exit_code(), code, "{error}");
        }
    }

    #[test]
    fn report_lists_each_field_error_on_its_own_line() {
        let error = CliError::Api {
            status: 422,
            message: "Object is not valid".into(),
            details: vec![
                FieldError {
                    path: "/cpus".into(),
                    errors: vec!["must be positive".into(), "is required".into()],
                },
                FieldError { path: "/id".into(), errors: vec!["is invalid".into()] },
            ],
            deployments: vec![],
        };
        let mut buf = Vec::new();
        error.report(&mut buf).expect("writing to a Vec cannot fail");
        assert_eq!(
            String::from_utf8_lossy(&buf),
            "error: Object is not valid (HTTP 422)\n  /cpus: must be positive; is required\n  /id: is invalid\n"
        );
    }

    #[test]
    fn broken_pipe_is_reported_silently() {
        let error = CliError::Output(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        let mut buf = Vec::new();
        error.report(&mut buf).expect("writing to a Vec cannot fail");
        assert!(buf.is_empty());
    }
}
