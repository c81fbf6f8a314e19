//! The launch queue as `/v2/queue` shows it. The run loop owns the real
//! [`dromos_scheduler::LaunchQueue`] and publishes a snapshot with
//! [`super::Service::publish_queue`]; until a run loop runs, the queue is
//! empty (nothing is being launched).
//!
//! Each row says *why an app is waiting*: `processedOffersSummary` carries
//! the offer counts of the launch attempt and two reject funnels in
//! Marathon's reason order (`rejectSummaryLastOffers` for the latest round
//! of offers, `rejectSummaryLaunchAttempt` summed over the attempt); with
//! `?embed=lastUnusedOffers` the most recent unused offers are listed with
//! their reason and the time they were processed.

use dromos_model::PathId;
use dromos_scheduler::matcher::FunnelStep;
use dromos_scheduler::queue::{QueueItemView, TimedUnusedOffer};
use dromos_scheduler::{AttributeValue, OfferedAmount, OfferedResource, Timestamp};
use serde_json::{json, Map, Value};

use super::clock;

/// One app waiting for offers.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    /// The app.
    pub app_id: PathId,
    /// The scheduler's view (count, delay, offer statistics).
    pub view: QueueItemView,
}

impl QueueItem {
    /// Marathon's `QueueItem`; `app` is the app JSON (or null if deleted).
    pub fn to_json(&self, app: Value, embed_last_unused_offers: bool) -> Value {
        let stats = &self.view.stats;
        let mut summary = json!({
            "processedOffersCount": stats.processed_offers_count,
            "unusedOffersCount": stats.unused_offers_count,
            "rejectSummaryLastOffers": funnel_json(&stats.reject_summary_last_offers()),
            "rejectSummaryLaunchAttempt": funnel_json(&stats.reject_summary_launch_attempt()),
        });
        // Optional in Marathon's RAML: absent until such an offer was seen.
        if let Some(at) = stats.last_unused_offer_at {
            summary["lastUnusedOfferAt"] = json!(time(at));
        }
        if let Some(at) = stats.last_used_offer_at {
            summary["lastUsedOfferAt"] = json!(time(at));
        }
        let mut item = json!({
            "app": app,
            "count": self.view.count,
            "role": "*",
            "delay": {"timeLeftSeconds": self.view.time_left_seconds, "overdue": self.view.overdue},
            "since": time(self.view.since),
            "processedOffersSummary": summary,
        });
        if embed_last_unused_offers {
            // Newest first, as a user reading "why" wants the latest.
            let unused: Vec<Value> = stats.last_unused_offers.iter().rev().map(unused_offer_json).collect();
            item["lastUnusedOffers"] = Value::Array(unused);
        }
        item
    }
}

fn time(t: Timestamp) -> String {
    clock::from_millis(t.0).to_string()
}

/// `DeclinedOfferStep[]`, in funnel order.
fn funnel_json(steps: &[FunnelStep]) -> Value {
    steps
        .iter()
        .map(|s| json!({"reason": s.reason.name(), "declined": s.declined, "processed": s.processed}))
        .collect()
}

/// Marathon's `UnusedOffer`: the offer (id, agent, resources,
/// attributes), its reasons and when it was processed.
fn unused_offer_json(unused: &TimedUnusedOffer) -> Value {
    let offer = &unused.offer;
    json!({
        "offer": {
            "id": offer.offer_id,
            "agentId": offer.agent_id,
            "hostname": offer.hostname,
            "resources": offer.resources.iter().map(resource_json).collect::<Vec<_>>(),
            "attributes": offer.attributes.iter().map(|a| attribute_json(&a.name, &a.value)).collect::<Vec<_>>(),
        },
        "reason": [offer.reason.name()],
        "timestamp": time(unused.at),
    })
}

fn resource_json(resource: &OfferedResource) -> Value {
    match &resource.amount {
        OfferedAmount::Scalar(kind, amount) => {
            json!({"name": kind.mesos_name(), "role": resource.role, "scalar": amount})
        }
        OfferedAmount::Ports(ranges) => {
            let ranges: Vec<Value> = ranges.iter().map(|r| json!({"begin": r.begin, "end": r.end})).collect();
            json!({"name": "ports", "role": resource.role, "ranges": ranges})
        }
    }
}

fn attribute_json(name: &str, value: &AttributeValue) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(name));
    let (key, v) = match value {
        AttributeValue::Text(text) => ("text", json!(text)),
        AttributeValue::Scalar(scalar) => ("scalar", json!(scalar)),
        AttributeValue::Ranges(ranges) => {
            ("ranges", ranges.iter().map(|(b, e)| json!({"begin": b, "end": e})).collect::<Value>())
        }
        AttributeValue::Set(items) => ("set", json!(items)),
    };
    out.insert(key.into(), v);
    Value::Object(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Arc;

    use dromos_model::PathId;
    use dromos_scheduler::matcher::{match_offers, MatchConfig};
    use dromos_scheduler::{AgentInfo, LaunchQueue, Offer, Resources, RunSpec, Timestamp};
    use serde_json::{json, Value};

    use super::QueueItem;

    /// A real queue after a real matching round: one agent too small for
    /// the app's cpus, one in maintenance.
    fn waiting_item() -> QueueItem {
        let mut spec = RunSpec::new("/big", "v1");
        spec.resources = Resources { cpus: 2.0, mem: 64.0, disk: 0.0, gpus: 0.0 };
        let mut queue = LaunchQueue::new();
        queue.add(spec, 2, Timestamp::from_secs(1_700_000_000));
        let small = Arc::new(AgentInfo::new("agent-1", "host-1").with_text("rack", "r1"));
        let spare = Arc::new(AgentInfo::new("agent-2", "host-2"));
        let offers = [
            Offer::new("offer-1", small).with_unreserved(1.0, 1024.0, 0.0).with_ports("*", 31000, 31001),
            Offer::new("offer-2", spare).with_unreserved(8.0, 1024.0, 0.0).in_maintenance(),
        ];
        let now = Timestamp::from_secs(1_700_000_005);
        let outcome = match_offers(MatchConfig::default(), &queue.ready(now), &offers, []);
        queue.record_round(&outcome, now);
        let view = queue.items(now).remove(0);
        QueueItem { app_id: PathId::parse("/big").unwrap(), view }
    }

    fn steps(item: &Value, key: &str) -> Vec<(String, u64, u64)> {
        item["processedOffersSummary"][key]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["processed"].as_u64() != Some(0))
            .map(|s| {
                (
                    s["reason"].as_str().unwrap().to_owned(),
                    s["declined"].as_u64().unwrap(),
                    s["processed"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn processed_offers_summary_says_why_the_app_waits() {
        let item = waiting_item().to_json(Value::Null, false);
        let summary = &item["processedOffersSummary"];
        assert_eq!(summary["processedOffersCount"], 2);
        assert_eq!(summary["unusedOffersCount"], 2);
        assert_eq!(summary["lastUnusedOfferAt"], "2023-11-14T22:13:25.000Z");
        assert!(summary.get("lastUsedOfferAt").is_none(), "no offer was used: {summary}");
        let expected = vec![
            ("UnfulfilledRole".to_owned(), 0, 2),
            ("UnfulfilledConstraint".to_owned(), 0, 2),
            ("AgentMaintenance".to_owned(), 1, 2),
            ("InsufficientCpus".to_owned(), 1, 1),
        ];
        assert_eq!(steps(&item, "rejectSummaryLastOffers"), expected);
        assert_eq!(steps(&item, "rejectSummaryLaunchAttempt"), expected);
        assert!(item.get("lastUnusedOffers").is_none(), "only embedded on request");
    }

    #[test]
    fn last_unused_offers_list_offer_reason_and_time() {
        let item = waiting_item().to_json(Value::Null, true);
        let unused = item["lastUnusedOffers"].as_array().unwrap();
        assert_eq!(unused.len(), 2);
        let first = unused.iter().find(|u| u["offer"]["id"] == "offer-1").unwrap();
        assert_eq!(
            *first,
            json!({
                "offer": {
                    "id": "offer-1",
                    "agentId": "agent-1",
                    "hostname": "host-1",
                    "resources": [
                        {"name": "cpus", "role": "*", "scalar": 1.0},
                        {"name": "mem", "role": "*", "scalar": 1024.0},
                        {"name": "disk", "role": "*", "scalar": 0.0},
                        {"name": "ports", "role": "*", "ranges": [{"begin": 31000, "end": 31001}]},
                    ],
                    "attributes": [{"name": "rack", "text": "r1"}],
                },
                "reason": ["InsufficientCpus"],
                "timestamp": "2023-11-14T22:13:25.000Z",
            })
        );
        let second = unused.iter().find(|u| u["offer"]["id"] == "offer-2").unwrap();
        assert_eq!(second["reason"], json!(["AgentMaintenance"]));
    }

    /// `GET /v2/queue` through the real router, over a service on SQLite.
    #[tokio::test]
    async fn the_queue_endpoint_shows_the_funnel_and_embeds_unused_offers_on_request() {
        use http_body_util::BodyExt;
        use tower::ServiceExt;

        let dir = tempfile::tempdir().unwrap();
        let store =
            dromos_store::SqliteStore::open(dir.path(), dromos_store::SqliteOptions::default()).unwrap();
        let config = crate::service::ServiceConfig {
            advertised: "127.0.0.1:0".into(),
            master: "local".into(),
            max_versions: 3,
        };
        let service = Arc::new(crate::service::Service::open(config, Arc::new(store)).unwrap());
        let app = dromos_model::parse_app(br#"{"id":"/big","cmd":"serve","cpus":2}"#).unwrap();
        service.create_app(app, false, &crate::service::Origin::default()).await.unwrap();
        service.publish_queue(vec![waiting_item()]);
        let router = crate::http::router(service);
        let get = |uri: &'static str| {
            let router = router.clone();
            async move {
                let request = axum::http::Request::get(uri).body(axum::body::Body::empty()).unwrap();
                let response = router.oneshot(request).await.unwrap();
                assert_eq!(response.status(), axum::http::StatusCode::OK);
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                serde_json::from_slice::<Value>(&bytes).unwrap()
            }
        };
        let plain = get("/v2/queue").await;
        let item = &plain["queue"][0];
        assert_eq!(item["app"]["id"], "/big");
        assert_eq!(item["count"], 2);
        assert_eq!(item["delay"], json!({"timeLeftSeconds": 0, "overdue": true}));
        assert_eq!(item["processedOffersSummary"]["unusedOffersCount"], 2);
        assert!(item.get("lastUnusedOffers").is_none());
        let embedded = get("/v2/queue?embed=lastUnusedOffers").await;
        let reasons: Vec<&Value> = embedded["queue"][0]["lastUnusedOffers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| &u["reason"])
            .collect();
        assert_eq!(reasons, [&json!(["AgentMaintenance"]), &json!(["InsufficientCpus"])]);
    }
}
