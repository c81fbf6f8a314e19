//! Server functions and the types they exchange: the console's calls into
//! the server. Each server function is a few lines that hand over to the
//! [`crate::backend::Backend`] the server provides as context; the only
//! logic here is pure shaping ([`services_query`]) and the status rule
//! ([`status`]), both shared with the browser.

pub mod access;
pub mod app_changes;
pub mod apps;
pub mod cluster;
pub mod deployments;
pub mod info;
pub mod services_query;
pub mod status;
