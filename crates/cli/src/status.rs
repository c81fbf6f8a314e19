//! The one-word status of an app, derived from the counts the server embeds
//! (`instances`, `tasksRunning`, `deployments`), as Marathon's UI did.

use std::fmt;

use serde::Deserialize;

/// What an app is doing, in the order the checks are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppStatus {
    /// A deployment touches the app (start, scale, restart, stop).
    Deploying,
    /// Scaled to zero and nothing left running.
    Suspended,
    /// Fewer instances running than desired and no deployment to fix it:
    /// waiting for resources, or backing off after crashes.
    Waiting,
    /// Every desired instance is running.
    Running,
}

impl AppStatus {
    /// Derives the status; pure so the rules can be tested as a table.
    pub fn derive(instances: u64, tasks_running: u64, deployments: usize) -> Self {
        if deployments > 0 {
            Self::Deploying
        } else if instances == 0 && tasks_running == 0 {
            Self::Suspended
        } else if tasks_running < instances {
            Self::Waiting
        } else {
            Self::Running
        }
    }
}

impl fmt::Display for AppStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Deploying => "Deploying",
            Self::Suspended => "Suspended",
            Self::Waiting => "Waiting",
            Self::Running => "Running",
        })
    }
}

/// `{"id": ...}` as found in an app's `deployments` list.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct IdRef {
    pub id: String,
}

/// The fields of an `AppInfo` the CLI shows. Every field defaults, so a
/// server that omits counts still yields a listing.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AppSummary {
    pub id: String,
    pub instances: u64,
    pub cpus: f64,
    pub mem: f64,
    pub disk: f64,
    pub tasks_running: u64,
    pub tasks_staged: u64,
    pub tasks_healthy: u64,
    pub tasks_unhealthy: u64,
    pub deployments: Vec<IdRef>,
    pub version: String,
}

impl AppSummary {
    /// The app's derived status.
    pub fn status(&self) -> AppStatus {
        AppStatus::derive(self.instances, self.tasks_running, self.deployments.len())
    }

    /// `running/desired`, the INSTANCES column.
    pub fn instances_cell(&self) -> String {
        format!("{}/{}", self.tasks_running, self.instances)
    }
}

#[cfg(test)]
mod tests {
    use super::AppStatus;

    #[test]
    fn status_derivation_follows_marathon_ui_precedence() {
        let cases = [
            ("deployment wins over everything", 3, 0, 1, AppStatus::Deploying),
            ("scaling to zero while tasks still run is deploying", 0, 2, 1, AppStatus::Deploying),
            ("zero desired and none running is suspended", 0, 0, 0, AppStatus::Suspended),
            ("fewer running than desired is waiting", 3, 1, 0, AppStatus::Waiting),
            ("none running of one desired is waiting", 1, 0, 0, AppStatus::Waiting),
            ("all running is running", 3, 3, 0, AppStatus::Running),
            ("over capacity without deployment is running", 2, 3, 0, AppStatus::Running),
            ("leftover tasks of a zero-instance app is running", 0, 1, 0, AppStatus::Running),
        ];
        for (name, instances, running, deployments, want) in cases {
            assert_eq!(AppStatus::derive(instances, running, deployments), want, "{name}");
        }
    }

    #[test]
    fn statuses_display_as_single_words() {
        let words: Vec<String> =
            [AppStatus::Running, AppStatus::Deploying, AppStatus::Suspended, AppStatus::Waiting]
                .iter()
                .map(ToString::to_string)
                .collect();
        assert_eq!(words, ["Running", "Deploying", "Suspended", "Waiting"]);
    }
}
