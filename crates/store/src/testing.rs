//! Test support (feature `testing`): a real standalone ZooKeeper from
//! Debian's `zookeeper` package (`scripts/setup.sh --test` installs it),
//! started on a free loopback port with a 500 ms tick (so sessions may be
//! as short as 1 s), stopped and restarted on the same port and data
//! directory, killed on drop. It panics on setup failures: it is meant for
//! tests only.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ZK_JAR: &str = "/usr/share/java/zookeeper.jar";

/// One `ZooKeeperServerMain` process and its data directory.
pub struct ZooKeeperServer {
    child: Option<Child>,
    /// The client port on 127.0.0.1.
    pub port: u16,
    data: tempfile::TempDir,
}

impl Drop for ZooKeeperServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl ZooKeeperServer {
    /// Starts a server, or prints why not and returns `None` when Java or
    /// the ZooKeeper jar is not installed.
    pub fn start() -> Option<Self> {
        let java_ok =
            Command::new("java").arg("-version").stderr(Stdio::null()).status().is_ok_and(|s| s.success());
        if !java_ok || !Path::new(ZK_JAR).is_file() {
            println!(
                "SKIPPED: java or {ZK_JAR} missing (install Debian's zookeeper: scripts/setup.sh --test)"
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port();
        let data = tempfile::tempdir().expect("temp dir");
        let mut server = ZooKeeperServer { child: None, port, data };
        server.restart();
        Some(server)
    }

    /// `zk://127.0.0.1:<port><root>`.
    pub fn url(&self, root: &str) -> String {
        format!("zk://127.0.0.1:{}{root}", self.port)
    }

    /// Kills the server (SIGKILL: sessions are not closed, as in a crash).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and data, and waits until it
    /// accepts connections.
    pub fn restart(&mut self) {
        self.stop();
        let log = std::fs::File::create(self.data.path().join("server.log")).expect("log file");
        let child = Command::new("java")
            .arg("-Dzookeeper.admin.enableServer=false")
            .args(["-cp", &format!("/etc/zookeeper/conf:{ZK_JAR}")])
            .arg("org.apache.zookeeper.server.ZooKeeperServerMain")
            .arg(self.port.to_string())
            .arg(self.data.path().join("data"))
            .arg("500")
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .expect("java starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.serving() {
            assert!(Instant::now() < deadline, "ZooKeeper did not serve on {} within 60 s", self.port);
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether the server answers `srvr` as a running standalone server
    /// (it listens before it has loaded its database and serves requests).
    fn serving(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let mut answer = String::new();
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        stream.write_all(b"srvr").is_ok()
            && stream.read_to_string(&mut answer).is_ok()
            && answer.contains("Mode: standalone")
    }
}
