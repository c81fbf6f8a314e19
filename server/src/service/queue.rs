//! The launch queue as `/v2/queue` shows it. The run loop owns the real
//! [`dromos_scheduler::LaunchQueue`] and publishes a snapshot with
//! [`super::Service::publish_queue`]; until a run loop runs, the queue is
//! empty (nothing is being launched).

use dromos_model::PathId;
use dromos_scheduler::queue::QueueItemView;
use serde_json::{json, Value};

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
        let at = |t: Option<dromos_scheduler::Timestamp>| t.map(|t| clock::from_millis(t.0).to_string());
        let mut item = json!({
            "app": app,
            "count": self.view.count,
            "role": "*",
            "delay": {"timeLeftSeconds": self.view.time_left_seconds, "overdue": self.view.overdue},
            "since": clock::from_millis(self.view.since.0).to_string(),
            "processedOffersSummary": {
                "processedOffersCount": stats.processed_offers_count,
                "unusedOffersCount": stats.unused_offers_count,
                "lastUnusedOfferAt": at(stats.last_unused_offer_at),
                "lastUsedOfferAt": at(stats.last_used_offer_at),
                "rejectSummaryLastOffers": [],
                "rejectSummaryLaunchAttempt": [],
            },
        });
        if embed_last_unused_offers {
            item["lastUnusedOffers"] = json!([]);
        }
        item
    }
}
