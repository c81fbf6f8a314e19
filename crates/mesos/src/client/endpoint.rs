//! Where calls go: the scheduler endpoint of a master, how a 307 from a
//! non-leading master is followed, and how the master is found in the first place.

use std::future::Future;
use std::pin::Pin;

use reqwest::Url;

use super::error::ClientError;

/// Path of the scheduler API below a master's base URL.
const SCHEDULER_PATH: &str = "api/v1/scheduler";

/// The scheduler endpoint below a master base URL, keeping any path prefix
/// (`http://proxy/mesos` → `http://proxy/mesos/api/v1/scheduler`).
pub fn scheduler_endpoint(master: &Url) -> Result<Url, ClientError> {
    let mut base = master.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base.join(SCHEDULER_PATH).map_err(|e| ClientError::Master(format!("{master}: {e}")))
}

/// Resolves a redirect `Location` against the URL that was redirected. Mesos
/// sends protocol-relative locations (`//leader:5050/master/api/v1/scheduler`),
/// which keep the scheme of the current URL.
pub fn resolve_redirect(current: &Url, location: &str) -> Result<Url, ClientError> {
    current
        .join(location)
        .map_err(|e| ClientError::Master(format!("bad redirect location {location:?}: {e}")))
}

/// The future returned by [`MasterResolver::resolve`].
pub type ResolveFuture<'a> = Pin<Box<dyn Future<Output = Result<Url, ClientError>> + Send + 'a>>;

/// Finds a master to subscribe to; asked again before every connection attempt,
/// so a resolver backed by ZooKeeper follows leader changes. Any master will do:
/// non-leaders redirect to the leader.
pub trait MasterResolver: Send + Sync + 'static {
    /// The base URL of a master (e.g. `http://10.0.0.1:5050`).
    fn resolve(&self) -> ResolveFuture<'_>;
}

/// A fixed master URL.
impl MasterResolver for Url {
    fn resolve(&self) -> ResolveFuture<'_> {
        Box::pin(async move { Ok(self.clone()) })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use reqwest::Url;

    use super::{resolve_redirect, scheduler_endpoint};

    #[test]
    fn scheduler_endpoint_appends_the_api_path_keeping_prefixes() {
        let cases = [
            ("http://m:5050", "http://m:5050/api/v1/scheduler"),
            ("http://m:5050/", "http://m:5050/api/v1/scheduler"),
            ("http://proxy/mesos", "http://proxy/mesos/api/v1/scheduler"),
            ("https://proxy/mesos/", "https://proxy/mesos/api/v1/scheduler"),
        ];
        for (master, expected) in cases {
            let url = scheduler_endpoint(&Url::parse(master).unwrap()).unwrap();
            assert_eq!(url.as_str(), expected, "{master}");
        }
    }

    #[test]
    fn redirects_resolve_protocol_relative_and_absolute_locations() {
        let current = Url::parse("http://m1:5050/api/v1/scheduler").unwrap();
        let cases = [
            ("//m2:5050/master/api/v1/scheduler", "http://m2:5050/master/api/v1/scheduler"),
            ("//m2:5050/api/v1/scheduler", "http://m2:5050/api/v1/scheduler"),
            ("https://m3/api/v1/scheduler", "https://m3/api/v1/scheduler"),
            ("/master/api/v1/scheduler", "http://m1:5050/master/api/v1/scheduler"),
        ];
        for (location, expected) in cases {
            assert_eq!(resolve_redirect(&current, location).unwrap().as_str(), expected);
        }
    }
}
