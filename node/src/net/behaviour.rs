//! The libp2p behaviours a post runs, and the swarm built from its key.

use std::time::Duration;

use liandong_protocol::EntryId;
use liandong_protocol::net::MAX_FRAME_BYTES;
use libp2p::gossipsub::{self, IdentTopic, MessageAuthenticity, MessageId, ValidationMode};
use libp2p::swarm::NetworkBehaviour;
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::{
    Swarm, SwarmBuilder, Transport, allow_block_list, connection_limits, identify, identity, mdns,
    noise, ping, request_response, tcp, yamux,
};

use super::NetConfig;
use super::codec::{PROTOCOL, SyncCodec};
use super::door::PendingPerIp;
use super::handover_codec::{self, HandoverCodec};

/// Largest gossip message: one entry.
pub const MAX_GOSSIP_BYTES: usize = 256 * 1024;
// A gossiped entry must also fit a sync frame.
const _: () = assert!(MAX_GOSSIP_BYTES <= MAX_FRAME_BYTES);

/// Heartbeats a message stays in the cache (and so may wait for validation).
const VALIDATION_HEARTBEATS: usize = 30;

/// How long a request may take before it fails. Bulk transfers are paced so
/// that one request is a second or two of link time even on a thin link
/// (`node::pace`); this only catches a peer that stopped answering.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a new connection may take to finish its Noise and Yamux
/// handshake: a silent socket gives its slot back after this.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Inbound connections in their handshake, from all hosts together (each
/// host has its own, smaller share: `door::MAX_PENDING_PER_IP`).
const MAX_PENDING_INCOMING: u32 = 256;
/// A ping every this often on every connection, each given this long to
/// come back; a connection without an answered ping for
/// `links::LIVENESS` is closed, so a link that died silently is noticed in
/// seconds, not when the kernel gives up on TCP a quarter of an hour later.
pub const PING_INTERVAL: Duration = Duration::from_secs(4);
pub const PING_TIMEOUT: Duration = Duration::from_secs(10);
/// Concurrent inbound and outbound request streams per connection.
const MAX_CONCURRENT_STREAMS: usize = 32;
/// How long a certificate ask may take: one small frame each way.
pub const HANDOVER_TIMEOUT: Duration = Duration::from_secs(20);
/// Concurrent certificate asks per connection (a newcomer sends one).
const MAX_HANDOVER_STREAMS: usize = 2;

// libp2p's behaviours do not implement Debug.
#[allow(missing_debug_implementations)]
#[derive(NetworkBehaviour)]
pub struct Behaviour {
    // The deny-behaviours first: they are consulted for every connection.
    pub door: PendingPerIp,
    pub blocked: allow_block_list::Behaviour<allow_block_list::BlockedPeers>,
    pub limits: connection_limits::Behaviour,
    pub gossipsub: gossipsub::Behaviour,
    pub sync: request_response::Behaviour<SyncCodec>,
    /// Certificate requests handed over by posts not yet admitted
    /// (`/liandong/cert-request/1`): answered, never asked, by a post.
    pub handover: request_response::Behaviour<HandoverCodec>,
    pub identify: identify::Behaviour,
    pub ping: ping::Behaviour,
    pub mdns: Toggle<mdns::tokio::Behaviour>,
}

/// The gossip message id is the entry id, so a message and the entry it
/// carries are deduplicated alike.
fn message_id(message: &gossipsub::Message) -> MessageId {
    MessageId::from(EntryId::of_wire_bytes(&message.data).0.to_vec())
}

/// Gossipsub's settings; `bench net`'s plain-gossipsub baseline uses the
/// same ones, so the comparison is of everything around gossipsub.
pub(crate) fn gossipsub_config(
    heartbeat: Duration,
) -> Result<gossipsub::Config, gossipsub::ConfigBuilderError> {
    let mut b = gossipsub::ConfigBuilder::default();
    b.validate_messages() // the application validates before anything is forwarded
        .validation_mode(ValidationMode::None) // entries carry their own signatures
        .message_id_fn(message_id)
        .max_transmit_size(MAX_GOSSIP_BYTES)
        .duplicate_cache_time(Duration::from_secs(300))
        .heartbeat_initial_delay(Duration::from_millis(100))
        .heartbeat_interval(heartbeat)
        // A message waiting for validation is dropped (never forwarded)
        // once it leaves the cache, after `history_length` heartbeats: give
        // a busy post with a slow disk seconds, not half a second.
        .history_length(VALIDATION_HEARTBEATS);
    b.build()
}

/// Gossipsub's peer scores, set so that only proof can make a score
/// negative.
///
/// Left on: P1–P2 (time in the mesh, first deliveries: small positive
/// credit) and P4, invalid messages — a message this post rejected
/// because no honest post would have relayed it (`node::gossip`).
///
/// Switched off, because each punishes weather, not wrongdoing, and each
/// isolated honest posts in the field (docs/network.md):
/// - P3/P3b mesh delivery rates: quiet posts are normal;
/// - P6 IP colocation: posts behind one NAT or on one host share an IP;
/// - P7 behaviour penalties: a post restarted within the prune backoff
///   re-grafts "too early" (−160 after a 2-second restart), and a slow link
///   misses IWANT promises;
/// - the slow-peer penalty: this post's *own* send queue to a peer on a
///   thin or briefly dead link overflowing (−245 after a burst).
///
/// With only P4 negative, a score under the ban floor (`event_loop`) is
/// proof of invalid messages.
fn peer_score(
    topics: &[IdentTopic],
) -> (gossipsub::PeerScoreParams, gossipsub::PeerScoreThresholds) {
    let mut params = gossipsub::PeerScoreParams {
        ip_colocation_factor_weight: 0.0,
        behaviour_penalty_weight: 0.0,
        slow_peer_weight: 0.0,
        // Counters of a disconnected peer are kept this long: only P4 can
        // be negative, and it halves every second.
        retain_score: Duration::from_secs(60),
        ..Default::default()
    };
    let topic_params = gossipsub::TopicScoreParams {
        topic_weight: 1.0,
        time_in_mesh_weight: 0.1,
        time_in_mesh_quantum: Duration::from_secs(1),
        time_in_mesh_cap: 10.0,
        first_message_deliveries_weight: 1.0,
        first_message_deliveries_cap: 10.0,
        first_message_deliveries_decay: 0.9,
        invalid_message_deliveries_weight: -10.0,
        invalid_message_deliveries_decay: 0.5,
        mesh_message_deliveries_weight: 0.0,
        mesh_failure_penalty_weight: 0.0,
        ..Default::default()
    };
    for t in topics {
        params.topics.insert(t.hash(), topic_params.clone());
    }
    let thresholds = gossipsub::PeerScoreThresholds {
        gossip_threshold: -10.0,
        publish_threshold: -50.0,
        graylist_threshold: -80.0,
        ..Default::default()
    };
    (params, thresholds)
}

pub type BuildError = Box<dyn std::error::Error + Send + Sync>;

fn build_behaviour(
    key: &identity::Keypair,
    cfg: &NetConfig,
    topics: &[IdentTopic],
) -> Result<Behaviour, BuildError> {
    let mut gossipsub = gossipsub::Behaviour::new(
        MessageAuthenticity::Anonymous,
        gossipsub_config(cfg.heartbeat)?,
    )?;
    let (params, thresholds) = peer_score(topics);
    gossipsub.with_peer_score(params, thresholds)?;

    let sync = request_response::Behaviour::with_codec(
        SyncCodec,
        [(PROTOCOL, request_response::ProtocolSupport::Full)],
        request_response::Config::default()
            .with_request_timeout(REQUEST_TIMEOUT)
            .with_max_concurrent_streams(MAX_CONCURRENT_STREAMS),
    );
    let handover = handover_behaviour(request_response::ProtocolSupport::Inbound);
    let identify = identify::Behaviour::new(
        identify::Config::new("/liandong/id/1".into(), key.public())
            .with_agent_version(format!("liandong/{}", env!("CARGO_PKG_VERSION"))),
    );
    let ping = ping::Behaviour::new(
        ping::Config::new()
            .with_interval(PING_INTERVAL)
            .with_timeout(PING_TIMEOUT),
    );
    let mdns = if cfg.mdns {
        Some(mdns::tokio::Behaviour::new(
            mdns::Config::default(),
            key.public().to_peer_id(),
        )?)
    } else {
        None
    };
    let limits = connection_limits::Behaviour::new(
        connection_limits::ConnectionLimits::default()
            .with_max_pending_incoming(Some(MAX_PENDING_INCOMING))
            .with_max_pending_outgoing(Some(64))
            .with_max_established(Some(cfg.max_connections))
            .with_max_established_per_peer(Some(2)),
    );
    Ok(Behaviour {
        door: PendingPerIp::default(),
        blocked: allow_block_list::Behaviour::default(),
        limits,
        gossipsub,
        sync,
        handover,
        identify,
        ping,
        mdns: Toggle::from(mdns),
    })
}

/// The certificate handover protocol, answering (a post) or asking (the
/// courier, `courier.rs`).
pub(crate) fn handover_behaviour(
    support: request_response::ProtocolSupport,
) -> request_response::Behaviour<HandoverCodec> {
    request_response::Behaviour::with_codec(
        HandoverCodec,
        [(handover_codec::PROTOCOL, support)],
        request_response::Config::default()
            .with_request_timeout(HANDOVER_TIMEOUT)
            .with_max_concurrent_streams(MAX_HANDOVER_STREAMS),
    )
}

/// Builds the swarm from the post's own key.
pub fn build_swarm(
    keypair: identity::Keypair,
    cfg: &NetConfig,
    topics: &[IdentTopic],
) -> Result<Swarm<Behaviour>, BuildError> {
    swarm_with(keypair, |key| build_behaviour(key, cfg, topics))
}

/// A swarm on the transports every post speaks — QUIC, and TCP (Noise,
/// Yamux, a handshake deadline) — running `behaviour`: the post's own, or
/// the courier's (`courier.rs`), so both reach the same posts alike.
pub(crate) fn swarm_with<B: NetworkBehaviour>(
    keypair: identity::Keypair,
    behaviour: impl FnOnce(&identity::Keypair) -> Result<B, BuildError>,
) -> Result<Swarm<B>, BuildError> {
    Ok(SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_quic()
        // libp2p's own TCP set-up has no handshake deadline: a socket that
        // connects and says nothing would hold a pending slot until TCP
        // itself gives up.
        .with_other_transport(|key| -> Result<_, BuildError> {
            Ok(
                tcp::tokio::Transport::new(tcp::Config::default().nodelay(true))
                    .upgrade(libp2p::core::upgrade::Version::V1Lazy)
                    .authenticate(noise::Config::new(key)?)
                    .multiplex(yamux::Config::default())
                    .timeout(HANDSHAKE_TIMEOUT),
            )
        })?
        .with_behaviour(behaviour)?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(120)))
        .build())
}
