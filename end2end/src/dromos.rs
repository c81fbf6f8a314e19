//! A dromos server as a child process on a free loopback port, with its own
//! temporary data directory, stopped (SIGKILL) when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Why a dromos process could not be started or stopped.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error("cannot start {bin}: {source}")]
    Spawn { bin: PathBuf, source: std::io::Error },
    #[error("dromos did not report its address within {0:?}; its log:\n{1}")]
    NoAddress(Duration, String),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Missing(String),
}

/// A running dromos.
pub struct DromosProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    data_dir: tempfile::TempDir,
    log: mpsc::Receiver<String>,
}

/// The binary under test: `$DROMOS_BIN`, else `target/debug/dromos`.
pub fn binary() -> Result<PathBuf, HarnessError> {
    let bin = std::env::var_os("DROMOS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::target_dir().join("debug/dromos"));
    if bin.exists() {
        Ok(bin)
    } else {
        Err(HarnessError::Missing(format!(
            "dromos binary not found at {} (build it with `cargo build -p server`, or set DROMOS_BIN)",
            bin.display()
        )))
    }
}

impl DromosProcess {
    /// Starts `bin serve` on 127.0.0.1:0 with a fresh data dir plus `extra`
    /// arguments, and waits until it reports the address it listens on.
    pub fn start(bin: &Path, extra: &[&str]) -> Result<Self, HarnessError> {
        let data_dir = tempfile::tempdir()?;
        Self::start_in(bin, data_dir, extra)
    }

    /// Like [`start`](Self::start), reusing an existing data directory (to
    /// test restarts).
    pub fn start_in(bin: &Path, data_dir: tempfile::TempDir, extra: &[&str]) -> Result<Self, HarnessError> {
        let mut child = Command::new(bin)
            .arg("serve")
            .args(["--http-addr", "127.0.0.1:0", "--log-format", "json"])
            .arg("--data-dir")
            .arg(data_dir.path())
            .args(extra)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| HarnessError::Spawn { bin: bin.to_path_buf(), source })?;
        let stderr = child.stderr.take().ok_or_else(|| HarnessError::Missing("stderr".into()))?;
        let (tx, log) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut process = Self { child, url: String::new(), data_dir, log };
        process.url = process.wait_for_address(Duration::from_secs(30))?;
        Ok(process)
    }

    fn wait_for_address(&mut self, timeout: Duration) -> Result<String, HarnessError> {
        let deadline = std::time::Instant::now() + timeout;
        let mut seen = String::new();
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            let Ok(line) = self.log.recv_timeout(left) else { break };
            seen.push_str(&line);
            seen.push('\n');
            if let Some(addr) = listening_address(&line) {
                return Ok(format!("http://{addr}"));
            }
        }
        Err(HarnessError::NoAddress(timeout, seen))
    }

    /// The data directory, which outlives the process until this is dropped.
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// The process id, for signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Log lines written so far (JSON, one per line).
    pub fn drain_log(&self) -> Vec<String> {
        self.log.try_iter().collect()
    }

    /// Sends SIGTERM and waits up to `timeout` for the exit status.
    pub fn terminate(mut self, timeout: Duration) -> Result<Option<ExitStatus>, HarnessError> {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status()?;
        if !status.success() {
            return Err(HarnessError::Missing("kill -TERM failed".into()));
        }
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                return Ok(Some(status));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(None)
    }

    /// Stops gracefully (SIGTERM: dromos stops its embedded cluster's
    /// tasks), SIGKILL after `timeout`, and hands back the data directory
    /// for a restart.
    pub fn stop(mut self, timeout: Duration) -> Result<tempfile::TempDir, HarnessError> {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status()?;
        if !status.success() {
            return Err(HarnessError::Missing("kill -TERM failed".into()));
        }
        let deadline = std::time::Instant::now() + timeout;
        while self.child.try_wait()?.is_none() {
            if std::time::Instant::now() >= deadline {
                self.child.kill()?;
                self.child.wait()?;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let dir = tempfile::tempdir()?;
        Ok(std::mem::replace(&mut self.data_dir, dir))
    }

    /// Kills with SIGKILL and hands back the data directory for a restart.
    pub fn kill(mut self) -> Result<tempfile::TempDir, HarnessError> {
        self.child.kill()?;
        self.child.wait()?;
        let dir = tempfile::tempdir()?;
        Ok(std::mem::replace(&mut self.data_dir, dir))
    }
}

impl Drop for DromosProcess {
    /// SIGTERM first, so dromos stops the tasks of its embedded cluster
    /// (a SIGKILL would leave them running); SIGKILL if it does not exit.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while std::time::Instant::now() < deadline {
                if matches!(self.child.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `addr` field of the "serving" log line, if this is it.
fn listening_address(line: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    let message = value.get("message")?.as_str()?;
    if !message.starts_with("dromos is serving") {
        return None;
    }
    value.get("addr")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::listening_address;

    #[test]
    fn address_is_read_from_the_serving_line_only() {
        let serving = r#"{"level":"INFO","message":"dromos is serving on http://127.0.0.1:4242","addr":"127.0.0.1:4242"}"#;
        assert_eq!(listening_address(serving).as_deref(), Some("127.0.0.1:4242"));
        assert_eq!(listening_address(r#"{"message":"other","addr":"x"}"#), None);
        assert_eq!(listening_address("not json"), None);
    }
}
