//! The embedded master and agent, driven through HTTP by the real dromos
//! scheduler client, with real processes (and Docker when an image exists).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod cgroups;
mod docker;
mod endpoints;
mod files;
mod latency;
mod offers;
mod recovery;
mod simulated;
mod support;
mod tasks;
