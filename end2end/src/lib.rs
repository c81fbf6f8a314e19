//! The harness for tests that run dromos as users do: the real binary as a
//! child process ([`dromos::DromosProcess`]) and a real headless Chromium
//! driven through chromedriver ([`browser::Browser`]).
//!
//! `server`'s integration tests use [`dromos`]; the browser tests in
//! `tests/` use both. Artifacts (screenshots) go under `target/e2e/`.

pub mod browser;
pub mod dromos;

use std::path::PathBuf;

/// The workspace's `target/` directory.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// Where tests write artifacts for people to look at.
pub fn artifacts_dir() -> PathBuf {
    let dir = target_dir().join("e2e");
    // Best effort: a failure shows up when the first artifact is written.
    let _ = std::fs::create_dir_all(&dir);
    dir
}
