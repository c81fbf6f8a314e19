//! Reusable views shared by the pages.
//!
//! - Frame: [`layout`], [`page_header`], [`error_view`].
//! - Pieces: [`status_badge`], [`health_bar`], [`resource_bar`], [`units`].
//! - Services: [`app_table`] with its rows [`service_rows`], [`app_command`] (action dialog with force),
//!   the app page's tabs [`app_instances`], [`app_logs`], [`app_config`] and
//!   [`app_debug`].
//! - Dashboard: [`cluster_cards`], [`line_chart`].
//! - [`editor`]: the app editor form and JSON mode.

pub mod app_command;
pub mod app_config;
pub mod app_debug;
pub mod app_instances;
pub mod app_logs;
pub mod app_table;
pub mod cluster_cards;
pub mod editor;
pub mod error_view;
pub mod health_bar;
pub mod layout;
pub mod line_chart;
pub mod page_header;
#[cfg(all(test, feature = "ssr"))]
mod render_tests;
pub mod resource_bar;
pub mod service_rows;
pub mod status_badge;
pub mod units;
