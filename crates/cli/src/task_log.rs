//! `dromos task log <task-id> [--stderr] [--follow] [--tail BYTES]`: a
//! task's output from its sandbox.
//!
//! Requests: `GET /v2/tasks/{id}/files/{stdout|stderr}` (no offset: the
//! server's last 64 KiB) or, with `--tail`, first `?offset=-1` (the size)
//! then `?offset=<size-tail>&length=<tail>` (in 1 MiB windows); `--follow`
//! reads `GET .../{file}/follow[?offset=N]` (Server-Sent Events: `data`
//! events with `{"offset","data"}`, then `eof` once the task has ended).
//! Output is written as it arrives; `--json` prints each answer (or event)
//! as JSON instead.

use reqwest::Url;
use serde::Deserialize;
use serde_json::Value;

use crate::client::{decode, Client};
use crate::error::CliError;
use crate::output::Output;

/// The server's largest window.
const MAX_WINDOW: u64 = 1024 * 1024;

/// Arguments of `dromos task log`.
#[derive(Debug, Clone, clap::Args)]
pub struct LogArgs {
    /// The task whose output to show.
    #[arg(value_name = "TASK_ID")]
    pub task_id: String,
    /// Show standard error instead of standard output.
    #[arg(long)]
    pub stderr: bool,
    /// Keep printing new output until the task ends.
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// Start this many bytes before the end (default: the last 64 KiB).
    #[arg(long, value_name = "BYTES")]
    pub tail: Option<u64>,
}

/// One `/files/read` answer.
#[derive(Debug, Clone, Deserialize)]
struct Chunk {
    data: String,
    offset: u64,
}

/// Runs `dromos task log`.
pub async fn run(args: LogArgs, client: &Client, out: &mut Output<'_>) -> Result<(), CliError> {
    let file = if args.stderr { "stderr" } else { "stdout" };
    let path = ["v2/tasks", args.task_id.as_str(), "files", file];
    let start = match args.tail {
        Some(tail) => Some(size(client, &path).await?.saturating_sub(tail)),
        None => None,
    };
    if args.follow {
        let mut follow_path = path.to_vec();
        follow_path.push("follow");
        let offset = start.map(|s| s.to_string());
        let query: Vec<(&str, &str)> = offset.iter().map(|o| ("offset", o.as_str())).collect();
        return follow(client, client.url(&follow_path, &query), out).await;
    }
    match start {
        None => {
            let body = client.get(&path, &[]).await?;
            print_chunk(body, out)
        }
        Some(mut offset) => {
            let end = offset + args.tail.unwrap_or_default();
            while offset < end {
                let length = (end - offset).min(MAX_WINDOW);
                let (o, l) = (offset.to_string(), length.to_string());
                let body = client.get(&path, &[("offset", &o), ("length", &l)]).await?;
                let read = chunk_length(&body);
                print_chunk(body, out)?;
                if read == 0 {
                    break;
                }
                offset += length;
            }
            Ok(())
        }
    }
}

/// The file's current size (`offset=-1`).
async fn size(client: &Client, path: &[&str]) -> Result<u64, CliError> {
    let body = client.get(path, &[("offset", "-1")]).await?;
    Ok(decode::<Chunk>(body, "the file size")?.offset)
}

fn chunk_length(body: &Value) -> usize {
    body.get("data").and_then(Value::as_str).map_or(0, str::len)
}

fn print_chunk(body: Value, out: &mut Output<'_>) -> Result<(), CliError> {
    if out.is_json() {
        return out.json(&body);
    }
    let chunk = decode::<Chunk>(body, "the task output")?;
    out.text(&chunk.data)
}

/// Prints `data` events as they arrive until `eof` (or the server closes).
async fn follow(client: &Client, url: Url, out: &mut Output<'_>) -> Result<(), CliError> {
    let mut response = client.stream(url.clone()).await?;
    let mut buffer = String::new();
    loop {
        let Some(bytes) = response.chunk().await.map_err(|e| client.stream_error(&url, &e))? else {
            return Ok(());
        };
        buffer.push_str(&String::from_utf8_lossy(&bytes));
        while let Some(end) = buffer.find("\n\n") {
            let message: String = buffer.drain(..end + 2).collect();
            let event = message.lines().find_map(|l| l.strip_prefix("event:")).map(str::trim);
            let data = message.lines().find_map(|l| l.strip_prefix("data:")).map(str::trim);
            let (Some(event), Some(data)) = (event, data) else { continue };
            let body: Value = serde_json::from_str(data).map_err(|e| CliError::UnexpectedResponse {
                url: url.to_string(),
                reason: format!("an event that is not JSON: {e}"),
            })?;
            if out.is_json() {
                out.text(&format!("{}\n", serde_json::json!({ "event": event, "data": body })))?;
            } else if event == "data" {
                out.text(&decode::<Chunk>(body, "a follow event")?.data)?;
            }
            out.flush()?;
            if event == "eof" {
                return Ok(());
            }
        }
    }
}
