//! Peer policy without IO, in the manner of iroh-gossip's `proto`: what a
//! post decides about its peers — when to sync and with whom, who is
//! throttled, who is kept out for an invalid delivery or a missing hello,
//! which entries are being fetched already, which chain gaps were asked
//! for lately — as a state machine fed events with the time, returning
//! effects for the node to carry out (`node/core.rs`).
//!
//! Nothing here touches the network, the store, a clock or a random source
//! it was not given, so the rules run the same in a unit test, in the
//! seeded simulator below (`sim.rs`: honest posts that restart, stall and
//! sync slowly next to hostile ones, over simulated hours) and on a post.
//!
//! The rules that matter most, and are tested here:
//! - slowness, restarts and silence after a hello never ban anyone; only
//!   a hello that never comes, a refused hello, or more invalid deliveries
//!   than an honest post could make does;
//! - at most one sync session per peer at a time; entries that arrived in
//!   bulk are offered to every other peer (a healed partition converges in
//!   a few rounds), never back towards where they came from, and not to a
//!   peer known to hold them (it offered them, a reconciliation found them
//!   there, it was offered them before) or that synced with this post
//!   meanwhile (the cascade waits [`CASCADE_DELAY`] for that, see
//!   `PeerPolicy::cascade`).
//!
//! The network layer's own machines — who is banned until when
//! (`net/bans.rs`) and the redial backoff of configured links
//! (`net/redial.rs`) — are sans-IO in the same way; the simulator drives
//! the ban book with this policy's effects.

mod claims;
mod gaps;
#[cfg(test)]
mod sim;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use liandong_protocol::EntryId;
use libp2p::PeerId;
use rand::rngs::StdRng;
use rand::seq::IteratorRandom;
use rand::{Rng, SeedableRng};

pub use claims::{CLAIM_LAPSE, Claims};
pub use gaps::{GAP_RETRY, GapMemory};

use crate::net::bans::BanReason;

/// Invalid entries a peer may deliver (gossip, push or sync) before it is
/// kept out. An honest post relays none that blame it
/// (`ValidationError::blames_relay`), so any bound works; this one leaves
/// room for a post whose own clock or version is off.
pub const MAX_INVALID_DELIVERIES: u32 = 64;
/// Requests one peer may have in flight; more are refused as throttled.
pub const MAX_PEER_INFLIGHT: usize = 16;
/// How often the node hands the policy an `Event::Tick` (deadlines, the
/// sync timer, follow-ups).
pub const TICK: Duration = Duration::from_secs(1);
/// How long a peer left behind by a cascade (it was syncing) stays quiet
/// before it is synced once more, when what it missed is not known by id
/// and only reconciling will do (`PeerPolicy::follow_ups`).
pub const FOLLOW_UP_AFTER: Duration = Duration::from_secs(2);

/// How long a cascade waits before it offers a peer what arrived (a random
/// time between this and twice this, per peer). In a heal the entries
/// reach most posts from several sides at once: waiting lets the fetches of
/// a burst land first and go as one offer, and lets a neighbour that got
/// them elsewhere offer them to this post first ([`Event::Holds`]), which
/// makes this post's offer to it unnecessary. Measured (BENCHMARKS.md,
/// "Heal bytes"): with no wait, 100 posts in one process on two cores ran
/// more sessions at once and took longer to heal; with 250 ms the simulated
/// national heal took twice as long; 100 ms is within a quarter of the
/// heal time before offers in both.
pub const CASCADE_DELAY: Duration = Duration::from_millis(100);
/// The most ids a peer may be owed and still be offered them (one
/// `Offer` frame, the protocol's own bound); more, and the cascade
/// reconciles in full instead, which then costs less than the ids.
pub const MAX_OWED_IDS: usize = liandong_protocol::net::MAX_FETCH_IDS;
/// The most id prefixes kept per peer of what it is known to hold
/// (`PeerState::known_held`): four offers' worth, 32 KB. One more, and those
/// kept are forgotten: at worst an entry is then offered to a post that
/// has it.
pub const MAX_KNOWN_HELD: usize = 4 * MAX_OWED_IDS;

/// The knobs of the policy (a post's options, or a test's).
#[derive(Debug, Clone)]
pub struct PolicyConfig {
    /// How long a new connection may go without an accepted hello.
    pub hello_timeout: Duration,
    /// Anti-entropy with one random peer this often.
    pub sync_interval: Duration,
}

/// What happened, as the policy needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A connection to `peer` opened (this post dialled, or was dialled).
    Connected(PeerId),
    /// The peer's hello was accepted: it is admitted to sync.
    Admitted(PeerId),
    /// The peer's hello was refused (wrong network, no valid chain).
    Refused { peer: PeerId, why: String },
    /// The last connection to `peer` closed.
    Disconnected(PeerId),
    /// The peer delivered `count` entries that blame it.
    Invalid { peer: PeerId, count: u32 },
    /// New entries arrived in bulk (push, sync, gap fetch, hello, bundle)
    /// from these peers (none for a bundle): spread them with syncs. The
    /// node gathers the arrivals queued while it was busy into one event,
    /// so that a burst starts one round of syncs. `ids` are the new
    /// entries, offered to each peer as they are (`Effect::Sync::offer`);
    /// `None` when the node lost count of them (then peers reconcile).
    Arrived {
        from: Vec<PeerId>,
        ids: Option<Vec<EntryId>>,
    },
    /// The peer holds the entries with these id prefixes, so they need not
    /// be offered to it: it offered them to this post, a reconciliation
    /// with it found them on its side, or this post offered them to it
    /// (it took them, had them, or is fetching them from another peer).
    Holds {
        peer: PeerId,
        prefixes: Vec<[u8; 8]>,
    },
    /// A sync session ended (however it ended).
    SyncEnded { peer: PeerId, session: u64 },
    /// The peer started a sync session with this post: it reconciles
    /// against everything this post holds now, both ways, so whatever
    /// arrived before is carried to it without a session of this post's.
    Served(PeerId),
    /// Time passed: deadlines and the sync timer are checked.
    Tick,
}

/// What the node is to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Keep `peer` out, tell it why, close its connections.
    Ban { peer: PeerId, reason: BanReason },
    /// Run sync session `session` with `peer` (marked as running already;
    /// end it with [`Event::SyncEnded`]): with `offer`, only offer it those
    /// entries (what arrived since it was last synced: a cascade carries
    /// what it knows instead of reconciling again); without, reconcile.
    Sync {
        peer: PeerId,
        session: u64,
        offer: Option<Vec<EntryId>>,
    },
}

/// Why a sync asked for by hand cannot start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncRefusal {
    /// The peer is not connected or has not said hello.
    NoHello,
    /// A session with it is running.
    Busy,
}

#[derive(Debug, Clone)]
struct PeerState {
    connected_at: Instant,
    admitted: bool,
    /// The sync session running with this connection, if any.
    syncing: Option<u64>,
    /// New entries arrived from elsewhere while that session ran, too late
    /// for it to carry: sync again `FOLLOW_UP_AFTER` after it ends, unless
    /// another session starts first. Without this the peer waited for the
    /// sync timer (the 10,000-post simulation saw a township wait 270 s).
    behind: bool,
    /// Entries arrived from elsewhere while this peer was idle: a session
    /// with it is due at this time, unless one (either way) starts first.
    owed: Option<Instant>,
    /// The entries arrived since the last session with this peer that it
    /// may lack (at most [`MAX_OWED_IDS`]); `owed_all` when more arrived,
    /// or an arrival came without its ids: then only reconciling will do.
    owed_ids: Vec<EntryId>,
    owed_all: bool,
    /// Prefixes of ids the peer is known to hold ([`Event::Holds`]; at most
    /// [`MAX_KNOWN_HELD`]): an arrival of those entries here later is not
    /// owed to it. (In a heal a post fetches entries from several peers at
    /// once: those it fetched from one arrive from another, and that first
    /// peer, which has them, was offered them back.)
    known_held: HashSet<[u8; 8]>,
    /// When the last session with this connection ended.
    idle_since: Instant,
    inflight: usize,
    invalid: u32,
}

impl PeerState {
    /// A session that sees everything held now (either way) started: it
    /// carries whatever was owed.
    fn paid(&mut self) {
        self.owed = None;
        self.behind = false;
        self.owed_ids.clear();
        self.owed_all = false;
    }

    /// Owes the peer these entries too, but those it is known to hold
    /// (`None`: entries it was not told). Whether it is owed anything now.
    fn owe(&mut self, ids: Option<&[EntryId]>) -> bool {
        let lacking: Option<Vec<EntryId>> = ids.map(|ids| {
            ids.iter()
                .filter(|id| !self.known_held.contains(&id.prefix()))
                .copied()
                .collect()
        });
        match lacking {
            Some(ids) if !self.owed_all && self.owed_ids.len() + ids.len() <= MAX_OWED_IDS => {
                self.owed_ids.extend(ids);
            }
            _ => {
                self.owed_all = true;
                self.owed_ids = Vec::new();
            }
        }
        self.owed_all || !self.owed_ids.is_empty()
    }

    /// The peer holds these: owed no more, and not owed again when they
    /// arrive here.
    fn holds(&mut self, prefixes: Vec<[u8; 8]>) {
        if self.known_held.len() + prefixes.len() > MAX_KNOWN_HELD {
            self.known_held.clear();
        }
        self.known_held.extend(prefixes);
        let known_held = &self.known_held;
        self.owed_ids
            .retain(|id| !known_held.contains(&id.prefix()));
        if self.owed_ids.is_empty() && !self.owed_all {
            self.owed = None;
            self.behind = false;
        }
    }

    fn new(now: Instant) -> PeerState {
        PeerState {
            connected_at: now,
            admitted: false,
            syncing: None,
            behind: false,
            owed: None,
            owed_ids: Vec::new(),
            owed_all: false,
            known_held: HashSet::new(),
            idle_since: now,
            inflight: 0,
            invalid: 0,
        }
    }
}

/// The policy's state. See the module comment.
#[derive(Debug)]
pub struct PeerPolicy {
    config: PolicyConfig,
    peers: HashMap<PeerId, PeerState>,
    pub claims: Claims,
    pub gaps: GapMemory,
    next_sync: Option<Instant>,
    next_session: u64,
    rng: StdRng,
}

impl PeerPolicy {
    /// A policy whose random choices (the periodic sync partner) come from
    /// `seed`.
    pub fn new(config: PolicyConfig, seed: u64) -> PeerPolicy {
        PeerPolicy {
            config,
            peers: HashMap::new(),
            claims: Claims::default(),
            gaps: GapMemory::default(),
            next_sync: None,
            next_session: 1,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// Takes in one event at `now`; returns what to do, in order.
    pub fn handle(&mut self, event: Event, now: Instant) -> Vec<Effect> {
        match event {
            Event::Connected(peer) => {
                // A reconnection starts afresh: a restarted post says hello
                // again and gets the whole timeout for it.
                self.peers.insert(peer, PeerState::new(now));
                Vec::new()
            }
            Event::Admitted(peer) => {
                // Known as connected first in every order the node produces;
                // should a hello ever overtake its connection, it counts.
                self.peers
                    .entry(peer)
                    .or_insert_with(|| PeerState::new(now))
                    .admitted = true;
                Vec::new()
            }
            Event::Refused { peer, why } => {
                self.peers.remove(&peer);
                vec![Effect::Ban {
                    peer,
                    reason: BanReason::NotAdmitted { why },
                }]
            }
            Event::Disconnected(peer) => {
                self.peers.remove(&peer);
                Vec::new()
            }
            Event::Invalid { peer, count } => self.invalid(peer, count),
            Event::Arrived { from, ids } => {
                self.cascade(&from, ids.as_deref(), now);
                Vec::new()
            }
            Event::Served(peer) => {
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.paid();
                }
                Vec::new()
            }
            Event::Holds { peer, prefixes } => {
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.holds(prefixes);
                }
                Vec::new()
            }
            Event::SyncEnded { peer, session } => {
                // A session of an earlier connection (the peer restarted
                // meanwhile) ends nothing of this one.
                if let Some(p) = self.peers.get_mut(&peer)
                    && p.syncing == Some(session)
                {
                    p.syncing = None;
                    p.idle_since = now;
                    // Left behind with the ids known: offering them is
                    // cheap, so they go as a cascade would, not after the
                    // follow-up's quiet time (which is for reconciling).
                    if p.behind && !p.owed_all && !p.owed_ids.is_empty() {
                        p.behind = false;
                        let wait = self.cascade_wait();
                        if let Some(p) = self.peers.get_mut(&peer) {
                            p.owed = Some(now + wait);
                        }
                    }
                }
                Vec::new()
            }
            Event::Tick => {
                let mut effects = self.hello_deadlines(now);
                effects.extend(self.cascades_due(now));
                effects.extend(self.follow_ups(now));
                effects.extend(self.sync_timer(now));
                effects
            }
        }
    }

    /// Counts invalid deliveries; the one that crosses the bound bans.
    /// The count does not decay: gossipsub mutes a peer below −80 and halves
    /// its penalty every second, so a peer that sends its invalid messages
    /// in paced bursts may never sit below a score threshold when scores
    /// are checked.
    fn invalid(&mut self, peer: PeerId, count: u32) -> Vec<Effect> {
        let Some(p) = self.peers.get_mut(&peer) else {
            return Vec::new();
        };
        let before = p.invalid;
        p.invalid = p.invalid.saturating_add(count);
        if before <= MAX_INVALID_DELIVERIES && p.invalid > MAX_INVALID_DELIVERIES {
            vec![Effect::Ban {
                peer,
                reason: BanReason::InvalidEntries { count: p.invalid },
            }]
        } else {
            Vec::new()
        }
    }

    /// New entries arrived: every admitted peer except those they came
    /// from is owed them, in a session due after a random wait between
    /// [`CASCADE_DELAY`] and twice that (an earlier due time stands); a peer
    /// already syncing is owed them when its session ends. A session with
    /// the peer, either way, that starts before the due time pays the debt
    /// (`start_sync`, [`Event::Served`]); the peer's own offer of them
    /// pays that part ([`Event::Holds`]).
    fn cascade(&mut self, from: &[PeerId], ids: Option<&[EntryId]>, now: Instant) {
        let mut owed: Vec<&PeerId> = Vec::new();
        for (id, p) in &mut self.peers {
            if !p.admitted || from.contains(id) {
                continue;
            }
            if !p.owe(ids) {
                continue;
            }
            if p.syncing.is_some() {
                p.behind = true;
            } else if p.owed.is_none() {
                owed.push(id);
            }
        }
        // A stable order, so a seeded run is repeatable.
        owed.sort();
        let owed: Vec<PeerId> = owed.into_iter().copied().collect();
        for id in owed {
            let wait = self.cascade_wait();
            if let Some(p) = self.peers.get_mut(&id) {
                p.owed = Some(now + wait);
            }
        }
    }

    /// A random wait between [`CASCADE_DELAY`] and twice that.
    fn cascade_wait(&mut self) -> Duration {
        CASCADE_DELAY + CASCADE_DELAY.mul_f64(self.rng.random::<f64>())
    }

    /// Owed sessions whose time has come. (An owed peer is idle: every
    /// session that starts pays the debt.)
    fn cascades_due(&mut self, now: Instant) -> Vec<Effect> {
        let mut due: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, p)| p.owed.is_some_and(|at| at <= now))
            .map(|(id, _)| *id)
            .collect();
        due.sort();
        due.into_iter()
            .filter_map(|peer| self.begin_cascade(&peer))
            .collect()
    }

    /// When the next owed session is due, if any: the node wakes the policy
    /// then (with [`Event::Tick`]) rather than at its next tick.
    pub fn next_due(&self) -> Option<Instant> {
        self.peers.values().filter_map(|p| p.owed).min()
    }

    /// Peers whose hello has not been accepted within the timeout are
    /// refused: without a hello a peer is in no sync, but gossipsub alone
    /// would keep it in the mesh for ever.
    fn hello_deadlines(&mut self, now: Instant) -> Vec<Effect> {
        let timeout = self.config.hello_timeout;
        let mut late: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, p)| !p.admitted && now.duration_since(p.connected_at) >= timeout)
            .map(|(id, _)| *id)
            .collect();
        late.sort();
        late.into_iter()
            .map(|peer| {
                self.peers.remove(&peer);
                Effect::Ban {
                    peer,
                    reason: BanReason::NotAdmitted {
                        why: "no hello in time / 未按时完成握手".into(),
                    },
                }
            })
            .collect()
    }

    /// Peers left behind by a cascade while they were syncing, quiet for
    /// `FOLLOW_UP_AFTER`: synced once more. Waiting lets the cascades of a
    /// heal reach them first (each new session clears the mark), so in a
    /// wave of syncs this costs nothing, and after it only the peers no
    /// session reached are synced (an in-sync session is ~400 bytes).
    fn follow_ups(&mut self, now: Instant) -> Vec<Effect> {
        let mut due: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, p)| {
                p.admitted
                    && p.behind
                    && p.syncing.is_none()
                    && now.duration_since(p.idle_since) >= FOLLOW_UP_AFTER
            })
            .map(|(id, _)| *id)
            .collect();
        due.sort();
        due.into_iter()
            .filter_map(|peer| self.begin_cascade(&peer))
            .collect()
    }

    /// Every `sync_interval`, a sync with one admitted peer chosen at
    /// random among those not syncing.
    fn sync_timer(&mut self, now: Instant) -> Vec<Effect> {
        let due = *self
            .next_sync
            .get_or_insert(now + self.config.sync_interval);
        if now < due {
            return Vec::new();
        }
        self.next_sync = Some(now + self.config.sync_interval);
        let mut candidates: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, p)| p.admitted && p.syncing.is_none())
            .map(|(id, _)| *id)
            .collect();
        candidates.sort();
        let chosen = candidates.into_iter().choose(&mut self.rng);
        chosen
            .and_then(|peer| self.begin_sync(&peer))
            .into_iter()
            .collect()
    }

    /// A reconciling session (the timer's).
    fn begin_sync(&mut self, peer: &PeerId) -> Option<Effect> {
        let session = self.start_sync(peer).ok()?;
        Some(Effect::Sync {
            peer: *peer,
            session,
            offer: None,
        })
    }

    /// A session that pays what is owed: an offer of the owed entries when
    /// they are known, else a reconciling one.
    fn begin_cascade(&mut self, peer: &PeerId) -> Option<Effect> {
        let p = self.peers.get(peer)?;
        let offer = (!p.owed_all && !p.owed_ids.is_empty()).then(|| p.owed_ids.clone());
        let session = self.start_sync(peer).ok()?;
        Some(Effect::Sync {
            peer: *peer,
            session,
            offer,
        })
    }

    /// Starts a sync session with `peer` (asked for by hand, or by an
    /// effect): its number, to end it with [`Event::SyncEnded`].
    pub fn start_sync(&mut self, peer: &PeerId) -> Result<u64, SyncRefusal> {
        let p = self
            .peers
            .get_mut(peer)
            .filter(|p| p.admitted)
            .ok_or(SyncRefusal::NoHello)?;
        if p.syncing.is_some() {
            return Err(SyncRefusal::Busy);
        }
        let session = self.next_session;
        self.next_session += 1;
        p.syncing = Some(session);
        p.paid();
        Ok(session)
    }

    /// Whether a request from `peer` may be handled now (counted in flight
    /// until [`Self::request_done`]). A peer not yet known as connected
    /// (events raced) is let through.
    pub fn admit_request(&mut self, peer: &PeerId) -> bool {
        match self.peers.get_mut(peer) {
            Some(p) if p.inflight < MAX_PEER_INFLIGHT => {
                p.inflight += 1;
                true
            }
            Some(_) => false,
            None => true,
        }
    }

    pub fn request_done(&mut self, peer: &PeerId) {
        if let Some(p) = self.peers.get_mut(peer) {
            p.inflight = p.inflight.saturating_sub(1);
        }
    }

    /// Whether `peer` has said hello and is admitted.
    pub fn is_admitted(&self, peer: &PeerId) -> bool {
        self.peers.get(peer).is_some_and(|p| p.admitted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PeerPolicy {
        PeerPolicy::new(
            PolicyConfig {
                hello_timeout: Duration::from_secs(30),
                sync_interval: Duration::from_secs(30),
            },
            7,
        )
    }

    fn admitted(p: &mut PeerPolicy, now: Instant) -> PeerId {
        let peer = PeerId::random();
        p.handle(Event::Connected(peer), now);
        p.handle(Event::Admitted(peer), now);
        peer
    }

    #[test]
    fn a_hello_just_inside_the_timeout_is_not_punished_one_past_it_is() {
        let mut p = policy();
        let t0 = Instant::now();
        let slow = PeerId::random();
        let silent = PeerId::random();
        p.handle(Event::Connected(slow), t0);
        p.handle(Event::Connected(silent), t0);
        let just_before = t0 + Duration::from_secs(30) - Duration::from_millis(1);
        assert!(p.handle(Event::Tick, just_before).is_empty());
        p.handle(Event::Admitted(slow), just_before);
        let effects = p.handle(Event::Tick, t0 + Duration::from_secs(30));
        assert_eq!(effects.len(), 1);
        assert!(
            matches!(&effects[0], Effect::Ban { peer, reason: BanReason::NotAdmitted { .. } } if *peer == silent)
        );
        // Banned once, not again on every tick.
        assert!(
            p.handle(Event::Tick, t0 + Duration::from_secs(31))
                .is_empty()
        );
    }

    #[test]
    fn a_restart_gets_a_fresh_hello_timeout() {
        let mut p = policy();
        let t0 = Instant::now();
        let peer = PeerId::random();
        p.handle(Event::Connected(peer), t0);
        p.handle(Event::Disconnected(peer), t0 + Duration::from_secs(25));
        p.handle(Event::Connected(peer), t0 + Duration::from_secs(27));
        assert!(
            p.handle(Event::Tick, t0 + Duration::from_secs(40))
                .is_empty()
        );
    }

    #[test]
    fn the_invalid_delivery_that_crosses_the_bound_bans_once() {
        let mut p = policy();
        let t0 = Instant::now();
        let peer = admitted(&mut p, t0);
        let at_bound = Event::Invalid {
            peer,
            count: MAX_INVALID_DELIVERIES,
        };
        assert!(p.handle(at_bound, t0).is_empty());
        let over = p.handle(Event::Invalid { peer, count: 1 }, t0);
        assert_eq!(
            over,
            vec![Effect::Ban {
                peer,
                reason: BanReason::InvalidEntries {
                    count: MAX_INVALID_DELIVERIES + 1
                }
            }]
        );
        assert!(p.handle(Event::Invalid { peer, count: 5 }, t0).is_empty());
    }

    #[test]
    fn a_cascade_skips_the_source_and_peers_already_syncing() {
        let mut p = policy();
        let t0 = Instant::now();
        let from = admitted(&mut p, t0);
        let busy = admitted(&mut p, t0);
        let idle = admitted(&mut p, t0);
        let unadmitted = PeerId::random();
        p.handle(Event::Connected(unadmitted), t0);
        assert!(p.start_sync(&busy).is_ok());
        assert!(
            p.handle(
                Event::Arrived {
                    from: vec![from],
                    ids: None
                },
                t0
            )
            .is_empty()
        );
        let due = p.next_due().expect("a session is owed");
        assert!(due >= t0 + CASCADE_DELAY && due < t0 + CASCADE_DELAY * 2);
        assert!(
            p.handle(Event::Tick, due - Duration::from_millis(1))
                .is_empty()
        );
        let effects = p.handle(Event::Tick, due);
        let [Effect::Sync { peer, session, .. }] = effects[..] else {
            panic!("one sync expected: {effects:?}");
        };
        assert_eq!(peer, idle);
        assert_eq!(p.next_due(), None);
        assert_eq!(p.start_sync(&idle), Err(SyncRefusal::Busy));
        assert_eq!(p.start_sync(&unadmitted), Err(SyncRefusal::NoHello));
        p.handle(Event::SyncEnded { peer, session }, t0);
        assert!(p.start_sync(&idle).is_ok());
    }

    #[test]
    fn a_session_either_way_before_the_cascade_is_due_pays_it() {
        let mut p = policy();
        let t0 = Instant::now();
        let from = admitted(&mut p, t0);
        let serves = admitted(&mut p, t0);
        let dialled = admitted(&mut p, t0);
        let waits = admitted(&mut p, t0);
        p.handle(
            Event::Arrived {
                from: vec![from],
                ids: None,
            },
            t0,
        );
        // `serves` syncs with this post; this post syncs `dialled` (say,
        // by hand); both sessions see what arrived.
        p.handle(Event::Served(serves), t0 + Duration::from_millis(10));
        let session = p.start_sync(&dialled).expect("idle");
        p.handle(
            Event::SyncEnded {
                peer: dialled,
                session,
            },
            t0 + Duration::from_millis(20),
        );
        let effects = p.handle(Event::Tick, t0 + CASCADE_DELAY * 2);
        assert_eq!(synced(&effects), vec![waits]);
        // A second arrival owes a new session, to everyone but its source.
        p.handle(
            Event::Arrived {
                from: vec![serves],
                ids: None,
            },
            t0 + CASCADE_DELAY * 3,
        );
        let effects = p.handle(Event::Tick, t0 + CASCADE_DELAY * 5);
        let mut expected = vec![from, dialled];
        expected.sort();
        assert_eq!(
            synced(&effects),
            expected,
            "`waits` is still syncing: left behind"
        );
    }

    /// The peers synced, in the policy's (sorted) order.
    fn synced(effects: &[Effect]) -> Vec<PeerId> {
        offers(effects).into_iter().map(|(peer, _)| peer).collect()
    }

    /// The peers synced, with how many ids each is offered (none: reconcile).
    fn offers(effects: &[Effect]) -> Vec<(PeerId, Option<usize>)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Sync { peer, offer, .. } => Some((*peer, offer.as_ref().map(Vec::len))),
                Effect::Ban { .. } => None,
            })
            .collect()
    }

    #[test]
    fn a_cascade_offers_what_arrived_unless_the_peer_has_offered_it_or_it_is_too_much() {
        let mut p = policy();
        let t0 = Instant::now();
        let from = admitted(&mut p, t0);
        let told = admitted(&mut p, t0);
        let ids: Vec<EntryId> = (0..3u8).map(|i| EntryId([i; 32])).collect();
        p.handle(
            Event::Arrived {
                from: vec![from],
                ids: Some(ids.clone()),
            },
            t0,
        );
        // `told` offers two of them: it holds them.
        p.handle(
            Event::Holds {
                peer: told,
                prefixes: ids[..2].iter().map(EntryId::prefix).collect(),
            },
            t0,
        );
        let effects = p.handle(Event::Tick, t0 + CASCADE_DELAY * 2);
        assert_eq!(offers(&effects), vec![(told, Some(1))]);
        // Offered all it was owed: nothing is due.
        let t1 = t0 + CASCADE_DELAY * 3;
        if let [Effect::Sync { peer, session, .. }] = effects[..] {
            p.handle(Event::SyncEnded { peer, session }, t1);
        }
        p.handle(
            Event::Arrived {
                from: vec![from],
                ids: Some(ids[..1].to_vec()),
            },
            t1,
        );
        p.handle(
            Event::Holds {
                peer: told,
                prefixes: vec![ids[0].prefix()],
            },
            t1,
        );
        assert_eq!(p.next_due(), None);
        // Exactly the bound is offered; one more, and the peer reconciles.
        let bound = [(MAX_OWED_IDS, Some(MAX_OWED_IDS)), (MAX_OWED_IDS + 1, None)];
        for (k, (count, expected)) in bound.into_iter().enumerate() {
            let t = t1 + CASCADE_DELAY * (10 + 5 * k as u32);
            let many: Vec<EntryId> = (0..count)
                .map(|i| {
                    let mut id = [0u8; 32];
                    // Not the prefixes `told` offered above.
                    id[..8].copy_from_slice(&(i as u64 + 1_000).to_be_bytes());
                    EntryId(id)
                })
                .collect();
            p.handle(
                Event::Arrived {
                    from: vec![from],
                    ids: Some(many),
                },
                t,
            );
            let effects = p.handle(Event::Tick, t + CASCADE_DELAY * 2);
            assert_eq!(offers(&effects), vec![(told, expected)]);
            if let [Effect::Sync { peer, session, .. }] = effects[..] {
                p.handle(Event::SyncEnded { peer, session }, t + CASCADE_DELAY * 2);
            }
        }
        // Arrivals the node lost count of: reconcile.
        let t = t1 + CASCADE_DELAY * 30;
        p.handle(
            Event::Arrived {
                from: vec![from],
                ids: None,
            },
            t,
        );
        let effects = p.handle(Event::Tick, t + CASCADE_DELAY * 2);
        assert_eq!(offers(&effects), vec![(told, None)]);
    }

    #[test]
    fn entries_a_peer_holds_are_not_offered_to_it_when_they_arrive_later() {
        let mut p = policy();
        let t0 = Instant::now();
        let from = admitted(&mut p, t0);
        let holder = admitted(&mut p, t0);
        let other = admitted(&mut p, t0);
        let ids: Vec<EntryId> = (0..3u8).map(|i| EntryId([i; 32])).collect();
        // `holder` is known to hold them (it offered them, or a
        // reconciliation with it found them there) while this post fetches
        // them from `from`; then they arrive.
        p.handle(
            Event::Holds {
                peer: holder,
                prefixes: ids.iter().map(EntryId::prefix).collect(),
            },
            t0,
        );
        let t1 = t0 + Duration::from_millis(10);
        p.handle(
            Event::Arrived {
                from: vec![from],
                ids: Some(ids.clone()),
            },
            t1,
        );
        let effects = p.handle(Event::Tick, t1 + CASCADE_DELAY * 2);
        assert_eq!(offers(&effects), vec![(other, Some(ids.len()))]);
        // One it is not known to hold is offered to it, alone.
        let t2 = t1 + CASCADE_DELAY * 4;
        if let [Effect::Sync { peer, session, .. }] = effects[..] {
            p.handle(Event::SyncEnded { peer, session }, t2);
        }
        let new = EntryId([9; 32]);
        p.handle(
            Event::Arrived {
                from: vec![from],
                ids: Some(vec![ids[0], new]),
            },
            t2,
        );
        let mut expected = vec![(holder, Some(1)), (other, Some(2))];
        expected.sort();
        assert_eq!(
            offers(&p.handle(Event::Tick, t2 + CASCADE_DELAY * 2)),
            expected
        );
    }

    #[test]
    fn what_a_peer_holds_is_remembered_up_to_the_bound() {
        let prefix = |i: usize| (i as u64).to_be_bytes();
        let id = |i: usize| {
            let mut id = [0u8; 32];
            id[..8].copy_from_slice(&prefix(i));
            EntryId(id)
        };
        let t0 = Instant::now();
        for (known, remembered) in [(MAX_KNOWN_HELD, true), (MAX_KNOWN_HELD + 1, false)] {
            let mut p = policy();
            let from = admitted(&mut p, t0);
            let holder = admitted(&mut p, t0);
            // The first id in one event, the rest in another (which goes
            // over the bound when `known` does).
            for range in [0..1, 1..known] {
                p.handle(
                    Event::Holds {
                        peer: holder,
                        prefixes: range.map(prefix).collect(),
                    },
                    t0,
                );
            }
            p.handle(
                Event::Arrived {
                    from: vec![from],
                    ids: Some(vec![id(0)]),
                },
                t0,
            );
            assert_eq!(p.next_due().is_none(), remembered, "{known} known");
        }
    }

    #[test]
    fn a_peer_busy_during_a_cascade_is_offered_what_it_missed_soon_after() {
        let mut p = policy();
        let t0 = Instant::now();
        let from = admitted(&mut p, t0);
        let busy = admitted(&mut p, t0);
        let running = p.start_sync(&busy).expect("starts");
        let id = EntryId([5; 32]);
        p.handle(
            Event::Arrived {
                from: vec![from],
                ids: Some(vec![id]),
            },
            t0,
        );
        assert_eq!(p.next_due(), None, "busy: nothing owed while it syncs");
        let t1 = t0 + Duration::from_millis(300);
        p.handle(
            Event::SyncEnded {
                peer: busy,
                session: running,
            },
            t1,
        );
        let due = p.next_due().expect("owed once the session ended");
        assert!(due >= t1 + CASCADE_DELAY && due < t1 + CASCADE_DELAY * 2);
        let effects = p.handle(Event::Tick, due);
        assert_eq!(offers(&effects), vec![(busy, Some(1))]);
    }

    #[test]
    fn a_peer_busy_during_a_cascade_is_synced_again_once_it_has_been_quiet() {
        let mut p = policy();
        let t0 = Instant::now();
        let from = admitted(&mut p, t0);
        let busy = admitted(&mut p, t0);
        let reached = admitted(&mut p, t0);
        let running = p.start_sync(&busy).expect("starts");
        let other = p.start_sync(&reached).expect("starts");
        let syncs_of = |effects: &[Effect], who: PeerId| {
            effects
                .iter()
                .filter(|e| matches!(e, Effect::Sync { peer, .. } if *peer == who))
                .count()
        };
        let effects = p.handle(
            Event::Arrived {
                from: vec![from],
                ids: None,
            },
            t0,
        );
        assert_eq!(syncs_of(&effects, busy), 0, "busy: no second session");
        let t1 = t0 + Duration::from_millis(300);
        p.handle(
            Event::SyncEnded {
                peer: busy,
                session: running,
            },
            t1,
        );
        p.handle(
            Event::SyncEnded {
                peer: reached,
                session: other,
            },
            t1,
        );
        // Another session with `reached` starts first (here the timer's):
        // it carries the entries, and clears the mark.
        let session = p.start_sync(&reached).expect("idle");
        p.handle(
            Event::SyncEnded {
                peer: reached,
                session,
            },
            t1,
        );
        // Just inside the quiet time: nothing yet.
        let early = p.handle(Event::Tick, t1 + FOLLOW_UP_AFTER - Duration::from_millis(1));
        assert_eq!(syncs_of(&early, busy), 0);
        // Quiet long enough: one follow-up for `busy`, none for `reached`.
        let due = p.handle(Event::Tick, t1 + FOLLOW_UP_AFTER);
        assert_eq!(syncs_of(&due, busy), 1, "{due:?}");
        assert_eq!(syncs_of(&due, reached), 0, "{due:?}");
        let Some(Effect::Sync { session, .. }) = due
            .iter()
            .find(|e| matches!(e, Effect::Sync { peer, .. } if *peer == busy))
            .cloned()
        else {
            unreachable!()
        };
        // Once: after it ends, nothing more is due.
        let t2 = t1 + FOLLOW_UP_AFTER;
        p.handle(
            Event::SyncEnded {
                peer: busy,
                session,
            },
            t2,
        );
        let later = p.handle(Event::Tick, t2 + FOLLOW_UP_AFTER * 2);
        assert_eq!(syncs_of(&later, busy), 0, "{later:?}");
    }

    #[test]
    fn the_end_of_an_earlier_connections_session_ends_nothing() {
        let mut p = policy();
        let t0 = Instant::now();
        let peer = admitted(&mut p, t0);
        let old = p.start_sync(&peer).expect("starts");
        p.handle(Event::Disconnected(peer), t0);
        p.handle(Event::Connected(peer), t0);
        p.handle(Event::Admitted(peer), t0);
        let new = p.start_sync(&peer).expect("a new connection syncs");
        p.handle(Event::SyncEnded { peer, session: old }, t0);
        assert_eq!(p.start_sync(&peer), Err(SyncRefusal::Busy));
        p.handle(Event::SyncEnded { peer, session: new }, t0);
        assert!(p.start_sync(&peer).is_ok());
    }

    #[test]
    fn requests_past_the_inflight_bound_are_throttled() {
        let mut p = policy();
        let peer = admitted(&mut p, Instant::now());
        for _ in 0..MAX_PEER_INFLIGHT {
            assert!(p.admit_request(&peer));
        }
        assert!(!p.admit_request(&peer));
        p.request_done(&peer);
        assert!(p.admit_request(&peer));
    }

    #[test]
    fn the_timer_syncs_one_idle_peer_per_interval() {
        let mut p = policy();
        let t0 = Instant::now();
        let a = admitted(&mut p, t0);
        assert!(p.handle(Event::Tick, t0).is_empty());
        assert!(
            p.handle(Event::Tick, t0 + Duration::from_secs(29))
                .is_empty()
        );
        assert!(matches!(
            p.handle(Event::Tick, t0 + Duration::from_secs(30))[..],
            [Effect::Sync { peer, .. }] if peer == a
        ));
        // Still syncing: the next interval finds nobody idle.
        assert!(
            p.handle(Event::Tick, t0 + Duration::from_secs(60))
                .is_empty()
        );
    }
}
