//! Framework lifecycle: SUBSCRIBE (new or failover), a lost stream, the
//! failover timeout, and TEARDOWN.
//!
//! A framework that re-subscribes with a stored id keeps its tasks, whether it
//! was disconnected or still connected on another stream (that stream gets
//! ERROR "Framework failed over"). An id this master has never seen is accepted
//! as it is (a restarted dromos reclaiming its id), with no tasks.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use dromos_mesos::v1::{
    Address, Event, FrameworkCapabilityType, FrameworkId, FrameworkInfo, MasterInfo, Subscribed,
};
use tokio::sync::mpsc;

use super::framework::{Connection, Framework, EVENT_BUFFER};
use super::{now_seconds, CallError, Master, Subscription};
use crate::executor::KillRequest;

/// Mesos' default kill grace period for a teardown.
const TEARDOWN_GRACE: Duration = Duration::from_secs(3);

impl Master {
    /// Registers or fails over a framework and opens its event stream.
    pub(super) fn subscribe(
        &mut self,
        mut info: FrameworkInfo,
        suppressed_roles: Vec<String>,
    ) -> Result<Subscription, CallError> {
        let (events, receiver) = mpsc::channel(EVENT_BUFFER);
        let stream_id = uuid::Uuid::new_v4().to_string();
        if !info.roles.is_empty() && !info.has_capability(FrameworkCapabilityType::MultiRole) {
            // Mesos answers 200 and refuses on the stream.
            let message = "'FrameworkInfo.roles' requires the MULTI_ROLE capability".to_owned();
            let _ = events.try_send(Event::Error { message });
            return Ok(Subscription { stream_id, framework_id: None, events: receiver });
        }
        if let Some(removed) = info.id.as_ref().filter(|id| self.is_removed(id)) {
            let message = format!("Framework {removed} has been removed");
            let _ = events.try_send(Event::Error { message });
            return Ok(Subscription { stream_id, framework_id: None, events: receiver });
        }
        let id = info.id.clone().unwrap_or_else(|| self.next_framework_id());
        info.id = Some(id.clone());
        let now = now_seconds();
        let failover = self.frameworks.contains_key(&id);
        let framework = self
            .frameworks
            .entry(id.clone())
            .or_insert_with(|| Framework::new(id.clone(), info.clone(), now));
        if let Some(old) = framework.connection.take() {
            let _ = old.events.try_send(Event::Error { message: "Framework failed over".to_owned() });
        }
        if failover {
            // `user` and `checkpoint` cannot change on re-subscribe.
            info.user = framework.info.user.clone();
            info.checkpoint = framework.info.checkpoint;
            framework.info = info;
            framework.reregistered_time = Some(now);
        }
        if framework.info.checkpoint == Some(true) {
            self.checkpoints.save_framework(&framework.info);
        }
        framework.connection = Some(Connection { stream_id: stream_id.clone(), events });
        framework.disconnected_at = None;
        framework.unregistered_time = None;
        framework.suppressed = suppressed_roles.into_iter().collect::<BTreeSet<_>>();
        tracing::info!(framework_id = %id, name = %framework.info.name, failover, "framework subscribed");
        self.withdraw_offers_of(&id);
        let subscribed = Subscribed {
            framework_id: id.clone(),
            heartbeat_interval_seconds: Some(self.config.heartbeat_interval.as_secs_f64()),
            master_info: Some(self.master_info()),
        };
        self.send_event(&id, Event::Subscribed(subscribed));
        self.send_event(&id, Event::Heartbeat);
        self.resend_pending(&id);
        self.dirty = true;
        Ok(Subscription { stream_id, framework_id: Some(id), events: receiver })
    }

    /// The stream of `framework_id` ended; ignored when it is not the current one.
    pub(super) fn stream_closed(&mut self, framework_id: &FrameworkId, stream_id: &str) {
        let Some(framework) = self.frameworks.get_mut(framework_id) else { return };
        if framework.connection.as_ref().is_none_or(|c| c.stream_id != stream_id) {
            return;
        }
        framework.connection = None;
        framework.disconnected_at = Some(Instant::now());
        framework.unregistered_time = Some(now_seconds());
        let timeout = framework.info.failover_timeout.unwrap_or(0.0);
        tracing::info!(framework_id = %framework_id, failover_timeout = timeout, "framework disconnected");
        self.withdraw_offers_of(framework_id);
        self.expire_failed_over(Instant::now());
    }

    /// Removes disconnected frameworks whose failover timeout has passed.
    pub(super) fn expire_failed_over(&mut self, now: Instant) {
        let expired: Vec<FrameworkId> = self
            .frameworks
            .values()
            .filter(|f| {
                let timeout = f.info.failover_timeout.unwrap_or(0.0).clamp(0.0, 1e9);
                f.disconnected_at.is_some_and(|at| now.duration_since(at).as_secs_f64() >= timeout)
            })
            .map(|f| f.id.clone())
            .collect();
        for id in expired {
            tracing::info!(framework_id = %id, "framework failover timeout expired");
            self.remove_framework(&id);
        }
    }

    /// TEARDOWN or failover expiry: kill every task, drop offers, forget it.
    pub(super) fn remove_framework(&mut self, framework_id: &FrameworkId) {
        self.withdraw_offers_of(framework_id);
        let Some(mut framework) = self.frameworks.remove(framework_id) else { return };
        framework.connection = None;
        framework.unregistered_time.get_or_insert_with(now_seconds);
        let keys: Vec<_> = self.tasks.keys().filter(|(f, _)| f == framework_id).cloned().collect();
        for key in keys {
            if let Some(task) = self.tasks.get_mut(&key) {
                task.pending.clear();
                task.request_kill(KillRequest { grace: TEARDOWN_GRACE, killing_state: false });
            }
            self.retire_if_done(&key);
        }
        tracing::info!(framework_id = %framework_id, "framework removed");
        self.push_completed_framework(framework);
    }

    /// Torn down (or timed out) earlier; such an id cannot subscribe again.
    fn is_removed(&self, id: &FrameworkId) -> bool {
        !self.frameworks.contains_key(id) && self.completed_frameworks.iter().any(|f| &f.id == id)
    }

    fn next_framework_id(&mut self) -> FrameworkId {
        loop {
            let id = FrameworkId::new(format!("{}-{:04}", self.id, self.next_framework));
            self.next_framework += 1;
            if !self.frameworks.contains_key(&id) {
                return id;
            }
        }
    }

    /// This master as announced in SUBSCRIBED (loopback, the advertised port).
    pub(super) fn master_info(&self) -> MasterInfo {
        let port = self.config.master_port;
        MasterInfo {
            id: self.id.clone(),
            ip: u32::from_le_bytes([127, 0, 0, 1]),
            port: u32::from(port),
            pid: Some(format!("master@127.0.0.1:{port}")),
            hostname: Some(self.config.hostname.clone()),
            version: Some(crate::MESOS_VERSION.to_owned()),
            address: Some(Address {
                hostname: Some(self.config.hostname.clone()),
                ip: Some("127.0.0.1".to_owned()),
                port: i32::from(port),
            }),
            domain: None,
            capabilities: Vec::new(),
        }
    }
}
