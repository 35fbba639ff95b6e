//! What the node knows about each connected peer.

use std::collections::{HashMap, VecDeque};

use crate::service::status::{BannedBy, Heard, SyncTotals};
use crate::service::sync::SyncStats;
use liandong_protocol::interest::{home_region, subscribed_regions};
use liandong_protocol::net::Hello;
use liandong_protocol::{Body, Interest, RegionCode, SignedEntry};
use libp2p::{Multiaddr, PeerId};

/// Sync records kept, for status, the console and benchmarks.
const HISTORY: usize = 256;
/// Posts remembered as heard from; beyond this the longest silent is
/// forgotten (a village box must not grow without bound).
const MAX_HEARD: usize = 1024;

#[derive(Debug)]
pub struct Peer {
    pub address: Multiaddr,
    pub connected_ms: u64,
    pub hello: Option<Hello>,
    /// The peer's name, from the profile in its hello.
    pub name: Option<String>,
    pub last_sync: Option<SyncStats>,
    /// How much bulk one exchange with this peer may carry (`pace.rs`).
    pub pace: super::pace::Pace,
}

impl Peer {
    /// True when a new entry with this scope is to be pushed to the peer
    /// (`push.rs`): it holds the scope but gossip does not reach it.
    pub fn needs_push(&self, scope: &RegionCode) -> bool {
        self.hello
            .as_ref()
            .is_some_and(|h| needs_push(&h.region, &h.interest, scope))
    }

    pub fn interest(&self) -> Option<&Interest> {
        self.hello.as_ref().map(|h| &h.interest)
    }
}

/// Whether a post at `region` holding `interest` gets a new entry with
/// this scope by a direct push: it holds the scope, and the entry's home
/// topic is not one it subscribes to (a prefecture, province or national
/// post, for a county's entries). The one rule the node (`gossip.rs`) and
/// the simulator (`benchsim`) apply.
pub(crate) fn needs_push(region: &RegionCode, interest: &Interest, scope: &RegionCode) -> bool {
    interest.contains(scope) && !subscribed_regions(region).contains(&home_region(scope))
}

#[derive(Debug, Default)]
pub struct Peers {
    pub by_id: HashMap<PeerId, Peer>,
    pub history: VecDeque<SyncStats>,
    pub totals: SyncTotals,
    /// Every post that introduced itself, kept after it disconnects: the
    /// console shows when a post (the parent above all) was last heard from.
    pub heard: HashMap<PeerId, Heard>,
    /// Peers that told this post they ban it, and until when.
    pub banned_by: HashMap<PeerId, BannedBy>,
}

impl Peers {
    pub fn connected(&mut self, peer: PeerId, address: Multiaddr, now_ms: u64) {
        self.by_id.entry(peer).or_insert_with(|| Peer {
            address,
            connected_ms: now_ms,
            hello: None,
            name: None,
            last_sync: None,
            pace: Default::default(),
        });
    }

    /// A lost link is not a word from the peer: its last-heard time stays
    /// at its last hello, message or sync, so a link that died silently
    /// does not read as "heard just now" on the cut-off banner.
    pub fn disconnected(&mut self, peer: &PeerId) {
        self.by_id.remove(peer);
        if let Some(h) = self.heard.get_mut(peer) {
            h.connected = false;
        }
    }

    pub fn set_hello(&mut self, peer: &PeerId, hello: Hello, now_ms: u64) {
        if let Some(p) = self.by_id.get_mut(peer) {
            p.name = hello.profile.as_deref().and_then(profile_name);
            if self.heard.len() >= MAX_HEARD && !self.heard.contains_key(peer) {
                let oldest = self
                    .heard
                    .iter()
                    .filter(|(_, h)| !h.connected)
                    .min_by_key(|(_, h)| h.last_ms)
                    .map(|(id, _)| *id);
                if let Some(id) = oldest {
                    self.heard.remove(&id);
                }
            }
            self.heard.insert(
                *peer,
                Heard {
                    peer_id: peer.to_string(),
                    node_id: hello.node.to_hex(),
                    name: p.name.clone(),
                    region: hello.region.to_string(),
                    connected: true,
                    last_ms: now_ms,
                },
            );
            p.hello = Some(hello);
        }
    }

    /// Something arrived from `peer` (a gossip message, a push).
    pub fn touch(&mut self, peer: &PeerId, now_ms: u64) {
        if let Some(h) = self.heard.get_mut(peer) {
            h.last_ms = h.last_ms.max(now_ms);
        }
    }

    pub fn record_sync(&mut self, stats: SyncStats, now_ms: u64) {
        if stats.ok
            && let Some(id) = stats.peer_id()
        {
            self.touch(&id, now_ms);
        }
        let t = &mut self.totals;
        t.sessions += 1;
        t.failed += u64::from(!stats.ok);
        t.round_trips += u64::from(stats.round_trips);
        t.bytes_sent += stats.bytes_sent;
        t.bytes_received += stats.bytes_received;
        t.fetched += stats.fetched;
        t.pushed += stats.pushed;
        t.entry_bytes += stats.entry_bytes;
        t.reconcile_bytes += stats.reconcile_bytes;
        if let Some(p) = stats.peer_id().and_then(|id| self.by_id.get_mut(&id)) {
            p.last_sync = Some(stats.clone());
        }
        self.history.push_back(stats);
        while self.history.len() > HISTORY {
            self.history.pop_front();
        }
    }
}

fn profile_name(wire: &[u8]) -> Option<String> {
    match SignedEntry::decode_stored(wire).ok()?.body().ok()? {
        Body::PostProfile(p) => Some(p.name),
        _ => None,
    }
}
