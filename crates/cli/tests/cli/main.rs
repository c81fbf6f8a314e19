//! The CLI against a fake dromos: the exact requests each command sends and
//! the exact output and exit code for success, API errors, odd answers and an
//! unreachable server. One test binary; one module per area.

mod apps;
mod deployments_tasks;
mod failures;
mod fake_server;
mod groups;
mod harness;
mod task_log;
