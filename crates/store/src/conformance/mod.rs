//! The conformance suite: every promise of [`Store`], as test cases any
//! backend can run against itself.
//!
//! A backend's test provides a fresh [`Location`] per case (a temp dir, a
//! ZooKeeper chroot) and calls [`run_all`]. Each case opens the store from
//! the location, and some drop it and open it again to check persistence.
//! Cases panic on failure; [`run_all`] runs them all and then reports every
//! failed case by name, so one broken promise does not hide another.

/// `cases![f, g]`: the [`Case`]s running `f` and `g`, named after them.
macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        &[$(super::Case { name: stringify!($case), run: $case }),*]
    };
}

mod basic;
mod batch;
mod scan;

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::StoreError;
use crate::store::Store;

/// Where a backend keeps its data for one case; opening it twice in turn
/// must give the same data (the first store is dropped before the second
/// open).
pub trait Location {
    /// Opens the store kept at this location.
    fn open(&self) -> Result<Box<dyn Store>, StoreError>;
}

/// One promise, checked on a fresh location.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// Says what the backend must do.
    pub name: &'static str,
    /// Panics when the promise is broken.
    pub run: fn(&dyn Location),
}

/// Every case of the suite.
pub fn cases() -> Vec<Case> {
    [basic::CASES, scan::CASES, batch::CASES].concat()
}

/// Runs every case, each on a location from `fresh`, and panics with the
/// names and messages of all failed cases.
pub fn run_all(fresh: &dyn Fn() -> Box<dyn Location>) {
    let mut failures = Vec::new();
    let all = cases();
    for case in &all {
        let location = fresh();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| (case.run)(location.as_ref()))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "non-string panic".to_owned());
            failures.push(format!("{}: {message}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} conformance cases failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

/// Opens `location`, failing the case if the backend cannot.
fn open(location: &dyn Location) -> Box<dyn Store> {
    location.open().expect("conformance: backend must open its location")
}

/// Applies `ops`, failing the case on error.
fn apply_ok(store: &dyn Store, ops: &[crate::Op]) {
    store.apply(ops).expect("conformance: a valid batch must be applied");
}

/// Reads `ns`/`key`, failing the case on error.
fn get_ok(store: &dyn Store, ns: &str, key: &str) -> Option<Vec<u8>> {
    store.get(ns, key).expect("conformance: reading a valid key must succeed")
}

/// The keys of `ns` under `prefix`, failing the case on error.
fn keys_ok(store: &dyn Store, ns: &str, prefix: &str) -> Vec<String> {
    store.keys(ns, prefix).expect("conformance: listing a valid prefix must succeed")
}
