//! Counters of what the service did, rendered with the gauges the service
//! computes from its state as `/metrics` (Marathon's Dropwizard-style
//! JSON) and `/metrics/prometheus` (text exposition format).
//!
//! Names follow Marathon where it has one (`marathon.apps.active.gauge`);
//! dromos' own counters are `dromos.service.<operation>.counter`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Mutex, PoisonError};

use serde_json::{json, Map, Value};

/// Monotonic counters by name.
#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<String, u64>>,
}

impl Metrics {
    /// Adds one to `name`.
    pub fn increment(&self, name: &str) {
        let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        *counters.entry(name.to_owned()).or_default() += 1;
    }

    /// The value of counter `name` (0 if never incremented).
    pub fn counter(&self, name: &str) -> u64 {
        self.counters.lock().unwrap_or_else(PoisonError::into_inner).get(name).copied().unwrap_or(0)
    }

    /// The counters, copied.
    pub fn counters(&self) -> BTreeMap<String, u64> {
        self.counters.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// `{"version":"4.0.0","counters":{n:{"count":c}},"gauges":{n:{"value":v}},...}`.
pub fn render_json(counters: &BTreeMap<String, u64>, gauges: &BTreeMap<String, f64>) -> Value {
    let counters: Map<String, Value> =
        counters.iter().map(|(k, v)| (k.clone(), json!({ "count": v }))).collect();
    let gauges: Map<String, Value> = gauges.iter().map(|(k, v)| (k.clone(), json!({ "value": v }))).collect();
    json!({
        "version": "4.0.0",
        "counters": counters,
        "gauges": gauges,
        "histograms": {},
        "meters": {},
        "timers": {},
    })
}

/// The Prometheus text format: names with `.`/`-` turned into `_`.
pub fn render_prometheus(counters: &BTreeMap<String, u64>, gauges: &BTreeMap<String, f64>) -> String {
    let mut out = String::new();
    for (name, value) in counters {
        let n = prometheus_name(name);
        let _ = writeln!(out, "# TYPE {n} counter\n{n} {value}");
    }
    for (name, value) in gauges {
        let n = prometheus_name(name);
        let _ = writeln!(out, "# TYPE {n} gauge\n{n} {value}");
    }
    out
}

fn prometheus_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{render_prometheus, Metrics};

    #[test]
    fn counters_render_in_both_formats() {
        let metrics = Metrics::default();
        metrics.increment("dromos.service.create-app.counter");
        metrics.increment("dromos.service.create-app.counter");
        assert_eq!(metrics.counter("dromos.service.create-app.counter"), 2);
        let gauges = BTreeMap::from([("marathon.apps.active.gauge".to_string(), 3.0)]);
        let text = render_prometheus(&metrics.counters(), &gauges);
        assert_eq!(
            text,
            "# TYPE dromos_service_create_app_counter counter\ndromos_service_create_app_counter 2\n\
             # TYPE marathon_apps_active_gauge gauge\nmarathon_apps_active_gauge 3\n"
        );
    }
}
