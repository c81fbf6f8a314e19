//! One routed page per file.

pub mod access;
pub mod app_detail;
pub mod app_editor;
pub mod dashboard;
pub mod deployments;
pub mod nodes;
pub mod not_found;
pub mod services;
