//! Server functions and the types they exchange: the console's calls into
//! the server. Each server function is a few lines that hand over to the
//! [`crate::backend::Backend`] the server provides as context; the only
//! logic here is pure shaping ([`services_query`]), the status rule
//! ([`status`]) and the services rows' reducer of task events
//! ([`row_updates`]), all shared with the browser.

pub mod access;
pub mod app_changes;
pub mod apps;
pub mod cluster;
pub mod deployments;
pub mod info;
pub mod resource;
pub mod row_updates;
pub mod services_query;
pub mod status;
