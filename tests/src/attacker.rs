//! A scripted malicious node: its own libp2p swarm, built here, speaking
//! the real protocols — gossipsub configured like a post's (message id =
//! entry id, so it can publish on the real topics) and the real
//! `/liandong/sync/1` codec — plus a raw client on the same protocol that
//! writes any bytes at all (hostile length prefixes, garbage frames).
//!
//! The swarm runs in its own task behind a small command channel, so the
//! connection stays alive (and answers the honest post's requests, with a
//! refusal) while the test waits on honest posts.

use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, StreamExt};
use liandong_node::identity::libp2p_keypair;
use liandong_node::net::codec::{PROTOCOL, SyncCodec, sized_request, sized_response};
use liandong_protocol::entry::wire::ENTRY_SIGNING_DOMAIN;
use liandong_protocol::interest::{home_region, topic_name};
use liandong_protocol::net::{Hello, RefusalReason, Request, Response};
use liandong_protocol::{
    Body, Draft, EntryId, Hlc, Interest, Keypair, NetworkId, Note, RegionCode, SignedEntry, Status,
};
use libp2p::gossipsub::{self, IdentTopic, MessageAuthenticity, MessageId, ValidationMode};
use libp2p::request_response::{self, OutboundRequestId, ProtocolSupport};
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{Multiaddr, PeerId, StreamProtocol, Swarm, SwarmBuilder, noise, tcp, yamux};
use tokio::sync::{mpsc, oneshot};

use crate::{DEADLINE, wait_until};

/// What the attacker's own gossipsub lets it send: far above a post's
/// limit, so oversized messages leave this side.
const ATTACKER_MAX_TRANSMIT: usize = 4 * 1024 * 1024;
/// Largest answer the raw client reads.
const RAW_MAX_RESPONSE: u64 = 8 * 1024 * 1024;

/// Writes request bytes exactly as given (no length prefix added) and
/// reads whatever comes back until the stream ends.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawCodec;

impl request_response::Codec for RawCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T>(&mut self, _: &StreamProtocol, _: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        Err(io::Error::other("the raw client serves nothing"))
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        let mut out = Vec::new();
        io.take(RAW_MAX_RESPONSE).read_to_end(&mut out).await?;
        if out.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the peer closed the stream without answering",
            ));
        }
        Ok(out)
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: Vec<u8>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        io.write_all(&req).await?;
        io.flush().await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        _: &mut T,
        _: Vec<u8>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        Err(io::Error::other("the raw client serves nothing"))
    }
}

#[derive(NetworkBehaviour)]
struct Behaviour {
    gossipsub: gossipsub::Behaviour,
    sync: request_response::Behaviour<SyncCodec>,
    raw: request_response::Behaviour<RawCodec>,
    /// Raw bytes on the certificate handover protocol.
    raw_cert: request_response::Behaviour<RawCodec>,
}

fn message_id(message: &gossipsub::Message) -> MessageId {
    MessageId::from(EntryId::of_wire_bytes(&message.data).0.to_vec())
}

type BuildError = Box<dyn std::error::Error + Send + Sync>;

fn build_swarm(key: &Keypair) -> Result<Swarm<Behaviour>, BuildError> {
    let gossipsub_config = gossipsub::ConfigBuilder::default()
        .validation_mode(ValidationMode::None)
        .message_id_fn(message_id)
        .max_transmit_size(ATTACKER_MAX_TRANSMIT)
        .heartbeat_initial_delay(Duration::from_millis(100))
        .heartbeat_interval(Duration::from_millis(100))
        // The attacker keeps every message it publishes apart; it does not
        // care about duplicates of its own.
        .duplicate_cache_time(Duration::from_secs(1))
        .build()?;
    Ok(SwarmBuilder::with_existing_identity(libp2p_keypair(key))
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )?
        .with_behaviour(|_| -> Result<Behaviour, BuildError> {
            Ok(Behaviour {
                gossipsub: gossipsub::Behaviour::new(
                    MessageAuthenticity::Anonymous,
                    gossipsub_config,
                )?,
                sync: request_response::Behaviour::with_codec(
                    SyncCodec,
                    [(PROTOCOL, ProtocolSupport::Full)],
                    request_response::Config::default()
                        .with_request_timeout(Duration::from_secs(20)),
                ),
                raw: request_response::Behaviour::with_codec(
                    RawCodec,
                    [(PROTOCOL, ProtocolSupport::Outbound)],
                    request_response::Config::default()
                        .with_request_timeout(Duration::from_secs(20)),
                ),
                raw_cert: request_response::Behaviour::with_codec(
                    RawCodec,
                    [(
                        liandong_node::net::handover_codec::PROTOCOL,
                        ProtocolSupport::Outbound,
                    )],
                    request_response::Config::default()
                        .with_request_timeout(Duration::from_secs(20)),
                ),
            })
        })?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(60)))
        .build())
}

/// Publish outcomes of a batch: how many left this side, and the errors.
#[derive(Debug, Default, Clone)]
pub struct Published {
    pub sent: usize,
    pub failed: usize,
    pub last_error: Option<String>,
}

#[derive(Debug)]
enum Command {
    Dial(Multiaddr, oneshot::Sender<Result<(), String>>),
    Subscribe(String),
    Publish(String, Vec<Vec<u8>>, oneshot::Sender<Published>),
    Request(PeerId, Request, oneshot::Sender<Result<Response, String>>),
    Raw(PeerId, Vec<u8>, oneshot::Sender<Result<Vec<u8>, String>>),
    RawCert(PeerId, Vec<u8>, oneshot::Sender<Result<Vec<u8>, String>>),
    TopicPeers(String, oneshot::Sender<Vec<PeerId>>),
}

/// What the attacker saw of its connections.
#[derive(Debug, Default)]
struct Seen {
    connected: HashSet<PeerId>,
    closed: HashMap<PeerId, u32>,
    /// Requests the honest posts sent the attacker.
    requests_received: u64,
    /// Whether it holds pushes unanswered (a stalled post), and how many
    /// it holds.
    stall_pushes: bool,
    pushes_held: u64,
}

/// The malicious node. Its key doubles as its post key (an insider holds
/// a certified key; an outsider its own).
#[derive(Debug)]
pub struct Attacker {
    pub key: Keypair,
    pub peer_id: PeerId,
    pub network: NetworkId,
    /// Where it claims to be.
    pub region: RegionCode,
    seq: u64,
    prev: Option<EntryId>,
    tx: mpsc::Sender<Command>,
    seen: Arc<Mutex<Seen>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Attacker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Attacker {
    /// Starts the attacker's swarm (it listens nowhere; it only dials).
    pub fn spawn(key: Keypair, network: NetworkId, region: RegionCode) -> Attacker {
        let swarm = build_swarm(&key).unwrap_or_else(|e| panic!("attacker swarm: {e}"));
        let peer_id = *swarm.local_peer_id();
        let (tx, rx) = mpsc::channel(4096);
        let seen = Arc::new(Mutex::new(Seen::default()));
        let task = tokio::spawn(run(swarm, rx, Arc::clone(&seen)));
        Attacker {
            key,
            peer_id,
            network,
            region,
            seq: 0,
            prev: None,
            tx,
            seen,
            task,
        }
    }

    async fn call<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> T {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(make(reply))
            .await
            .unwrap_or_else(|_| panic!("the attacker's swarm task has stopped"));
        rx.await
            .unwrap_or_else(|_| panic!("the attacker's swarm task dropped a reply"))
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn is_connected(&self, peer: &PeerId) -> bool {
        self.seen().connected.contains(peer)
    }

    /// How often a connection to `peer` closed.
    pub fn closed(&self, peer: &PeerId) -> u32 {
        self.seen().closed.get(peer).copied().unwrap_or(0)
    }

    pub fn requests_received(&self) -> u64 {
        self.seen().requests_received
    }

    /// From now on, takes pushes and never answers them: a post above
    /// whose link or process has stalled.
    pub fn stall_pushes(&self) {
        self.seen().stall_pushes = true;
    }

    /// Pushes received and left unanswered.
    pub fn pushes_held(&self) -> u64 {
        self.seen().pushes_held
    }

    /// Dials an honest post and waits until the connection is up.
    pub async fn connect(&self, addr: Multiaddr, peer: PeerId) {
        let result = self.call(|r| Command::Dial(addr, r)).await;
        result.unwrap_or_else(|e| panic!("attacker dial: {e}"));
        wait_until("attacker connected", DEADLINE, || async {
            self.is_connected(&peer)
        })
        .await;
    }

    /// Waits until the attacker's connection to `peer` is gone (the
    /// honest post closed it: banned or blocked).
    pub async fn wait_disconnected(&self, peer: &PeerId) {
        wait_until(
            "the honest post closes the connection",
            DEADLINE,
            || async { !self.is_connected(peer) },
        )
        .await;
    }

    /// The gossip topic entries scoped `scope` travel on (its home region,
    /// cut to county level), in the attacker's network.
    pub fn topic(&self, scope: &RegionCode) -> String {
        topic_name(&self.network, &home_region(scope))
    }

    /// Subscribes to the topic of entries scoped `region` and waits until `peer` is known
    /// to subscribe to it too, so publishing reaches it.
    pub async fn join_topic(&self, region: &RegionCode, peer: PeerId) {
        let topic = self.topic(region);
        self.tx
            .send(Command::Subscribe(topic.clone()))
            .await
            .unwrap_or_else(|_| panic!("the attacker's swarm task has stopped"));
        wait_until("honest post seen in the topic", DEADLINE, || {
            let topic = topic.clone();
            async move {
                self.call(|r| Command::TopicPeers(topic, r))
                    .await
                    .contains(&peer)
            }
        })
        .await;
    }

    /// Publishes each message (raw bytes) on the topic of entries scoped
    /// `region`.
    pub async fn publish(&self, region: &RegionCode, messages: Vec<Vec<u8>>) -> Published {
        let topic = self.topic(region);
        self.call(|r| Command::Publish(topic, messages, r)).await
    }

    /// Sends a request with the real codec.
    pub async fn request(&self, peer: PeerId, request: Request) -> Result<Response, String> {
        self.call(|r| Command::Request(peer, request, r)).await
    }

    /// Writes `bytes` as the whole request stream, verbatim.
    pub async fn raw(&self, peer: PeerId, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
        self.call(|r| Command::Raw(peer, bytes, r)).await
    }

    /// Writes `bytes` as the whole stream of a certificate ask
    /// (`/liandong/cert-request/1`), verbatim.
    pub async fn raw_cert(&self, peer: PeerId, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
        self.call(|r| Command::RawCert(peer, bytes, r)).await
    }

    /// The hello a post at `self.region` would send, with `chain`.
    pub fn hello(&self, chain: Option<Vec<Vec<u8>>>) -> Hello {
        Hello {
            network: self.network,
            node: self.key.node_id(),
            region: self.region.clone(),
            interest: Interest::of_post(&self.region, &[]),
            profile: None,
            newest: Hlc::ZERO,
            chain,
            for_you: Vec::new(),
        }
    }

    /// Sends its hello; `Ok` with the post's own hello when admitted.
    pub async fn say_hello(
        &self,
        peer: PeerId,
        chain: Option<Vec<Vec<u8>>>,
    ) -> Result<Hello, Response> {
        match self.request(peer, Request::Hello(self.hello(chain))).await {
            Ok(Response::Hello(h)) => Ok(h),
            Ok(other) => Err(other),
            Err(e) => Err(Response::Refused {
                reason: RefusalReason::Unavailable,
                detail: e,
            }),
        }
    }

    /// Signs an entry anywhere in its own chain or outside it.
    pub fn sign_raw(
        &self,
        network: NetworkId,
        seq: u64,
        prev: Option<EntryId>,
        hlc: Hlc,
        scope: RegionCode,
        body: Body,
    ) -> SignedEntry {
        SignedEntry::sign(
            &self.key,
            Draft {
                network,
                seq,
                prev,
                hlc,
                scope,
                status: Status::Actual,
                body,
                operator: None,
            },
        )
        .unwrap_or_else(|e| panic!("attacker sign: {e}"))
    }

    /// The next entry of its own chain, at wall time `wall_ms`.
    pub fn next_at(&mut self, scope: RegionCode, body: Body, wall_ms: u64) -> SignedEntry {
        let entry = self.sign_raw(
            self.network,
            self.seq + 1,
            self.prev,
            Hlc::new(wall_ms, 0),
            scope,
            body,
        );
        self.seq = entry.seq();
        self.prev = Some(entry.id());
        entry
    }

    /// The next note of its own chain, now, in its own region.
    pub fn next_note(&mut self, text: &str) -> SignedEntry {
        let region = self.region.clone();
        self.next_at(region, note_body(text), liandong_node::clock::now_ms())
    }

    /// Where its chain stands: (seq, prev).
    pub fn head(&self) -> (u64, Option<EntryId>) {
        (self.seq, self.prev)
    }
}

pub fn note_body(text: &str) -> Body {
    Body::Note(Note {
        text: text.to_string(),
    })
}

/// A valid entry's bytes with one bit of the signature flipped.
pub fn flip_signature_bit(entry: &SignedEntry, bit: usize) -> Vec<u8> {
    let mut wire = entry.wire().to_vec();
    let n = wire.len();
    let i = n - 64 + (bit / 8) % 64;
    wire[i] ^= 1 << (bit % 8);
    wire
}

/// `entry` (by `signer`) rewritten to name `claimed` as its author, then
/// signed again by `signer` over the exact new bytes: a well-formed
/// signature by the wrong key.
pub fn claim_authorship(
    entry: &SignedEntry,
    signer: &Keypair,
    claimed: &liandong_protocol::NodeId,
) -> Vec<u8> {
    let wire = entry.wire();
    let unsigned = &wire[..wire.len() - 64];
    let own = signer.node_id();
    let at = unsigned
        .windows(32)
        .position(|w| w == own.as_bytes())
        .unwrap_or_else(|| panic!("author key not found in the entry bytes"));
    let mut forged = unsigned.to_vec();
    forged[at..at + 32].copy_from_slice(claimed.as_bytes());
    let signature = signer.sign(ENTRY_SIGNING_DOMAIN, &forged);
    forged.extend_from_slice(&signature);
    forged
}

type PendingRaw = HashMap<OutboundRequestId, oneshot::Sender<Result<Vec<u8>, String>>>;

/// A raw client's answer (or failure) to whoever waits for it.
fn on_raw(e: request_response::Event<Vec<u8>, Vec<u8>>, pending: &mut PendingRaw) {
    match e {
        request_response::Event::Message {
            message:
                request_response::Message::Response {
                    request_id,
                    response,
                },
            ..
        } => {
            if let Some(reply) = pending.remove(&request_id) {
                let _ = reply.send(Ok(response));
            }
        }
        request_response::Event::OutboundFailure {
            request_id, error, ..
        } => {
            if let Some(reply) = pending.remove(&request_id) {
                let _ = reply.send(Err(error.to_string()));
            }
        }
        _ => {}
    }
}

async fn run(mut swarm: Swarm<Behaviour>, mut rx: mpsc::Receiver<Command>, seen: Arc<Mutex<Seen>>) {
    let mut pending: HashMap<OutboundRequestId, oneshot::Sender<Result<Response, String>>> =
        HashMap::new();
    // Requests held unanswered while stalled (answering would end them).
    let mut held = Vec::new();
    let mut pending_raw: PendingRaw = HashMap::new();
    let mut pending_cert: PendingRaw = HashMap::new();
    loop {
        tokio::select! {
            cmd = rx.recv() => {
                let Some(cmd) = cmd else { return };
                let b = swarm.behaviour_mut();
                match cmd {
                    Command::Dial(addr, reply) => {
                        let _ = reply.send(swarm.dial(addr).map_err(|e| e.to_string()));
                    }
                    Command::Subscribe(topic) => {
                        let _ = b.gossipsub.subscribe(&IdentTopic::new(topic));
                    }
                    Command::Publish(topic, messages, reply) => {
                        let mut out = Published::default();
                        for m in messages {
                            match b.gossipsub.publish(IdentTopic::new(topic.clone()), m) {
                                Ok(_) => out.sent += 1,
                                Err(e) => {
                                    out.failed += 1;
                                    out.last_error = Some(e.to_string());
                                }
                            }
                        }
                        let _ = reply.send(out);
                    }
                    Command::Request(peer, request, reply) => {
                        let id = b.sync.send_request(&peer, Ok(sized_request(request)));
                        pending.insert(id, reply);
                    }
                    Command::Raw(peer, bytes, reply) => {
                        let id = b.raw.send_request(&peer, bytes);
                        pending_raw.insert(id, reply);
                    }
                    Command::RawCert(peer, bytes, reply) => {
                        let id = b.raw_cert.send_request(&peer, bytes);
                        pending_cert.insert(id, reply);
                    }
                    Command::TopicPeers(topic, reply) => {
                        let hash = IdentTopic::new(topic).hash();
                        let peers = b
                            .gossipsub
                            .all_peers()
                            .filter(|(_, topics)| topics.contains(&&hash))
                            .map(|(p, _)| *p)
                            .collect();
                        let _ = reply.send(peers);
                    }
                }
            }
            event = swarm.select_next_some() => {
                match event {
                    SwarmEvent::ConnectionEstablished { peer_id, .. } => {
                        seen.lock().unwrap_or_else(|p| p.into_inner()).connected.insert(peer_id);
                    }
                    SwarmEvent::ConnectionClosed { peer_id, num_established: 0, .. } => {
                        let mut s = seen.lock().unwrap_or_else(|p| p.into_inner());
                        s.connected.remove(&peer_id);
                        *s.closed.entry(peer_id).or_default() += 1;
                    }
                    SwarmEvent::Behaviour(BehaviourEvent::Sync(e)) => match e {
                        request_response::Event::Message { message, .. } => match message {
                            request_response::Message::Request { channel, request, .. } => {
                                // Honest posts sync with it or push to it:
                                // it answers nothing useful, or, stalled,
                                // nothing at all.
                                let mut s = seen.lock().unwrap_or_else(|p| p.into_inner());
                                s.requests_received += 1;
                                let push = matches!(&request, Ok(r) if matches!(r.value, Request::Push { .. }));
                                if push && s.stall_pushes {
                                    s.pushes_held += 1;
                                    held.push(channel);
                                } else {
                                    drop(s);
                                    let _ = swarm.behaviour_mut().sync.send_response(
                                        channel,
                                        sized_response(Response::Refused {
                                            reason: RefusalReason::Unavailable,
                                            detail: "no".into(),
                                        }),
                                    );
                                }
                            }
                            request_response::Message::Response { request_id, response } => {
                                if let Some(reply) = pending.remove(&request_id) {
                                    let _ = reply.send(Ok(response.value));
                                }
                            }
                        },
                        request_response::Event::OutboundFailure { request_id, error, .. } => {
                            if let Some(reply) = pending.remove(&request_id) {
                                let _ = reply.send(Err(error.to_string()));
                            }
                        }
                        _ => {}
                    },
                    SwarmEvent::Behaviour(BehaviourEvent::Raw(e)) => on_raw(e, &mut pending_raw),
                    SwarmEvent::Behaviour(BehaviourEvent::RawCert(e)) => on_raw(e, &mut pending_cert),
                    _ => {}
                }
            }
        }
    }
}

/// A request framed exactly as the real codec frames it.
pub fn frame(request: &Request) -> Vec<u8> {
    let body = request
        .encode()
        .unwrap_or_else(|e| panic!("encode request: {e}"));
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}
