//! `zk://` URLs as dromos takes them on the command line (`--zk`): the
//! ensemble, optional `digest` credentials, and the root path under which
//! dromos keeps its state (`<root>/state`) and its election (`<root>/leader`).

use std::fmt;

/// Why a `zk://` URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid ZooKeeper URL {url:?}: {reason}")]
pub struct ZkUrlError {
    /// The URL as given (credentials masked).
    pub url: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// A parsed `zk://[user:password@]host[:port][,host[:port]…]/root/path`.
///
/// Invariant: `root` starts with `/`, has no trailing `/`, no empty, `.` or
/// `..` segment, and is not `/` itself (dromos never writes at the top of
/// an ensemble).
#[derive(Clone, PartialEq, Eq)]
pub struct ZkUrl {
    /// `host:port,host:port`, as ZooKeeper clients take it.
    pub servers: String,
    /// `user:password` for the `digest` scheme, if given.
    pub credentials: Option<String>,
    /// The root path, e.g. `/dromos`.
    pub root: String,
}

impl fmt::Debug for ZkUrl {
    /// Never prints the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZkUrl")
            .field("servers", &self.servers)
            .field("credentials", &self.credentials.as_ref().map(|_| "***"))
            .field("root", &self.root)
            .finish()
    }
}

impl fmt::Display for ZkUrl {
    /// The URL without credentials, for logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "zk://{}{}", self.servers, self.root)
    }
}

/// The longest root path accepted, in bytes; bounded so that the largest
/// value still fits one ZooKeeper request with its path.
pub const MAX_ROOT_LEN: usize = 200;

/// ZooKeeper's default client port.
const DEFAULT_PORT: u16 = 2181;

impl ZkUrl {
    /// Parses a `zk://` URL; a host without a port gets 2181.
    pub fn parse(url: &str) -> Result<Self, ZkUrlError> {
        let masked = mask_credentials(url);
        let invalid = |reason| ZkUrlError { url: masked.clone(), reason };
        let rest = url.strip_prefix("zk://").ok_or_else(|| invalid("must start with zk://"))?;
        let (authority, root) = rest.split_at(rest.find('/').ok_or_else(|| invalid("needs a root path"))?);
        let (credentials, hosts) = match authority.rsplit_once('@') {
            Some((auth, hosts)) if auth.contains(':') => (Some(auth.to_owned()), hosts),
            Some(_) => return Err(invalid("credentials must be user:password")),
            None => (None, authority),
        };
        let servers = hosts
            .split(',')
            .map(|server| with_default_port(server).ok_or_else(|| invalid("bad host:port")))
            .collect::<Result<Vec<_>, _>>()?
            .join(",");
        let root = root.trim_end_matches('/');
        let segments_ok = root.split('/').skip(1).all(|s| !s.is_empty() && s != "." && s != "..");
        if root.len() > MAX_ROOT_LEN {
            return Err(invalid("root path is longer than 200 bytes"));
        }
        if root.is_empty() || !segments_ok {
            return Err(invalid("root path must be like /dromos, without empty, . or .. segments"));
        }
        Ok(ZkUrl { servers, credentials, root: root.to_owned() })
    }

    /// A path below the root: `child("state")` is `/dromos/state`.
    pub fn child(&self, name: &str) -> String {
        format!("{}/{name}", self.root)
    }
}

/// `host` → `host:2181`; `host:port` and `[v6]:port` unchanged; `None` when
/// the host is empty or the port is not a number.
fn with_default_port(server: &str) -> Option<String> {
    let (host, port) = match server.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') => (host, Some(port)),
        _ => (server, None),
    };
    let port = match port {
        Some(port) => port.parse::<u16>().ok()?,
        None => DEFAULT_PORT,
    };
    (!host.is_empty()).then(|| format!("{host}:{port}"))
}

/// The URL with `user:password@` replaced by `***@`, for error messages.
fn mask_credentials(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}***{}", &url[..scheme + 3], &url[at..]),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::ZkUrl;

    #[test]
    fn parses_servers_credentials_and_root() {
        let cases: [(&str, &str, Option<&str>, &str); 5] = [
            ("zk://localhost/dromos", "localhost:2181", None, "/dromos"),
            ("zk://a:1,b:2/dromos/", "a:1,b:2", None, "/dromos"),
            ("zk://u:p@a,b:2/x/y", "a:2181,b:2", Some("u:p"), "/x/y"),
            ("zk://127.0.0.1:2181/dromos", "127.0.0.1:2181", None, "/dromos"),
            ("zk://h:1/a-b_c.d", "h:1", None, "/a-b_c.d"),
        ];
        for (url, servers, credentials, root) in cases {
            let parsed = ZkUrl::parse(url).expect(url);
            assert_eq!(
                (parsed.servers.as_str(), parsed.credentials.as_deref(), parsed.root.as_str()),
                (servers, credentials, root),
                "{url}"
            );
        }
    }

    #[test]
    fn rejects_urls_dromos_cannot_use() {
        let cases: [&str; 9] = [
            "http://h/dromos",
            "zk://h",
            "zk://h/",
            "zk://h:port/dromos",
            "zk://:1/dromos",
            "zk://h//dromos",
            "zk://h/a/../b",
            "zk://user@h/dromos",
            &format!("zk://h/{}", "r".repeat(200)),
        ];
        for url in cases {
            assert!(ZkUrl::parse(url).is_err(), "{url} must be refused");
        }
    }

    #[test]
    fn errors_and_debug_never_show_the_password() {
        let err = ZkUrl::parse("zk://u:secret@h:x/d").expect_err("bad port");
        assert!(!err.to_string().contains("secret"), "{err}");
        let url = ZkUrl::parse("zk://u:secret@h/d").expect("valid");
        assert!(!format!("{url:?} {url}").contains("secret"));
    }
}
