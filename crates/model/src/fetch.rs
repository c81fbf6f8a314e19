//! `fetch`: artifacts the agent downloads into the sandbox before start
//! (the Mesos fetcher). The deprecated `uris` list is converted into
//! `fetch` entries while parsing, with `extract` guessed from the file
//! extension as Marathon does.

use serde::{Deserialize, Serialize};

/// Longest accepted URI (Marathon's `strings.Uri`).
pub const MAX_URI_LENGTH: usize = 1024;

/// One artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FetchUri {
    /// Where to download from; 1..=1024 characters.
    pub uri: String,
    /// Unpack archives (default true).
    #[serde(default = "yes")]
    pub extract: bool,
    /// Mark the file executable.
    #[serde(default)]
    pub executable: bool,
    /// Use the fetcher cache.
    #[serde(default)]
    pub cache: bool,
    /// Target file name in the sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dest_path: Option<String>,
}

fn yes() -> bool {
    true
}

const ARCHIVE_SUFFIXES: [&str; 7] = [".tgz", ".tar.gz", ".tbz2", ".tar.bz2", ".txz", ".tar.xz", ".zip"];

impl FetchUri {
    /// The entry a deprecated `uris` element stands for.
    pub fn from_legacy_uri(uri: &str) -> Self {
        let lower = uri.to_ascii_lowercase();
        FetchUri {
            uri: uri.to_string(),
            extract: ARCHIVE_SUFFIXES.iter().any(|s| lower.ends_with(s)),
            executable: false,
            cache: false,
            dest_path: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_uris_extract_only_archives() {
        assert!(FetchUri::from_legacy_uri("http://x/a.tar.gz").extract);
        assert!(FetchUri::from_legacy_uri("http://x/a.ZIP").extract);
        assert!(!FetchUri::from_legacy_uri("http://x/a.py").extract);
    }
}
