//! Commands from the API ([`DriverCommand`]): kill named tasks, reset an
//! app's launch backoff. Applied synchronously like every other input.

use dromos_scheduler::Timestamp;
use tokio::sync::mpsc;
use tracing::{info, warn};

use super::core::Core;
use super::effects::Effects;
use crate::target::DriverCommand;
use crate::translate::task_id::instance_of_task;

impl Core {
    /// Carries out one command from the API.
    pub fn apply_command(&mut self, command: DriverCommand, now: Timestamp, fx: &mut Effects) {
        match command {
            DriverCommand::KillTasks(task_ids) => {
                for task_id in task_ids {
                    let instance = instance_of_task(&task_id).to_owned();
                    let known = self.tasks.get(&instance).is_some_and(|m| m.task_id == task_id);
                    if known {
                        self.kill_instance(&instance, "kill requested through the API", now, fx);
                    } else {
                        warn!(%task_id, "kill requested for a task the driver does not track");
                    }
                }
            }
            DriverCommand::ResetDelay(app_id) => {
                if self.queue.reset_delay(&app_id) {
                    info!(%app_id, "launch delay reset through the API");
                }
            }
        }
    }
}

/// The next command, or never when there is no (more) command channel.
pub async fn next_command(commands: &mut Option<mpsc::Receiver<DriverCommand>>) -> DriverCommand {
    if let Some(rx) = commands {
        if let Some(command) = rx.recv().await {
            return command;
        }
        *commands = None;
    }
    std::future::pending().await
}
