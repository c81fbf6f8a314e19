//! Which console data an event of the bus makes stale.
//!
//! The event stream has no ordering guarantee, so the console uses it
//! mostly to invalidate: an event names the [`Topic`]s whose resources
//! refetch. The services list is the exception: task events change its
//! rows in place ([`crate::api::row_updates`]), so they only make it
//! stale for a later, rarer refetch that reconciles what the rows cannot
//! know ([`reconciles`]).

/// A family of console data that refetches together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// App definitions, statuses and instances: the services list, the app page.
    Apps,
    /// Running deployments and their progress.
    Deployments,
    /// Tasks, health and resources: the dashboard and the nodes page.
    Cluster,
    /// The services list: changed at once by definitions and deployments,
    /// reconciled later after task events (their rows change in place).
    Services,
}

impl Topic {
    /// Every topic, in a fixed order (the index of a topic's counter).
    pub const ALL: [Topic; 4] = [Topic::Apps, Topic::Deployments, Topic::Cluster, Topic::Services];

    /// Position in [`Topic::ALL`].
    pub fn index(self) -> usize {
        match self {
            Topic::Apps => 0,
            Topic::Deployments => 1,
            Topic::Cluster => 2,
            Topic::Services => 3,
        }
    }
}

/// The event types the console subscribes to (`/v2/events?event_type=`),
/// with the topics each one makes stale.
pub const SUBSCRIPTIONS: [(&str, &[Topic]); 16] = [
    ("api_post_event", &[Topic::Apps, Topic::Services, Topic::Cluster]),
    ("group_change_success", &[Topic::Apps, Topic::Services]),
    ("group_change_failed", &[Topic::Apps, Topic::Services]),
    ("app_terminated_event", &[Topic::Apps, Topic::Services, Topic::Cluster]),
    ("deployment_info", &[Topic::Deployments, Topic::Apps, Topic::Services]),
    ("deployment_success", &[Topic::Deployments, Topic::Apps, Topic::Services]),
    ("deployment_failed", &[Topic::Deployments, Topic::Apps, Topic::Services]),
    ("deployment_step_success", &[Topic::Deployments, Topic::Apps, Topic::Services]),
    ("deployment_step_failure", &[Topic::Deployments, Topic::Apps, Topic::Services]),
    ("status_update_event", &[Topic::Apps, Topic::Cluster]),
    ("instance_changed_event", &[Topic::Apps, Topic::Cluster]),
    ("health_status_changed_event", &[Topic::Apps, Topic::Cluster]),
    ("instance_health_changed_event", &[Topic::Apps, Topic::Cluster]),
    ("unhealthy_instance_kill_event", &[Topic::Apps, Topic::Cluster]),
    ("add_health_check_event", &[Topic::Apps, Topic::Services]),
    ("remove_health_check_event", &[Topic::Apps, Topic::Services]),
];

/// Task events: they make [`Topic::Services`] stale only for the
/// reconciling refetch, since the rows they concern change in place (and
/// events of apps not on the page change nothing shown but folder totals,
/// status counts and the order).
pub const RECONCILING: [&str; 5] = [
    "status_update_event",
    "instance_changed_event",
    "health_status_changed_event",
    "instance_health_changed_event",
    "unhealthy_instance_kill_event",
];

/// Whether `event_type` makes the services list stale for the reconciling
/// refetch (rather than at once).
pub fn reconciles(event_type: &str) -> bool {
    RECONCILING.contains(&event_type)
}

/// The topics `event_type` makes stale (none for types the console ignores).
pub fn topics_of(event_type: &str) -> &'static [Topic] {
    SUBSCRIPTIONS.iter().find(|(name, _)| *name == event_type).map_or(&[], |(_, topics)| topics)
}

/// `/v2/events` filtered to [`SUBSCRIPTIONS`].
pub fn stream_url() -> String {
    let filter: Vec<String> = SUBSCRIPTIONS.iter().map(|(name, _)| format!("event_type={name}")).collect();
    format!("/v2/events?{}", filter.join("&"))
}

#[cfg(test)]
mod tests {
    use super::{reconciles, stream_url, topics_of, Topic, RECONCILING, SUBSCRIPTIONS};

    #[test]
    fn events_invalidate_the_data_they_change() {
        assert_eq!(topics_of("api_post_event"), &[Topic::Apps, Topic::Services, Topic::Cluster]);
        assert!(topics_of("deployment_success").contains(&Topic::Deployments));
        assert!(topics_of("status_update_event").contains(&Topic::Cluster));
        assert!(topics_of("event_stream_attached").is_empty());
        assert!(topics_of("").is_empty());
    }

    #[test]
    fn task_events_only_reconcile_the_services_list() {
        for name in RECONCILING {
            assert!(reconciles(name), "{name}");
            assert!(!topics_of(name).contains(&Topic::Services), "{name}");
            assert!(SUBSCRIPTIONS.iter().any(|(n, _)| *n == name), "{name} is subscribed to");
        }
        assert!(topics_of("deployment_success").contains(&Topic::Services));
        assert!(!reconciles("deployment_success"));
        // Every other event that changes apps changes the list at once.
        for (name, topics) in SUBSCRIPTIONS {
            if topics.contains(&Topic::Apps) && !reconciles(name) {
                assert!(topics.contains(&Topic::Services), "{name}");
            }
        }
    }

    #[test]
    fn stream_url_filters_to_the_subscribed_types() {
        let url = stream_url();
        assert!(url.starts_with("/v2/events?event_type=api_post_event&"), "{url}");
        assert!(url.contains("&event_type=health_status_changed_event"), "{url}");
        assert!(!url.contains("event_stream_attached"), "{url}");
    }

    #[test]
    fn topic_indexes_follow_all() {
        for (at, topic) in Topic::ALL.into_iter().enumerate() {
            assert_eq!(topic.index(), at);
        }
    }
}
