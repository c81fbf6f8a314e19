//! The REST API end to end over a real SQLite store in a temp dir: every
//! Marathon example, app embeds with any prefix, a catalogue of bad
//! inputs, persistence across a restart, listing a group's apps (and which
//! ids the group listings refuse), a rollback or scale only alone and the
//! body's id resolved against the URL's group, patching a group's
//! settings, `enforceRole` only on top-level groups and not changed beside
//! services, the root group of a fresh store (for groups and the apps
//! wildcard) and with a trailing slash, the SSE event stream on a real
//! socket, and what the API tells about why an app fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apps_embed;
mod apps_fresh_root;
mod bad_inputs;
mod examples;
mod flows;
mod group_apps_ids;
mod group_enforce_role;
mod group_enforce_role_change;
mod group_patch;
mod group_update_body;
mod groups_apps;
mod groups_fresh_root;
mod groups_root_slash;
mod persistence;
mod sse;
mod status_facts;
mod support;
