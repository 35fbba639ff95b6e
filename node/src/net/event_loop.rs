//! The task that owns the swarm. It only dispatches: commands become swarm
//! calls; each behaviour's events go to their own handler function, which
//! hands them to the node without waiting. Links (liveness, redial) are in
//! `links.rs`, bans and malformed frames in `policing.rs`.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures::StreamExt;
use liandong_protocol::net::Response;
use liandong_protocol::trust::handover::{CertAnswer, HandoverRefusal};
use libp2p::core::transport::ListenerId;
use libp2p::gossipsub::{self, IdentTopic, MessageAcceptance, PublishError};
use libp2p::metrics::Recorder;
use libp2p::request_response::{self, OutboundRequestId};
use libp2p::swarm::{ConnectionId, SwarmEvent};
use libp2p::{Multiaddr, PeerId, Swarm, identify, identity, mdns};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::bans::BanBook;
use super::behaviour::{self, Behaviour, BehaviourEvent};
use super::codec::Sized;
use super::handover_codec::AskFrame;
use super::redial::Redial;
use super::{Command, NetConfig, NetError, NetEvent, NetInfo, SwarmMetrics};

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

/// How often bans are checked, scores read and due redials made.
const TICK: Duration = Duration::from_secs(1);
/// How long start-up waits for the listeners to report their addresses.
const LISTEN_DEADLINE: Duration = Duration::from_secs(10);

type PendingRequest = oneshot::Sender<Result<Sized<Response>, NetError>>;

pub struct EventLoop {
    pub(super) swarm: Swarm<Behaviour>,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<NetEvent>,
    pending: HashMap<OutboundRequestId, PendingRequest>,
    listeners: Vec<ListenerId>,
    listen_addrs: Vec<Multiaddr>,
    /// Peers kept out for what they did, and until when (`bans.rs`).
    pub(super) bans: BanBook,
    /// Banned peers still connected while their notice is on its way:
    /// disconnected when it is answered, or at this deadline.
    pub(super) closing: HashMap<PeerId, Instant>,
    /// Notices in flight, by request.
    pub(super) notices: HashMap<OutboundRequestId, PeerId>,
    /// Peers blocked by command (partitions, operators); never auto-lifted.
    pub(super) blocked: HashSet<PeerId>,
    /// Malformed request frames per connected peer.
    pub(super) malformed: HashMap<PeerId, u32>,
    /// Policing rounds run so far (`policing.rs`), so that a test can see
    /// that scores were read after what it did, rather than sleep.
    pub(super) policed: u64,
    dropped_gossip: u64,
    /// The configured peers: dialled at start and, with backoff, whenever
    /// lost (a link that comes back must not wait for an operator).
    pub(super) redial: Redial,
    /// Dials of configured peers in flight, to know which one failed.
    pub(super) dialling: HashMap<ConnectionId, Multiaddr>,
    /// Connections whose peer answers pings, and when it last did.
    pub(super) alive: HashMap<ConnectionId, (PeerId, std::time::Instant)>,
    /// The IP address of each open connection, for the certificate queue's
    /// per-address limit (`node::handover`).
    remotes: HashMap<ConnectionId, std::net::IpAddr>,
    metrics: Option<SwarmMetrics>,
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
            bans: BanBook::default(),
            closing: HashMap::new(),
            policed: 0,
            notices: HashMap::new(),
            blocked: HashSet::new(),
            malformed: HashMap::new(),
            dropped_gossip: 0,
            redial: Redial::new(&cfg.peers, std::time::Instant::now()),
            dialling: HashMap::new(),
            alive: HashMap::new(),
            remotes: HashMap::new(),
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
        let mut tick = tokio::time::interval(TICK);
        self.dial_due();
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
                _ = tick.tick() => {
                    self.police();
                    self.check_liveness();
                    self.dial_due();
                }
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
                    .dial(super::links::dial_opts(&addr))
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
            Command::AnswerHandover { channel, answer } => {
                // Err when the asker has gone or the ask timed out.
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .handover
                    .send_response(channel, answer);
            }
            Command::Forgive(peer) => {
                let not_admitted = self.bans.get(&peer).is_some_and(|b| {
                    matches!(b.reason, super::bans::BanReason::NotAdmitted { .. })
                });
                if not_admitted && !self.blocked.contains(&peer) {
                    self.bans.lift(&peer);
                    self.closing.remove(&peer);
                    self.swarm.behaviour_mut().blocked.unblock_peer(peer);
                    tracing::info!(%peer, "ban lifted: certified meanwhile / 已签发证书，解除封禁");
                }
            }
            Command::Block(peer) => {
                self.blocked.insert(peer);
                self.swarm.behaviour_mut().blocked.block_peer(peer);
            }
            Command::Ban(peer, reason) => self.ban(peer, reason),
            Command::Unblock(peer) => {
                self.blocked.remove(&peer);
                self.bans.lift(&peer);
                self.closing.remove(&peer);
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
        let bans = self.ban_list();
        NetInfo {
            peer_id: Some(*self.swarm.local_peer_id()),
            listen: self.listen_addrs.clone(),
            connected: self.swarm.connected_peers().copied().collect(),
            connections: self.swarm.network_info().num_peers(),
            mesh_peers: mesh.len(),
            banned: self
                .bans
                .iter()
                .map(|(p, _)| p)
                .chain(self.blocked.iter())
                .copied()
                .collect(),
            bans,
            links: self.redial.status(std::time::Instant::now()),
            policing_rounds: self.policed,
        }
    }

    pub(super) fn emit(&mut self, event: NetEvent) {
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
            NetEvent::Handover { channel, .. } => {
                let refusal = CertAnswer::refused(HandoverRefusal::Throttled, "node overloaded");
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .handover
                    .send_response(channel, refusal);
            }
            other => tracing::warn!(event = ?other, "node overloaded: network event dropped"),
        }
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        if let Some(m) = &self.metrics {
            record(&m.0, &event);
        }
        if let SwarmEvent::ConnectionClosed { connection_id, .. } = &event {
            self.alive.remove(connection_id);
            self.remotes.remove(connection_id);
        }
        if let SwarmEvent::ConnectionEstablished {
            connection_id,
            endpoint,
            ..
        } = &event
            && let Some(ip) = super::door::ip_of(endpoint.get_remote_address())
        {
            self.remotes.insert(*connection_id, ip);
        }
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(e)) => self.on_gossipsub(e),
            SwarmEvent::Behaviour(BehaviourEvent::Sync(e)) => self.on_sync(e),
            SwarmEvent::Behaviour(BehaviourEvent::Handover(e)) => self.on_handover(e),
            SwarmEvent::Behaviour(BehaviourEvent::Identify(e)) => self.on_identify(e),
            SwarmEvent::Behaviour(BehaviourEvent::Mdns(e)) => self.on_mdns(e),
            SwarmEvent::Behaviour(BehaviourEvent::Ping(e)) => self.on_ping(e),
            SwarmEvent::Behaviour(BehaviourEvent::Door(never)) => match never {},
            SwarmEvent::Behaviour(BehaviourEvent::Blocked(never)) => match never {},
            SwarmEvent::Behaviour(BehaviourEvent::Limits(never)) => match never {},
            SwarmEvent::NewListenAddr { address, .. } if !self.listen_addrs.contains(&address) => {
                self.listen_addrs.push(address);
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                num_established,
                connection_id,
                ..
            } => {
                let address = endpoint.get_remote_address().clone();
                let dialled = self.dialling.remove(&connection_id);
                self.redial
                    .connected(peer_id, dialled.as_ref().unwrap_or(&address));
                if num_established.get() != 1 {
                    return;
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
                self.closing.remove(&peer_id);
                self.redial
                    .disconnected(&peer_id, std::time::Instant::now());
                self.emit(NetEvent::Disconnected { peer: peer_id });
            }
            SwarmEvent::OutgoingConnectionError {
                peer_id,
                error,
                connection_id,
            } => {
                tracing::debug!(peer = ?peer_id, %error, "dial failed");
                self.on_dial_failed(connection_id, peer_id, &error.to_string());
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
                    received: std::time::Instant::now(),
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
                    // A peer banned a moment ago (its notice on the way)
                    // hears why, not an answer.
                    if let Some(refusal) = self.banned_refusal(&peer) {
                        let _ = self
                            .swarm
                            .behaviour_mut()
                            .sync
                            .send_response(channel, refusal);
                        return;
                    }
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
                    self.on_notice_answered(request_id);
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
                self.on_notice_answered(request_id);
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, %error, "inbound request failed");
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    /// Certificate asks: handed to the node with the connection's address;
    /// a malformed one is refused and counted like a malformed sync frame.
    /// This post never asks on its own swarm (the courier does), so
    /// responses and outbound failures do not arise.
    fn on_handover(&mut self, event: request_response::Event<AskFrame, CertAnswer>) {
        match event {
            request_response::Event::Message {
                peer,
                connection_id,
                message:
                    request_response::Message::Request {
                        request, channel, ..
                    },
            } => match request {
                Ok(ask) => {
                    let source = self.remotes.get(&connection_id).copied();
                    self.emit(NetEvent::Handover {
                        peer,
                        source,
                        ask,
                        channel,
                    });
                }
                Err(malformed) => {
                    let refusal =
                        CertAnswer::refused(HandoverRefusal::Invalid, malformed.to_string());
                    let _ = self
                        .swarm
                        .behaviour_mut()
                        .handover
                        .send_response(channel, refusal);
                    self.count_malformed(peer, &malformed);
                }
            },
            request_response::Event::InboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, %error, "certificate ask failed");
            }
            other => tracing::trace!(event = ?other, "certificate handover event"),
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
                if !self.swarm.is_connected(&peer) && !self.keeps_out(&peer) {
                    tracing::info!(%peer, %addr, "found on the local network");
                    let _ = self.swarm.dial(super::links::dial_opts(&addr));
                }
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
