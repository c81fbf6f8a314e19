//! "x of y" with a percentage bar: the dashboard's and the nodes page's
//! allocation gauges.

use leptos::prelude::*;

use super::units::percent;

/// A labelled allocation bar; `used`/`total` are preformatted amounts.
#[component]
pub fn ResourceBar(
    /// What is measured, e.g. "CPU".
    label: &'static str,
    used: f64,
    total: f64,
    /// Turns an amount into text (`units::cpus`, `units::mib`).
    format: fn(f64) -> String,
    /// Stable hook for tests, e.g. `alloc-cpu`.
    #[prop(optional)]
    test_id: &'static str,
    /// Compact variant for table cells.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let pct = percent(used, total);
    let level = if pct >= 90.0 {
        "high"
    } else if pct >= 70.0 {
        "mid"
    } else {
        "low"
    };
    let text = format!("{} of {}", format(used), format(total));
    view! {
        <div class=if compact { "resource compact" } else { "resource" } data-testid=test_id>
            <div class="resource-head">
                <span class="resource-label">{label}</span>
                <span class="resource-pct" data-testid=format!("{test_id}-pct")>{format!("{pct:.0}%")}</span>
            </div>
            <div
                class="meter"
                role="meter"
                aria-label=label
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=format!("{pct:.0}")
            >
                <span class=format!("meter-fill {level}") style=format!("width:{pct:.2}%")></span>
            </div>
            <div class="resource-text muted" data-testid=format!("{test_id}-text")>{text}</div>
        </div>
    }
}
