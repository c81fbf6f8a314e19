//! `Agent`: one logical agent of this machine, as the master books it.
//!
//! Invariant: `used + offered ⊆ total`. `used` grows when a task is launched and
//! shrinks when it reaches a terminal state; `offered` grows with each offer and
//! shrinks when the offer is accepted, declined or rescinded.

use std::path::PathBuf;

use dromos_mesos::v1::{AgentId, Attribute};

use crate::config::LocalConfig;
use crate::machine::MachineResources;
use crate::resources::Resources;

/// One logical agent.
#[derive(Debug, Clone)]
pub(crate) struct Agent {
    /// `<master id>-S<n>`.
    pub id: AgentId,
    /// Offer hostname: the machine's, or `<host>-agent-<n>` when split.
    pub hostname: String,
    /// Attributes from `--agent-attributes`.
    pub attributes: Vec<Attribute>,
    /// Everything this agent offers.
    pub total: Resources,
    /// Held by launched, non-terminal tasks.
    pub used: Resources,
    /// Held by outstanding offers.
    pub offered: Resources,
    /// `<data>/sandboxes/<agent id>/`.
    pub sandbox_root: PathBuf,
    /// When the agent registered (master start), epoch seconds.
    pub registered_time: f64,
}

impl Agent {
    /// The agents of `config` on `machine`, numbered from 0.
    pub(crate) fn build_all(
        master_id: &str,
        config: &LocalConfig,
        machine: &MachineResources,
        now: f64,
    ) -> Vec<Agent> {
        (0..config.agents)
            .map(|index| {
                let id = AgentId::new(format!("{master_id}-S{index}"));
                let hostname = if config.agents == 1 {
                    config.hostname.clone()
                } else {
                    format!("{}-agent-{}", config.hostname, index + 1)
                };
                Agent {
                    sandbox_root: config.data_dir.join("sandboxes").join(id.as_str()),
                    id,
                    hostname,
                    attributes: config.attributes.iter().map(|a| a.for_agent(index)).collect(),
                    total: machine.agent_share(index, config.agents),
                    used: Resources::default(),
                    offered: Resources::default(),
                    registered_time: now,
                }
            })
            .collect()
    }

    /// What is neither used nor offered.
    pub(crate) fn free(&self) -> Resources {
        self.total.minus(&self.used).minus(&self.offered)
    }
}
