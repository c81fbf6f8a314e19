//! The stacked bar of an app's instances: healthy, unhealthy, unknown,
//! staged, and the part still missing to reach the wanted count.

use leptos::prelude::*;

use crate::api::apps::TaskCounts;

/// Widths as percentages of `max(desired, running + staged)`.
fn segments(tasks: TaskCounts, desired: u32) -> [(&'static str, u32); 5] {
    let present = tasks.running + tasks.staged;
    let missing = desired.saturating_sub(present);
    [
        ("healthy", tasks.healthy),
        ("unhealthy", tasks.unhealthy),
        ("unknown", tasks.unknown()),
        ("staged", tasks.staged),
        ("missing", missing),
    ]
}

/// A thin bar with a tooltip and an accessible summary.
#[component]
pub fn HealthBar(tasks: TaskCounts, desired: u32) -> impl IntoView {
    let parts = segments(tasks, desired);
    let whole: u32 = parts.iter().map(|(_, n)| n).sum();
    let summary = parts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{n} {name}"))
        .collect::<Vec<_>>()
        .join(", ");
    let summary = if summary.is_empty() { "no instances".to_string() } else { summary };
    view! {
        <div class="health-bar" role="img" aria-label=summary.clone() title=summary data-testid="health-bar">
            {parts
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| {
                    let width = f64::from(n) * 100.0 / f64::from(whole.max(1));
                    view! { <span class=format!("hb-{name}") style=format!("width:{width:.2}%")></span> }
                })
                .collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::segments;
    use crate::api::apps::TaskCounts;

    #[test]
    fn segments_split_running_by_health_and_show_what_is_missing() {
        let tasks = TaskCounts { running: 4, staged: 1, healthy: 2, unhealthy: 1 };
        assert_eq!(
            segments(tasks, 7),
            [("healthy", 2), ("unhealthy", 1), ("unknown", 1), ("staged", 1), ("missing", 2)]
        );
        assert_eq!(segments(tasks, 3)[4], ("missing", 0), "over capacity is not negative");
    }
}
