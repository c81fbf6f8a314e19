//! Master detection against a real ZooKeeper server, started here from the
//! Debian `zookeeper` package (`scripts/setup.sh --test` installs it). Masters are
//! simulated the way Mesos registers them: ephemeral sequential `json.info_*`
//! children holding MasterInfo JSON, next to a `log_replicas` node.
//!
//! Skips with a message when Java or the ZooKeeper jar is missing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dromos_mesos::client::MasterResolver;
use dromos_mesos::detect::{DetectError, MasterAddress, ZkUrl, ZooKeeperDetector};
use zookeeper_client::{Acls, Client, CreateMode};

const ZK_JAR: &str = "/usr/share/java/zookeeper.jar";

/// A standalone ZooKeeper server, killed on drop.
struct ZooKeeper {
    child: Child,
    port: u16,
    _data: tempfile::TempDir,
}

impl Drop for ZooKeeper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ZooKeeper {
    fn start() -> Option<Self> {
        let java_ok =
            Command::new("java").arg("-version").stderr(Stdio::null()).status().is_ok_and(|s| s.success());
        if !java_ok || !Path::new(ZK_JAR).is_file() {
            println!("SKIPPED: java or {ZK_JAR} missing (run scripts/setup.sh --test)");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let data = tempfile::tempdir().unwrap();
        let child = Command::new("java")
            .args(["-cp", &format!("/etc/zookeeper/conf:{ZK_JAR}")])
            .arg("org.apache.zookeeper.server.ZooKeeperServerMain")
            .arg(port.to_string())
            .arg(data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("java starts");
        Some(Self { child, port, _data: data })
    }

    /// A session, retried until the server accepts connections (JVM start-up).
    async fn session(&self) -> Client {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let attempt = Client::connector()
                .with_session_timeout(Duration::from_secs(5))
                .with_fail_eagerly()
                .connect(&format!("127.0.0.1:{}", self.port))
                .await;
            match attempt {
                Ok(client) => return client,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("ZooKeeper did not start: {e}"),
            }
        }
    }
}

fn master_info(ip: &str) -> Vec<u8> {
    format!(
        r#"{{"address":{{"hostname":"m","ip":"{ip}","port":5050}},"hostname":"m","id":"{ip}","ip":1,"pid":"master@{ip}:5050","port":5050,"version":"1.11.0"}}"#
    )
    .into_bytes()
}

#[tokio::test]
async fn detector_follows_the_lowest_sequence_master() {
    let Some(server) = ZooKeeper::start() else {
        return;
    };
    let admin = server.session().await;
    let persistent = CreateMode::Persistent.with_acls(Acls::anyone_all());
    admin.create("/mesos", b"", &persistent).await.unwrap();
    admin.create("/mesos/log_replicas", b"", &persistent).await.unwrap();

    let url = ZkUrl::parse(&format!("zk://127.0.0.1:{}/mesos", server.port)).unwrap();
    let detector = ZooKeeperDetector::new(url).with_session_timeout(Duration::from_secs(5));
    assert_eq!(detector.leader().await, Err(DetectError::NoLeader));

    // Each master holds its own session, as real masters do.
    let ephemeral = CreateMode::EphemeralSequential.with_acls(Acls::anyone_all());
    let first = server.session().await;
    first.create("/mesos/json.info_", &master_info("10.0.0.1"), &ephemeral).await.unwrap();
    let second = server.session().await;
    second.create("/mesos/json.info_", &master_info("10.0.0.2"), &ephemeral).await.unwrap();

    assert_eq!(detector.leader().await.unwrap(), MasterAddress { host: "10.0.0.1".into(), port: 5050 });
    assert_eq!(detector.resolve().await.unwrap().as_str(), "http://10.0.0.1:5050/");

    // The leader's session ends: its node goes and the next master leads.
    drop(first);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let leader = detector.leader().await.unwrap();
        if leader.host == "10.0.0.2" {
            break;
        }
        assert!(Instant::now() < deadline, "leadership did not move: {leader:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(second);
}

#[tokio::test]
async fn unreachable_zookeeper_is_an_error_not_a_hang() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = ZkUrl::parse(&format!("zk://127.0.0.1:{port}/mesos")).unwrap();
    let detector = ZooKeeperDetector::new(url).with_session_timeout(Duration::from_secs(2));
    let result =
        tokio::time::timeout(Duration::from_secs(10), detector.leader()).await.expect("fails in time");
    assert!(matches!(result, Err(DetectError::ZooKeeper(_))), "{result:?}");
}
