//! `Resources`: the arithmetic the master needs on agent resources: add what a
//! finished task frees, subtract what an offer or a task takes, and test whether
//! one set contains another (an ACCEPT must fit its offers; a refusal filter
//! matches an offer it contains).
//!
//! Scalars are kept by name and compared with Mesos' three-decimal precision;
//! ranges (`ports`) are kept merged and sorted. SET resources never occur on the
//! local agents and are ignored. Conversion to and from the wire type
//! [`dromos_mesos::v1::Resource`] is lossless for what the local agents offer.

use std::collections::BTreeMap;

use dromos_mesos::v1::{Range, Resource, ValueType};

/// Mesos keeps scalars at three decimal digits; differences below half a
/// thousandth are rounding noise.
const EPSILON: f64 = 0.0005;

/// A bag of scalar and range resources on one agent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resources {
    /// Amount by name (`cpus`, `mem` in MB, `disk` in MB); never negative.
    scalars: BTreeMap<String, f64>,
    /// Inclusive ranges by name (`ports`); sorted, merged, non-overlapping.
    ranges: BTreeMap<String, Vec<(u64, u64)>>,
}

impl Resources {
    /// Resources from wire resources; SET and TEXT values are ignored.
    pub fn from_wire(resources: &[Resource]) -> Self {
        let mut out = Self::default();
        for resource in resources {
            match resource.kind {
                ValueType::Scalar => out.add_scalar(&resource.name, resource.scalar_value()),
                ValueType::Ranges => {
                    let ranges = resource.ranges.as_ref().map(|r| r.range.as_slice()).unwrap_or_default();
                    let spans = ranges.iter().map(|r| (r.begin.min(r.end), r.begin.max(r.end)));
                    out.add_ranges(&resource.name, spans);
                }
                _ => {}
            }
        }
        out
    }

    /// Wire resources, unreserved (`role: "*"`), optionally allocated to `role`
    /// (MULTI_ROLE offers carry `allocation_info` on every resource).
    pub fn to_wire(&self, allocation_role: Option<&str>) -> Vec<Resource> {
        let scalars = self
            .scalars
            .iter()
            .filter(|(_, v)| **v > EPSILON)
            .map(|(name, value)| Resource::scalar(name.clone(), round(*value)));
        let ranges = self.ranges.iter().filter(|(_, spans)| !spans.is_empty()).map(|(name, spans)| {
            let range = spans.iter().map(|&(begin, end)| Range { begin, end }).collect();
            Resource::ranges(name.clone(), range)
        });
        scalars
            .chain(ranges)
            .map(|mut r| {
                r.role = Some("*".to_owned());
                match allocation_role {
                    Some(role) => r.allocated_to(role),
                    None => r,
                }
            })
            .collect()
    }

    /// Adds `value` of scalar `name` (negative values are ignored).
    pub fn add_scalar(&mut self, name: &str, value: f64) {
        if value.is_finite() && value > 0.0 {
            *self.scalars.entry(name.to_owned()).or_insert(0.0) += value;
        }
    }

    /// Adds inclusive ranges of `name`, merging overlaps.
    pub fn add_ranges(&mut self, name: &str, spans: impl IntoIterator<Item = (u64, u64)>) {
        let entry = self.ranges.entry(name.to_owned()).or_default();
        entry.extend(spans);
        *entry = merge(std::mem::take(entry));
    }

    /// The amount of scalar `name` (0 when absent).
    pub fn scalar(&self, name: &str) -> f64 {
        self.scalars.get(name).copied().unwrap_or(0.0)
    }

    /// The ranges of `name`, sorted and merged.
    pub fn ranges(&self, name: &str) -> &[(u64, u64)] {
        self.ranges.get(name).map(Vec::as_slice).unwrap_or_default()
    }

    /// Every scalar name with its amount.
    pub fn scalars(&self) -> impl Iterator<Item = (&str, f64)> {
        self.scalars.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// Every ranges name with its spans.
    pub fn all_ranges(&self) -> impl Iterator<Item = (&str, &[(u64, u64)])> {
        self.ranges.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// True when nothing worth offering is left.
    pub fn is_empty(&self) -> bool {
        self.scalars.values().all(|v| *v <= EPSILON) && self.ranges.values().all(Vec::is_empty)
    }

    /// `self + other`.
    pub fn plus(&self, other: &Resources) -> Resources {
        let mut out = self.clone();
        for (name, value) in &other.scalars {
            out.add_scalar(name, *value);
        }
        for (name, spans) in &other.ranges {
            out.add_ranges(name, spans.iter().copied());
        }
        out
    }

    /// `self − other`, never below zero (callers check `contains` first when an
    /// exact fit matters).
    pub fn minus(&self, other: &Resources) -> Resources {
        let mut out = self.clone();
        for (name, value) in &other.scalars {
            if let Some(have) = out.scalars.get_mut(name) {
                *have = (*have - value).max(0.0);
            }
        }
        for (name, spans) in &other.ranges {
            if let Some(have) = out.ranges.get_mut(name) {
                *have = subtract_ranges(have, spans);
            }
        }
        out
    }

    /// True when every scalar and range of `other` is within `self`.
    pub fn contains(&self, other: &Resources) -> bool {
        let scalars_fit = other.scalars.iter().all(|(name, value)| *value <= self.scalar(name) + EPSILON);
        let ranges_fit = other.ranges.iter().all(|(name, spans)| {
            let have = self.ranges(name);
            spans.iter().all(|&(b, e)| have.iter().any(|&(hb, he)| hb <= b && e <= he))
        });
        scalars_fit && ranges_fit
    }

    /// Every individual port of the `ports` ranges, in order (for PORT0.. and
    /// PORTS); stops at `limit` so a huge range cannot blow up an environment.
    pub fn ports(&self, limit: usize) -> Vec<u64> {
        self.ranges("ports").iter().flat_map(|&(b, e)| b..=e).take(limit).collect()
    }
}

/// Rounds to Mesos' three decimal digits.
fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// Sorts and merges overlapping or adjacent inclusive ranges.
fn merge(mut spans: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    spans.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(spans.len());
    for (begin, end) in spans {
        match out.last_mut() {
            Some(last) if begin <= last.1.saturating_add(1) => last.1 = last.1.max(end),
            _ => out.push((begin, end)),
        }
    }
    out
}

/// `have − take` for merged inclusive ranges.
fn subtract_ranges(have: &[(u64, u64)], take: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut out = have.to_vec();
    for &(tb, te) in take {
        out = out
            .into_iter()
            .flat_map(|(b, e)| {
                if te < b || tb > e {
                    return vec![(b, e)];
                }
                let mut pieces = Vec::with_capacity(2);
                if tb > b {
                    pieces.push((b, tb - 1));
                }
                if te < e {
                    pieces.push((te + 1, e));
                }
                pieces
            })
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use dromos_mesos::v1::{Range, Resource};

    use super::Resources;

    fn agent() -> Resources {
        Resources::from_wire(&[
            Resource::scalar("cpus", 4.0),
            Resource::scalar("mem", 1024.0),
            Resource::ranges("ports", vec![Range { begin: 31000, end: 31009 }]),
        ])
    }

    fn task(cpus: f64, mem: f64, ports: &[(u64, u64)]) -> Resources {
        let mut r = Resources::default();
        r.add_scalar("cpus", cpus);
        r.add_scalar("mem", mem);
        r.add_ranges("ports", ports.iter().copied());
        r
    }

    #[test]
    fn contains_checks_every_scalar_and_port_range() {
        let cases = [
            ("fits exactly", task(4.0, 1024.0, &[(31000, 31009)]), true),
            ("fits inside", task(0.5, 64.0, &[(31003, 31004)]), true),
            ("too many cpus", task(4.1, 64.0, &[]), false),
            ("port outside", task(0.1, 64.0, &[(30999, 30999)]), false),
            ("port range straddles end", task(0.1, 64.0, &[(31009, 31010)]), false),
            ("rounding noise tolerated", task(4.0004, 1024.0, &[]), true),
        ];
        for (name, wanted, expected) in cases {
            assert_eq!(agent().contains(&wanted), expected, "{name}");
        }
    }

    #[test]
    fn minus_then_plus_restores_the_original() {
        let taken = task(1.5, 256.0, &[(31002, 31003)]);
        let left = agent().minus(&taken);
        assert_eq!(left.scalar("cpus"), 2.5);
        assert_eq!(left.ranges("ports"), &[(31000, 31001), (31004, 31009)]);
        assert_eq!(left.plus(&taken), agent());
    }

    #[test]
    fn wire_round_trip_keeps_amounts_and_marks_roles() {
        let wire = agent().to_wire(Some("web"));
        assert!(wire.iter().all(|r| r.role.as_deref() == Some("*")));
        assert!(wire
            .iter()
            .all(|r| { r.allocation_info.as_ref().and_then(|a| a.role.as_deref()) == Some("web") }));
        assert_eq!(Resources::from_wire(&wire), agent());
    }

    #[test]
    fn ports_lists_individual_ports_up_to_the_limit() {
        assert_eq!(task(0.0, 0.0, &[(31000, 31001), (31005, 31005)]).ports(10), vec![31000, 31001, 31005]);
        assert_eq!(agent().ports(2), vec![31000, 31001]);
    }

    #[test]
    fn emptiness_ignores_rounding_dust() {
        let left = task(1.0, 10.0, &[]).minus(&task(0.9999, 10.0, &[]));
        assert!(left.is_empty());
        assert!(!agent().is_empty());
    }
}
