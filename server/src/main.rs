//! The `dromos` binary: parse the command line, start logging, run.

use anyhow::Context;
use clap::Parser;
use server::config::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        None => cli.serve,
    };
    server::telemetry::init(args.log_format).map_err(|e| anyhow::anyhow!("starting logging: {e}"))?;
    let shutdown = server::shutdown::on_signal();
    server::serve(args, shutdown).await.context("dromos stopped with an error")
}
