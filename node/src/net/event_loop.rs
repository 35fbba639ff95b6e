//! The task that owns the swarm. It only dispatches: commands become swarm
//! calls; each behaviour's events go to their own handler function, which
//! hands them to the node without waiting.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures::StreamExt;
use liandong_protocol::net::{RefusalReason, Response};
use libp2p::core::transport::ListenerId;
use libp2p::gossipsub::{self, IdentTopic, MessageAcceptance, PublishError};
use libp2p::metrics::Recorder;
use libp2p::request_response::{self, OutboundRequestId, ResponseChannel};
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, PeerId, Swarm, identify, identity, mdns};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::behaviour::{self, Behaviour, BehaviourEvent};
use super::codec::{MalformedFrame, Sized};
use super::{Command, NetConfig, NetError, NetEvent, NetInfo, SwarmMetrics};

fn peer_of(addr: &Multiaddr) -> Option<PeerId> {
    addr.iter().find_map(|p| match p {
        libp2p::multiaddr::Protocol::P2p(id) => Some(id),
        _ => None,
    })
}

/// Feeds libp2p's metrics: the swarm's own events, and those of the
/// behaviours it has recorders for.
fn record(m: &libp2p::metrics::Metrics, event: &SwarmEvent<BehaviourEvent>) {
    match event {
        SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(e)) => m.record(e),
        SwarmEvent::Behaviour(BehaviourEvent::Identify(e)) => m.record(e),
        SwarmEvent::Behaviour(BehaviourEvent::Ping(e)) => m.record(e),
        _ => {}
    }
    m.record(event);
}

/// Score below which a peer is banned (gossipsub's graylist is -80).
const BAN_SCORE: f64 = -100.0;
/// How often scores are checked and expired bans lifted.
const SCORE_CHECK: Duration = Duration::from_secs(1);
/// Undecodable or oversized request frames one connection may send before
/// the peer is banned (an honest post never sends one).
const MAX_MALFORMED_FRAMES: u32 = 8;
/// How long start-up waits for the listeners to report their addresses.
const LISTEN_DEADLINE: Duration = Duration::from_secs(10);

type PendingRequest = oneshot::Sender<Result<Sized<Response>, NetError>>;

pub struct EventLoop {
    swarm: Swarm<Behaviour>,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<NetEvent>,
    pending: HashMap<OutboundRequestId, PendingRequest>,
    listeners: Vec<ListenerId>,
    listen_addrs: Vec<Multiaddr>,
    /// Peers banned for their score, and when the ban ends.
    bans: HashMap<PeerId, Instant>,
    /// Peers blocked by command (partitions, operators); never auto-lifted.
    blocked: HashSet<PeerId>,
    ban_duration: Duration,
    /// Malformed request frames per connected peer.
    malformed: HashMap<PeerId, u32>,
    dropped_gossip: u64,
    /// Peers to stay connected to: dialled at start and whenever lost (a
    /// link that comes back must not wait for an operator).
    bootstrap: Vec<Bootstrap>,
    redial: Duration,
    metrics: Option<SwarmMetrics>,
}

struct Bootstrap {
    addr: Multiaddr,
    /// Learned from the address's /p2p/ part or from the first connection.
    peer: Option<PeerId>,
}

impl EventLoop {
    pub async fn start(
        keypair: identity::Keypair,
        cfg: &NetConfig,
        commands: mpsc::Receiver<Command>,
        events: mpsc::Sender<NetEvent>,
    ) -> Result<EventLoop, NetError> {
        let topics: Vec<IdentTopic> = cfg.topics.iter().map(IdentTopic::new).collect();
        let mut swarm = behaviour::build_swarm(keypair, cfg, &topics)
            .map_err(|e| NetError::Failed(format!("cannot build the swarm: {e}")))?;
        for t in &topics {
            swarm
                .behaviour_mut()
                .gossipsub
                .subscribe(t)
                .map_err(|e| NetError::Failed(format!("cannot subscribe to {t}: {e}")))?;
        }
        let mut listeners = Vec::new();
        for addr in &cfg.listen {
            let id = swarm
                .listen_on(addr.clone())
                .map_err(|e| NetError::Failed(format!("cannot listen on {addr}: {e}")))?;
            listeners.push(id);
        }
        let mut el = EventLoop {
            swarm,
            commands,
            events,
            pending: HashMap::new(),
            listeners,
            listen_addrs: Vec::new(),
            bans: HashMap::new(),
            blocked: HashSet::new(),
            ban_duration: cfg.ban_duration,
            malformed: HashMap::new(),
            dropped_gossip: 0,
            bootstrap: cfg
                .peers
                .iter()
                .map(|addr| Bootstrap {
                    addr: addr.clone(),
                    peer: peer_of(addr),
                })
                .collect(),
            redial: cfg.redial,
            metrics: cfg.metrics.clone(),
        };
        // Wait until every listener has an address, so callers (and tests
        // on port 0) know where this post can be reached.
        let deadline = Instant::now() + LISTEN_DEADLINE;
        let mut waiting: HashSet<ListenerId> = el.listeners.iter().copied().collect();
        while !waiting.is_empty() {
            match tokio::time::timeout_at(deadline, el.swarm.select_next_some()).await {
                Ok(SwarmEvent::NewListenAddr {
                    listener_id,
                    address,
                }) => {
                    waiting.remove(&listener_id);
                    el.listen_addrs.push(address);
                }
                Ok(SwarmEvent::ListenerError { error, .. }) => {
                    return Err(NetError::Failed(format!("listener failed: {error}")));
                }
                Ok(other) => el.on_swarm_event(other),
                Err(_) => return Err(NetError::Failed("listeners did not start in time".into())),
            }
        }
        Ok(el)
    }

    pub async fn run(mut self) {
        let mut score_check = tokio::time::interval(SCORE_CHECK);
        let mut redial = tokio::time::interval(self.redial);
        loop {
            tokio::select! {
                cmd = self.commands.recv() => match cmd {
                    Some(cmd) => {
                        if let Some(reply) = self.on_command(cmd) {
                            self.shutdown().await;
                            let _ = reply.send(());
                            return;
                        }
                    }
                    // Every handle is gone: the node is stopping.
                    None => {
                        self.shutdown().await;
                        return;
                    }
                },
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                _ = score_check.tick() => self.check_scores(),
                _ = redial.tick() => self.redial_bootstrap(),
            }
        }
    }

    /// Carries out a command; returns the reply channel when it asks the
    /// loop to shut down.
    fn on_command(&mut self, cmd: Command) -> Option<oneshot::Sender<()>> {
        match cmd {
            Command::Dial(addr, reply) => {
                let result = self
                    .swarm
                    .dial(addr)
                    .map_err(|e| NetError::Failed(e.to_string()));
                let _ = reply.send(result);
            }
            Command::Publish { topic, data, reply } => {
                let result = match self
                    .swarm
                    .behaviour_mut()
                    .gossipsub
                    .publish(IdentTopic::new(topic), data)
                {
                    Ok(_) | Err(PublishError::Duplicate) => Ok(()),
                    Err(e) => Err(NetError::Failed(e.to_string())),
                };
                let _ = reply.send(result);
            }
            Command::Validate {
                id,
                source,
                acceptance,
            } => {
                // False when the message already left the cache (validation
                // took longer than the cache keeps it): nothing to forward.
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .gossipsub
                    .report_message_validation_result(&id, &source, acceptance);
            }
            Command::Request {
                peer,
                request,
                reply,
            } => {
                let id = self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .send_request(&peer, Ok(request));
                self.pending.insert(id, reply);
            }
            Command::Respond { channel, response } => {
                // Err when the peer has gone or the request timed out.
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .send_response(channel, response);
            }
            Command::Block(peer) => {
                self.blocked.insert(peer);
                self.swarm.behaviour_mut().blocked.block_peer(peer);
            }
            Command::Ban(peer, duration) => {
                self.bans.insert(peer, Instant::now() + duration);
                self.swarm.behaviour_mut().blocked.block_peer(peer);
            }
            Command::Unblock(peer) => {
                self.blocked.remove(&peer);
                self.bans.remove(&peer);
                self.swarm.behaviour_mut().blocked.unblock_peer(peer);
            }
            Command::Info(reply) => {
                let _ = reply.send(self.info());
            }
            Command::Shutdown(reply) => return Some(reply),
        }
        None
    }

    fn info(&self) -> NetInfo {
        let gossipsub = &self.swarm.behaviour().gossipsub;
        let mut mesh: HashSet<PeerId> = HashSet::new();
        for topic in gossipsub.topics() {
            mesh.extend(gossipsub.mesh_peers(topic).copied());
        }
        NetInfo {
            peer_id: Some(*self.swarm.local_peer_id()),
            listen: self.listen_addrs.clone(),
            connected: self.swarm.connected_peers().copied().collect(),
            connections: self.swarm.network_info().num_peers(),
            mesh_peers: mesh.len(),
            banned: self
                .bans
                .keys()
                .chain(self.blocked.iter())
                .copied()
                .collect(),
        }
    }

    fn emit(&mut self, event: NetEvent) {
        if let Err(mpsc::error::TrySendError::Full(event)) = self.events.try_send(event) {
            self.on_overload(event);
        }
    }

    /// The node is not keeping up: drop, but never stall the swarm.
    fn on_overload(&mut self, event: NetEvent) {
        match event {
            NetEvent::Gossip { source, id, .. } => {
                self.dropped_gossip += 1;
                if self.dropped_gossip.is_power_of_two() {
                    tracing::warn!(
                        dropped = self.dropped_gossip,
                        "node overloaded: gossip dropped (sync will repair)"
                    );
                }
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .gossipsub
                    .report_message_validation_result(&id, &source, MessageAcceptance::Ignore);
            }
            NetEvent::Request { channel, .. } => {
                let refusal = super::codec::sized_response(Response::Refused {
                    reason: liandong_protocol::net::RefusalReason::Throttled,
                    detail: "node overloaded".into(),
                });
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .send_response(channel, refusal);
            }
            other => tracing::warn!(event = ?other, "node overloaded: network event dropped"),
        }
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        if let Some(m) = &self.metrics {
            record(&m.0, &event);
        }
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(e)) => self.on_gossipsub(e),
            SwarmEvent::Behaviour(BehaviourEvent::Sync(e)) => self.on_sync(e),
            SwarmEvent::Behaviour(BehaviourEvent::Identify(e)) => self.on_identify(e),
            SwarmEvent::Behaviour(BehaviourEvent::Mdns(e)) => self.on_mdns(e),
            SwarmEvent::Behaviour(BehaviourEvent::Ping(_)) => {}
            SwarmEvent::Behaviour(BehaviourEvent::Blocked(never)) => match never {},
            SwarmEvent::Behaviour(BehaviourEvent::Limits(never)) => match never {},
            SwarmEvent::NewListenAddr { address, .. } if !self.listen_addrs.contains(&address) => {
                self.listen_addrs.push(address);
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                num_established,
                ..
            } if num_established.get() == 1 => {
                let address = endpoint.get_remote_address().clone();
                for b in self
                    .bootstrap
                    .iter_mut()
                    .filter(|b| b.peer.is_none() && b.addr == address)
                {
                    b.peer = Some(peer_id);
                }
                let dialer = endpoint.is_dialer();
                tracing::debug!(peer = %peer_id, %address, dialer, "connected");
                self.emit(NetEvent::Connected {
                    peer: peer_id,
                    address,
                    dialer,
                });
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                cause,
                ..
            } => {
                tracing::debug!(peer = %peer_id, cause = ?cause, "disconnected");
                self.malformed.remove(&peer_id);
                self.emit(NetEvent::Disconnected { peer: peer_id });
            }
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                tracing::debug!(peer = ?peer_id, %error, "dial failed");
            }
            SwarmEvent::IncomingConnectionError { error, .. } => {
                tracing::debug!(%error, "incoming connection failed");
            }
            _ => {}
        }
    }

    fn on_gossipsub(&mut self, event: gossipsub::Event) {
        match event {
            gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            } => {
                self.emit(NetEvent::Gossip {
                    source: propagation_source,
                    id: message_id,
                    topic: message.topic,
                    data: message.data,
                });
            }
            gossipsub::Event::GossipsubNotSupported { peer_id } => {
                tracing::debug!(peer = %peer_id, "peer does not speak gossipsub");
            }
            _ => {}
        }
    }

    fn on_sync(
        &mut self,
        event: request_response::Event<super::codec::RequestFrame, Sized<Response>>,
    ) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request: Ok(request),
                    channel,
                    ..
                } => {
                    self.emit(NetEvent::Request {
                        peer,
                        request,
                        channel,
                    });
                }
                request_response::Message::Request {
                    request: Err(malformed),
                    channel,
                    ..
                } => self.on_malformed_frame(peer, malformed, channel),
                request_response::Message::Response {
                    request_id,
                    response,
                } => {
                    if let Some(reply) = self.pending.remove(&request_id) {
                        let _ = reply.send(Ok(response));
                    }
                }
            },
            request_response::Event::OutboundFailure {
                request_id,
                error,
                peer,
                ..
            } => {
                tracing::debug!(%peer, %error, "request failed");
                if let Some(reply) = self.pending.remove(&request_id) {
                    let _ = reply.send(Err(NetError::Failed(error.to_string())));
                }
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, %error, "inbound request failed");
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    fn on_identify(&mut self, event: identify::Event) {
        if let identify::Event::Received { peer_id, info, .. } = event {
            tracing::trace!(peer = %peer_id, agent = %info.agent_version, "identified");
        }
    }

    fn on_mdns(&mut self, event: mdns::Event) {
        if let mdns::Event::Discovered(found) = event {
            for (peer, addr) in found {
                if !self.swarm.is_connected(&peer) && !self.blocked.contains(&peer) {
                    tracing::info!(%peer, %addr, "found on the local network");
                    let _ = self.swarm.dial(addr);
                }
            }
        }
    }

    /// Dials every bootstrap peer that is not connected (nor blocked).
    fn redial_bootstrap(&mut self) {
        for i in 0..self.bootstrap.len() {
            let (addr, peer) = (self.bootstrap[i].addr.clone(), self.bootstrap[i].peer);
            let wanted = match peer {
                Some(p) => {
                    !self.swarm.is_connected(&p)
                        && !self.blocked.contains(&p)
                        && !self.bans.contains_key(&p)
                }
                None => true,
            };
            if wanted && let Err(e) = self.swarm.dial(addr.clone()) {
                tracing::debug!(%addr, error = %e, "redial failed");
            }
        }
    }

    /// Refuses an undecodable or oversized request frame from `peer` (that
    /// exchange ends, the connection stays), and bans a peer that keeps
    /// sending them.
    fn on_malformed_frame(
        &mut self,
        peer: PeerId,
        malformed: MalformedFrame,
        channel: ResponseChannel<Sized<Response>>,
    ) {
        tracing::debug!(%peer, error = %malformed, "malformed request refused");
        let refusal = super::codec::sized_response(Response::Refused {
            reason: RefusalReason::Malformed,
            detail: malformed.to_string(),
        });
        let _ = self
            .swarm
            .behaviour_mut()
            .sync
            .send_response(channel, refusal);
        let n = self.malformed.entry(peer).or_default();
        *n += 1;
        if *n > MAX_MALFORMED_FRAMES && !self.bans.contains_key(&peer) {
            tracing::warn!(%peer, frames = *n, "peer banned for malformed requests / 对等节点发送畸形请求，已封禁");
            let score = self
                .swarm
                .behaviour()
                .gossipsub
                .peer_score(&peer)
                .unwrap_or(0.0);
            self.ban(peer, score);
        }
    }

    fn ban(&mut self, peer: PeerId, score: f64) {
        self.bans.insert(peer, Instant::now() + self.ban_duration);
        self.swarm.behaviour_mut().blocked.block_peer(peer);
        self.emit(NetEvent::Banned { peer, score });
    }

    /// Bans peers whose gossip score fell below the floor (gossipsub itself
    /// never disconnects anyone), and lifts expired bans.
    fn check_scores(&mut self) {
        let now = Instant::now();
        let expired: Vec<PeerId> = self
            .bans
            .iter()
            .filter(|(_, until)| **until <= now)
            .map(|(p, _)| *p)
            .collect();
        for peer in expired {
            self.bans.remove(&peer);
            if !self.blocked.contains(&peer) {
                self.swarm.behaviour_mut().blocked.unblock_peer(peer);
            }
        }
        let connected: Vec<PeerId> = self.swarm.connected_peers().copied().collect();
        for peer in connected {
            let Some(score) = self.swarm.behaviour().gossipsub.peer_score(&peer) else {
                continue;
            };
            if score < BAN_SCORE && !self.bans.contains_key(&peer) {
                tracing::warn!(%peer, score, "peer banned for invalid messages");
                self.ban(peer, score);
            }
        }
    }

    async fn shutdown(&mut self) {
        let topics: Vec<_> = self.swarm.behaviour().gossipsub.topics().cloned().collect();
        for t in topics {
            self.swarm
                .behaviour_mut()
                .gossipsub
                .unsubscribe(&IdentTopic::new(t.into_string()));
        }
        // Let the unsubscriptions reach the peers.
        let flush = Instant::now() + Duration::from_millis(50);
        while tokio::time::timeout_at(flush, self.swarm.select_next_some())
            .await
            .is_ok()
        {}
        for id in std::mem::take(&mut self.listeners) {
            self.swarm.remove_listener(id);
        }
        let peers: Vec<PeerId> = self.swarm.connected_peers().copied().collect();
        for p in peers {
            let _ = self.swarm.disconnect_peer_id(p);
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.swarm.connected_peers().next().is_some() {
            if tokio::time::timeout_at(deadline, self.swarm.select_next_some())
                .await
                .is_err()
            {
                break;
            }
        }
        for (_, reply) in self.pending.drain() {
            let _ = reply.send(Err(NetError::Stopped));
        }
    }
}
