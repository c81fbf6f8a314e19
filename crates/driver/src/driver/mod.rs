//! [`Driver::run`]: the scheduler run loop.
//!
//! One tokio task owns the [`Core`] (launch queue, tracker, deployments in
//! progress). It waits on, in priority order: shutdown, Mesos client events,
//! target changes, health results, readiness results, ACCEPTs the master
//! did not take (their tasks are reconciled at once), API commands and the
//! timer ([`Core::next_wakeup`]).
//! Status updates already queued behind one are applied together (up to
//! [`MAX_UPDATE_BURST`]) before one tick, so a wave of updates costs one
//! tick and one instance report rather than one per update.
//! After every input it runs [`Core::tick`] and then carries out the
//! collected [`Effects`]: store writes are awaited (intents before ACCEPT,
//! the framework id before anything), Mesos calls go to the [`Outbox`] in
//! decision order, reports go to the target when they changed.

mod commands;
mod core;
mod effects;
mod offers;
mod outbox;
mod ready;
#[cfg(test)]
mod sim;
#[cfg(test)]
mod sim_failure_tests;
#[cfg(test)]
mod sim_tests;
mod status;
mod tick;
mod timeout;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dromos_mesos::client::{self, ClientConfig, ClientEvent, MasterResolver, ResolveFuture};
use dromos_mesos::v1::{
    CallBody, Event, FrameworkCapability, FrameworkCapabilityType, FrameworkId, FrameworkInfo,
};
use dromos_scheduler::Timestamp;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, info_span, warn, Instrument};

use self::core::Core;
use self::effects::Effects;
use self::outbox::Outbox;
use crate::config::DriverConfig;
use crate::error::DriverError;
use crate::health::{HealthResult, HealthSupervisor};
use crate::readiness::{ReadinessResult, ReadinessSupervisor};
use crate::target::Target;

/// The scheduler run loop. See the module docs.
#[derive(Debug)]
pub struct Driver;

/// The wall clock as the core's [`Timestamp`].
fn now() -> Timestamp {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    Timestamp(u64::try_from(ms).unwrap_or(u64::MAX))
}

fn framework_info(config: &DriverConfig, id: Option<String>) -> FrameworkInfo {
    let mut info = FrameworkInfo::new(config.user.clone(), config.framework_name.clone());
    info.id = id.map(FrameworkId::new);
    info.failover_timeout = Some(config.failover_timeout.as_secs_f64());
    info.checkpoint = Some(true);
    info.roles = vec![config.role.clone()];
    info.hostname.clone_from(&config.hostname);
    info.webui_url.clone_from(&config.webui_url);
    info.capabilities = [
        FrameworkCapabilityType::MultiRole,
        FrameworkCapabilityType::PartitionAware,
        FrameworkCapabilityType::TaskKillingState,
        FrameworkCapabilityType::GpuResources,
        FrameworkCapabilityType::RegionAware,
    ]
    .into_iter()
    .map(|kind| FrameworkCapability { kind })
    .collect();
    info
}

/// Lets the configured (shared) resolver be handed to the client.
struct SharedResolver(Arc<dyn MasterResolver>);

impl MasterResolver for SharedResolver {
    fn resolve(&self) -> ResolveFuture<'_> {
        self.0.resolve()
    }
}

/// The loop's I/O handles.
struct Io {
    target: Arc<dyn Target>,
    outbox: Outbox,
    health: HealthSupervisor,
    readiness: ReadinessSupervisor,
}

impl Driver {
    /// Runs until `shutdown` fires (`Ok`) or the Mesos client stops for good.
    pub async fn run(
        target: Arc<dyn Target>,
        config: DriverConfig,
        shutdown: CancellationToken,
    ) -> Result<(), DriverError> {
        let mut client_config = ClientConfig::new(
            SharedResolver(Arc::clone(&config.master)),
            framework_info(&config, target.framework_id()),
        );
        client_config.backoff_initial = config.reconnect_initial;
        let client_cancel = shutdown.child_token();
        let client = client::start(client_config, client_cancel.clone())?;
        let (health_tx, mut health_rx) = mpsc::channel::<HealthResult>(256);
        let (readiness_tx, mut readiness_rx) = mpsc::channel::<ReadinessResult>(256);
        let (outbox, mut failed_accepts) = Outbox::spawn(client.scheduler.clone());
        let mut io = Io {
            target: Arc::clone(&target),
            outbox,
            health: HealthSupervisor::new(health_tx),
            readiness: ReadinessSupervisor::new(readiness_tx),
        };
        let mut core = Core::new(config, target.known_instances(), now());
        let mut changed = target.changed();
        let mut commands = target.commands();
        core.sync_target(target.snapshot());
        let mut events = client.events;
        // An event taken while draining a burst of status updates that is
        // not one: handled first in the next turn.
        let mut held: Option<ClientEvent> = None;
        let result = loop {
            let wake = core.next_wakeup(now());
            let sleep = Duration::from_millis(wake.millis_since(now()));
            let mut fx = Effects::default();
            if let Some(event) = held.take() {
                if let Err(e) = handle_client_event(&mut core, &mut io, event, &mut fx).await {
                    break Err(e);
                }
                let now = now();
                core.tick(now, &mut fx);
                carry_out(&mut core, &mut io, fx, now).await;
                continue;
            }
            tokio::select! {
                biased;
                () = shutdown.cancelled() => break Ok(()),
                event = events.recv() => match event {
                    Some(event) => {
                        let burst = is_status_update(&event);
                        if let Err(e) = handle_client_event(&mut core, &mut io, event, &mut fx).await {
                            break Err(e);
                        }
                        if burst {
                            held = drain_status_updates(&mut core, &mut events, &mut fx);
                        }
                    }
                    None => break Err(DriverError::ClientStopped),
                },
                Ok(()) = changed.changed() => core.sync_target(target.snapshot()),
                Some(result) = health_rx.recv() => core.apply_health(&result, now(), &mut fx),
                Some(result) = readiness_rx.recv() => core.apply_readiness(result, now()),
                Some(accept) = failed_accepts.recv() => fx.calls.extend(offers::reconcile_launched(&accept)),
                command = commands::next_command(&mut commands) => core.apply_command(command, now(), &mut fx),
                () = tokio::time::sleep(sleep) => core.housekeeping(now(), &mut fx),
            }
            let now = now();
            core.tick(now, &mut fx);
            carry_out(&mut core, &mut io, fx, now).await;
        };
        client_cancel.cancel();
        match (result, client.task.await) {
            (Err(DriverError::ClientStopped), Ok(Err(e))) => Err(DriverError::Client(e)),
            (Err(DriverError::ClientStopped), _) if shutdown.is_cancelled() => Ok(()),
            (result, _) => result,
        }
    }
}

/// Status updates handled at most before one tick.
const MAX_UPDATE_BURST: usize = 1024;

fn is_status_update(event: &ClientEvent) -> bool {
    matches!(event, ClientEvent::Event(Event::Update(_)))
}

/// Applies the status updates already queued behind the one just handled,
/// so that a launch wave's updates cost one tick and one instance report,
/// not one each. Returns the first queued event that is not an update.
fn drain_status_updates(
    core: &mut Core,
    events: &mut mpsc::Receiver<ClientEvent>,
    fx: &mut Effects,
) -> Option<ClientEvent> {
    for _ in 0..MAX_UPDATE_BURST {
        match events.try_recv() {
            Ok(ClientEvent::Event(Event::Update(status))) => core.apply_status(&status, now(), fx),
            Ok(other) => return Some(other),
            Err(_) => return None,
        }
    }
    None
}

async fn handle_client_event(
    core: &mut Core,
    io: &mut Io,
    event: ClientEvent,
    fx: &mut Effects,
) -> Result<(), DriverError> {
    match event {
        ClientEvent::Connected { framework_id, endpoint } => {
            info!(framework_id = %framework_id, %endpoint, "subscribed to the Mesos master");
            if io.target.framework_id().as_deref() != Some(framework_id.as_str()) {
                io.target.persist_framework_id(framework_id.value.clone()).await?;
            }
            core.connected = true;
            core.suppressed = false;
            core.last_revive = None;
            fx.calls.push(core.reconcile_call());
        }
        ClientEvent::Disconnected { reason } => {
            warn!(%reason, "disconnected from the Mesos master");
            core.connected = false;
        }
        ClientEvent::Event(Event::Offers(offers)) => {
            let span = info_span!("offers", count = offers.len());
            handle_offers(core, io, &offers).instrument(span).await;
        }
        ClientEvent::Event(Event::Update(status)) => core.apply_status(&status, now(), fx),
        ClientEvent::Event(Event::Rescind { offer_id }) => info!(%offer_id, "offer rescinded"),
        ClientEvent::Event(Event::Failure(failure)) => {
            warn!(agent_id = ?failure.agent_id, executor_id = ?failure.executor_id, status = ?failure.status,
                "agent or executor failure reported");
        }
        ClientEvent::Event(Event::Error { message }) => {
            error!(master_message = %message, "the master refused the framework")
        }
        ClientEvent::Event(_) => {}
    }
    Ok(())
}

/// Matches offers, persists intents, then sends ACCEPTs and DECLINEs.
async fn handle_offers(core: &mut Core, io: &mut Io, offers: &[dromos_mesos::v1::Offer]) {
    let now = now();
    let plan = core.plan_offers(offers, now);
    let mut declines = plan.declines;
    for (offer_id, launches) in plan.accepts {
        let intents: Vec<_> = launches.iter().map(|pending| pending.intent.clone()).collect();
        match io.target.record_instance_intents(intents).await {
            Ok(()) => io.outbox.send(core.commit_launches(&offer_id, launches, now)),
            Err(e) => {
                error!(%offer_id, tasks = launches.len(), error = %e, "cannot persist the launches; not launching");
                let ids = launches.into_iter().map(|pending| pending.intent.instance_id).collect();
                let _ = io.target.expunge_instances(ids).await;
                declines.push(offer_id);
            }
        }
    }
    if let Some(call) = core.decline_call(&declines) {
        io.outbox.send(call);
    }
}

async fn carry_out(core: &mut Core, io: &mut Io, fx: Effects, now: Timestamp) {
    for call in fx.calls {
        if core.connected || !matches!(call, CallBody::Accept(_) | CallBody::Decline(_)) {
            io.outbox.send(call);
        }
    }
    for id in &fx.stop_health {
        io.health.stop(id);
        io.readiness.stop(id);
    }
    for id in &fx.stop_readiness {
        io.readiness.stop(id);
    }
    for instance in fx.start_health {
        io.health.start(instance);
    }
    for target in fx.start_readiness {
        io.readiness.start(target);
    }
    if !fx.expunge.is_empty() {
        let count = fx.expunge.len();
        if let Err(e) = io.target.expunge_instances(fx.expunge).await {
            warn!(instances = count, error = %e, "cannot forget the instances in the store");
        }
    }
    for failure in fx.failures {
        io.target.report_task_failure(failure);
    }
    for last in fx.gone {
        io.target.report_instance_gone(last);
    }
    for progress in fx.progress {
        io.target.report_deployment_progress(progress);
    }
    for timeout in fx.timeouts {
        io.target.report_deployment_timeout(timeout);
    }
    if let Some(instances) = core.instance_reports() {
        io.target.report_instances(instances);
    }
    if let Some(queue) = core.queue_reports(now) {
        io.target.report_queue(queue);
    }
}
