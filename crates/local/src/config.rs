//! `LocalConfig`: how the embedded cluster is laid out (how many logical agents,
//! their attributes, where sandboxes go) and its timings.
//!
//! Attributes come from `--agent-attributes` in Mesos' `name:value;name:value`
//! form. Values that parse as numbers become SCALAR attributes and the rest TEXT,
//! as in Mesos. One extension for trying constraints on one machine: a value
//! with commas (`rack:r1,r2`) is spread round-robin over the logical agents
//! (agent 1 gets `r1`, agent 2 `r2`, agent 3 `r1`, …).

use std::path::PathBuf;
use std::time::Duration;

use dromos_mesos::v1::{Attribute, Scalar, ValueType};

use crate::error::LocalError;

/// Settings of the embedded master and its agents.
#[derive(Debug, Clone)]
pub struct LocalConfig {
    /// Number of logical agents the machine is split into (at least 1).
    pub agents: usize,
    /// Attributes given to the agents (see the module docs for round-robin values).
    pub attributes: Vec<AttributeSpec>,
    /// Root of the sandboxes (`<data_dir>/sandboxes/…`); its filesystem sizes `disk`.
    pub data_dir: PathBuf,
    /// This machine's host name; logical agents are `<hostname>-agent-<n>` when
    /// there is more than one.
    pub hostname: String,
    /// Seconds between HEARTBEAT events (Mesos: always 15).
    pub heartbeat_interval: Duration,
    /// Period of the allocator's batch run (Mesos `--allocation_interval`, 1 s).
    /// Refusal filters never expire sooner than this.
    pub allocation_interval: Duration,
    /// How long an unacknowledged status update waits before it is sent again.
    pub status_update_retry: Duration,
    /// Offers held longer than this are rescinded (RESCIND event) and offered
    /// again; None keeps them until used (Mesos `--offer_timeout`, unset).
    pub offer_timeout: Option<Duration>,
    /// Overrides the detected machine resources (tests, or a smaller share).
    pub machine: Option<crate::machine::MachineResources>,
    /// Port the server serves the router on; announced in `master_info` and
    /// `/master/state` only (Mesos' default 5050 until the server sets it).
    pub master_port: u16,
    /// Re-adopt the command tasks an earlier run recorded (see the crate
    /// docs on restarts). When false their records are dropped at start and
    /// their processes are left to the caller's orphan reaper.
    pub recover_tasks: bool,
    /// Simulated tasks: every launched task reports TASK_RUNNING at once and
    /// runs until killed, without a process or a sandbox (see
    /// `executor::simulated`). For demonstrations and benchmarks of many
    /// tasks on one machine.
    pub simulate: bool,
}

impl LocalConfig {
    /// One agent with this machine's resources, sandboxes under `data_dir`,
    /// Mesos' default timings.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            agents: 1,
            attributes: Vec::new(),
            data_dir: data_dir.into(),
            hostname: local_hostname(),
            heartbeat_interval: Duration::from_secs(15),
            allocation_interval: Duration::from_secs(1),
            status_update_retry: Duration::from_secs(10),
            offer_timeout: None,
            machine: None,
            master_port: 5050,
            recover_tasks: true,
            simulate: false,
        }
    }

    /// Checks what `start` relies on: at least one agent, non-zero intervals.
    pub(crate) fn validate(&self) -> Result<(), LocalError> {
        if self.agents == 0 {
            return Err(LocalError::Config("--local-agents must be at least 1".to_owned()));
        }
        let intervals = [self.heartbeat_interval, self.allocation_interval, self.status_update_retry];
        if intervals.iter().any(Duration::is_zero) {
            return Err(LocalError::Config("intervals must be longer than zero".to_owned()));
        }
        Ok(())
    }
}

/// One `name:value[,value…]` attribute of `--agent-attributes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeSpec {
    /// Attribute name.
    pub name: String,
    /// Values, given to agents round-robin; never empty.
    pub values: Vec<String>,
}

impl AttributeSpec {
    /// Parses `rack:r1;zone:a,b`. Empty input is no attributes.
    pub fn parse_list(text: &str) -> Result<Vec<AttributeSpec>, LocalError> {
        text.split(';').map(str::trim).filter(|s| !s.is_empty()).map(Self::parse_one).collect()
    }

    fn parse_one(text: &str) -> Result<AttributeSpec, LocalError> {
        let invalid = |why: &str| LocalError::Config(format!("invalid agent attribute {text:?}: {why}"));
        let (name, value) = text.split_once(':').ok_or_else(|| invalid("expected name:value"))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(invalid("empty name"));
        }
        let values: Vec<String> = value.split(',').map(|v| v.trim().to_owned()).collect();
        if values.iter().any(String::is_empty) {
            return Err(invalid("empty value"));
        }
        Ok(AttributeSpec { name: name.to_owned(), values })
    }

    /// The attribute as logical agent `index` (0-based) sees it.
    pub fn for_agent(&self, index: usize) -> Attribute {
        let value = &self.values[index % self.values.len()];
        match value.parse::<f64>() {
            Ok(number) if number.is_finite() => Attribute {
                scalar: Some(Scalar { value: number }),
                text: None,
                kind: ValueType::Scalar,
                ..Attribute::text(self.name.clone(), "")
            },
            _ => Attribute::text(self.name.clone(), value.clone()),
        }
    }
}

/// The kernel's host name, or `localhost` when it cannot be read.
fn local_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use dromos_mesos::v1::ValueType;

    use super::AttributeSpec;

    #[test]
    fn attribute_lists_parse_names_and_round_robin_values() {
        let specs = AttributeSpec::parse_list("rack:r1,r2; zone:a ;").unwrap();
        assert_eq!(specs.len(), 2);
        let racks: Vec<_> =
            (0..3).map(|i| specs[0].for_agent(i).text.map(|t| t.value).unwrap_or_default()).collect();
        assert_eq!(racks, ["r1", "r2", "r1"]);
        assert_eq!(specs[1].for_agent(2).text.map(|t| t.value).as_deref(), Some("a"));
    }

    #[test]
    fn numeric_attribute_values_become_scalars() {
        let attribute = AttributeSpec::parse_list("level:3").unwrap()[0].for_agent(0);
        assert_eq!(attribute.kind, ValueType::Scalar);
        assert_eq!(attribute.scalar.map(|s| s.value), Some(3.0));
    }

    #[test]
    fn malformed_attributes_are_rejected_with_the_offending_text() {
        for bad in ["rack", ":r1", "rack:", "rack:r1,,r2"] {
            let error = AttributeSpec::parse_list(bad).unwrap_err().to_string();
            assert!(error.contains(bad), "{bad}: {error}");
        }
    }
}
