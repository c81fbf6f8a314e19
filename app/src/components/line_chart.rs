//! [`LineChart`]: a small SVG line chart of the last minutes, drawn by
//! Leptos (no chart library). Time runs left to right over a fixed span
//! that ends at `end` ("now"), so the line slides left as the clock
//! advances and a young history grows from the right. The x axis reads
//! relative times ("−15m … now").

use leptos::prelude::*;

const WIDTH: f64 = 300.0;
const HEIGHT: f64 = 64.0;

/// One line: a value (or a gap) per sample time.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub label: &'static str,
    /// CSS class of the line (its colour).
    pub class: &'static str,
    /// `(time ms, value)`; `None` leaves a gap.
    pub points: Vec<(i64, Option<f64>)>,
}

/// The SVG path of `points` scaled into the chart: `x` from
/// `end - span` to `end`, `y` from 0 (bottom) to `y_max` (top); a gap
/// starts a new sub-path.
pub fn path(points: &[(i64, Option<f64>)], end: i64, span: f64, y_max: f64) -> String {
    let mut out = String::new();
    let mut pen_down = false;
    for (at, value) in points {
        let Some(value) = value else {
            pen_down = false;
            continue;
        };
        let (x, y) = scale(*at, *value, end, span, y_max);
        out.push_str(&format!("{}{x:.1} {y:.1} ", if pen_down { "L" } else { "M" }));
        pen_down = true;
    }
    out.trim_end().to_string()
}

fn scale(at: i64, value: f64, end: i64, span: f64, y_max: f64) -> (f64, f64) {
    let x = WIDTH - (end - at) as f64 / span * WIDTH;
    let y = HEIGHT - (value / y_max.max(f64::MIN_POSITIVE)).clamp(0.0, 1.0) * HEIGHT;
    (x.clamp(0.0, WIDTH), y)
}

/// The x axis labels for a span, evenly spaced from the left edge to
/// "now": whole minutes in steps that give at most six labels.
pub fn axis_labels(span_ms: f64) -> Vec<String> {
    let minutes = ((span_ms / 60_000.0).round() as u32).max(1);
    let step = [1, 2, 5, 10, 15, 30, 60]
        .into_iter()
        .find(|s| minutes.is_multiple_of(*s) && minutes / s <= 5)
        .unwrap_or(minutes);
    (0..=minutes / step)
        .rev()
        .map(|k| if k == 0 { "now".to_string() } else { format!("−{}m", k * step) })
        .collect()
}

/// The chart. `end` is the time at the right edge (ms since the epoch),
/// `span_ms` how far back the left edge is; `y_max` the top of the scale
/// (100 for percentages); `format` writes it for the scale label.
#[component]
pub fn LineChart(
    series: Signal<Vec<Series>>,
    end: Signal<i64>,
    span_ms: f64,
    y_max: Signal<f64>,
    format: fn(f64) -> String,
    /// Accessible name, e.g. "CPU allocation, last 15 minutes".
    label: String,
    #[prop(optional)] test_id: &'static str,
) -> impl IntoView {
    let samples = move || series.with(|all| all.iter().map(|s| s.points.len()).max().unwrap_or(0));
    let labels = axis_labels(span_ms);
    let ticks = labels.len().saturating_sub(1).max(1);
    let legend = series.with_untracked(|all| {
        (all.len() > 1).then(|| {
            view! {
                <ul class="legend chart-legend">
                    {all.iter().map(|s| view! {
                        <li><span class=format!("swatch {}", s.class) aria-hidden="true"></span>{s.label}</li>
                    }).collect_view()}
                </ul>
            }
        })
    });
    let lines = move || {
        let (end, y_max) = (end.get(), y_max.get());
        series
            .get()
            .into_iter()
            .map(|s| {
                let d = path(&s.points, end, span_ms, y_max);
                let last =
                    s.points.iter().rev().find_map(|(at, v)| v.map(|v| scale(*at, v, end, span_ms, y_max)));
                view! {
                    <path d=d class=format!("line {}", s.class) fill="none" vector-effect="non-scaling-stroke" />
                    {last.map(|(x, y)| view! {
                        <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="2.5" class=format!("dot {}", s.class) />
                    })}
                }
            })
            .collect_view()
    };
    view! {
        <figure class="line-chart" data-testid=test_id data-samples=samples data-end=move || end.get()>
            <span class="chart-ymax" aria-hidden="true">{move || format(y_max.get())}</span>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none" role="img" aria-label=label>
                {(1..ticks).map(|k| {
                    let x = WIDTH * k as f64 / ticks as f64;
                    view! { <line x1=x x2=x y1="0" y2=HEIGHT class="grid minor" vector-effect="non-scaling-stroke" /> }
                }).collect_view()}
                <line x1="0" x2=WIDTH y1="0.5" y2="0.5" class="grid" vector-effect="non-scaling-stroke" />
                <line x1="0" x2=WIDTH y1=HEIGHT / 2.0 y2=HEIGHT / 2.0 class="grid" vector-effect="non-scaling-stroke" />
                <line x1="0" x2=WIDTH y1=HEIGHT - 0.5 y2=HEIGHT - 0.5 class="grid base" vector-effect="non-scaling-stroke" />
                {lines}
            </svg>
            <figcaption class="chart-axis" data-testid="chart-axis">
                {labels.into_iter().map(|l| view! { <span>{l}</span> }).collect_view()}
            </figcaption>
            {legend}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::{axis_labels, path};

    #[test]
    fn paths_scale_time_and_value_and_break_at_gaps() {
        let points = [(0, Some(0.0)), (50, Some(50.0)), (75, None), (100, Some(100.0))];
        assert_eq!(path(&points, 100, 100.0, 100.0), "M0.0 64.0 L150.0 32.0 M300.0 0.0");
        // Values above the scale are clipped to its top; older than the span to the left edge.
        assert_eq!(
            path(&[(-100, Some(500.0)), (100, Some(25.0))], 100, 100.0, 100.0),
            "M0.0 0.0 L300.0 48.0"
        );
        // The clock moved on: the same points slide left.
        assert_eq!(path(&[(50, Some(0.0)), (100, Some(0.0))], 150, 100.0, 100.0), "M0.0 64.0 L150.0 64.0");
        assert_eq!(path(&[], 0, 1.0, 1.0), "");
        assert_eq!(path(&[(5, None)], 5, 1.0, 1.0), "");
    }

    #[test]
    fn the_axis_reads_relative_minutes_up_to_now() {
        assert_eq!(axis_labels(15.0 * 60_000.0), ["−15m", "−10m", "−5m", "now"]);
        assert_eq!(axis_labels(5.0 * 60_000.0), ["−5m", "−4m", "−3m", "−2m", "−1m", "now"]);
        assert_eq!(axis_labels(60.0 * 60_000.0), ["−60m", "−45m", "−30m", "−15m", "now"]);
        assert_eq!(axis_labels(7.0 * 60_000.0), ["−7m", "now"]);
        assert_eq!(axis_labels(0.0), ["−1m", "now"]);
    }
}
