//! `LocalError`: why the embedded cluster could not start. Once running, the
//! cluster reports task problems as task states, never as errors.

use std::path::PathBuf;

/// A start-up failure of the local cluster.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// A setting is unusable (bad attribute text, zero agents, …).
    #[error("invalid local cluster configuration: {0}")]
    Config(String),
    /// The data directory could not be created or measured.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The underlying failure.
        #[source]
        source: std::io::Error,
    },
    /// This machine's resources could not be read.
    #[error("cannot detect machine resources: {0}")]
    Machine(String),
}
