//! Scalar resources and port ranges.
//!
//! Amounts arrive as `f64` (as in Marathon's JSON and Mesos' protobufs) and are
//! converted to fixed-point thousandths ([`Milli`]) for all arithmetic, as Mesos
//! itself does, so that "placed resources never exceed offered" holds exactly
//! and never depends on floating-point rounding.

use serde::Serialize;

/// The scalar resource kinds the scheduler understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ScalarKind {
    /// CPU shares.
    Cpus,
    /// Memory in MiB.
    Mem,
    /// Disk in MiB.
    Disk,
    /// Whole GPUs.
    Gpus,
}

impl ScalarKind {
    /// All kinds, in the order used by [`ScalarVec`] and by the reason funnel.
    pub const ALL: [ScalarKind; 4] = [Self::Cpus, Self::Mem, Self::Disk, Self::Gpus];

    /// The Mesos resource name (`cpus`, `mem`, `disk`, `gpus`).
    pub fn mesos_name(self) -> &'static str {
        match self {
            Self::Cpus => "cpus",
            Self::Mem => "mem",
            Self::Disk => "disk",
            Self::Gpus => "gpus",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// What one instance of a run spec needs.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Resources {
    /// CPU shares.
    pub cpus: f64,
    /// Memory, MiB.
    pub mem: f64,
    /// Disk, MiB.
    pub disk: f64,
    /// GPUs.
    pub gpus: f64,
}

impl Resources {
    /// Marathon's defaults: 1 cpu, 128 MiB, no disk, no GPU.
    pub fn marathon_default() -> Self {
        Self { cpus: 1.0, mem: 128.0, disk: 0.0, gpus: 0.0 }
    }

    pub(crate) fn to_milli(self) -> ScalarVec {
        ScalarVec([
            Milli::from_f64(self.cpus),
            Milli::from_f64(self.mem),
            Milli::from_f64(self.disk),
            Milli::from_f64(self.gpus),
        ])
    }
}

/// A scalar amount in thousandths. Never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Milli(pub u64);

impl Milli {
    /// Rounds to the nearest thousandth; NaN, negatives and infinities of the
    /// wrong sign become 0 (bad input never panics).
    pub fn from_f64(value: f64) -> Self {
        if value.is_finite() && value > 0.0 {
            Self((value * 1000.0).round() as u64)
        } else if value == f64::INFINITY {
            Self(u64::MAX)
        } else {
            Self(0)
        }
    }

    /// Back to a float, for output.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

/// One amount per [`ScalarKind`], indexed by `ScalarKind::index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScalarVec(pub [Milli; 4]);

impl ScalarVec {
    pub(crate) fn get(&self, kind: ScalarKind) -> Milli {
        self.0[kind.index()]
    }

    pub(crate) fn get_mut(&mut self, kind: ScalarKind) -> &mut Milli {
        &mut self.0[kind.index()]
    }
}

/// An inclusive range of port numbers, as in a Mesos `ports` resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PortRange {
    /// First port, inclusive.
    pub begin: u16,
    /// Last port, inclusive; `end >= begin` is kept by every constructor.
    pub end: u16,
}

impl PortRange {
    /// A range; the bounds are swapped if given the wrong way round.
    pub fn new(begin: u16, end: u16) -> Self {
        Self { begin: begin.min(end), end: begin.max(end) }
    }

    /// Number of ports in the range.
    pub fn len(&self) -> u32 {
        u32::from(self.end) - u32::from(self.begin) + 1
    }

    /// Never true: a range holds at least one port.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether `port` lies in the range.
    pub fn contains(&self, port: u16) -> bool {
        self.begin <= port && port <= self.end
    }
}

/// A set of free ports kept as sorted, disjoint ranges, with a cached count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PortSet {
    ranges: Vec<PortRange>,
    free: u32,
}

impl PortSet {
    pub(crate) fn new(mut ranges: Vec<PortRange>) -> Self {
        ranges.sort();
        let mut merged: Vec<PortRange> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if u32::from(r.begin) <= u32::from(last.end) + 1 => {
                    last.end = last.end.max(r.end);
                }
                _ => merged.push(r),
            }
        }
        let free = merged.iter().map(PortRange::len).sum();
        Self { ranges: merged, free }
    }

    pub(crate) fn free(&self) -> u32 {
        self.free
    }

    pub(crate) fn ranges(&self) -> &[PortRange] {
        &self.ranges
    }

    pub(crate) fn contains(&self, port: u16) -> bool {
        self.ranges.iter().any(|r| r.contains(port))
    }

    /// Removes `port` if present; returns whether it was free.
    pub(crate) fn take(&mut self, port: u16) -> bool {
        let Some(pos) = self.ranges.iter().position(|r| r.contains(port)) else {
            return false;
        };
        let r = self.ranges[pos];
        self.free -= 1;
        match (r.begin == port, r.end == port) {
            (true, true) => {
                self.ranges.remove(pos);
            }
            (true, false) => self.ranges[pos].begin = port + 1,
            (false, true) => self.ranges[pos].end = port - 1,
            (false, false) => {
                self.ranges[pos].end = port - 1;
                self.ranges.insert(pos + 1, PortRange { begin: port + 1, end: r.end });
            }
        }
        true
    }

    /// Takes the lowest free port (deterministic, unlike Marathon's random pick).
    pub(crate) fn take_lowest(&mut self) -> Option<u16> {
        let first = *self.ranges.first()?;
        self.take(first.begin);
        Some(first.begin)
    }
}

#[cfg(test)]
mod tests {
    use super::{Milli, PortRange, PortSet};

    #[test]
    fn milli_rounds_and_clamps_bad_input() {
        let cases = [(0.1, 100), (0.0005, 1), (-3.0, 0), (f64::NAN, 0), (2.0, 2000)];
        for (input, want) in cases {
            assert_eq!(Milli::from_f64(input).0, want, "input={input}");
        }
    }

    #[test]
    fn port_set_merges_overlapping_ranges() {
        let set = PortSet::new(vec![PortRange::new(10, 20), PortRange::new(15, 30), PortRange::new(31, 31)]);
        assert_eq!(set.free(), 22);
    }

    #[test]
    fn taking_a_port_splits_its_range_and_keeps_the_count() {
        let mut set = PortSet::new(vec![PortRange::new(100, 104)]);
        assert!(set.take(102));
        assert!(!set.take(102), "a port is only handed out once");
        assert_eq!(set.free(), 4);
        let mut got = Vec::new();
        while let Some(p) = set.take_lowest() {
            got.push(p);
        }
        assert_eq!(got, vec![100, 101, 103, 104]);
    }
}
