//! Server functions: the console's calls into the server. Each is a few
//! lines that hand over to the [`crate::backend::Backend`] the server
//! provides as context; no logic lives here.

pub mod info;
