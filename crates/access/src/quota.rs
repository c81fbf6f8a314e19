//! Per-team quotas on what a team's apps may allocate.
//!
//! Usage is what the apps under a team's paths *ask for*: `instances ×
//! cpus` (mem, disk likewise) and the instance count, summed over the apps
//! as they will be once the change is deployed. A change is refused when,
//! for some limited resource, the usage after it exceeds the limit *and*
//! grew: shrinking an app of a team that is already over its quota (the
//! quota was lowered, say) is always allowed.

use serde::{Deserialize, Serialize};

/// Limits of one team; `None` means unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Quota {
    /// CPUs over all instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    /// Memory in MiB over all instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem: Option<f64>,
    /// Disk in MiB over all instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<f64>,
    /// Number of instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances: Option<u64>,
}

/// What a set of apps allocates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// CPUs.
    pub cpus: f64,
    /// Memory, MiB.
    pub mem: f64,
    /// Disk, MiB.
    pub disk: f64,
    /// Instances.
    pub instances: u64,
}

impl Usage {
    /// Adds one app: `instances` of `cpus`/`mem`/`disk` each.
    pub fn add_app(&mut self, instances: u64, cpus: f64, mem: f64, disk: f64) {
        let n = instances as f64;
        self.cpus += n * cpus;
        self.mem += n * mem;
        self.disk += n * disk;
        self.instances += instances;
    }
}

/// The first limit a change would break.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaExceeded {
    /// The team.
    pub team: String,
    /// `cpus`, `mem`, `disk` or `instances`.
    pub resource: &'static str,
    /// The limit.
    pub limit: f64,
    /// The usage the change would lead to.
    pub requested: f64,
}

impl QuotaExceeded {
    /// By how much the limit would be exceeded.
    pub fn over_by(&self) -> f64 {
        self.requested - self.limit
    }
}

impl std::fmt::Display for QuotaExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "quota of team '{}' exceeded: {} would be {} of {} (over by {})",
            self.team,
            self.resource,
            round(self.requested),
            round(self.limit),
            round(self.over_by())
        )
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Quota {
    /// `Ok` unless going from `before` to `after` breaks a limit (see the
    /// module docs).
    pub fn check(&self, team: &str, before: &Usage, after: &Usage) -> Result<(), QuotaExceeded> {
        let dims: [(&'static str, Option<f64>, f64, f64); 4] = [
            ("cpus", self.cpus, before.cpus, after.cpus),
            ("mem", self.mem, before.mem, after.mem),
            ("disk", self.disk, before.disk, after.disk),
            ("instances", self.instances.map(|i| i as f64), before.instances as f64, after.instances as f64),
        ];
        for (resource, limit, was, will) in dims {
            let Some(limit) = limit else { continue };
            // A tolerance for float sums like 10 × 0.1.
            if will > limit + 1e-9 && will > was + 1e-9 {
                return Err(QuotaExceeded { team: team.to_owned(), resource, limit, requested: will });
            }
        }
        Ok(())
    }

    /// The message naming the first negative or non-finite limit, if any.
    pub fn validate(&self) -> Result<(), crate::AccessError> {
        for (field, value) in
            [("/quota/cpus", self.cpus), ("/quota/mem", self.mem), ("/quota/disk", self.disk)]
        {
            if value.is_some_and(|v| !v.is_finite() || v < 0.0) {
                return Err(crate::AccessError::invalid(field, "must be a finite number ≥ 0"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn usage(instances: u64, cpus: f64) -> Usage {
        let mut u = Usage::default();
        u.add_app(instances, cpus, 32.0, 0.0);
        u
    }

    #[test]
    fn growth_beyond_a_limit_is_refused_with_the_amount() {
        let quota = Quota { cpus: Some(1.0), instances: Some(10), ..Quota::default() };
        assert!(quota.check("a", &usage(0, 0.1), &usage(10, 0.1)).is_ok(), "10 × 0.1 is exactly 1");
        let err = quota.check("a", &usage(5, 0.1), &usage(12, 0.1)).unwrap_err();
        assert_eq!(err.resource, "cpus");
        assert_eq!(err.to_string(), "quota of team 'a' exceeded: cpus would be 1.2 of 1 (over by 0.2)");
    }

    #[test]
    fn shrinking_while_over_quota_is_allowed() {
        let quota = Quota { cpus: Some(1.0), ..Quota::default() };
        assert!(quota.check("a", &usage(20, 0.1), &usage(15, 0.1)).is_ok());
        assert!(quota.check("a", &usage(20, 0.1), &usage(21, 0.1)).is_err());
    }

    #[test]
    fn bad_limits_name_their_field() {
        let quota = Quota { mem: Some(-1.0), ..Quota::default() };
        assert_eq!(quota.validate().unwrap_err().to_string(), "/quota/mem: must be a finite number ≥ 0");
        assert!(Quota { cpus: Some(f64::NAN), ..Quota::default() }.validate().is_err());
    }

    proptest! {
        #[test]
        fn no_accepted_change_ends_above_a_limit_unless_it_shrank(
            limit in 0u64..50, before in 0u64..80, after in 0u64..80,
        ) {
            let quota = Quota { instances: Some(limit), ..Quota::default() };
            let ok = quota.check("t", &usage(before, 0.0), &usage(after, 0.0)).is_ok();
            prop_assert_eq!(ok, after <= limit || after <= before);
        }
    }
}
