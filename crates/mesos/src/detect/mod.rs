//! Finding the master from a `--master` value.
//!
//! Accepted forms (as Mesos' own detector): `http://host:port` (or https),
//! `host:port`, `master@host:port`, and `zk://[user:pass@]h1:2181,h2:2181/mesos`.
//! With ZooKeeper, every contending master owns an ephemeral sequential child
//! `json.info_<seq>` of the path whose data is its MasterInfo as JSON; the lowest
//! sequence number is the leader. The choice and the decoding are pure functions
//! over the child names and the node data, so they are tested without ZooKeeper;
//! [`ZooKeeperDetector`] does the live lookup and plugs into the client as its
//! [`MasterResolver`](crate::client::MasterResolver).

mod zookeeper;

use std::net::Ipv4Addr;

use reqwest::Url;
use serde::Deserialize;

pub use zookeeper::ZooKeeperDetector;

/// Default ZooKeeper client port.
pub const ZK_DEFAULT_PORT: u16 = 2181;

/// Label of the znodes masters create (Mesos ≥ 0.24; older `info_` nodes held
/// binary protobuf and are not read).
pub const MASTER_INFO_PREFIX: &str = "json.info_";

/// Why a master could not be located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    /// The `--master` value has no recognisable form.
    #[error("invalid master address {0:?}: {1}")]
    InvalidSpec(String, &'static str),
    /// No child of the ZooKeeper path is a master.
    #[error("no master has registered in ZooKeeper")]
    NoLeader,
    /// The leader's znode data is not a MasterInfo.
    #[error("master info in ZooKeeper is unreadable: {0}")]
    BadMasterInfo(String),
    /// ZooKeeper could not be reached or answered with an error.
    #[error("ZooKeeper: {0}")]
    ZooKeeper(String),
}

/// A parsed `--master` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasterSpec {
    /// A master reachable directly; non-leaders redirect to the leader.
    Http(Url),
    /// A ZooKeeper ensemble and path to find the leader in.
    ZooKeeper(ZkUrl),
}

/// One ZooKeeper server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZkServer {
    /// Host name or IP (IPv6 without brackets).
    pub host: String,
    /// Client port.
    pub port: u16,
}

/// `digest` scheme credentials from `zk://user:pass@…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZkCredentials {
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
}

/// A `zk://` URL: servers, optional credentials and the group path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZkUrl {
    /// Credentials, if given.
    pub credentials: Option<ZkCredentials>,
    /// The ensemble (at least one server).
    pub servers: Vec<ZkServer>,
    /// The group path, e.g. `/mesos`; `/` when none was given.
    pub path: String,
}

impl ZkUrl {
    /// Parses `zk://[user:pass@]host[:port][,host[:port]…][/path]`.
    pub fn parse(spec: &str) -> Result<Self, DetectError> {
        let invalid = |why| DetectError::InvalidSpec(spec.to_owned(), why);
        let rest = spec.strip_prefix("zk://").ok_or(invalid("not a zk:// URL"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (credentials, hosts) = match authority.rsplit_once('@') {
            Some((auth, hosts)) => {
                let (user, password) =
                    auth.split_once(':').ok_or(invalid("credentials need user:password"))?;
                let credentials = ZkCredentials { user: user.to_owned(), password: password.to_owned() };
                (Some(credentials), hosts)
            }
            None => (None, authority),
        };
        let servers = hosts
            .split(',')
            .map(|server| parse_host_port(server, ZK_DEFAULT_PORT).ok_or(invalid("bad host:port")))
            .collect::<Result<Vec<_>, _>>()?;
        let trimmed = path.trim_end_matches('/');
        Ok(Self {
            credentials,
            servers,
            path: if trimmed.is_empty() { "/".to_owned() } else { trimmed.to_owned() },
        })
    }

    /// `host:port,host:port` as ZooKeeper clients take it.
    pub fn connect_string(&self) -> String {
        self.servers.iter().map(|s| format_host_port(&s.host, s.port)).collect::<Vec<_>>().join(",")
    }

    /// Full path of a child of the group.
    pub fn child_path(&self, child: &str) -> String {
        if self.path == "/" {
            format!("/{child}")
        } else {
            format!("{}/{child}", self.path)
        }
    }
}

/// Parses `host[:port]` or `[v6]:port`; None on empty host or bad port.
fn parse_host_port(text: &str, default_port: u16) -> Option<ZkServer> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        (host, port)
    } else {
        match text.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().ok()?),
            None => (text, default_port),
        }
    };
    (!host.is_empty() && !host.contains(['/', '@'])).then(|| ZkServer { host: host.to_owned(), port })
}

fn format_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Parses a `--master` value.
pub fn parse_master(spec: &str) -> Result<MasterSpec, DetectError> {
    let spec = spec.trim();
    let invalid = |why| DetectError::InvalidSpec(spec.to_owned(), why);
    if spec.starts_with("zk://") {
        return ZkUrl::parse(spec).map(MasterSpec::ZooKeeper);
    }
    if spec.starts_with("http://") || spec.starts_with("https://") {
        return Url::parse(spec).map(MasterSpec::Http).map_err(|_| invalid("not a valid URL"));
    }
    if spec.contains("://") {
        return Err(invalid("scheme must be http, https or zk"));
    }
    let address = spec.strip_prefix("master@").unwrap_or(spec);
    let server = parse_host_port(address, 5050).ok_or(invalid("expected host:port"))?;
    let url = format!("http://{}", format_host_port(&server.host, server.port));
    Url::parse(&url).map(MasterSpec::Http).map_err(|_| invalid("not a valid host"))
}

/// The leader among a group's children: the `json.info_*` node with the lowest
/// sequence number. Other children (`log_replicas`, legacy `info_*`) are ignored.
pub fn leader_node<S: AsRef<str>>(children: &[S]) -> Option<&str> {
    children
        .iter()
        .map(AsRef::as_ref)
        .filter_map(|name| {
            let seq: u64 = name.strip_prefix(MASTER_INFO_PREFIX)?.parse().ok()?;
            Some((seq, name))
        })
        .min()
        .map(|(_, name)| name)
}

/// Where a master listens, from its MasterInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterAddress {
    /// IP address, or host name when no IP is known.
    pub host: String,
    /// HTTP port.
    pub port: u16,
}

impl MasterAddress {
    /// `http://host:port`.
    pub fn url(&self) -> Result<Url, DetectError> {
        let text = format!("http://{}", format_host_port(&self.host, self.port));
        Url::parse(&text).map_err(|e| DetectError::BadMasterInfo(format!("{text}: {e}")))
    }
}

/// The fields of the (v0) MasterInfo JSON that locate a master; all optional so
/// old and new masters both parse.
#[derive(Deserialize)]
struct MasterInfoJson {
    address: Option<AddressJson>,
    hostname: Option<String>,
    ip: Option<u32>,
    port: Option<u32>,
}

#[derive(Deserialize)]
struct AddressJson {
    hostname: Option<String>,
    ip: Option<String>,
    port: Option<u32>,
}

/// Reads the leader's address from its znode data. Prefers `address.ip` (no DNS
/// needed), then `address.hostname`, then the legacy `hostname`/`ip` fields.
pub fn master_address(data: &[u8]) -> Result<MasterAddress, DetectError> {
    let info: MasterInfoJson =
        serde_json::from_slice(data).map_err(|e| DetectError::BadMasterInfo(e.to_string()))?;
    let address = info.address.as_ref();
    let host = address
        .and_then(|a| a.ip.clone().or_else(|| a.hostname.clone()))
        .or(info.hostname)
        // The legacy `ip` is the in_addr as stored on a little-endian host.
        .or_else(|| info.ip.map(|ip| Ipv4Addr::from(ip.to_le_bytes()).to_string()))
        .filter(|h| !h.is_empty())
        .ok_or_else(|| DetectError::BadMasterInfo("no address, hostname or ip".into()))?;
    let port = address.and_then(|a| a.port).or(info.port).unwrap_or(5050);
    let port =
        u16::try_from(port).map_err(|_| DetectError::BadMasterInfo(format!("port {port} out of range")))?;
    Ok(MasterAddress { host, port })
}

/// The leader's address given the group's children and a way to read a child's
/// data (the ZooKeeper `getChildren` + `getData` pair).
pub fn leader_address<S, F>(children: &[S], read: F) -> Result<MasterAddress, DetectError>
where
    S: AsRef<str>,
    F: FnOnce(&str) -> Result<Vec<u8>, DetectError>,
{
    let leader = leader_node(children).ok_or(DetectError::NoLeader)?;
    master_address(&read(leader)?)
}

#[cfg(test)]
mod tests;
