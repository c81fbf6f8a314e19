//! Reusable views shared by the pages.

pub mod layout;
pub mod page_header;
