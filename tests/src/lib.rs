//! A harness for many real posts in one process: temporary data
//! directories, loopback listeners on port 0, partitions by blocking peers,
//! and waiting for conditions with a deadline (never sleeping and hoping).
//! [`http`] and [`webdriver`] drive a post's console from tests.

pub mod console;
pub mod http;
pub mod webdriver;

pub mod attacker;
pub mod hostile;
pub mod trusted;

use std::future::Future;
use std::time::Duration;

use liandong_node::app::{self, ConsoleOptions};
use liandong_node::config::{Config, PostConfig};
use liandong_node::datadir::DataDir;
use liandong_node::node::{Node, NodeHandle, NodeOptions};
use liandong_node::post::Post;
use liandong_protocol::{Body, EntryId, NodeId, Note, RegionCode, SignedEntry, Status, UnitType};
use libp2p::{Multiaddr, PeerId};
use tokio::time::Instant;

/// Generous: a noisy 2-core machine must not make these tests flake.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Logs for a failing test: `LIANDONG_LOG=debug cargo test …`.
pub fn init_logging() {
    let filter = std::env::var("LIANDONG_LOG").unwrap_or_else(|_| "warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

pub fn region(code: &str) -> RegionCode {
    code.parse()
        .unwrap_or_else(|e| panic!("bad region {code}: {e}"))
}

/// Creates a post's data directory under `root`.
pub fn init_post(root: &std::path::Path, name: &str, region_code: &str, network: &str) -> DataDir {
    let r = region(region_code);
    let dir = DataDir::new(root.join(name));
    let mut config = Config::new(PostConfig {
        name: name.to_string(),
        level: r.level(),
        region: r,
        unit_type: UnitType::Command,
        contact: String::new(),
        location: None,
    });
    config.network.name = network.to_string();
    config.network.mdns = false;
    Post::init(&dir, config).unwrap_or_else(|e| panic!("init {name}: {e}"));
    dir
}

/// Options for a test post: loopback, no mDNS, fast gossip heartbeat.
pub fn options(dir: &DataDir, peers: Vec<Multiaddr>, sync_interval: Duration) -> NodeOptions {
    let mut o = NodeOptions::new(dir.clone());
    o.listen = vec!["/ip4/127.0.0.1/tcp/0".parse().expect("multiaddr")];
    o.peers = peers;
    o.mdns = Some(false);
    o.heartbeat = Duration::from_millis(100);
    o.sync_interval = sync_interval;
    o
}

/// Spawns a post with its console on a free loopback port; returns the
/// node and the console's base URL (`https://…` when the post's config
/// turns TLS on).
pub async fn spawn_console(
    dir: &DataDir,
    peers: Vec<Multiaddr>,
    sync_interval: Duration,
) -> (NodeHandle, String) {
    let o = options(dir, peers, sync_interval);
    let console = ConsoleOptions::on("127.0.0.1:0".parse().expect("addr"));
    let node = app::start(o, Some(console))
        .await
        .unwrap_or_else(|e| panic!("spawn {}: {e}", dir.root().display()));
    let url = node.console_info().expect("console address").url();
    (node, url)
}

pub async fn spawn(dir: &DataDir, peers: Vec<Multiaddr>, sync_interval: Duration) -> NodeHandle {
    Node::spawn(options(dir, peers, sync_interval))
        .await
        .unwrap_or_else(|e| panic!("spawn {}: {e}", dir.root().display()))
}

/// Polls `check` until it is true or the deadline passes.
pub async fn wait_until<F, Fut>(what: &str, deadline: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let end = Instant::now() + deadline;
    loop {
        if check().await {
            return;
        }
        if Instant::now() >= end {
            panic!("timed out after {deadline:?} waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Dials `b` from `a` and waits until both have introduced themselves.
pub async fn connect(a: &NodeHandle, b: &NodeHandle) {
    let addr = b.listen_addrs().into_iter().next().expect("b listens");
    a.dial(addr).await.expect("dial");
    let (pa, pb) = (a.peer_id(), b.peer_id());
    wait_until("hello exchanged", DEADLINE, || async {
        a.known_peers().contains(&pb) && b.known_peers().contains(&pa)
    })
    .await;
}

/// Waits until `node` has a peer in its gossip mesh.
pub async fn wait_mesh(node: &NodeHandle, peers: usize) {
    wait_until("gossip mesh formed", DEADLINE, || async {
        node.network()
            .info()
            .await
            .map(|i| i.mesh_peers >= peers)
            .unwrap_or(false)
    })
    .await;
}

/// Cuts the link between two posts (both directions).
pub async fn cut(a: &NodeHandle, b: &NodeHandle) {
    a.network().block(b.peer_id()).await;
    b.network().block(a.peer_id()).await;
    let (pa, pb) = (a.peer_id(), b.peer_id());
    wait_until("link cut", DEADLINE, || async {
        !a.known_peers().contains(&pb) && !b.known_peers().contains(&pa)
    })
    .await;
}

/// Restores a cut link and reconnects.
pub async fn heal(a: &NodeHandle, b: &NodeHandle) {
    a.network().unblock(b.peer_id()).await;
    b.network().unblock(a.peer_id()).await;
    connect(a, b).await;
}

pub async fn note(node: &NodeHandle, text: &str) -> SignedEntry {
    node.author(
        node.region().clone(),
        Status::Actual,
        Body::Note(Note {
            text: text.to_string(),
        }),
    )
    .await
    .unwrap_or_else(|e| panic!("author: {e}"))
}

pub async fn has(node: &NodeHandle, entry: &SignedEntry) -> bool {
    let id = entry.id();
    node.ledger()
        .read(move |l| l.store().contains(&id).unwrap_or(false))
        .await
        .unwrap_or(false)
}

pub async fn digest(node: &NodeHandle, scope: &str) -> String {
    node.digest(region(scope))
        .await
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// Waits until every node's digest of `scope` is equal.
pub async fn wait_converged(nodes: &[NodeHandle], scope: &str, deadline: Duration) {
    wait_until("digests equal on every node", deadline, || async {
        let mut first = None;
        for n in nodes {
            let d = digest(n, scope).await;
            match &first {
                None => first = Some(d),
                Some(f) if *f != d => return false,
                Some(_) => {}
            }
        }
        true
    })
    .await;
}

/// A runtime for tests that drive posts from blocking code (HTTP clients,
/// a browser): the posts run on its workers while the test thread waits.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// [`wait_until`] for blocking code.
pub fn wait_blocking(what: &str, deadline: Duration, mut check: impl FnMut() -> bool) {
    let end = std::time::Instant::now() + deadline;
    loop {
        if check() {
            return;
        }
        if std::time::Instant::now() >= end {
            panic!("timed out after {deadline:?} waiting for: {what}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every entry a post holds.
pub async fn stored(node: &NodeHandle) -> Vec<SignedEntry> {
    node.ledger()
        .read(|l| {
            l.store()
                .query(&liandong_node::store::Query::default())
                .unwrap_or_else(|e| panic!("query: {e}"))
        })
        .await
        .unwrap_or_else(|e| panic!("ledger: {e}"))
}

/// The entries a post holds by `author`.
pub async fn stored_by(node: &NodeHandle, author: NodeId) -> Vec<SignedEntry> {
    node.ledger()
        .read(move |l| {
            l.store()
                .query(&liandong_node::store::Query {
                    author: Some(author),
                    ..Default::default()
                })
                .unwrap_or_else(|e| panic!("query: {e}"))
        })
        .await
        .unwrap_or_else(|e| panic!("ledger: {e}"))
}

/// Asserts that every entry a post holds validates again from its stored
/// bytes and stands by the trust rules — except the ids in `evidence`
/// (forks kept as evidence, which no longer stand).
pub async fn assert_clean(node: &NodeHandle, evidence: &[EntryId]) {
    let evidence = evidence.to_vec();
    let bad: Vec<String> = node
        .ledger()
        .read(move |l| {
            let all = l
                .store()
                .query(&liandong_node::store::Query::default())
                .unwrap_or_else(|e| panic!("query: {e}"));
            let mut bad = Vec::new();
            for e in all {
                if let Err(err) = liandong_protocol::validate(e.wire(), &l.context()) {
                    bad.push(format!("{}: invalid: {err}", e.id().short()));
                } else if !evidence.contains(&e.id())
                    && let Err(err) = l.standing(&e)
                {
                    bad.push(format!("{}: does not stand: {err}", e.id().short()));
                }
            }
            bad
        })
        .await
        .unwrap_or_else(|e| panic!("ledger: {e}"));
    assert!(
        bad.is_empty(),
        "the post holds entries it must not: {bad:?}"
    );
}

/// Whether `node` keeps `peer` out (banned for its score, refused at
/// hello, or blocked).
pub async fn is_banned(node: &NodeHandle, peer: &PeerId) -> bool {
    node.network()
        .info()
        .await
        .map(|i| i.banned.contains(peer))
        .unwrap_or(false)
}

/// Whether `node` has a connection to `peer`.
pub async fn is_connected(node: &NodeHandle, peer: &PeerId) -> bool {
    node.network()
        .info()
        .await
        .map(|i| i.connected.contains(peer))
        .unwrap_or(false)
}

/// Writes a note at `from` and returns how long it took until `to` held
/// it (write, gossip, validation and store at `to`). Panics after
/// [`DEADLINE`].
pub async fn delivery_time(from: &NodeHandle, to: &NodeHandle, text: &str) -> Duration {
    let mut arrivals = to.subscribe();
    let started = Instant::now();
    let entry = note(from, text).await;
    let id = entry.id();
    let arrived = tokio::time::timeout(DEADLINE, async {
        loop {
            match arrivals.recv().await {
                Ok(e) if e.id == id => return,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    if has(to, &entry).await {
                        return;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                    panic!("the receiving post stopped")
                }
            }
        }
    })
    .await;
    assert!(
        arrived.is_ok() || has(to, &entry).await,
        "honest entry {text:?} did not arrive within {DEADLINE:?}"
    );
    started.elapsed()
}
