//! dromos-driver: the scheduler run loop that makes tasks really run.
//!
//! It connects three crates that know nothing of each other: the service's
//! model (`dromos-model`), the pure scheduler core (`dromos-scheduler`) and
//! the Mesos v1 client (`dromos-mesos`). The service layer is reached only
//! through the [`Target`] trait.
//!
//! # Concurrency model and ownership
//!
//! [`Driver::run`] is one tokio task that owns all scheduler state: the
//! [`dromos_scheduler::LaunchQueue`], the [`dromos_scheduler::Tracker`],
//! the per-task Mesos facts and the deployments in progress. Nothing else
//! reads or writes that state, so there are no locks. The loop is woken by,
//! in priority order:
//!
//! 1. the shutdown token (it then cancels the Mesos client and returns);
//! 2. Mesos client events: `Connected` (persist the framework id, then an
//!    explicit RECONCILE), `Disconnected`, OFFERS, UPDATE, RESCIND, FAILURE;
//! 3. [`Target::changed`]: a new snapshot of apps and deployments;
//! 4. health and readiness results from the per-instance checker tasks
//!    ([`health`], [`readiness`]);
//! 5. a timer: the end of a launch backoff, a rate-limited REVIVE, the
//!    housekeeping tick (launch timeouts, kill retries) and the periodic
//!    reconciliation.
//!
//! After every wake-up the loop runs the synchronous decisions (deployment
//! steps with `dromos_scheduler::upgrade`, steady-state `reconcile`,
//! suppress/revive) and then carries out their effects: store writes are
//! awaited in the loop (an instance intent before its ACCEPT, the framework
//! id before any call), Mesos calls are handed in decision order to one
//! outbox task so a slow master never stalls the loop, health checkers are
//! started and cancelled, and reports go to the [`Target`] when they
//! changed. No scheduler state is borrowed across an `.await`.
//!
//! Tasks spawned: the Mesos client loop, the outbox, one health checker
//! per instance with driver-side (HTTP/TCP) checks, and one readiness
//! checker per instance launched by a deployment of an app with a
//! readiness check (until it is ready).
//!
//! # Layout
//!
//! | module | job |
//! | --- | --- |
//! | [`translate`] | model ↔ core ↔ Mesos conversions (pure; the only place Mesos types meet core types) |
//! | [`target`] | the [`Target`] seam and the report types |
//! | [`driver`] | [`Driver::run`] and the loop's state |
//! | [`health`] | scheduler-side HTTP/TCP health checks |
//! | [`readiness`] | readiness checks that gate deployments |
//! | [`config`] | [`DriverConfig`] |
//! | [`error`] | [`DriverError`] |
//! | [`testing`] | [`testing::InMemoryTarget`] for tests |

pub mod config;
pub mod driver;
pub mod error;
pub mod health;
pub mod readiness;
pub mod target;
pub mod testing;
pub mod translate;

pub use config::DriverConfig;
pub use driver::Driver;
pub use error::DriverError;
pub use target::{
    DeploymentProgress, DeploymentTimeout, DriverCommand, InstanceIntent, InstanceReport, QueueItemReport,
    Target, TargetDeployment, TargetError, TargetSnapshot, TaskFailure,
};
