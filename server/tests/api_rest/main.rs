//! The REST API end to end over a real SQLite store in a temp dir: every
//! Marathon example, a catalogue of bad inputs, persistence across a
//! restart, and the SSE event stream on a real socket.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bad_inputs;
mod examples;
mod flows;
mod persistence;
mod sse;
mod support;
