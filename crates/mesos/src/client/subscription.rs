//! The client loop: subscribe, read the event stream, watch heartbeats,
//! reconnect.
//!
//! One task owns the loop. It is woken by bytes on the subscription stream, by the
//! heartbeat watchdog (no bytes for `heartbeat_misses` × the master's interval), by
//! the backoff timer between attempts, and by cancellation. Events are forwarded in
//! stream order through a bounded channel; a slow consumer slows the reading of
//! the stream rather than growing memory.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use reqwest::{Response, StatusCode, Url};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::backoff::Backoff;
use super::endpoint::{resolve_redirect, scheduler_endpoint};
use super::error::ClientError;
use super::scheduler::{Session, STREAM_ID_HEADER};
use super::{ClientConfig, ClientEvent};
use crate::recordio::Decoder;
use crate::v1::{Call, Event, FrameworkInfo};

/// How one connection attempt or subscription ended.
enum Outcome {
    /// Try again after backoff.
    Retry(String),
    /// Stop the loop with this error.
    Fatal(ClientError),
    /// Cancelled, or nobody listens to events any more.
    Stop,
}

/// State owned by the loop task.
pub(crate) struct Subscription {
    pub(crate) http: reqwest::Client,
    pub(crate) config: ClientConfig,
    pub(crate) session: watch::Sender<Option<Session>>,
    pub(crate) events: mpsc::Sender<ClientEvent>,
    pub(crate) cancel: CancellationToken,
}

impl Subscription {
    /// Runs until cancelled, until the event receiver is dropped, or until a
    /// fatal error (4xx on SUBSCRIBE, ERROR event), which is returned.
    pub(crate) async fn run(mut self) -> Result<(), ClientError> {
        let mut backoff = Backoff::new(self.config.backoff_initial, self.config.backoff_max);
        let mut framework_info = self.config.framework_info.clone();
        loop {
            let cancel = self.cancel.clone();
            let outcome = tokio::select! {
                () = cancel.cancelled() => Outcome::Stop,
                outcome = self.subscribe_once(&mut framework_info, &mut backoff) => outcome,
            };
            self.session.send_replace(None);
            match outcome {
                Outcome::Stop => return Ok(()),
                Outcome::Fatal(error) => {
                    let reason = error.to_string();
                    tracing::error!(%reason, "mesos scheduler client stopped");
                    // Best effort: the receiver may already be gone.
                    let _ = self.events.try_send(ClientEvent::Disconnected { reason });
                    return Err(error);
                }
                Outcome::Retry(reason) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(%reason, ?delay, "mesos subscription lost; retrying");
                    tokio::select! {
                        () = self.cancel.cancelled() => return Ok(()),
                        () = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
    }

    /// One connection: subscribe, then stream until it ends.
    async fn subscribe_once(&mut self, framework_info: &mut FrameworkInfo, backoff: &mut Backoff) -> Outcome {
        let (response, endpoint) = match self.connect(framework_info).await {
            Ok(connected) => connected,
            Err(outcome) => return outcome,
        };
        let Some(stream_id) =
            response.headers().get(STREAM_ID_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned)
        else {
            return Outcome::Retry("SUBSCRIBE response has no Mesos-Stream-Id".into());
        };
        let stream = OpenStream {
            endpoint,
            stream_id,
            // Until SUBSCRIBED gives the heartbeat interval, allow one request timeout.
            silence_limit: self.config.request_timeout,
            connected: false,
        };
        self.stream(response, stream, framework_info, backoff).await
    }

    /// POSTs SUBSCRIBE, following redirects to the leader; returns the 200 response.
    async fn connect(&self, framework_info: &FrameworkInfo) -> Result<(Response, Url), Outcome> {
        let master = self.config.master.resolve().await.map_err(|e| Outcome::Retry(e.to_string()))?;
        let mut endpoint = scheduler_endpoint(&master).map_err(Outcome::Fatal)?;
        let call = Call::subscribe(framework_info.clone(), self.config.suppressed_roles.clone());
        let payload = serde_json::to_vec(&call).map_err(|e| Outcome::Fatal(e.into()))?;
        for _ in 0..=self.config.max_redirects {
            let request = self
                .http
                .post(endpoint.clone())
                .header(CONTENT_TYPE, "application/json")
                .header(ACCEPT, "application/json")
                .body(payload.clone())
                .send();
            // Bound the wait for the response head only; the body is the stream.
            let response = tokio::time::timeout(self.config.request_timeout, request)
                .await
                .map_err(|_| Outcome::Retry(format!("no answer to SUBSCRIBE from {endpoint}")))?
                .map_err(|e| Outcome::Retry(ClientError::http(&e).to_string()))?;
            let status = response.status();
            if status == StatusCode::OK {
                return Ok((response, endpoint));
            }
            if status.is_redirection() {
                endpoint = redirect_target(&endpoint, &response)?;
                tracing::info!(%endpoint, "following redirect to the leading master");
                continue;
            }
            let body = response.text().await.unwrap_or_default();
            let error = ClientError::Rejected { status, body };
            // 4xx will not fix itself (bad FrameworkInfo, auth); 5xx (503 while the
            // master recovers or no leader is elected) will.
            return Err(if status.is_client_error() {
                Outcome::Fatal(error)
            } else {
                Outcome::Retry(error.to_string())
            });
        }
        Err(Outcome::Retry(format!("more than {} redirects", self.config.max_redirects)))
    }

    /// Reads records until the stream ends, the watchdog fires, or a fatal event.
    async fn stream(
        &mut self,
        mut response: Response,
        mut stream: OpenStream,
        framework_info: &mut FrameworkInfo,
        backoff: &mut Backoff,
    ) -> Outcome {
        let mut decoder = Decoder::new(self.config.max_record_bytes);
        let reason = loop {
            let limit = stream.silence_limit;
            let chunk = match tokio::time::timeout(limit, response.chunk()).await {
                Err(_) => break format!("no event from the master for {limit:?}"),
                Ok(Err(e)) => break format!("event stream broke: {}", ClientError::http(&e)),
                Ok(Ok(None)) => break "master closed the event stream".to_owned(),
                Ok(Ok(Some(chunk))) => chunk,
            };
            let records = match decoder.decode(&chunk) {
                Ok(records) => records,
                Err(e) => break format!("corrupt event stream: {e}"),
            };
            for record in records {
                match serde_json::from_slice::<Event>(&record) {
                    Ok(event) => {
                        let handled = self.dispatch(event, &mut stream, framework_info, backoff);
                        if let Some(outcome) = handled.await {
                            return outcome;
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "skipping an event that does not decode"),
                }
            }
        };
        if stream.connected {
            self.session.send_replace(None);
            let down = ClientEvent::Disconnected { reason: reason.clone() };
            if self.events.send(down).await.is_err() {
                return Outcome::Stop;
            }
        }
        Outcome::Retry(reason)
    }

    /// Forwards one event; on SUBSCRIBED first publishes the session. Returns an
    /// outcome when the stream must end here.
    async fn dispatch(
        &mut self,
        event: Event,
        stream: &mut OpenStream,
        framework_info: &mut FrameworkInfo,
        backoff: &mut Backoff,
    ) -> Option<Outcome> {
        if let Event::Subscribed(subscribed) = &event {
            let framework_id = subscribed.framework_id.clone();
            framework_info.id = Some(framework_id.clone());
            if let Some(seconds) = subscribed.heartbeat_interval_seconds {
                stream.silence_limit = self.config.silence_limit(seconds);
            }
            self.session.send_replace(Some(Session {
                endpoint: stream.endpoint.clone(),
                stream_id: stream.stream_id.clone(),
                framework_id: framework_id.clone(),
            }));
            backoff.reset();
            stream.connected = true;
            tracing::info!(%framework_id, endpoint = %stream.endpoint, "subscribed");
            let up = ClientEvent::Connected { framework_id, endpoint: stream.endpoint.clone() };
            if self.events.send(up).await.is_err() {
                return Some(Outcome::Stop);
            }
        }
        let error = match &event {
            Event::Error { message } => Some(message.clone()),
            _ => None,
        };
        if self.events.send(ClientEvent::Event(event)).await.is_err() {
            return Some(Outcome::Stop);
        }
        error.map(|message| Outcome::Fatal(ClientError::MasterError(message)))
    }
}

/// Facts about the subscription stream being read.
struct OpenStream {
    /// Where the subscription was made (after redirects); calls go there.
    endpoint: Url,
    /// The stream id from the SUBSCRIBE response.
    stream_id: String,
    /// Longest silence tolerated before the stream counts as dead.
    silence_limit: Duration,
    /// Whether SUBSCRIBED has arrived on this stream.
    connected: bool,
}

/// The leader's endpoint from a redirect response.
fn redirect_target(current: &Url, response: &Response) -> Result<Url, Outcome> {
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Outcome::Retry(format!("{} without a Location", response.status())))?;
    resolve_redirect(current, location).map_err(|e| Outcome::Retry(e.to_string()))
}
