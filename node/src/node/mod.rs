//! A running post: the ledger thread, the network event loop and the
//! node's own loop that connects them, started by [`Node::spawn`].
//!
//! `Node::spawn` takes everything it needs as arguments and returns a
//! [`NodeHandle`], so a test can run many posts in one process.

mod gossip;
mod ingest;
mod pace;
mod peers;
mod push;
mod requests;
mod status;
pub mod sync;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use liandong_protocol::interest::{subscribed_regions, topic_name};
use liandong_protocol::net::Hello;
use liandong_protocol::{
    Body, Hlc, Interest, LedgerDigest, NodeId, RegionCode, SignedEntry, Status,
};
use libp2p::{Multiaddr, PeerId};
use rand::seq::IteratorRandom;
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::task::JoinSet;

pub use sync::SyncFailure;

use crate::config::Config;
use crate::datadir::DataDir;
use crate::domain::{DeskSetup, DevRoles};
use crate::identity;
use crate::ledger::LedgerError;
use crate::ledger::actor::LedgerHandle;
use crate::metrics::NodeMetrics;
use crate::net::{self, NetConfig, NetEvent, NetworkHandle};
use crate::post::{Post, PostError};
use crate::service::events::NewEntry;
use crate::service::status::{BannedBy, Heard, NodeStatus, SyncTotals};
use crate::service::sync::SyncStats;

/// Handlers for gossip and requests running at once; beyond this, new work
/// waits (gossip) or is refused (requests).
const MAX_TASKS: usize = 256;
/// Requests one peer may have in flight; more are refused as throttled.
const MAX_PEER_INFLIGHT: usize = 16;
/// How long an entry claimed for fetching stays claimed without arriving.
const CLAIM_LAPSE: Duration = Duration::from_secs(30);
/// Claims remembered before lapsed ones are dropped.
const MAX_CLAIMS: usize = 65_536;
/// How long start-up waits for a short-lived command to release the store.
const STORE_PATIENCE: Duration = Duration::from_secs(10);
/// New-entry events buffered per listener.
const NEW_ENTRY_CAPACITY: usize = 8192;

/// How to run a post.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    pub data_dir: DataDir,
    /// Listen addresses; empty means the config's.
    pub listen: Vec<Multiaddr>,
    /// Peers to dial, in addition to the config's.
    pub peers: Vec<Multiaddr>,
    /// Local-network discovery; `None` means the config's.
    pub mdns: Option<bool>,
    /// Anti-entropy with a random peer this often.
    pub sync_interval: Duration,
    pub heartbeat: Duration,
    /// How long a new connection may go without a completed hello before
    /// the peer is refused (banned for a while): without a hello it is in
    /// no sync, but gossipsub alone would keep it in the mesh for ever.
    pub hello_timeout: Duration,
}

impl NodeOptions {
    pub fn new(data_dir: DataDir) -> NodeOptions {
        NodeOptions {
            data_dir,
            listen: Vec::new(),
            peers: Vec::new(),
            mdns: None,
            sync_interval: Duration::from_secs(30),
            heartbeat: Duration::from_millis(500),
            hello_timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error(transparent)]
    Post(#[from] PostError),
    #[error("network: {0}")]
    Net(#[from] net::NetError),
    #[error("bad address {0:?} in the config: {1}")]
    BadAddress(String, String),
    #[error("cannot start: {0}")]
    Start(String),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// State shared by the node's tasks.
#[derive(Debug)]
pub(crate) struct Shared {
    pub ledger: LedgerHandle,
    pub net: NetworkHandle,
    pub peers: Mutex<peers::Peers>,
    pub interest: Interest,
    pub region: RegionCode,
    pub node_id: NodeId,
    pub name: String,
    pub network_name: String,
    /// The post's configuration as it was at start.
    pub config: Config,
    pub console: Mutex<Option<SocketAddr>>,
    responder: requests::ResponderCache,
    gaps: Mutex<gossip::GapRequests>,
    pushers: push::Pushers,
    /// Asks the node loop to sync with every other peer after entries
    /// arrived by sync or push, so a healed partition converges in a few
    /// rounds instead of waiting for the periodic timer.
    cascade: mpsc::Sender<PeerId>,
    /// Entries some sync session is fetching now.
    fetching: Mutex<HashMap<[u8; 8], std::time::Instant>>,
    /// Turns true when the node stops; servers watch it to stop too.
    stopping: tokio::sync::watch::Sender<bool>,
    /// Tasks started beside the node (the console server), ended with it.
    background: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// Why the node stopped by itself (its store failed), if it did.
    failure: Mutex<Option<String>>,
    /// Every entry new to this post, as it is stored (console live view,
    /// benchmarks). Slow listeners miss events rather than slow the node.
    pub new_entries: tokio::sync::broadcast::Sender<NewEntry>,
    pub metrics: Arc<NodeMetrics>,
    /// What the domain desk needs (the console's actions and views).
    pub desk_setup: DeskSetup,
}

impl Shared {
    /// A peer's notice: so far only that it bans this post. Said in the log
    /// (so the banned side knows why it is cut off) and kept for status.
    fn on_notice(&self, peer: PeerId, notice: liandong_protocol::net::Notice) {
        let liandong_protocol::net::Notice::Banned { until_ms, reason } = notice;
        let now = crate::clock::now_ms();
        let mut peers = self.lock_peers();
        let name = peers.heard.get(&peer).and_then(|h| h.name.clone());
        tracing::warn!(
            %peer,
            name = name.as_deref().unwrap_or("?"),
            %reason,
            until = %crate::clock::format_ms(until_ms),
            "a peer bans this post / 本节点被对等节点封禁"
        );
        peers.banned_by.retain(|_, b| b.until_ms > now);
        peers.banned_by.insert(
            peer,
            BannedBy {
                peer_id: peer.to_string(),
                name,
                reason,
                until_ms,
            },
        );
    }

    /// Keeps the first reason the node had to stop by itself.
    fn record_failure(&self, reason: String) {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(reason);
    }

    pub fn lock_peers(&self) -> MutexGuard<'_, peers::Peers> {
        self.peers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Claims entries for one fetch (or an accepted offer), by id
    /// prefix: true for each one no other session is bringing. A claim
    /// lapses after a while, in case the entry never comes.
    fn claim(&self, prefixes: &[[u8; 8]]) -> Vec<bool> {
        let now = std::time::Instant::now();
        let mut fetching = self.fetching.lock().unwrap_or_else(|p| p.into_inner());
        if fetching.len() > MAX_CLAIMS {
            fetching.retain(|_, at| now.duration_since(*at) < CLAIM_LAPSE);
        }
        prefixes
            .iter()
            .map(|p| match fetching.get(p) {
                Some(at) if now.duration_since(*at) < CLAIM_LAPSE => false,
                _ => {
                    fetching.insert(*p, now);
                    true
                }
            })
            .collect()
    }

    /// The ids of `ids` this session may fetch (claimed for it).
    fn claim_fetches(
        &self,
        ids: Vec<liandong_protocol::EntryId>,
    ) -> Vec<liandong_protocol::EntryId> {
        let prefixes: Vec<[u8; 8]> = ids.iter().map(|id| id.prefix()).collect();
        let claimed = self.claim(&prefixes);
        ids.into_iter()
            .zip(claimed)
            .filter(|(_, ok)| *ok)
            .map(|(id, _)| id)
            .collect()
    }

    fn release_fetches(&self, ids: &[liandong_protocol::EntryId]) {
        let mut fetching = self.fetching.lock().unwrap_or_else(|p| p.into_inner());
        for id in ids {
            fetching.remove(&id.prefix());
        }
    }

    fn topic_of(&self, scope: &RegionCode) -> String {
        topic_name(
            &self.ledger.ledger().network(),
            &liandong_protocol::interest::home_region(scope),
        )
    }

    /// What this post says about itself to a peer (`to`, when known, gets
    /// the certificates this post holds about it).
    async fn hello(&self, to: Option<NodeId>) -> Hello {
        let node = self.node_id;
        let (profile, newest, chain, for_you) = self
            .ledger
            .read(move |l| {
                let store = l.store();
                let profile = store
                    .query(&crate::store::Query {
                        kind: Some(liandong_protocol::Kind::POST_PROFILE),
                        author: Some(node),
                        ..Default::default()
                    })
                    .ok()
                    .and_then(|v| v.last().map(|e| e.wire().to_vec()));
                let newest = store.max_hlc().ok().flatten().unwrap_or(Hlc::ZERO);
                let chain = if l.trust_enabled() {
                    l.own_chain().ok().flatten()
                } else {
                    None
                };
                let for_you = to
                    .and_then(|peer| l.chain_of(&peer).ok().flatten())
                    .unwrap_or_default();
                (profile, newest, chain, for_you)
            })
            .await
            .unwrap_or((None, Hlc::ZERO, None, Vec::new()));
        Hello {
            network: self.ledger.ledger().network(),
            node,
            region: self.region.clone(),
            interest: self.interest.clone(),
            profile,
            newest,
            chain,
            for_you,
        }
    }
}

/// Development-mode roles from the data directory's `dev-roles.toml`, if
/// any; a broken file is reported and ignored (the trust state, once there
/// is a genesis, does not use it anyway).
fn dev_roles(data_dir: &DataDir) -> DevRoles {
    let path = data_dir.dev_roles_path();
    if !path.exists() {
        return DevRoles::default();
    }
    DevRoles::load(&path).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "dev-roles file ignored");
        DevRoles::default()
    })
}

/// Commands from handles to the node loop.
enum NodeCommand {
    Shutdown(oneshot::Sender<()>),
}

/// A running post.
#[derive(Debug, Clone)]
pub struct NodeHandle {
    shared: Arc<Shared>,
    commands: mpsc::Sender<NodeCommand>,
    listen: Vec<Multiaddr>,
}

impl std::fmt::Debug for NodeCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shutdown")
    }
}

#[derive(Debug)]
pub struct Node;

impl Node {
    /// Opens the post in `options.data_dir` and starts it.
    pub async fn spawn(options: NodeOptions) -> Result<NodeHandle, NodeError> {
        let data_dir = options.data_dir.clone();
        let post =
            tokio::task::spawn_blocking(move || Post::open_waiting(&data_dir, STORE_PATIENCE))
                .await
                .map_err(|e| NodeError::Start(e.to_string()))??;
        let config = post.config.clone();
        let interest = config.interest();
        let region = config.post.region.clone();
        let p2p_key = identity::libp2p_keypair(post.ledger.keypair());
        let node_id = post.ledger.node_id();
        let network = post.ledger.network();
        let store_failed = post.ledger.store().failure_watch();
        let (ledger, ledger_thread) = LedgerHandle::spawn(post.ledger)
            .map_err(|e| NodeError::Start(format!("ledger thread: {e}")))?;

        let parse = |list: &[String]| -> Result<Vec<Multiaddr>, NodeError> {
            list.iter()
                .map(|a| {
                    a.parse().map_err(|e: libp2p::multiaddr::Error| {
                        NodeError::BadAddress(a.clone(), e.to_string())
                    })
                })
                .collect()
        };
        let listen = if options.listen.is_empty() {
            parse(&config.network.listen)?
        } else {
            options.listen.clone()
        };
        let mut bootstrap = parse(&config.network.peers)?;
        bootstrap.extend(options.peers.iter().cloned());
        let mut topic_regions = subscribed_regions(&region);
        for c in &config.network.cooperate {
            topic_regions.extend(subscribed_regions(c));
        }
        topic_regions.sort();
        topic_regions.dedup();
        let topics = topic_regions
            .iter()
            .map(|r| topic_name(&network, r))
            .collect();
        let metrics = Arc::new(NodeMetrics::new());
        let mut net_cfg = NetConfig::new(listen, bootstrap, topics);
        net_cfg.mdns = options.mdns.unwrap_or(config.network.mdns);
        net_cfg.heartbeat = options.heartbeat;
        net_cfg.metrics = Some(net::SwarmMetrics(Arc::clone(&metrics.libp2p)));
        let desk_setup = DeskSetup {
            roles: dev_roles(&options.data_dir),
            cooperate: config.network.cooperate.clone(),
            name: config.post.name.clone(),
            region: region.clone(),
        };
        let (net, events, net_task) = net::spawn(p2p_key, net_cfg).await?;
        let listen = net.info().await?.listen;

        let (commands, command_rx) = mpsc::channel(8);
        let (cascade, cascade_rx) = mpsc::channel(64);
        let shared = Arc::new(Shared {
            ledger,
            net,
            peers: Mutex::new(peers::Peers::default()),
            interest,
            region,
            node_id,
            name: config.post.name.clone(),
            network_name: config.network.name.clone(),
            config: config.clone(),
            console: Mutex::new(None),
            responder: requests::ResponderCache::default(),
            gaps: Mutex::new(gossip::GapRequests::default()),
            pushers: push::Pushers::default(),
            cascade,
            fetching: Mutex::new(HashMap::new()),
            stopping: tokio::sync::watch::channel(false).0,
            background: Mutex::new(Vec::new()),
            failure: Mutex::new(None),
            new_entries: tokio::sync::broadcast::channel(NEW_ENTRY_CAPACITY).0,
            metrics,
            desk_setup,
        });
        let core = Core {
            shared: Arc::clone(&shared),
            tasks: JoinSet::new(),
            permits: Arc::new(Semaphore::new(MAX_TASKS)),
            hello_timeout: options.hello_timeout,
            store_failed,
        };
        tokio::spawn(core.run(
            events,
            command_rx,
            cascade_rx,
            options.sync_interval,
            net_task,
            ledger_thread,
        ));
        let handle = NodeHandle {
            shared,
            commands,
            listen,
        };
        tracing::info!(peer_id = %handle.peer_id(), "post started");
        Ok(handle)
    }
}

impl NodeHandle {
    pub fn peer_id(&self) -> PeerId {
        self.shared.net.peer_id()
    }

    pub fn node_id(&self) -> NodeId {
        self.shared.node_id
    }

    pub fn region(&self) -> &RegionCode {
        &self.shared.region
    }

    /// The scopes this post holds.
    pub fn interest(&self) -> &Interest {
        &self.shared.interest
    }

    /// Where peers can reach this post (with `/p2p/<peer id>` appended).
    pub fn listen_addrs(&self) -> Vec<Multiaddr> {
        let p2p = libp2p::multiaddr::Protocol::P2p(self.peer_id());
        self.listen
            .iter()
            .map(|a| a.clone().with(p2p.clone()))
            .collect()
    }

    pub fn ledger(&self) -> &LedgerHandle {
        &self.shared.ledger
    }

    pub fn network(&self) -> &NetworkHandle {
        &self.shared.net
    }

    pub(crate) fn set_console(&self, addr: SocketAddr) {
        *self
            .shared
            .console
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(addr);
    }

    pub fn metrics(&self) -> &Arc<NodeMetrics> {
        &self.shared.metrics
    }

    /// What the domain desk of this post needs.
    pub fn desk_setup(&self) -> &DeskSetup {
        &self.shared.desk_setup
    }

    /// Name, region and network of this post, as its config states them.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// The post's configuration as it was at start.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    pub fn network_name(&self) -> &str {
        &self.shared.network_name
    }

    /// Posts this post has heard from (connected now or before).
    pub fn heard(&self) -> Vec<Heard> {
        self.shared.lock_peers().heard.values().cloned().collect()
    }

    /// Sets the scrape-time gauges and returns the metrics text.
    pub async fn metrics_text(&self) -> String {
        let net = self.shared.net.info().await.unwrap_or_default();
        let metrics = Arc::clone(&self.shared.metrics);
        let (peers, mesh_peers) = (net.connected.len(), net.mesh_peers);
        self.shared
            .ledger
            .read(move |l| {
                let store = l.store();
                let snapshot = crate::metrics::Snapshot {
                    peers,
                    mesh_peers,
                    store_bytes: store.size_on_disk(),
                    digest: store.digest(&RegionCode::national()).unwrap_or_default(),
                    store: store.health(),
                };
                metrics.set_state(&snapshot, || {
                    liandong_protocol::Kind::KNOWN
                        .iter()
                        .filter_map(|k| store.count_kind(*k).ok().map(|n| (*k, n)))
                        .collect()
                });
                metrics.encode()
            })
            .await
            .unwrap_or_default()
    }

    /// Every entry new to this post from now on.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<NewEntry> {
        self.shared.new_entries.subscribe()
    }

    /// Resolves when the node stops.
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + Send + use<> {
        let mut rx = self.shared.stopping.subscribe();
        async move {
            let _ = rx.wait_for(|stopping| *stopping).await;
        }
    }

    /// Ties a task's life to the node's: it is awaited (then aborted) at stop.
    pub(crate) fn adopt(&self, task: tokio::task::JoinHandle<()>) {
        self.shared
            .background
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(task);
    }

    /// Imports a bundle (a USB stick's file) through the one ingest path:
    /// checked first, then stored batch by batch by the ledger thread, each
    /// batch durable before the next; what is new reaches the console and
    /// sets off a round of syncs, and any fork evidence is published.
    pub async fn import_bundle(
        &self,
        bytes: impl AsRef<[u8]> + Send + 'static,
    ) -> Result<crate::bundle::ImportSummary, crate::bundle::BundleError> {
        use crate::bundle::BundleError;
        let ledger = Arc::clone(self.shared.ledger.ledger());
        let checked = tokio::task::spawn_blocking(move || {
            crate::bundle::check(
                bytes.as_ref(),
                std::path::Path::new("<upload>"),
                ledger.network(),
                ledger.limits().max_entry_bytes,
            )
        })
        .await
        .map_err(|e| BundleError::Unavailable(e.to_string()))??;
        let mut summary = crate::bundle::ImportSummary::new(&checked.manifest);
        for (base, batch) in checked.batches() {
            let (outcomes, _) =
                ingest::ingest(&self.shared, ingest::Origin::BUNDLE, batch.to_vec())
                    .await
                    .map_err(|e| BundleError::Unavailable(e.to_string()))?;
            summary.record(base, &outcomes);
        }
        Ok(summary)
    }

    pub fn console(&self) -> Option<SocketAddr> {
        *self
            .shared
            .console
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Writes an entry by this post; returns once it is durable and handed
    /// to gossip. Pushes to posts above go on in the background (`push.rs`):
    /// the operator never waits for the network.
    pub async fn author(
        &self,
        scope: RegionCode,
        status: Status,
        body: Body,
    ) -> Result<SignedEntry, LedgerError> {
        let entry = self.shared.ledger.author(scope, status, body).await?;
        self.shared.metrics.written(entry.header().kind);
        gossip::announce(&self.shared, &entry, None).await;
        Ok(entry)
    }

    pub async fn dial(&self, addr: Multiaddr) -> Result<(), net::NetError> {
        self.shared.net.dial(addr).await
    }

    /// Runs one anti-entropy session with a connected peer now.
    pub async fn sync_with(&self, peer: PeerId) -> Result<SyncStats, SyncFailure> {
        sync::sync_with(&self.shared, peer).await
    }

    /// The digest of the entries one interest selector covers.
    pub async fn selector_digest(
        &self,
        selector: liandong_protocol::Selector,
    ) -> Result<LedgerDigest, String> {
        self.shared
            .ledger
            .read(move |l| {
                l.store()
                    .selector_digest(&selector)
                    .map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| e.to_string())?
    }

    /// The digest of the entries this post holds in `subtree`.
    pub async fn digest(&self, subtree: RegionCode) -> Result<LedgerDigest, String> {
        self.shared
            .ledger
            .read(move |l| l.store().digest(&subtree).map_err(|e| e.to_string()))
            .await
            .map_err(|e| e.to_string())?
    }

    pub async fn status(&self) -> NodeStatus {
        status::collect(&self.shared).await
    }

    /// Recent sync sessions this post started, oldest first.
    pub fn sync_history(&self) -> Vec<SyncStats> {
        self.shared.lock_peers().history.iter().cloned().collect()
    }

    pub fn sync_totals(&self) -> SyncTotals {
        self.shared.lock_peers().totals
    }

    /// Peers that have introduced themselves.
    pub fn known_peers(&self) -> Vec<PeerId> {
        self.shared
            .lock_peers()
            .by_id
            .iter()
            .filter(|(_, p)| p.hello.is_some())
            .map(|(id, _)| *id)
            .collect()
    }

    /// Why the node stopped by itself — its store failed a write, or the
    /// final sync failed — if it did (`run` then exits with code 4).
    pub fn failure(&self) -> Option<String> {
        self.shared
            .failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Stops everything and flushes the store.
    pub async fn shutdown(&self) {
        let (reply, rx) = oneshot::channel();
        if self
            .commands
            .send(NodeCommand::Shutdown(reply))
            .await
            .is_ok()
        {
            let _ = rx.await;
        }
    }
}

/// The node's own loop: network events in, handler tasks out.
struct Core {
    shared: Arc<Shared>,
    tasks: JoinSet<()>,
    permits: Arc<Semaphore>,
    hello_timeout: Duration,
    /// The store's failure reason: set once, when a write fails.
    store_failed: tokio::sync::watch::Receiver<Option<Arc<str>>>,
}

impl Core {
    async fn run(
        mut self,
        mut events: mpsc::Receiver<NetEvent>,
        mut commands: mpsc::Receiver<NodeCommand>,
        mut cascade: mpsc::Receiver<PeerId>,
        sync_interval: Duration,
        net_task: tokio::task::JoinHandle<()>,
        ledger_thread: std::thread::JoinHandle<()>,
    ) {
        let mut sync_timer = tokio::time::interval(sync_interval);
        sync_timer.tick().await;
        loop {
            tokio::select! {
                // A failed write leaves the store unusable until it is
                // reopened (store/health.rs): stop, so that a supervisor
                // restarts the post rather than leave it deaf and mute.
                Ok(()) = self.store_failed.changed() => {
                    let reason = self.store_failed.borrow().as_deref().unwrap_or_default().to_string();
                    tracing::error!(reason, "the store failed; stopping the post / 存储故障，节点停止");
                    self.shared.record_failure(reason);
                    self.stop(net_task, ledger_thread).await;
                    return;
                }
                event = events.recv() => match event {
                    Some(event) => self.on_event(event).await,
                    None => break,
                },
                cmd = commands.recv() => match cmd {
                    Some(NodeCommand::Shutdown(reply)) => {
                        self.stop(net_task, ledger_thread).await;
                        let _ = reply.send(());
                        return;
                    }
                    None => break,
                },
                _ = sync_timer.tick() => self.sync_random_peer(),
                Some(from) = cascade.recv() => {
                    // Coalesce a burst of requests into one round of syncs.
                    let mut except = vec![from];
                    while let Ok(more) = cascade.try_recv() {
                        except.push(more);
                    }
                    self.sync_all_but(&except);
                }
                Some(_) = self.tasks.join_next(), if !self.tasks.is_empty() => {}
            }
        }
        self.stop(net_task, ledger_thread).await;
    }

    async fn on_event(&mut self, event: NetEvent) {
        match event {
            NetEvent::Gossip {
                source, id, data, ..
            } => {
                // Waits for a permit: back-pressure reaches the event loop's
                // bounded channel, which then drops gossip (sync repairs).
                let Ok(permit) = Arc::clone(&self.permits).acquire_owned().await else {
                    return;
                };
                let shared = Arc::clone(&self.shared);
                self.tasks.spawn(async move {
                    gossip::on_gossip(&shared, source, id, data).await;
                    drop(permit);
                });
            }
            NetEvent::Request {
                peer,
                request,
                channel,
            } => {
                let admitted = {
                    let mut peers = self.shared.lock_peers();
                    match peers.by_id.get_mut(&peer) {
                        Some(p) if p.inflight < MAX_PEER_INFLIGHT => {
                            p.inflight += 1;
                            true
                        }
                        Some(_) => false,
                        // Not yet known as connected (events raced): allow.
                        None => true,
                    }
                };
                let permit = if admitted {
                    Arc::clone(&self.permits).try_acquire_owned().ok()
                } else {
                    None
                };
                let shared = Arc::clone(&self.shared);
                match permit {
                    Some(permit) => {
                        self.tasks.spawn(async move {
                            requests::on_request(&shared, peer, request.value, channel).await;
                            if let Some(p) = shared.lock_peers().by_id.get_mut(&peer) {
                                p.inflight = p.inflight.saturating_sub(1);
                            }
                            drop(permit);
                        });
                    }
                    None => {
                        if admitted && let Some(p) = shared.lock_peers().by_id.get_mut(&peer) {
                            p.inflight = p.inflight.saturating_sub(1);
                        }
                        tracing::debug!(%peer, "request refused: throttled");
                        self.tasks.spawn(async move {
                            requests::refuse_throttled(&shared, channel).await
                        });
                    }
                }
            }
            NetEvent::Connected {
                peer,
                address,
                dialer,
            } => {
                let since = crate::clock::now_ms();
                self.shared.lock_peers().connected(peer, address, since);
                if dialer {
                    let shared = Arc::clone(&self.shared);
                    self.tasks
                        .spawn(async move { requests::introduce(&shared, peer).await });
                }
                let shared = Arc::clone(&self.shared);
                let within = self.hello_timeout;
                self.tasks.spawn(async move {
                    requests::expect_hello(&shared, peer, since, within).await
                });
            }
            NetEvent::Disconnected { peer } => {
                self.shared.pushers.forget(&peer);
                self.shared
                    .lock_peers()
                    .disconnected(&peer, crate::clock::now_ms());
            }
            NetEvent::Banned { peer, reason, .. } => {
                self.shared.pushers.forget(&peer);
                self.shared.metrics.banned(reason.label());
                self.shared
                    .lock_peers()
                    .disconnected(&peer, crate::clock::now_ms());
            }
        }
    }

    fn sync_all_but(&mut self, except: &[PeerId]) {
        let targets: Vec<PeerId> = {
            let peers = self.shared.lock_peers();
            peers
                .by_id
                .iter()
                .filter(|(id, p)| p.hello.is_some() && !p.syncing && !except.contains(id))
                .map(|(id, _)| *id)
                .collect()
        };
        for peer in targets {
            let shared = Arc::clone(&self.shared);
            self.tasks.spawn(async move {
                let _ = sync::sync_with(&shared, peer).await;
            });
        }
    }

    fn sync_random_peer(&mut self) {
        let candidate = {
            let peers = self.shared.lock_peers();
            peers
                .by_id
                .iter()
                .filter(|(_, p)| p.hello.is_some() && !p.syncing)
                .map(|(id, _)| *id)
                .choose(&mut rand::rng())
        };
        if let Some(peer) = candidate {
            let shared = Arc::clone(&self.shared);
            self.tasks.spawn(async move {
                let _ = sync::sync_with(&shared, peer).await;
            });
        }
    }

    async fn stop(
        &mut self,
        net_task: tokio::task::JoinHandle<()>,
        ledger_thread: std::thread::JoinHandle<()>,
    ) {
        let _ = self.shared.stopping.send(true);
        let background: Vec<_> = std::mem::take(
            &mut *self
                .shared
                .background
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        );
        for task in background {
            if tokio::time::timeout(Duration::from_secs(2), task)
                .await
                .is_err()
            {
                tracing::warn!("a background task did not stop in time");
            }
        }
        self.shared.pushers.clear();
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        self.shared.net.shutdown().await;
        let _ = net_task.await;
        // The ledger thread ends when the last handle is dropped; it syncs
        // the store on the way out. Other handles (the console) may still
        // hold one, so sync here too rather than wait.
        let ledger = self.shared.ledger.clone();
        match ledger.read(|l| l.store().sync()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(error = %e, "final store sync failed / 停止时存储落盘失败");
                self.shared.record_failure(e.to_string());
            }
            Err(e) => self.shared.record_failure(e.to_string()),
        }
        drop(ledger_thread);
        tracing::info!("post stopped");
    }
}
