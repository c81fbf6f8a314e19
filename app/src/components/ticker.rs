//! Live updates by polling: a counter that ticks in the browser only, for
//! resources to key on. (Server-sent events replace this later.)

use std::time::Duration;

use leptos::prelude::*;

/// How often live pages refetch.
pub const REFRESH: Duration = Duration::from_millis(2500);

/// A signal that increments every `period` while the calling component is
/// mounted in the browser. On the server (and before hydration) it stays 0,
/// so server-rendered resources and hydrated ones agree on their key.
pub fn use_ticker(period: Duration) -> ReadSignal<u32> {
    let (tick, set_tick) = signal(0u32);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| {
        if let Ok(handle) =
            set_interval_with_handle(move || set_tick.update(|n| *n = n.wrapping_add(1)), period)
        {
            on_cleanup(move || handle.clear());
        }
    });
    tick
}
