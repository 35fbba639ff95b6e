//! The network: a libp2p swarm owned by one event-loop task, reached
//! through a cheap, cloneable [`NetworkHandle`] (docs/architecture.md; the shape of
//! rust-libp2p's file-sharing example).
//!
//! The event loop only dispatches: it turns commands into swarm calls and
//! swarm events into [`NetEvent`]s for the node, never waiting on the store
//! or on validation. The node answers gossip validation and requests
//! asynchronously through the handle.

pub mod bans;
pub mod behaviour;
pub mod codec;
pub mod courier;
mod door;
mod event_loop;
pub mod handover_codec;
mod links;
mod policing;
pub mod redial;

use std::time::Duration;

use liandong_protocol::net::{Request, Response};
use liandong_protocol::trust::handover::{CertAnswer, CertAsk};
use libp2p::gossipsub::{MessageAcceptance, MessageId, TopicHash};
use libp2p::request_response::ResponseChannel;
use libp2p::{Multiaddr, PeerId, identity};
use tokio::sync::{mpsc, oneshot};

use bans::BanReason;
use codec::Sized;
pub use redial::LinkStatus;

/// Commands waiting for the event loop.
const COMMAND_CAPACITY: usize = 1024;
/// Events waiting for the node; when full, gossip is dropped (and reported
/// as ignored) and requests are refused rather than stalling the swarm.
pub const EVENT_CAPACITY: usize = 2048;

/// Network settings.
#[derive(Debug, Clone)]
pub struct NetConfig {
    pub listen: Vec<Multiaddr>,
    pub peers: Vec<Multiaddr>,
    pub mdns: bool,
    /// Gossipsub heartbeat: mesh repair, gossip and score decay.
    pub heartbeat: Duration,
    pub max_connections: u32,
    /// Topics to subscribe to.
    pub topics: Vec<String>,
    /// libp2p's own metrics, recorded from the swarm's events when given.
    pub metrics: Option<SwarmMetrics>,
}

/// libp2p's metrics recorder (it has no `Debug`).
#[derive(Clone)]
pub struct SwarmMetrics(pub std::sync::Arc<libp2p::metrics::Metrics>);

impl std::fmt::Debug for SwarmMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SwarmMetrics")
    }
}

impl NetConfig {
    pub fn new(listen: Vec<Multiaddr>, peers: Vec<Multiaddr>, topics: Vec<String>) -> NetConfig {
        NetConfig {
            listen,
            peers,
            mdns: false,
            heartbeat: Duration::from_millis(500),
            max_connections: 256,
            topics,
            metrics: None,
        }
    }
}

/// What the network tells the node.
#[derive(Debug)]
pub enum NetEvent {
    Gossip {
        source: PeerId,
        id: MessageId,
        topic: TopicHash,
        data: Vec<u8>,
        /// When the network loop received it: handling delay is measured
        /// from here.
        received: std::time::Instant,
    },
    Request {
        peer: PeerId,
        request: Sized<Request>,
        channel: ResponseChannel<Sized<Response>>,
    },
    /// A certificate ask (`/liandong/cert-request/1`), from a post that
    /// need not be admitted; `source` is the IP address of its connection,
    /// which the parent's queue limits.
    Handover {
        peer: PeerId,
        source: Option<std::net::IpAddr>,
        ask: CertAsk,
        channel: ResponseChannel<CertAnswer>,
    },
    Connected {
        peer: PeerId,
        address: Multiaddr,
        dialer: bool,
    },
    Disconnected {
        peer: PeerId,
    },
    /// This post now keeps `peer` out, for `reason`, until `until_ms`.
    Banned {
        peer: PeerId,
        reason: BanReason,
        until_ms: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    #[error("the network has stopped")]
    Stopped,
    #[error("{0}")]
    Failed(String),
}

/// A snapshot of the swarm for status displays.
#[derive(Debug, Clone, Default)]
pub struct NetInfo {
    pub peer_id: Option<PeerId>,
    pub listen: Vec<Multiaddr>,
    pub connected: Vec<PeerId>,
    pub connections: usize,
    pub mesh_peers: usize,
    /// Peers kept out now: banned or blocked.
    pub banned: Vec<PeerId>,
    /// The bans in force, with their reasons.
    pub bans: Vec<BanInfo>,
    /// The configured peers and how their links fare.
    pub links: Vec<LinkStatus>,
    /// Rounds of policing (bans expired, gossip scores read) run so far.
    pub policing_rounds: u64,
}

/// A ban in force, as status shows it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct BanInfo {
    pub peer_id: String,
    /// `invalid_entries`, `invalid_gossip`, `malformed_frames`, `not_admitted`.
    pub reason: String,
    pub detail: String,
    /// Wall-clock ms when it ends.
    pub until_ms: u64,
}

#[derive(Debug)]
enum Command {
    Dial(Multiaddr, oneshot::Sender<Result<(), NetError>>),
    Publish {
        topic: String,
        data: Vec<u8>,
        reply: oneshot::Sender<Result<(), NetError>>,
    },
    Validate {
        id: MessageId,
        source: PeerId,
        acceptance: MessageAcceptance,
    },
    Request {
        peer: PeerId,
        request: Sized<Request>,
        reply: oneshot::Sender<Result<Sized<Response>, NetError>>,
    },
    Respond {
        channel: ResponseChannel<Sized<Response>>,
        response: Sized<Response>,
    },
    AnswerHandover {
        channel: ResponseChannel<CertAnswer>,
        answer: CertAnswer,
    },
    /// Lifts a `not_admitted` ban (the peer was certified meanwhile).
    Forgive(PeerId),
    Block(PeerId),
    Ban(PeerId, BanReason),
    Unblock(PeerId),
    Info(oneshot::Sender<NetInfo>),
    Shutdown(oneshot::Sender<()>),
}

/// A cloneable handle to the event loop.
#[derive(Debug, Clone)]
pub struct NetworkHandle {
    tx: mpsc::Sender<Command>,
    peer_id: PeerId,
}

impl NetworkHandle {
    pub fn peer_id(&self) -> PeerId {
        self.peer_id
    }

    async fn call<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, NetError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(make(reply))
            .await
            .map_err(|_| NetError::Stopped)?;
        rx.await.map_err(|_| NetError::Stopped)
    }

    pub async fn dial(&self, addr: Multiaddr) -> Result<(), NetError> {
        self.call(|r| Command::Dial(addr, r)).await?
    }

    /// Publishes on a topic. Fails when no peer subscribes to it yet, which
    /// is normal for a post alone; sync delivers later.
    pub async fn publish(&self, topic: String, data: Vec<u8>) -> Result<(), NetError> {
        self.call(|reply| Command::Publish { topic, data, reply })
            .await?
    }

    /// Reports the verdict on a gossip message: forward, drop, or drop and
    /// penalise the peer that sent it.
    pub async fn report(&self, id: MessageId, source: PeerId, acceptance: MessageAcceptance) {
        let _ = self
            .tx
            .send(Command::Validate {
                id,
                source,
                acceptance,
            })
            .await;
    }

    pub async fn request(
        &self,
        peer: PeerId,
        request: Sized<Request>,
    ) -> Result<Sized<Response>, NetError> {
        self.call(|reply| Command::Request {
            peer,
            request,
            reply,
        })
        .await?
    }

    pub async fn respond(
        &self,
        channel: ResponseChannel<Sized<Response>>,
        response: Sized<Response>,
    ) {
        let _ = self.tx.send(Command::Respond { channel, response }).await;
    }

    /// Answers a certificate ask.
    pub async fn answer_handover(&self, channel: ResponseChannel<CertAnswer>, answer: CertAnswer) {
        let _ = self
            .tx
            .send(Command::AnswerHandover { channel, answer })
            .await;
    }

    /// Lets `peer` in again at once if it is kept out only for not being
    /// admitted (this post just certified it); bans for what a peer did,
    /// and an operator's block, stay.
    pub async fn forgive(&self, peer: PeerId) {
        let _ = self.tx.send(Command::Forgive(peer)).await;
    }

    /// Refuses a peer's connections until [`Self::unblock`] (partitions in
    /// tests; operators cutting a misbehaving post).
    pub async fn block(&self, peer: PeerId) {
        let _ = self.tx.send(Command::Block(peer)).await;
    }

    /// Keeps a peer out for as long as `reason` says (`net::bans`): it is
    /// told why and until when, then disconnected.
    pub async fn ban(&self, peer: PeerId, reason: BanReason) {
        let _ = self.tx.send(Command::Ban(peer, reason)).await;
    }

    pub async fn unblock(&self, peer: PeerId) {
        let _ = self.tx.send(Command::Unblock(peer)).await;
    }

    pub async fn info(&self) -> Result<NetInfo, NetError> {
        self.call(Command::Info).await
    }

    /// Leaves the topics, closes every connection and stops the event loop.
    pub async fn shutdown(&self) {
        let _ = self.call(Command::Shutdown).await;
    }
}

/// Builds the swarm, starts listening and dialling, and spawns the event
/// loop. Returns once every listener has an address (port 0 resolved).
pub async fn spawn(
    keypair: identity::Keypair,
    cfg: NetConfig,
) -> Result<
    (
        NetworkHandle,
        mpsc::Receiver<NetEvent>,
        tokio::task::JoinHandle<()>,
    ),
    NetError,
> {
    let peer_id = keypair.public().to_peer_id();
    let (tx, rx) = mpsc::channel(COMMAND_CAPACITY);
    let (events_tx, events_rx) = mpsc::channel(EVENT_CAPACITY);
    let event_loop = event_loop::EventLoop::start(keypair, &cfg, rx, events_tx).await?;
    let task = tokio::spawn(event_loop.run());
    Ok((NetworkHandle { tx, peer_id }, events_rx, task))
}
