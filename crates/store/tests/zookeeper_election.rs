//! Leader election against a real ZooKeeper: exactly one leader, failover
//! when the leader's session closes (timed over several runs), abdication,
//! a leader cut off by a network partition, and a server restart. A shared
//! observer checks that no two participants are ever `Leader` at once.
//!
//! Skips with a message when Java or the ZooKeeper jar is missing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dromos_store::election::{Election, Fence, LeadershipState};
use dromos_store::testing::ZooKeeperServer;
use dromos_store::{Op, Store, StoreError, ZkStore, ZkUrl};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

const SESSION: Duration = Duration::from_secs(2);
const PATIENCE: Duration = Duration::from_secs(30);

/// Counts the participants in `Leader` state every time any state changes.
#[derive(Clone, Default)]
struct Observer {
    receivers: Arc<Mutex<Vec<watch::Receiver<LeadershipState>>>>,
    most_leaders: Arc<AtomicUsize>,
}

impl Observer {
    fn observe(&self, receiver: &watch::Receiver<LeadershipState>) {
        self.receivers.lock().unwrap().push(receiver.clone());
        let (observer, mut receiver) = (self.clone(), receiver.clone());
        tokio::spawn(async move {
            loop {
                observer.count();
                if receiver.changed().await.is_err() {
                    break;
                }
            }
        });
    }

    fn count(&self) {
        let leaders = self.receivers.lock().unwrap().iter().filter(|r| r.borrow().is_leader()).count();
        self.most_leaders.fetch_max(leaders, Ordering::SeqCst);
    }

    fn assert_never_two_leaders(&self) {
        assert!(self.most_leaders.load(Ordering::SeqCst) <= 1, "two participants were Leader at once");
    }
}

/// A participant and its state.
struct Member {
    address: String,
    election: Election,
    state: watch::Receiver<LeadershipState>,
}

async fn join(url: &ZkUrl, address: &str, observer: &Observer) -> Member {
    let (election, state) = Election::join(url, SESSION, address).await.expect("joins");
    observer.observe(&state);
    Member { address: address.to_owned(), election, state }
}

/// Waits until `member`'s state satisfies `wanted`.
async fn wait_for(member: &mut Member, wanted: impl Fn(&LeadershipState) -> bool) -> LeadershipState {
    let mut state = member.state.clone();
    let reached = match tokio::time::timeout(PATIENCE, state.wait_for(|s| wanted(s))).await {
        Ok(state) => state.expect("election task alive").clone(),
        Err(_) => panic!("{}: timed out, state {:?}", member.address, *member.state.borrow()),
    };
    reached
}

/// Waits until exactly one member leads and every other follows it;
/// returns the leader's index.
async fn settled(members: &mut [Member]) -> usize {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let states: Vec<LeadershipState> = members.iter().map(|m| m.state.borrow().clone()).collect();
        let leaders: Vec<usize> = (0..states.len()).filter(|&i| states[i].is_leader()).collect();
        if let [leader] = leaders[..] {
            let address = Some(members[leader].address.clone());
            let follow = LeadershipState::Follower { leader: address };
            if states.iter().enumerate().all(|(i, s)| i == leader || *s == follow) {
                return leader;
            }
        }
        assert!(Instant::now() < deadline, "election did not settle: {states:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn election_behaviour() {
    let Some(server) = ZooKeeperServer::start() else {
        return;
    };
    let observer = Observer::default();
    let url = ZkUrl::parse(&server.url("/elect")).unwrap();
    let mut members = Vec::new();
    for address in ["10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080"] {
        members.push(join(&url, address, &observer).await);
    }

    // Three participants elect exactly one: the first to join.
    let leader = settled(&mut members).await;
    assert_eq!(leader, 0, "lowest sequence leads");
    for member in &members {
        assert_eq!(member.election.current_leader().await.unwrap().as_deref(), Some("10.0.0.1:8080"));
    }

    // Failover: the leader's session closes; time until the next leads.
    let mut failovers = Vec::new();
    for run in 0..5 {
        let leader = settled(&mut members).await;
        let gone = members.remove(leader);
        let started = Instant::now();
        drop(gone.election);
        let next = settled(&mut members).await;
        failovers.push(started.elapsed());
        assert!(members[next].address != gone.address);
        members.push(join(&url, &format!("10.0.1.{run}:8080"), &observer).await);
    }
    failovers.sort();
    println!(
        "election: failover after session close min={:?} median={:?} max={:?} (n={})",
        failovers[0],
        failovers[failovers.len() / 2],
        failovers[failovers.len() - 1],
        failovers.len()
    );
    assert!(failovers.iter().all(|d| *d < SESSION), "failover within the session timeout: {failovers:?}");

    // Abdication hands over to the next in line, and the old leader follows.
    let leader = settled(&mut members).await;
    members[leader].election.abdicate().await.unwrap();
    let next = settled(&mut members).await;
    assert_ne!(next, leader);
    let follow = LeadershipState::Follower { leader: Some(members[next].address.clone()) };
    assert_eq!(*members[leader].state.borrow(), follow);

    observer.assert_never_two_leaders();
    // Another election (another root), so another observer.
    partitioned_leader_steps_down_and_is_fenced(&server, &Observer::default()).await;
}

/// A TCP proxy to ZooKeeper that can be cut (refusing and dropping every
/// connection) and restored on the same port.
struct Proxy {
    port: u16,
    target: u16,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Proxy { port: listener.local_addr().unwrap().port(), target, tasks: Arc::default() };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let (tasks, target) = (Arc::clone(&self.tasks), self.target);
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let relay = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", target)).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().unwrap().push(relay);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    async fn restore(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(listener);
    }
}

/// The leader reaches ZooKeeper through a proxy that is cut: it must step
/// down at once, the other participant leads once the session expires,
/// and the old leader's fenced writes are refused.
async fn partitioned_leader_steps_down_and_is_fenced(server: &ZooKeeperServer, observer: &Observer) {
    let proxy = Proxy::start(server.port).await;
    let via_proxy = ZkUrl::parse(&format!("zk://127.0.0.1:{}/partition", proxy.port)).unwrap();
    let direct = ZkUrl::parse(&server.url("/partition")).unwrap();
    let mut members = vec![
        join(&via_proxy, "10.0.2.1:8080", observer).await,
        join(&direct, "10.0.2.2:8080", observer).await,
    ];
    assert_eq!(settled(&mut members).await, 0);
    let old_epoch = match *members[0].state.borrow() {
        LeadershipState::Leader { epoch } => epoch,
        ref other => panic!("not leading: {other:?}"),
    };
    let store = Arc::new(ZkStore::connect(&server.url("/partition"), SESSION).unwrap());
    let old_fence = blocking(&store, move |s| Fence::claim(s, old_epoch).unwrap()).await;

    proxy.cut();
    let cut_at = Instant::now();
    wait_for(&mut members[0], |s| *s == LeadershipState::Lost).await;
    let stepped_down = cut_at.elapsed();
    let new_state = wait_for(&mut members[1], LeadershipState::is_leader).await;
    let taken_over = cut_at.elapsed();
    println!(
        "election: partitioned leader stepped down after {stepped_down:?}, next led after {taken_over:?}"
    );
    assert!(stepped_down < SESSION, "stepped down within the session timeout");

    let LeadershipState::Leader { epoch: new_epoch } = new_state else { unreachable!() };
    assert!(new_epoch > old_epoch, "epochs grow: {old_epoch} then {new_epoch}");
    let new_fence = blocking(&store, move |s| Fence::claim(s, new_epoch).unwrap()).await;
    let stale = blocking(&store, move |s| s.apply(&old_fence.guard([Op::put("apps", "a", "stale")]))).await;
    assert!(matches!(stale, Err(StoreError::Conflict { .. })), "old leader fenced off: {stale:?}");
    blocking(&store, move |s| s.apply(&new_fence.guard([Op::put("apps", "a", "new")])).unwrap()).await;

    proxy.restore().await;
    let follow = LeadershipState::Follower { leader: Some("10.0.2.2:8080".to_owned()) };
    wait_for(&mut members[0], |s| *s == follow).await;
    observer.assert_never_two_leaders();
}

/// Runs a store call on a blocking thread, as the server does.
async fn blocking<T: Send + 'static>(
    store: &Arc<ZkStore>,
    call: impl FnOnce(&ZkStore) -> T + Send + 'static,
) -> T {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || call(&store)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn election_survives_a_server_restart() {
    let Some(mut server) = ZooKeeperServer::start() else {
        return;
    };
    let observer = Observer::default();
    let url = ZkUrl::parse(&server.url("/restart")).unwrap();
    let mut members = Vec::new();
    for address in ["10.0.3.1:8080", "10.0.3.2:8080", "10.0.3.3:8080"] {
        members.push(join(&url, address, &observer).await);
    }
    let leader = settled(&mut members).await;

    tokio::task::block_in_place(|| server.stop());
    let stopped_at = Instant::now();
    wait_for(&mut members[leader], |s| *s == LeadershipState::Lost).await;
    println!("election: leader stepped down {:?} after the server stopped", stopped_at.elapsed());
    assert!(members.iter().all(|m| !m.state.borrow().is_leader()), "nobody leads without ZooKeeper");

    tokio::task::block_in_place(|| server.restart());
    let restarted_at = Instant::now();
    settled(&mut members).await;
    println!("election: re-elected {:?} after the server restarted", restarted_at.elapsed());
    observer.assert_never_two_leaders();
}
