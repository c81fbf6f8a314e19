//! dromos-local: the embedded single-machine Mesos master and agent.
//!
//! `dromos` with no `--master` runs this cluster in-process and schedules on it
//! through the very Mesos v1 scheduler HTTP API it uses against Apache Mesos,
//! over loopback. So this crate is a *master*: it decodes `Call`s and streams
//! `Event`s using the message types of `dromos-mesos`, and serves the read-only
//! endpoints dashboards use. It is not a distributed system: multi-machine
//! means Apache Mesos.
//!
//! # Layout
//!
//! * [`LocalCluster`] (`cluster`): [`LocalCluster::start`] spawns the master;
//!   the handle is what [`router`] and the server hold.
//! * [`router`] (`http`): `POST /api/v1/scheduler`, `/master/state`,
//!   `/master/state-summary`, `/metrics/snapshot`, `/version`, also under `/mesos`.
//! * `master`: the actor that owns all state: frameworks and their streams,
//!   offers, the DRF allocator, tasks and their reliable status updates,
//!   reconciliation, the JSON views.
//! * `executor`: runners for command tasks (processes in their own process
//!   group and sandbox) and DOCKER tasks (Docker Engine API via `bollard`).
//! * [`LocalConfig`] / [`AttributeSpec`] (`config`), [`MachineResources`]
//!   (`machine`): how the machine is split into logical agents.
//! * `resources`: scalar and port-range arithmetic.
//! * [`files`]: reading and following a task's `stdout`/`stderr`.
//! * `checkpoint`: durable records of running command tasks; with them a
//!   restarted dromos re-adopts the processes a crash left running
//!   (`master::recover`, `executor::adopted`).
//!
//! # Restarts
//!
//! A graceful stop (the shutdown token) kills every task: dromos stopped on
//! purpose leaves nothing behind. A crash (`kill -9`) leaves the processes
//! running; the next start re-adopts those still alive (same pid *and*
//! start time) and reports the others TASK_FAILED, so the scheduler keeps
//! the first and replaces the second, launching nothing twice.
//!
//! # Concurrency model
//!
//! One tokio task, the master actor, owns every piece of cluster state; nothing
//! is shared and there are no locks. It is fed by two unbounded mpsc channels:
//! commands from HTTP handlers (each carrying a oneshot for the reply) and
//! reports from task runners. It is also woken by the heartbeat timer and the
//! allocation timer (filter expiry, update retries, failover timeouts). A
//! handler never awaits inside the actor, so a slow client cannot stall it:
//! events go to each subscriber through a bounded channel with `try_send`, and
//! a subscriber that falls that far behind is disconnected.
//!
//! Each launched task has its own runner task, tracked by the master's
//! `TaskTracker`. The runner alone owns the child process or container; the
//! master reaches it through a small kill channel. Cancelling the shutdown
//! token stops the actor, which SIGKILLs every task's process group at once
//! and waits (at most 10 s) for the runners to reap them; then
//! [`LocalCluster::stopped`] resolves.

mod checkpoint;
mod cluster;
mod config;
mod error;
mod executor;
pub mod files;
mod http;
mod machine;
mod master;
mod resources;

pub use checkpoint::adoptable_process_groups;
pub use cluster::LocalCluster;
pub use config::{AttributeSpec, LocalConfig};
pub use error::LocalError;
pub use executor::cgroups::CgroupLimits;
pub use http::router;
pub use machine::MachineResources;
pub use master::CallError;

/// The Mesos version the local master reports (`/version`, `/master/state`,
/// `master_info`): the API level it follows.
pub const MESOS_VERSION: &str = "1.11.0";
