//! dromos-mesos: dromos' side of the Mesos v1 scheduler HTTP API.
//!
//! dromos schedules through this API in every mode: against an Apache Mesos
//! master, and against dromos' own embedded single-machine master, which reuses
//! the message types here to decode calls and encode events.
//!
//! * [`v1`]: serde types for the JSON messages ([`v1::Call`], [`v1::Event`],
//!   [`v1::Offer`], [`v1::TaskInfo`], [`v1::TaskStatus`], …), in Mesos' own JSON
//!   mapping (snake_case names, enum names as strings, base64 bytes).
//! * [`recordio`]: the `<length>\n<bytes>` framing of the event stream, with an
//!   incremental decoder that bounds record size.
//! * [`client`]: the async scheduler client. [`client::start`] spawns the one task
//!   that owns the subscription loop; it is woken by stream bytes, the heartbeat
//!   watchdog, the reconnection backoff timer and the cancellation token. Callers
//!   get a cloneable [`client::Scheduler`] handle for calls and an mpsc receiver of
//!   [`client::ClientEvent`]s.
//! * [`detect`]: finding the leading master from `--master` (`http://…`,
//!   `host:port`, or `zk://…/mesos` where the lowest `json.info_*` znode wins);
//!   [`detect::ZooKeeperDetector`] is a [`client::MasterResolver`], asked before
//!   every connection attempt, so the client follows leader changes.
//!
//! The scheduler core never sees these types: `server` translates them.

pub mod client;
pub mod detect;
pub mod recordio;
pub mod v1;
