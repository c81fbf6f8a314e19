//! dromos' scheduler core. Pure: it takes inputs (offers, status updates,
//! health results, app versions, `now`) and returns decisions.
//!
//! # Concurrency model and ownership
//!
//! Everything here is plain data and synchronous functions: no I/O, no clock
//! (time arrives as a [`Timestamp`]), no threads, no interior mutability, no
//! locks. The server owns one instance of each stateful piece ([`LaunchQueue`],
//! [`Tracker`]) inside its single scheduler run loop, which is woken by Mesos
//! events (offers, status updates), health results, API commands and timers
//! (the queue's [`LaunchQueue::next_wakeup`]). The loop feeds inputs in, applies
//! the returned decisions (ACCEPT/DECLINE/KILL/REVIVE/SUPPRESS, store writes)
//! and never holds any of this state across an `.await` it does not own.
//!
//! # Layout
//!
//! | module | job |
//! | --- | --- |
//! | [`time`] | `Timestamp`: time as data |
//! | [`resources`] | scalar resources (fixed-point) and port ranges |
//! | [`offer`] | offers, agents and attributes in scheduler terms |
//! | [`run_spec`] | what the scheduler needs of an app |
//! | [`instance`] | instances, conditions, health, goals |
//! | [`constraint`] | placement constraints: parsing and semantics |
//! | [`matcher`] | offers × launch queue → launches, declines, reasons |
//! | [`queue`] | launch queue with backoff; revive/suppress |
//! | [`plan`] | deployment plans from old/new run specs |
//! | [`upgrade`] | rolling restart and scale step decisions |
//! | [`tracker`] | applying status updates and health results to instances |
//! | [`reconcile`] | steady-state: replacements, scale, expunge |
//! | [`kill_order`] | which instances go first on scale-down |
//! | [`kill_rate`] | kill-storm guard: health kills per run spec per interval |
//!
//! The shape follows Nomad's scheduler: reconcile → feasibility → rank →
//! select → plan, and "cannot place yet" is data ([`NoMatchReason`]), never an
//! error. `Err` is reserved for bad input and broken invariants.

pub mod constraint;
pub mod instance;
pub mod kill_order;
pub mod kill_rate;
pub mod matcher;
pub mod offer;
pub mod plan;
pub mod queue;
pub mod reconcile;
pub mod resources;
pub mod run_spec;
pub mod time;
pub mod tracker;
pub mod upgrade;

pub use constraint::{Constraint, ConstraintError, Field, Operator};
pub use instance::{Condition, Goal, Health, Instance};
pub use matcher::{
    match_offers, Launch, LaunchRequest, MatchConfig, MatchOutcome, MatchRound, NoMatchReason,
    OfferMatchSummary,
};
pub use offer::{AgentInfo, Attribute, AttributeValue, Decline, Offer, OfferedAmount, OfferedResource};
pub use queue::LaunchQueue;
pub use resources::{PortRange, Resources, ScalarKind};
pub use run_spec::{
    BackoffPolicy, HostPort, KillSelection, PlacementStrategy, PortRequest, RunSpec, UnreachableStrategy,
    UpgradeStrategy,
};
pub use time::Timestamp;
pub use tracker::Tracker;
