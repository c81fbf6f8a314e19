//! The dromos server: one process that serves the web console, the
//! Marathon-compatible REST API and the embedded cluster.
//!
//! Map of the server (arrows point one way only):
//! - [`access`]: authentication, permissions by group path, quotas and the
//!   audit log, enforced inside the service layer.
//! - [`config`]: the command line and its `DROMOS_*` environment variables.
//! - [`http`]: the axum router: server-rendered console and its embedded
//!   assets, server functions, the REST API.
//! - [`service`]: the one service layer every front door calls (REST,
//!   console server functions, CLI), over the durable store.
//! - [`events`]: the event bus behind `/v2/events`.
//! - [`ha`]: with `--zk`, the leader election, the leader-only scheduler
//!   and the proxy from followers to the leader.
//! - [`metrics`]: counters behind `/metrics`.
//! - [`scheduling`]: the scheduler run loop over the service, against the
//!   embedded cluster or a Mesos master.
//! - [`shutdown`]: one cancellation fanned out to every loop.
//! - [`telemetry`]: structured logs.
//!
//! [`serve`] binds the configured address; [`run`] takes a bound listener so
//! tests can start a real server on port 0.

pub mod access;
pub mod cluster;
pub mod config;
pub mod events;
pub mod ha;
pub mod http;
pub mod metrics;
pub mod scheduling;
pub mod service;
pub mod shutdown;
pub mod telemetry;

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
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
    #[error("cannot open the ZooKeeper store at {url}: {source}")]
    ZkStore { url: String, source: dromos_store::StoreError },
    #[error("cannot join the leader election: {0}")]
    Election(#[source] ha::HaError),
    #[error("cannot load the stored state: {0}")]
    Service(#[source] service::ServiceError),
    #[error("cannot start the embedded cluster: {0}")]
    Cluster(#[source] dromos_local::LocalError),
    #[error(
        "refusing to serve {addr} without authentication: no users are configured. \
         Add an admin first (`dromos user add NAME --admin` against a loopback dromos), \
         or pass --insecure to run open anyway"
    )]
    Insecure { addr: std::net::SocketAddr },
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
    let config = ServiceConfig::from_args(local_addr, &args);
    let advertised = config.advertised.clone();
    let service = Arc::new(open_service(config, &args, data_dir.clone()).await?);
    if cluster::is_local(&args.master) {
        scheduling::orphans::reap(&data_dir);
    }
    let master = cluster::start(&args, &data_dir, &shutdown).map_err(ServeError::Cluster)?;
    if let cluster::Master::Local(local) = &master {
        service.set_cluster_view(service::console::cluster::local_cluster_view(local.clone()));
    }
    service::console::history::spawn(
        service.clone(),
        service::console::history::PERIOD,
        shutdown.child_token(),
    );
    let access = open_access(service.clone(), &args, local_addr).await?;
    service.set_console_access(Arc::new(access::console::ConsoleAccess(access.clone())));
    let mut router = http::router(service.clone())
        .merge(cluster::routes(&master))
        .merge(access::http::routes(access.clone()))
        .layer(axum::middleware::from_fn_with_state(access.clone(), access::http::authenticate));
    let start_work = leader_work(service.clone(), &args, local_addr);
    let (office, ha) = match &args.zk {
        None => (start_work_now(start_work, &shutdown), None),
        Some(zk) => {
            let (ha, states) = ha::Ha::join(zk, args.zk_session_timeout(), &advertised)
                .await
                .map_err(ServeError::Election)?;
            service.stand_down(None);
            router = router.layer(axum::Extension(ha.clone())).layer(axum::middleware::from_fn_with_state(
                ha::proxy::Proxy::new(service.clone()),
                ha::proxy::leader_proxy,
            ));
            let office = tokio::spawn(ha::office::run(service.clone(), states, start_work, shutdown.clone()));
            (office, Some(ha))
        }
    };
    tracing::info!(
        addr = %local_addr,
        data_dir = %data_dir.display(),
        master = %args.master,
        zk = args.zk.as_deref().unwrap_or("none"),
        advertised = %advertised,
        console = http::assets::console_available(),
        "dromos is serving on http://{local_addr}"
    );
    let served = axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown.clone().cancelled_owned())
        .await;
    // The HTTP server is down: stop the scheduler (and step down), hand
    // leadership over at once, stop the embedded cluster.
    shutdown.cancel();
    if let Err(err) = office.await {
        tracing::error!(error = %err, "the scheduler task ended abnormally");
    }
    if let Some(ha) = ha {
        ha.close().await;
    }
    if let cluster::Master::Local(cluster) = master {
        cluster.stopped().await;
    }
    served.map_err(ServeError::Http)?;
    tracing::info!("dromos stopped");
    Ok(())
}

/// What the leader runs while in office: the scheduler run loop against
/// the configured master (the embedded cluster is reached over loopback on
/// `local_addr`). Called again on every re-election, with a fresh token
/// that is cancelled the moment leadership is lost.
fn leader_work(
    service: Arc<Service>,
    args: &ServeArgs,
    local_addr: std::net::SocketAddr,
) -> ha::office::StartWork {
    let master_url =
        if cluster::is_local(&args.master) { format!("http://{local_addr}") } else { args.master.clone() };
    let args = args.clone();
    Box::new(move |token: CancellationToken| {
        scheduling::spawn(service.clone(), master_url.clone(), &args, token)
    })
}

/// Without `--zk` this instance always leads: starts the work once, and
/// returns a task that ends when it has stopped after `shutdown`.
fn start_work_now(mut start_work: ha::office::StartWork, shutdown: &CancellationToken) -> JoinHandle<()> {
    start_work(shutdown.child_token())
}

/// Loads users, teams and tokens; refuses to serve beyond loopback while
/// nobody is configured (unless `--insecure`) and says loudly when open.
/// With `--zk` the directory is reloaded every few seconds, as another
/// instance may have changed it.
async fn open_access(
    service: Arc<Service>,
    args: &ServeArgs,
    addr: std::net::SocketAddr,
) -> Result<Arc<access::Access>, ServeError> {
    let loaded = tokio::task::spawn_blocking(move || access::Access::load(service)).await.map_err(|e| {
        ServeError::Service(service::ServiceError::Internal(format!("start-up task failed: {e}")))
    })?;
    let access = loaded.map_err(ServeError::Service)?;
    let directory = access.directory();
    if directory.is_open() {
        if !addr.ip().is_loopback() && !args.insecure {
            return Err(ServeError::Insecure { addr });
        }
        tracing::warn!(
            addr = %addr,
            insecure = args.insecure,
            "dromos runs OPEN: no users are configured, so anyone who can reach {addr} may do anything. \
             Add an admin with `dromos user add NAME --admin` to require sign-in"
        );
    } else {
        tracing::info!(
            users = directory.users().count(),
            teams = directory.teams().count(),
            "authentication required"
        );
    }
    if args.zk.is_some() {
        let access = access.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(3));
            loop {
                tick.tick().await;
                if let Err(err) = access.reload().await {
                    tracing::warn!(error = %err, "reloading users and teams failed");
                }
            }
        });
    }
    Ok(access)
}

/// Opens the store (ZooKeeper with `--zk`, else SQLite under `data_dir`)
/// and loads the service state (blocking work, done on a blocking thread).
async fn open_service(
    config: ServiceConfig,
    args: &ServeArgs,
    data_dir: std::path::PathBuf,
) -> Result<Service, ServeError> {
    let zk = args.zk.clone();
    let session_timeout = args.zk_session_timeout();
    tokio::task::spawn_blocking(move || {
        let store: Arc<dyn dromos_store::Store> = match zk {
            Some(url) => Arc::new(
                dromos_store::ZkStore::connect(&url, session_timeout)
                    .map_err(|source| ServeError::ZkStore { url: url.clone(), source })?,
            ),
            None => Arc::new(
                dromos_store::SqliteStore::open(&data_dir, dromos_store::SqliteOptions::default())
                    .map_err(|source| ServeError::Store { dir: data_dir.clone(), source })?,
            ),
        };
        Service::open(config, store).map_err(ServeError::Service)
    })
    .await
    .map_err(|e| ServeError::Service(service::ServiceError::Internal(format!("start-up task failed: {e}"))))?
}
