//! The simulated world's state: posts (each with its real interest, topic
//! set, peer policy and per-peer pace), links, entries and the event
//! queue; and what every delivery path shares: storing an entry (the
//! ledger's scope check) and what follows a new entry (upward pushes).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::ops::Bound;
use std::time::{Duration, Instant};

use liandong_protocol::interest::home_region;
use liandong_protocol::{EntryId, Hlc, Interest, Level, RegionCode, UnitType};
use libp2p::PeerId;

use super::link::{Link, Micros};
use super::session::Session;
use crate::node::pace::Pace;
use crate::policy::{Effect, Event, PeerPolicy};

/// Which part of the run something happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Everyone connected, everyone writing.
    Live,
    /// From the cut until convergence after the heal.
    Partition,
}

/// Bytes one post sent and received, by path.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Traffic {
    pub gossip_sent: u64,
    pub gossip_received: u64,
    pub push_sent: u64,
    pub push_received: u64,
    pub sync_sent: u64,
    pub sync_received: u64,
}

impl Traffic {
    pub fn sent(&self) -> u64 {
        self.gossip_sent + self.push_sent + self.sync_sent
    }
    pub fn received(&self) -> u64 {
        self.gossip_received + self.push_received + self.sync_received
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    Gossip,
    Push,
    Sync,
}

/// One simulated entry: what the protocol looks at (scope, HLC, id) and
/// its size on the wire.
#[derive(Debug, Clone)]
pub struct SimEntry {
    pub scope: RegionCode,
    pub key: [u8; 12],
    pub home: RegionCode,
    pub hlc: Hlc,
    pub id: EntryId,
    pub wire_len: usize,
    /// Length of its home topic's name (gossip carries it).
    pub topic_len: usize,
    pub written: Micros,
    pub phase: Phase,
}

/// A push queue towards one peer (`node/push.rs`): what waits, and
/// whether a frame is on its way.
#[derive(Debug, Default)]
pub struct PushQueue {
    pub queued: Vec<u32>,
    pub in_flight: bool,
}

/// This post's side of one connection.
#[derive(Debug)]
pub struct PeerEnd {
    pub peer: usize,
    pub link: usize,
    pub pace: Pace,
    pub push: PushQueue,
}

#[derive(Debug)]
pub struct SimPost {
    pub region: RegionCode,
    pub level: Level,
    pub unit: UnitType,
    pub interest: Interest,
    /// Topic regions, sorted (`node::topic_regions`).
    pub topics: Vec<RegionCode>,
    pub peer_id: PeerId,
    pub peers: Vec<PeerEnd>,
    pub policy: PeerPolicy,
    pub held: HashSet<u32>,
    /// Held entries by scope key, for range reads like the store's.
    pub by_scope: BTreeMap<[u8; 12], Vec<u32>>,
    /// Gossip message ids seen (gossipsub's duplicate cache).
    pub seen: HashSet<u32>,
    /// Entries written anywhere whose scope this post's interest holds.
    pub expected: u32,
    pub traffic: [Traffic; 2],
    pub sessions: u32,
    /// When an `Ev::Wake` is queued for this post (an owed cascade).
    pub wake_at: Option<Micros>,
}

impl SimPost {
    pub fn end_for(&self, peer: usize) -> Option<usize> {
        self.peers.iter().position(|e| e.peer == peer)
    }

    pub fn hears(&self, topic: &RegionCode) -> bool {
        self.topics.binary_search(topic).is_ok()
    }
}

/// What happens at a simulated instant.
#[derive(Debug)]
pub enum Ev {
    Write {
        post: usize,
    },
    Tick {
        post: usize,
    },
    /// The post's policy has a cascade due (`PeerPolicy::next_due`): a
    /// tick between its regular ones, as the node wakes it.
    Wake {
        post: usize,
    },
    Gossip {
        to: usize,
        from: usize,
        link: usize,
        epoch: u32,
        entry: u32,
    },
    Push {
        to: usize,
        from: usize,
        link: usize,
        epoch: u32,
        entries: Vec<u32>,
    },
    Pushed {
        pusher: usize,
        to: usize,
        link: usize,
        epoch: u32,
        bytes: usize,
    },
    Serve {
        session: u64,
    },
    Answer {
        session: u64,
    },
    Cut,
    Heal,
    Reconnected {
        link: usize,
    },
    /// The live phase has run long enough: cut now even if not converged.
    LiveDeadline,
}

#[derive(Debug)]
struct Queued {
    at: Micros,
    seq: u64,
    ev: Ev,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    // Reversed: the heap pops the earliest, then the first scheduled.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// The event queue.
#[derive(Debug, Default)]
pub struct Queue {
    heap: BinaryHeap<Queued>,
    seq: u64,
}

impl Queue {
    pub fn at(&mut self, at: Micros, ev: Ev) {
        self.seq += 1;
        self.heap.push(Queued {
            at,
            seq: self.seq,
            ev,
        });
    }
    pub fn pop(&mut self) -> Option<(Micros, Ev)> {
        self.heap.pop().map(|q| (q.at, q.ev))
    }
}

/// Keys of every region in `r`'s subtree, as a range of fixed-width keys.
pub fn subtree_range(r: &RegionCode) -> (Bound<[u8; 12]>, Bound<[u8; 12]>) {
    let prefix = r.subtree_key_prefix();
    let mut lo = [0u8; 12];
    let mut hi = [0xffu8; 12];
    lo[..prefix.len()].copy_from_slice(prefix);
    hi[..prefix.len()].copy_from_slice(prefix);
    (Bound::Included(lo), Bound::Included(hi))
}

#[allow(missing_debug_implementations)] // a whole world is too much to print
pub struct World {
    pub posts: Vec<SimPost>,
    pub links: Vec<Link>,
    pub entries: Vec<SimEntry>,
    pub by_id: HashMap<EntryId, u32>,
    pub by_prefix: HashMap<[u8; 8], u32>,
    pub by_peer_id: HashMap<PeerId, usize>,
    /// Posts by their region's key, and by the regions they cooperate with.
    pub posts_at: BTreeMap<[u8; 12], Vec<usize>>,
    pub partners_of: BTreeMap<[u8; 12], Vec<usize>>,
    pub queue: Queue,
    pub sessions: HashMap<u64, Session>,
    pub next_session: u64,
    pub now: Micros,
    pub base: Instant,
    pub phase: Phase,
    /// (post, entry) pairs that should be held, and are.
    pub expected_pairs: u64,
    pub held_pairs: u64,
    pub expected_bytes: u64,
    pub held_bytes: u64,
    /// Delivery delay of each live entry to each post that holds it, ms.
    pub delays_ms: Vec<u32>,
    pub session_count: [u64; 2],
    pub problems: Vec<String>,
    pub entry_template: usize,
    pub network: liandong_protocol::NetworkId,
    /// Responders' sealed item sets by (post, scope), with the post's
    /// held count when built (`session.rs`).
    pub set_cache: HashMap<
        (usize, Vec<liandong_protocol::interest::Selector>),
        (usize, std::rc::Rc<liandong_protocol::sync::ItemSet>),
    >,
}

/// Gossipsub's framing of one published message beyond its data and topic
/// name (protobuf tags and length varints of the RPC and the message).
pub const GOSSIP_FRAMING: usize = 12;
/// The wall clock the simulated HLCs start from (2026-12-01).
const WALL_START_MS: u64 = 1_796_083_200_000;

impl World {
    pub fn instant(&self) -> Instant {
        self.base + Duration::from_micros(self.now)
    }

    pub fn count(&mut self, post: usize, path: Path, sent: bool, bytes: usize) {
        let t = &mut self.posts[post].traffic[self.phase as usize];
        let b = bytes as u64;
        match (path, sent) {
            (Path::Gossip, true) => t.gossip_sent += b,
            (Path::Gossip, false) => t.gossip_received += b,
            (Path::Push, true) => t.push_sent += b,
            (Path::Push, false) => t.push_received += b,
            (Path::Sync, true) => t.sync_sent += b,
            (Path::Sync, false) => t.sync_received += b,
        }
    }

    /// A new entry written by `author` now.
    pub fn new_entry(&mut self, author: usize, seed: u64) -> u32 {
        let n = self.entries.len() as u32;
        let scope = self.posts[author].region.clone();
        let mut id_src = seed.to_le_bytes().to_vec();
        id_src.extend_from_slice(&n.to_le_bytes());
        let id = EntryId(*blake3::hash(&id_src).as_bytes());
        let wall = WALL_START_MS + self.now / 1000;
        let home = home_region(&scope);
        let entry = SimEntry {
            key: scope.key(),
            topic_len: super::run::topic_len(&self.network, &home),
            home,
            scope,
            hlc: Hlc::new(wall, (n & 0xffff) as u16),
            id,
            wire_len: self.entry_template,
            written: self.now,
            phase: self.phase,
        };
        self.by_id.insert(id, n);
        self.by_prefix.insert(id.prefix(), n);
        let wire_len = entry.wire_len as u64;
        let targets = self.interested(&entry);
        self.entries.push(entry);
        for p in targets {
            self.posts[p].expected += 1;
            self.expected_pairs += 1;
            self.expected_bytes += wire_len;
        }
        n
    }

    /// Posts whose interest holds `entry`'s scope: candidates from the
    /// tree (posts inside the scope, at its ancestors, and cooperating
    /// with either), kept only if the real interest rule says so.
    pub fn interested(&self, entry: &SimEntry) -> Vec<usize> {
        let mut candidates: Vec<usize> = Vec::new();
        let mut near: Vec<RegionCode> = entry.scope.ancestors();
        near.push(entry.scope.clone());
        for index in [&self.posts_at, &self.partners_of] {
            for (_, ps) in index.range(subtree_range(&entry.scope)) {
                candidates.extend(ps);
            }
            for r in &near {
                if let Some(ps) = index.get(&r.key()) {
                    candidates.extend(ps);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates.retain(|&p| self.posts[p].interest.contains(&entry.scope));
        candidates
    }

    /// The ledger's insert: an entry outside the post's interest is not
    /// kept (`OutOfScope`), one held already is a duplicate. True if new.
    pub fn store(&mut self, post: usize, entry: u32) -> bool {
        let e = &self.entries[entry as usize];
        let p = &mut self.posts[post];
        if !p.interest.contains(&e.scope) || !p.held.insert(entry) {
            return false;
        }
        p.by_scope.entry(e.key).or_default().push(entry);
        self.held_pairs += 1;
        self.held_bytes += e.wire_len as u64;
        if e.phase == Phase::Live && self.phase == Phase::Live {
            self.delays_ms
                .push(((self.now - e.written) / 1000).min(u32::MAX as u64) as u32);
        }
        true
    }

    /// What the store's `items_in` returns: the (HLC, id) of every held
    /// entry within `interest`, read by its selectors' key ranges.
    pub fn items_in(&self, post: usize, interest: &Interest) -> Vec<(Hlc, EntryId)> {
        use liandong_protocol::interest::Selector;
        let p = &self.posts[post];
        let mut out = Vec::new();
        let mut push = |ids: &Vec<u32>| {
            for &i in ids {
                let e = &self.entries[i as usize];
                out.push((e.hlc, e.id));
            }
        };
        for s in interest.selectors() {
            match s {
                Selector::Subtree(r) => {
                    for (_, ids) in p.by_scope.range(subtree_range(r)) {
                        push(ids);
                    }
                }
                Selector::Exact(r) => {
                    if let Some(ids) = p.by_scope.get(&r.key()) {
                        push(ids);
                    }
                }
            }
        }
        // No duplicates to drop: an interest's selectors never overlap
        // (`Interest::from_selectors`), and `ItemSet::new` sorts.
        out
    }

    /// After a new entry is stored at `post` (`gossip::after_new_entry`):
    /// queue it for connected posts that hold its scope but do not hear its
    /// topic, except the one it came from.
    pub fn after_new_entry(&mut self, post: usize, entry: u32, source: Option<usize>) {
        let scope = self.entries[entry as usize].scope.clone();
        let targets: Vec<usize> = self.posts[post]
            .peers
            .iter()
            .enumerate()
            .filter(|(_, end)| {
                let q = &self.posts[end.peer];
                self.links[end.link].up
                    && Some(end.peer) != source
                    && crate::node::peers::needs_push(&q.region, &q.interest, &scope)
            })
            .map(|(i, _)| i)
            .collect();
        for end in targets {
            self.posts[post].peers[end].push.queued.push(entry);
            self.pump_push(post, end);
        }
    }

    /// Feeds an event to `post`'s peer policy and carries out its effects.
    pub fn policy(&mut self, post: usize, event: Event) {
        let now = self.instant();
        let effects = self.posts[post].policy.handle(event, now);
        self.wake_for_due(post);
        for effect in effects {
            match effect {
                Effect::Sync {
                    peer,
                    session,
                    offer,
                } => match self.by_peer_id.get(&peer) {
                    Some(&other) => {
                        let offer = offer.map(|ids| self.known(&ids));
                        self.start_session(post, other, session, offer)
                    }
                    None => self
                        .problems
                        .push(format!("post {post} synced an unknown peer")),
                },
                Effect::Ban { peer, reason } => self.problems.push(format!(
                    "post {post} banned {peer}: {reason} (no post here misbehaves)"
                )),
            }
        }
    }

    /// Queues an `Ev::Wake` at the post's next owed cascade, unless one
    /// is queued for then or earlier.
    fn wake_for_due(&mut self, post: usize) {
        let Some(due) = self.posts[post].policy.next_due() else {
            return;
        };
        // Rounded up: a wake a fraction of a microsecond early would find
        // nothing due and queue itself again at the same instant.
        let at = due
            .saturating_duration_since(self.base)
            .as_nanos()
            .div_ceil(1000) as Micros;
        let at = at.max(self.now);
        let p = &mut self.posts[post];
        if p.wake_at
            .is_some_and(|queued| queued <= at && queued >= self.now)
        {
            return;
        }
        p.wake_at = Some(at);
        self.queue.at(at, Ev::Wake { post });
    }

    /// A stand-in for an entry's wire bytes, as long as the real one, that
    /// names the entry in its first four bytes: what the protocol's
    /// batching and frame encoders are given, so frame sizes are theirs.
    pub fn wire(&self, entry: u32) -> Vec<u8> {
        let mut w = vec![0u8; self.entries[entry as usize].wire_len];
        w[..4].copy_from_slice(&entry.to_le_bytes());
        w
    }

    pub fn entry_of_wire(wire: &[u8]) -> Option<u32> {
        let head: [u8; 4] = wire.get(..4)?.try_into().ok()?;
        Some(u32::from_le_bytes(head))
    }

    pub fn converged(&self) -> bool {
        self.held_pairs == self.expected_pairs
    }
}
