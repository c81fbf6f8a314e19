//! The dromos server: one process that serves the web console, the
//! Marathon-compatible REST API and the embedded cluster.
//!
//! Map of the server (arrows point one way only):
//! - [`config`]: the command line and its `DROMOS_*` environment variables.
//! - [`http`]: the axum router: server-rendered console and its embedded
//!   assets, server functions, the REST API.
//! - [`service`]: the one service layer every front door calls (REST,
//!   console server functions, CLI), over the durable store.
//! - [`events`]: the event bus behind `/v2/events`.
//! - [`metrics`]: counters behind `/metrics`.
//! - [`shutdown`]: one cancellation fanned out to every loop.
//! - [`telemetry`]: structured logs.
//!
//! [`serve`] binds the configured address; [`run`] takes a bound listener so
//! tests can start a real server on port 0.

pub mod cluster;
pub mod config;
pub mod events;
pub mod http;
pub mod metrics;
pub mod service;
pub mod shutdown;
pub mod telemetry;

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use config::ServeArgs;
use service::{Service, ServiceConfig};

/// Why the server could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("cannot create data directory {dir}: {source}")]
    DataDir { dir: std::path::PathBuf, source: std::io::Error },
    #[error("cannot open the store in {dir}: {source}")]
    Store { dir: std::path::PathBuf, source: dromos_store::StoreError },
    #[error("cannot load the stored state: {0}")]
    Service(#[source] service::ServiceError),
    #[error("cannot start the embedded cluster: {0}")]
    Cluster(#[source] dromos_local::LocalError),
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
    let service =
        Arc::new(open_service(ServiceConfig::from_args(local_addr, &args), data_dir.clone()).await?);
    let master = cluster::start(&args, &data_dir, &shutdown).map_err(ServeError::Cluster)?;
    let router = http::router(service).merge(cluster::routes(&master));
    tracing::info!(
        addr = %local_addr,
        data_dir = %data_dir.display(),
        master = %args.master,
        console = http::assets::console_available(),
        "dromos is serving on http://{local_addr}"
    );
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown.clone().cancelled_owned())
        .await
        .map_err(ServeError::Http)?;
    if let cluster::Master::Local(cluster) = master {
        // The HTTP server is down; stop the tasks of the embedded cluster.
        shutdown.cancel();
        cluster.stopped().await;
    }
    tracing::info!("dromos stopped");
    Ok(())
}

/// Opens the SQLite store under `data_dir` and loads the service state
/// (blocking work, done on a blocking thread).
async fn open_service(config: ServiceConfig, data_dir: std::path::PathBuf) -> Result<Service, ServeError> {
    tokio::task::spawn_blocking(move || {
        let store = dromos_store::SqliteStore::open(&data_dir, dromos_store::SqliteOptions::default())
            .map_err(|source| ServeError::Store { dir: data_dir.clone(), source })?;
        Service::open(config, Arc::new(store)).map_err(ServeError::Service)
    })
    .await
    .map_err(|e| ServeError::Service(service::ServiceError::Internal(format!("start-up task failed: {e}"))))?
}
