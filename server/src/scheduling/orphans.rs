//! Local mode: task processes that outlived the dromos that started them.
//!
//! A graceful stop of dromos kills its tasks; a `kill -9` leaves them
//! running, re-parented to init. The embedded agent records each running
//! command task (pid and start time), and the next embedded cluster
//! re-adopts those still alive (see `dromos_local`). Anything else running
//! in a sandbox has no owner: a task whose record was never written (a
//! crash during its launch), a task of a framework that does not
//! checkpoint, or a background process a task left behind.
//!
//! [`reap`] runs before the embedded cluster starts and kills every process
//! whose working directory lies under `<data dir>/sandboxes`, except the
//! process groups the cluster is about to re-adopt; [`reap_except`] runs
//! again once it has started, sparing exactly the groups it adopted. Linux
//! only (`/proc`); elsewhere it finds nothing.

use std::path::{Path, PathBuf};

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use tracing::warn;

/// A process left in a sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphan {
    /// Process id.
    pub pid: i32,
    /// Its process group (the task's, as the executor starts each task
    /// as a group leader).
    pub pgid: i32,
    /// Its working directory.
    pub cwd: PathBuf,
}

/// Processes whose working directory is under `sandboxes`.
pub fn find(sandboxes: &Path) -> Vec<Orphan> {
    let Ok(root) = sandboxes.canonicalize() else { return Vec::new() };
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let own = i32::try_from(std::process::id()).unwrap_or(0);
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| *pid != own)
        .filter_map(|pid| {
            let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).ok()?;
            if !cwd.starts_with(&root) {
                return None;
            }
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            Some(Orphan { pid, pgid: pgid_of_stat(&stat)?, cwd })
        })
        .collect()
}

/// The process group field of `/proc/<pid>/stat` (the 5th, counted after
/// the parenthesised command name, which may contain spaces).
pub fn pgid_of_stat(stat: &str) -> Option<i32> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(2)?.parse().ok()
}

/// Kills every orphan under `<data_dir>/sandboxes` except the recorded
/// tasks that are still running (the embedded cluster re-adopts them);
/// returns how many processes were killed.
pub fn reap(data_dir: &Path) -> usize {
    reap_except(data_dir, &dromos_local::adoptable_process_groups(data_dir))
}

/// Kills every process under `<data_dir>/sandboxes` whose process group is
/// not in `keep`; returns how many were killed.
pub fn reap_except(data_dir: &Path, keep: &[u32]) -> usize {
    let orphans: Vec<Orphan> = find(&data_dir.join("sandboxes"))
        .into_iter()
        .filter(|o| !keep.iter().any(|k| i32::try_from(*k).is_ok_and(|k| k == o.pgid)))
        .collect();
    let own_group = nix::unistd::getpgrp().as_raw();
    for orphan in &orphans {
        warn!(pid = orphan.pid, pgid = orphan.pgid, sandbox = %orphan.cwd.display(),
            "killing a task process left by an earlier dromos (its master is gone)");
        if orphan.pgid > 1 && orphan.pgid != own_group {
            let _ = killpg(Pid::from_raw(orphan.pgid), Signal::SIGKILL);
        }
        let _ = kill(Pid::from_raw(orphan.pid), Signal::SIGKILL);
    }
    orphans.len()
}

#[cfg(test)]
mod tests {
    use super::pgid_of_stat;

    #[test]
    fn pgid_is_read_after_the_command_name_even_with_spaces_and_parens() {
        let cases = [
            ("4242 (sleep) S 1 4240 4240 0 -1", Some(4240)),
            ("77 (my (odd) cmd) R 1 70 70 0", Some(70)),
            ("garbage", None),
            ("1 (x) S 0", None),
        ];
        for (stat, want) in cases {
            assert_eq!(pgid_of_stat(stat), want, "{stat}");
        }
    }
}
