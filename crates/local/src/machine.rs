//! What this machine can offer, and how it is split into logical agents.
//!
//! Like a Mesos agent without `--resources`, the machine offers every CPU, its
//! memory less 1 GB (or half of it on small machines), the data directory's
//! filesystem less 5 GB (or half), and ports 31000–32000. Split into N logical
//! agents, each gets 1/N of the scalars and a disjoint slice of the port range,
//! so two tasks on different logical agents can never be given the same port.
//! `--local-resources` overrides any of these in the form of Mesos' agent
//! `--resources` flag ([`MachineResources::with_overrides`]).

use std::path::Path;

use crate::error::LocalError;
use crate::resources::Resources;

/// Mesos' default port range for agents.
const PORTS: (u64, u64) = (31000, 32000);

/// Memory and disk Mesos holds back for the system (MB), unless that would be
/// more than half.
const MEM_RESERVED_MB: f64 = 1024.0;
const DISK_RESERVED_MB: f64 = 5.0 * 1024.0;

/// The whole machine's offerable resources.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MachineResources {
    /// CPUs (fractional only when set by hand).
    pub cpus: f64,
    /// Memory in MB.
    pub mem_mb: f64,
    /// Disk in MB.
    pub disk_mb: f64,
    /// Inclusive port range.
    pub ports: (u64, u64),
}

impl MachineResources {
    /// Reads CPUs, `/proc/meminfo` and the filesystem of `data_dir`.
    pub fn detect(data_dir: &Path) -> Result<Self, LocalError> {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        let meminfo = std::fs::read_to_string("/proc/meminfo")
            .map_err(|e| LocalError::Machine(format!("/proc/meminfo: {e}")))?;
        let mem_total_mb = parse_mem_total_mb(&meminfo)
            .ok_or_else(|| LocalError::Machine("no MemTotal in /proc/meminfo".to_owned()))?;
        let stat = nix::sys::statvfs::statvfs(data_dir).map_err(|e| LocalError::DataDir {
            path: data_dir.to_path_buf(),
            source: std::io::Error::from(e),
        })?;
        let disk_bytes = (stat.blocks() as f64) * (stat.fragment_size() as f64);
        Ok(Self {
            cpus: cpus as f64,
            mem_mb: after_reserve(mem_total_mb, MEM_RESERVED_MB),
            disk_mb: after_reserve(disk_bytes / 1024.0 / 1024.0, DISK_RESERVED_MB),
            ports: PORTS,
        })
    }

    /// These resources with some replaced, given in the form of Mesos'
    /// agent `--resources` flag: `cpus:2000;mem:2000000;disk:2000000;ports:[31000-61000]`
    /// (mem and disk in MB; one port range). Empty text changes nothing.
    pub fn with_overrides(mut self, text: &str) -> Result<Self, LocalError> {
        for item in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let invalid = |why: &str| LocalError::Config(format!("invalid local resource {item:?}: {why}"));
            let (name, value) = item.split_once(':').ok_or_else(|| invalid("expected name:value"))?;
            let value = value.trim();
            let scalar = || match value.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
                _ => Err(invalid("expected a non-negative number")),
            };
            match name.trim() {
                "cpus" => self.cpus = scalar()?,
                "mem" => self.mem_mb = scalar()?,
                "disk" => self.disk_mb = scalar()?,
                "ports" => self.ports = parse_range(value).ok_or_else(|| invalid("expected [begin-end]"))?,
                _ => return Err(invalid("known resources are cpus, mem, disk and ports")),
            }
        }
        Ok(self)
    }

    /// The resources of logical agent `index` of `count` (0-based).
    pub fn agent_share(&self, index: usize, count: usize) -> Resources {
        let count = count.max(1);
        let n = count as f64;
        let mut out = Resources::default();
        out.add_scalar("cpus", floor3(self.cpus / n));
        out.add_scalar("mem", (self.mem_mb / n).floor());
        out.add_scalar("disk", (self.disk_mb / n).floor());
        if let Some(slice) = port_slice(self.ports, index, count) {
            out.add_ranges("ports", [slice]);
        }
        out
    }
}

/// `[31000-32000]` (brackets optional), begin ≤ end.
fn parse_range(text: &str) -> Option<(u64, u64)> {
    let inner = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')).unwrap_or(text);
    let (begin, end) = inner.split_once('-')?;
    let (begin, end) = (begin.trim().parse().ok()?, end.trim().parse().ok()?);
    (begin <= end && end <= 65535).then_some((begin, end))
}

/// `MemTotal` in MB from `/proc/meminfo` text.
fn parse_mem_total_mb(meminfo: &str) -> Option<f64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kib / 1024.0).floor())
}

/// Mesos' rule: hold back `reserve`, or half when the total is under twice it.
fn after_reserve(total: f64, reserve: f64) -> f64 {
    if total >= 2.0 * reserve {
        (total - reserve).floor()
    } else {
        (total / 2.0).floor()
    }
}

fn floor3(value: f64) -> f64 {
    (value * 1000.0).floor() / 1000.0
}

/// Slice `index` of `count` near-equal slices of an inclusive range; None when
/// there are more agents than ports.
fn port_slice((begin, end): (u64, u64), index: usize, count: usize) -> Option<(u64, u64)> {
    let total = end.checked_sub(begin)? + 1;
    let (count, index) = (count as u64, index as u64);
    let size = total / count;
    if size == 0 || index >= count {
        return None;
    }
    let first = begin + index * size;
    let last = if index + 1 == count { end } else { first + size - 1 };
    Some((first, last))
}

#[cfg(test)]
mod tests {
    use super::{after_reserve, parse_mem_total_mb, port_slice, MachineResources};

    const SMALL: MachineResources =
        MachineResources { cpus: 2.0, mem_mb: 3000.0, disk_mb: 1001.0, ports: (31000, 32000) };

    #[test]
    fn overrides_replace_only_the_resources_given() {
        let big = SMALL.with_overrides("cpus:2000; mem:2000000;ports:[31000-61000]").expect("valid");
        assert_eq!(
            big,
            MachineResources { cpus: 2000.0, mem_mb: 2_000_000.0, disk_mb: 1001.0, ports: (31000, 61000) }
        );
        assert_eq!(SMALL.with_overrides("").expect("empty"), SMALL);
        assert_eq!(SMALL.with_overrides("disk:5.5").expect("valid").disk_mb, 5.5);
    }

    #[test]
    fn malformed_overrides_name_the_offending_item() {
        for bad in ["cpus", "cpus:lots", "mem:-1", "gpus:1", "ports:[32000-31000]", "ports:31000"] {
            let error = SMALL.with_overrides(bad).expect_err(bad).to_string();
            assert!(error.contains(bad), "{bad}: {error}");
        }
    }

    #[test]
    fn mem_total_is_read_in_megabytes() {
        let text = "MemTotal:       16318532 kB\nMemFree:         1000 kB\n";
        assert_eq!(parse_mem_total_mb(text), Some(15936.0));
        assert_eq!(parse_mem_total_mb("MemFree: 1 kB"), None);
    }

    #[test]
    fn reserve_is_whole_amount_or_half_on_small_machines() {
        let cases = [(16384.0, 1024.0, 15360.0), (1500.0, 1024.0, 750.0), (2048.0, 1024.0, 1024.0)];
        for (total, reserve, expected) in cases {
            assert_eq!(after_reserve(total, reserve), expected, "{total}");
        }
    }

    #[test]
    fn port_slices_are_disjoint_and_cover_the_range() {
        let slices: Vec<_> = (0..3).filter_map(|i| port_slice((31000, 32000), i, 3)).collect();
        assert_eq!(slices, [(31000, 31332), (31333, 31665), (31666, 32000)]);
        assert_eq!(port_slice((31000, 31001), 0, 3), None);
    }

    #[test]
    fn agent_shares_split_scalars_evenly() {
        let share = SMALL.agent_share(1, 3);
        assert_eq!(share.scalar("cpus"), 0.666);
        assert_eq!(share.scalar("mem"), 1000.0);
        assert_eq!(share.scalar("disk"), 333.0);
        assert_eq!(share.ranges("ports"), &[(31333, 31665)]);
    }
}
