//! `Scheduler`: the cloneable handle for sending calls on the current
//! subscription.
//!
//! Every non-SUBSCRIBE call must reach the master that holds the subscription and
//! carry that subscription's `Mesos-Stream-Id`. The client loop publishes both
//! (with the framework id) through a `watch` channel each time SUBSCRIBED arrives
//! and clears them when the stream ends, so a call made while disconnected fails
//! fast with [`ClientError::NotConnected`] instead of being sent with a stale id.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{StatusCode, Url};
use tokio::sync::watch;

use super::error::ClientError;
use crate::v1::{
    Accept, Acknowledge, AgentId, Bytes, Call, CallBody, Decline, Filters, FrameworkId, Kill, OfferId,
    Operation, Reconcile, ReconcileTask, Revive, Suppress, TaskId, TaskStatus,
};

/// Header naming the subscription a call belongs to.
pub const STREAM_ID_HEADER: &str = "Mesos-Stream-Id";

/// The open subscription, as published by the client loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Scheduler endpoint of the master holding the subscription (after redirects).
    pub endpoint: Url,
    /// `Mesos-Stream-Id` of the subscription.
    pub stream_id: String,
    /// The framework's id.
    pub framework_id: FrameworkId,
}

/// Sends calls on the current subscription. Cheap to clone; all clones follow
/// reconnections automatically.
#[derive(Debug, Clone)]
pub struct Scheduler {
    http: reqwest::Client,
    session: watch::Receiver<Option<Session>>,
    request_timeout: Duration,
}

impl Scheduler {
    pub(crate) fn new(
        http: reqwest::Client,
        session: watch::Receiver<Option<Session>>,
        request_timeout: Duration,
    ) -> Self {
        Self { http, session, request_timeout }
    }

    /// The current subscription, if connected.
    pub fn session(&self) -> Option<Session> {
        self.session.borrow().clone()
    }

    /// The framework id of the current subscription, if connected.
    pub fn framework_id(&self) -> Option<FrameworkId> {
        self.session.borrow().as_ref().map(|s| s.framework_id.clone())
    }

    /// Sends any call but SUBSCRIBE; Ok once the master accepted it (202).
    pub async fn call(&self, body: CallBody) -> Result<(), ClientError> {
        if matches!(body, CallBody::Subscribe(_)) {
            return Err(ClientError::SubscribeNotAllowed);
        }
        let session = self.session().ok_or(ClientError::NotConnected)?;
        let call = Call::new(session.framework_id.clone(), body);
        let payload = serde_json::to_vec(&call)?;
        let response = self
            .http
            .post(session.endpoint.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .header(STREAM_ID_HEADER, &session.stream_id)
            .timeout(self.request_timeout)
            .body(payload)
            .send()
            .await
            .map_err(|e| ClientError::http(&e))?;
        let status = response.status();
        if status == StatusCode::ACCEPTED || status == StatusCode::OK {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        Err(ClientError::Rejected { status, body })
    }

    /// Launches operations on offers; the unused remainder is declined with `filters`.
    pub async fn accept(
        &self,
        offer_ids: Vec<OfferId>,
        operations: Vec<Operation>,
        filters: Option<Filters>,
    ) -> Result<(), ClientError> {
        self.call(CallBody::Accept(Accept { offer_ids, operations, filters })).await
    }

    /// Returns offers, refusing them for `filters.refuse_seconds`.
    pub async fn decline(
        &self,
        offer_ids: Vec<OfferId>,
        filters: Option<Filters>,
    ) -> Result<(), ClientError> {
        self.call(CallBody::Decline(Decline { offer_ids, filters })).await
    }

    /// Resumes offers for `roles` (empty: all) and clears their filters.
    pub async fn revive(&self, roles: Vec<String>) -> Result<(), ClientError> {
        self.call(CallBody::Revive(Revive { roles })).await
    }

    /// Stops offers for `roles` (empty: all).
    pub async fn suppress(&self, roles: Vec<String>) -> Result<(), ClientError> {
        self.call(CallBody::Suppress(Suppress { roles })).await
    }

    /// Kills a task; the outcome arrives as an UPDATE event.
    pub async fn kill(&self, task_id: TaskId, agent_id: Option<AgentId>) -> Result<(), ClientError> {
        self.call(CallBody::Kill(Kill { task_id, agent_id, kill_policy: None })).await
    }

    /// Acknowledges one status update.
    pub async fn acknowledge(
        &self,
        agent_id: AgentId,
        task_id: TaskId,
        uuid: Bytes,
    ) -> Result<(), ClientError> {
        self.call(CallBody::Acknowledge(Acknowledge { agent_id, task_id, uuid })).await
    }

    /// Acknowledges `status` if it needs it (has a uuid and an agent); returns
    /// whether an ACKNOWLEDGE was sent. Master-generated updates are skipped.
    pub async fn acknowledge_status(&self, status: &TaskStatus) -> Result<bool, ClientError> {
        match (&status.uuid, &status.agent_id) {
            (Some(uuid), Some(agent_id)) if status.needs_acknowledgement() => {
                self.acknowledge(agent_id.clone(), status.task_id.clone(), uuid.clone()).await?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Asks for the state of `tasks` (empty: implicit reconciliation of all).
    pub async fn reconcile(&self, tasks: Vec<ReconcileTask>) -> Result<(), ClientError> {
        self.call(CallBody::Reconcile(Reconcile { tasks })).await
    }

    /// Removes the framework from the cluster and kills all its tasks. Cancel the
    /// client afterwards, or it re-subscribes and gets an ERROR.
    pub async fn teardown(&self) -> Result<(), ClientError> {
        self.call(CallBody::Teardown).await
    }
}
