//! [`LineChart`]: a small SVG line chart of the last minutes, drawn by
//! Leptos (no chart library). Time runs left to right and ends at the
//! newest sample; the span is at least [`MIN_SPAN_MS`], so a young
//! history grows from the right instead of being stretched.

use leptos::prelude::*;

/// Shortest time span the x axis shows.
pub const MIN_SPAN_MS: f64 = 5.0 * 60.0 * 1000.0;

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

/// The chart. `y_max` is the top of the scale (100 for percentages);
/// `format` writes a value for the axis and the last-value labels.
#[component]
pub fn LineChart(
    series: Vec<Series>,
    y_max: f64,
    format: fn(f64) -> String,
    /// Accessible name, e.g. "CPU allocation, last minutes".
    label: String,
    #[prop(optional)] test_id: &'static str,
) -> impl IntoView {
    let end = series.iter().flat_map(|s| s.points.iter().map(|(at, _)| *at)).max().unwrap_or(0);
    let start = series.iter().flat_map(|s| s.points.iter().map(|(at, _)| *at)).min().unwrap_or(end);
    let span = ((end - start) as f64).max(MIN_SPAN_MS);
    let minutes = (span / 60_000.0).round();
    let samples = series.iter().map(|s| s.points.len()).max().unwrap_or(0);
    let legend = (series.len() > 1).then(|| {
        view! {
            <ul class="legend chart-legend">
                {series.iter().map(|s| view! {
                    <li><span class=format!("swatch {}", s.class) aria-hidden="true"></span>{s.label}</li>
                }).collect_view()}
            </ul>
        }
    });
    let lines = series
        .into_iter()
        .map(|s| {
            let d = path(&s.points, end, span, y_max);
            let last = s.points.iter().rev().find_map(|(at, v)| v.map(|v| scale(*at, v, end, span, y_max)));
            view! {
                <path d=d class=format!("line {}", s.class) fill="none" vector-effect="non-scaling-stroke" />
                {last.map(|(x, y)| view! {
                    <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="2.5" class=format!("dot {}", s.class) />
                })}
            }
        })
        .collect_view();
    view! {
        <figure class="line-chart" data-testid=test_id data-samples=samples>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none" role="img" aria-label=label>
                <line x1="0" x2=WIDTH y1="0.5" y2="0.5" class="grid" vector-effect="non-scaling-stroke" />
                <line x1="0" x2=WIDTH y1=HEIGHT / 2.0 y2=HEIGHT / 2.0 class="grid" vector-effect="non-scaling-stroke" />
                <line x1="0" x2=WIDTH y1=HEIGHT - 0.5 y2=HEIGHT - 0.5 class="grid base" vector-effect="non-scaling-stroke" />
                {lines}
            </svg>
            <figcaption class="chart-axis">
                <span>{format!("−{minutes} min")}</span>
                <span>{format!("max {}", format(y_max))}</span>
                <span>"now"</span>
            </figcaption>
            {legend}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::path;

    #[test]
    fn paths_scale_time_and_value_and_break_at_gaps() {
        let points = [(0, Some(0.0)), (50, Some(50.0)), (75, None), (100, Some(100.0))];
        assert_eq!(path(&points, 100, 100.0, 100.0), "M0.0 64.0 L150.0 32.0 M300.0 0.0");
        // Values above the scale are clipped to its top; older than the span to the left edge.
        assert_eq!(
            path(&[(-100, Some(500.0)), (100, Some(25.0))], 100, 100.0, 100.0),
            "M0.0 0.0 L300.0 48.0"
        );
        assert_eq!(path(&[], 0, 1.0, 1.0), "");
        assert_eq!(path(&[(5, None)], 5, 1.0, 1.0), "");
    }
}
