//! The dromos server: one process that serves the web console, the
//! Marathon-compatible REST API and the embedded cluster.
//!
//! Map of the server (arrows point one way only):
//! - [`config`]: the command line and its `DROMOS_*` environment variables.
//! - [`http`]: the axum router: server-rendered console and its embedded
//!   assets, server functions, the REST API.
//! - [`service`]: the one service layer every front door calls (REST,
//!   console server functions, CLI).
//! - [`shutdown`]: one cancellation fanned out to every loop.
//! - [`telemetry`]: structured logs.
//!
//! [`serve`] binds the configured address; [`run`] takes a bound listener so
//! tests can start a real server on port 0.

pub mod config;
pub mod http;
pub mod service;
pub mod shutdown;
pub mod telemetry;

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use config::ServeArgs;
use service::Service;

/// Why the server could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("cannot create data directory {dir}: {source}")]
    DataDir { dir: std::path::PathBuf, source: std::io::Error },
    #[error("HTTP server failed: {0}")]
    Http(#[source] std::io::Error),
}

/// Binds `args.http_addr` and runs until `shutdown` fires.
pub async fn serve(args: ServeArgs, shutdown: CancellationToken) -> Result<(), ServeError> {
    let listener = TcpListener::bind(args.http_addr)
        .await
        .map_err(|source| ServeError::Bind { addr: args.http_addr, source })?;
    run(listener, args, shutdown).await
}

/// Runs dromos on an already bound listener until `shutdown` fires, then
/// waits for in-flight requests to finish.
pub async fn run(
    listener: TcpListener,
    args: ServeArgs,
    shutdown: CancellationToken,
) -> Result<(), ServeError> {
    let data_dir = args.resolved_data_dir();
    std::fs::create_dir_all(&data_dir)
        .map_err(|source| ServeError::DataDir { dir: data_dir.clone(), source })?;
    let local_addr = listener.local_addr().map_err(ServeError::Http)?;
    let service = Arc::new(Service::new(local_addr, &args));
    let router = http::router(service);
    tracing::info!(
        addr = %local_addr,
        data_dir = %data_dir.display(),
        master = %args.master,
        console = http::assets::console_available(),
        "dromos is serving on http://{local_addr}"
    );
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
        .map_err(ServeError::Http)?;
    tracing::info!("dromos stopped");
    Ok(())
}
