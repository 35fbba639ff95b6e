//! A running post: the ledger thread, the network event loop and the
//! node's own loop that connects them, started by [`Node::spawn`].
//!
//! `Node::spawn` takes everything it needs as arguments and returns a
//! [`NodeHandle`], so a test can run many posts in one process.

mod commands;
mod core;
mod gossip;
mod handle;
mod handover;
mod ingest;
mod options;
pub(crate) mod pace;
pub(crate) mod peers;
mod push;
mod requests;
mod shared;
mod status;
pub mod sync;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use liandong_protocol::interest::{subscribed_regions, topic_name};
use libp2p::Multiaddr;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

pub use commands::NodeCommand;
pub use handle::NodeHandle;
pub use handover::HandoverFailure;
pub use options::{NodeError, NodeOptions};
pub use sync::SyncFailure;

use self::core::Core;
use self::shared::Shared;
use crate::datadir::DataDir;
use crate::domain::{DeskSetup, DevRoles};
use crate::identity;
use crate::ledger::actor::LedgerHandle;
use crate::metrics::NodeMetrics;
use crate::net::{self, NetConfig};
use crate::policy::{PeerPolicy, PolicyConfig};
use crate::post::Post;

/// Handlers for gossip and requests running at once; beyond this, new work
/// waits (gossip) or is refused (requests).
const MAX_TASKS: usize = 256;
/// How long start-up waits for a short-lived command to release the store.
const STORE_PATIENCE: Duration = Duration::from_secs(10);
/// Policy effects waiting for the node loop.
const EFFECT_QUEUE: usize = 4096;
/// Bulk arrivals waiting to be gathered into one round of syncs.
const ARRIVAL_QUEUE: usize = 64;
/// New-entry events buffered per listener.
const NEW_ENTRY_CAPACITY: usize = 8192;

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

/// The regions whose gossip topics a post at `region` that cooperates with
/// `cooperate` subscribes to: its own and each partner's home topic, and
/// every ancestor's (`protocol::interest::subscribed_regions`).
pub(crate) fn topic_regions(
    region: &liandong_protocol::RegionCode,
    cooperate: &[liandong_protocol::RegionCode],
) -> Vec<liandong_protocol::RegionCode> {
    let mut regions = subscribed_regions(region);
    for c in cooperate {
        regions.extend(subscribed_regions(c));
    }
    regions.sort();
    regions.dedup();
    regions
}

#[derive(Debug)]
pub struct Node;

impl Node {
    /// Opens the post in `options.data_dir` and starts it.
    pub async fn spawn(options: NodeOptions) -> Result<NodeHandle, NodeError> {
        let data_dir = options.data_dir.clone();
        let post = tokio::task::spawn_blocking(move || {
            let post = Post::open_waiting(&data_dir, STORE_PATIENCE)?;
            // A post that moved (its config's location changed) says so
            // before it starts, so every map shows it where it is.
            post.publish_place()
                .map_err(|e| NodeError::Start(format!("publishing the post's place: {e}")))?;
            post.publish_agreement_key().map_err(|e| {
                NodeError::Start(format!("publishing the post's agreement key: {e}"))
            })?;
            Ok::<_, NodeError>(post)
        })
        .await
        .map_err(|e| NodeError::Start(e.to_string()))??;
        let config = post.config.clone();
        let interest = config.interest();
        let region = config.post.region.clone();
        let p2p_key = identity::libp2p_keypair(post.ledger.keypair());
        let node_id = post.ledger.node_id();
        let network = post.ledger.network();
        let store_failed = post.ledger.store().failure_watch();
        let keyring = Arc::clone(post.ledger.keyring());
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
        let topics = topic_regions(&region, &config.network.cooperate)
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

        let (commands, command_rx) = mpsc::channel(commands::COMMAND_QUEUE);
        let (effects, effects_rx) = mpsc::channel(EFFECT_QUEUE);
        let (arrivals, arrivals_rx) = mpsc::channel(ARRIVAL_QUEUE);
        let policy = PeerPolicy::new(
            PolicyConfig {
                hello_timeout: options.hello_timeout,
                sync_interval: options.sync_interval,
            },
            rand::random(),
        );
        let shared = Arc::new(Shared {
            ledger,
            net,
            peers: Mutex::new(peers::Peers::default()),
            interest,
            region,
            node_id,
            name: config.post.name.clone(),
            network_name: config.network.name.clone(),
            keyring,
            config: config.clone(),
            console: Mutex::new(None),
            responder: requests::ResponderCache::default(),
            pushers: push::Pushers::default(),
            policy: Mutex::new(policy),
            effects,
            arrivals,
            arrivals_lost: std::sync::atomic::AtomicBool::new(false),
            stopping: tokio::sync::watch::channel(false).0,
            background: Mutex::new(Vec::new()),
            failure: Mutex::new(None),
            new_entries: tokio::sync::broadcast::channel(NEW_ENTRY_CAPACITY).0,
            metrics,
            desk_setup,
            handover_slots: Arc::new(Semaphore::new(handover::MAX_ASKS_IN_FLIGHT)),
            outbox_changed: tokio::sync::Notify::new(),
        });
        let core = Core {
            shared: Arc::clone(&shared),
            tasks: JoinSet::new(),
            permits: Arc::new(Semaphore::new(MAX_TASKS)),
            store_failed,
        };
        tokio::spawn(core.run(
            events,
            command_rx,
            effects_rx,
            arrivals_rx,
            net_task,
            ledger_thread,
        ));
        // Subscribed before the task first runs, so that a stop at once
        // still reaches it.
        let stopping = shared.stopping.subscribe();
        let poller = tokio::spawn(handover::poll_loop(Arc::clone(&shared), stopping));
        let handle = NodeHandle {
            shared,
            commands,
            listen,
        };
        handle.adopt(poller);
        tracing::info!(peer_id = %handle.peer_id(), "post started");
        Ok(handle)
    }
}
