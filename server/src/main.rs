//! The `dromos` binary: parse the command line, start logging, run.

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use server::config::{Cli, Command};

/// Stack of the runtime's threads. Server-side rendering of the console
/// nests deeply (Leptos view futures), more so in debug builds.
const THREAD_STACK_BYTES: usize = 16 * 1024 * 1024;

fn main() -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(THREAD_STACK_BYTES)
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run(Cli::parse()))
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        Some(Command::Client(command)) => return Ok(dromos_cli::run(command, cli.client).await),
        None => cli.serve,
    };
    server::telemetry::init(args.log_format).map_err(|e| anyhow::anyhow!("starting logging: {e}"))?;
    let shutdown = server::shutdown::on_signal();
    server::serve(args, shutdown).await.context("dromos stopped with an error")?;
    Ok(ExitCode::SUCCESS)
}
