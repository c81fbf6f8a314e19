//! A clock for views that move with time, such as the dashboard's time
//! series: the browser's time, read every few seconds while the page is
//! visible (Page Visibility API), never by asking the server.
//!
//! It reads `None` on the server and until the first tick after
//! hydration, so server markup and hydrated markup agree; views then use
//! the time their data was read at.

use std::time::Duration;

use leptos::prelude::*;

/// Time between two ticks.
pub const TICK: Duration = Duration::from_secs(5);

/// The browser's time in ms since the Unix epoch, ticking every `tick`
/// from the first moment after hydration; paused while the tab is hidden,
/// ticking at once when it shows again. `None` on the server.
pub fn use_ticking_clock(tick: Duration) -> ReadSignal<Option<f64>> {
    let (now, set_now) = signal(None::<f64>);
    // Effects run only in the browser, after hydration.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let read = move || {
            if !document().hidden() {
                set_now.set(Some(js_sys::Date::now()));
            }
        };
        read();
        let interval = set_interval_with_handle(read, tick).ok();
        let visibility = window_event_listener_untyped("visibilitychange", move |_| read());
        on_cleanup(move || {
            if let Some(interval) = interval {
                interval.clear();
            }
            visibility.remove();
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (tick, set_now);
    now
}

/// The browser's time now (ms since the Unix epoch); 0 on the server,
/// where [`use_ticking_clock`] never ticks.
pub fn browser_now() -> f64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now();
    #[cfg(not(feature = "hydrate"))]
    0.0
}
