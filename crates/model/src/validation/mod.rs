//! Semantic validation: every rule an app or group breaks, each reported
//! at its JSON pointer with Marathon's wording where Marathon has one
//! (NOTES §2, `AppValidation.scala`, `SchedulingValidation.scala`).
//!
//! Besides Marathon's rules dromos adds bounds that keep absurd input out
//! (the constants below) and rejects features it does not run with a
//! message ending in "is not supported by dromos" — never accepting and
//! silently ignoring them.
//!
//! * [`app`] — identity, command, resources, policies, env/labels/secrets.
//! * [`ports`] — networks, port definitions, container, volumes.
//! * [`checks`] — health checks, the Mesos `check`, readiness checks.
//! * [`group`] — groups: children, duplicates, pods, a rollback `version`
//!   or `scaleBy` only alone, `enforceRole` only at the top level and not
//!   changed in a `PUT` that carries services.

mod app;
mod checks;
mod group;
mod ports;

pub use group::{
    validate_enforce_role, validate_enforce_role_kept, validate_group, validate_rollback_and_scale_alone,
    ENFORCE_ROLE_CHANGED_WITH_SERVICES, NOT_ALONE,
};

use crate::app::AppDefinition;
use crate::error::Violations;

/// Most instances one app may ask for.
pub const MAX_INSTANCES: i32 = 10_000;
/// Most CPU shares per instance.
pub const MAX_CPUS: f64 = 10_000.0;
/// Most memory per instance, MiB (1 PiB).
pub const MAX_MEM_MIB: f64 = 1_073_741_824.0;
/// Most disk per instance, MiB (1 PiB).
pub const MAX_DISK_MIB: f64 = 1_073_741_824.0;
/// Most GPUs per instance.
pub const MAX_GPUS: i32 = 1_024;
/// Longest label / env / secret key, in bytes.
pub const MAX_KEY_LENGTH: usize = 1_024;
/// Longest label / env value, `cmd` or single `args` element, in bytes.
pub const MAX_VALUE_LENGTH: usize = 65_536;
/// Highest port number.
pub const MAX_PORT: i32 = 65_535;

/// Validates one app; paths are relative to the app document.
pub fn validate_app(app: &AppDefinition) -> Violations {
    let mut v = Violations::new();
    app::validate(app, &mut v);
    ports::validate(app, &mut v);
    checks::validate(app, &mut v);
    v
}

/// Marathon's wording for a value below its minimum.
fn at_least(v: &mut Violations, path: &str, value: f64, min: f64) {
    if value < min {
        v.add(path, format!("must be greater than or equal to {min}"));
    }
}

/// Marathon's wording for a value above its maximum.
fn at_most(v: &mut Violations, path: &str, value: f64, max: f64) {
    if value > max {
        v.add(path, format!("is greater than {max}"));
    }
}

/// `min <= value <= max`, both messages.
fn within(v: &mut Violations, path: &str, value: f64, min: f64, max: f64) {
    if !value.is_finite() {
        v.add(path, "must be a finite number");
        return;
    }
    at_least(v, path, value, min);
    at_most(v, path, value, max);
}

/// Port names and mapping names: Marathon's `LegacyName`.
fn is_port_name(name: &str) -> bool {
    let b = name.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.first().is_some_and(ok)
        && b.last().is_some_and(ok)
        && b.iter().all(|c| ok(c) || *c == b'-')
}

const PORT_NAME_PATTERN: &str = "must fully match regular expression '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'";
