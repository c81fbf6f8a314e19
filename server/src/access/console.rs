//! The console's Access page over the same rules as `/v2/access`: the
//! caller of the current request, the teams it may see with their usage
//! against quota, and the audit log for admins.

use std::sync::Arc;

use app::api::access::{AccessBackend, AccessOverview, Allocation, AuditRow, TeamUsage, Whoami};
use app::backend::BackendFuture;
use dromos_access::Caller;

use super::Access;

/// Audit entries shown on the page.
const AUDIT_ROWS: usize = 100;

/// [`AccessBackend`] over [`Access`].
#[derive(Debug, Clone)]
pub struct ConsoleAccess(pub Arc<Access>);

fn allocation(used: f64, limit: Option<f64>) -> Allocation {
    Allocation { used, limit }
}

impl AccessBackend for ConsoleAccess {
    fn overview(&self) -> BackendFuture<'_, AccessOverview> {
        let caller = super::current_caller();
        Box::pin(async move {
            let directory = self.0.directory();
            let me = match &caller {
                Caller::User(p) => {
                    Whoami { name: p.name.clone(), admin: p.admin, open: false, teams: p.teams.clone() }
                }
                other => Whoami {
                    name: other.name().to_owned(),
                    admin: other.is_admin(),
                    open: true,
                    teams: vec![],
                },
            };
            let state = self.0.service.read();
            let teams = directory
                .teams()
                .filter(|t| caller.is_admin() || me.teams.contains(&t.name))
                .map(|t| {
                    let usage = super::enforce::usage_under(&state, &t.paths);
                    TeamUsage {
                        name: t.name.clone(),
                        paths: t.paths.iter().map(ToString::to_string).collect(),
                        cpus: allocation(usage.cpus, t.quota.cpus),
                        mem: allocation(usage.mem, t.quota.mem),
                        disk: allocation(usage.disk, t.quota.disk),
                        instances: allocation(usage.instances as f64, t.quota.instances.map(|i| i as f64)),
                    }
                })
                .collect();
            let audit = if caller.is_admin() && !me.open {
                let entries = self.0.audit_log(AUDIT_ROWS).await.map_err(app::error::ApiError::from)?;
                Some(
                    entries
                        .into_iter()
                        .map(|e| AuditRow {
                            seq: e.seq,
                            at: e.at,
                            who: e.who,
                            from: e.from,
                            action: e.action,
                            status: e.status,
                            error: e.error,
                        })
                        .collect(),
                )
            } else {
                None
            };
            Ok(AccessOverview { me, teams, audit })
        })
    }
}
