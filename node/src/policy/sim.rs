//! A seeded simulator of a post's peers over an hour, driving the peer
//! policy and the network layer's ban book the way `node/core.rs` and
//! `net/policing.rs` do, with no sockets and no real time.
//!
//! The cast: honest posts that say hello anywhere inside the timeout,
//! restart within seconds, lose their link silently, sync for up to two
//! minutes over thin links and deliver bursts; insiders that deliver
//! invalid entries in paced bursts; a node that never says hello. Each run
//! checks, at every step, what the resilience rules promise:
//!
//! - no honest post is ever banned;
//! - every insider is banned on the delivery that crosses the bound, and
//!   not before; the silent node at its hello deadline;
//! - a banned peer cannot connect until its ban ends, and comes back after;
//! - a sync starts only with a connected, admitted peer, never while one
//!   is running with the same connection, never back towards the source
//!   of the entries that started a cascade;
//! - an honest post that stays connected is synced with regularly;
//! - a configured link that goes away for seconds or an hour is dialled
//!   again within the longest backoff of its coming back, every time.
//!
//! (Urgent entries first on a thin link is the pace's rule, tested with
//! its arithmetic in `node/pace.rs` and on a real throttled link in
//! `tests/netns/thin_link.sh`.)

use std::time::{Duration, Instant};

use libp2p::PeerId;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{Effect, Event, MAX_INVALID_DELIVERIES, PeerPolicy, PolicyConfig};
use crate::net::bans::{BanBook, BanReason};

const HELLO_TIMEOUT: Duration = Duration::from_secs(30);
const SYNC_INTERVAL: Duration = Duration::from_secs(30);
/// The node loop's tick (`node/core.rs`).
const TICK: Duration = Duration::from_secs(1);
/// What a run simulates.
const SPAN: Duration = Duration::from_secs(3600);
const HONEST: usize = 8;
const INSIDERS: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Honest,
    Insider,
    Silent,
}

/// What a simulated peer is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Not connected; dials again at the time given.
    Away {
        until: Instant,
    },
    /// Connected; says hello at the time given (never, for the silent one).
    Greeting {
        at: Option<Instant>,
    },
    Admitted,
}

#[derive(Debug)]
struct SimPeer {
    id: PeerId,
    kind: Kind,
    phase: Phase,
    /// Invalid entries delivered on this connection (insiders).
    invalid: u32,
    /// The running session and when it ends.
    session: Option<(u64, Instant)>,
    /// When this connection last synced (or was admitted).
    last_synced: Instant,
    bans: u32,
}

struct World {
    rng: StdRng,
    policy: PeerPolicy,
    bans: BanBook,
    peers: Vec<SimPeer>,
    now: Instant,
    start: Instant,
    /// The longest an admitted honest connection went without a sync.
    longest_unsynced: Duration,
}

impl World {
    fn new(seed: u64) -> World {
        let now = Instant::now();
        let mut peers = Vec::new();
        let kinds = std::iter::repeat_n(Kind::Honest, HONEST)
            .chain(std::iter::repeat_n(Kind::Insider, INSIDERS))
            .chain([Kind::Silent]);
        for kind in kinds {
            peers.push(SimPeer {
                id: PeerId::random(),
                kind,
                phase: Phase::Away { until: now },
                invalid: 0,
                session: None,
                last_synced: now,
                bans: 0,
            });
        }
        let config = PolicyConfig {
            hello_timeout: HELLO_TIMEOUT,
            sync_interval: SYNC_INTERVAL,
        };
        World {
            rng: StdRng::seed_from_u64(seed),
            policy: PeerPolicy::new(config, seed),
            bans: BanBook::default(),
            peers,
            now,
            start: now,
            longest_unsynced: Duration::ZERO,
        }
    }

    fn index(&self, peer: &PeerId) -> usize {
        self.peers
            .iter()
            .position(|p| p.id == *peer)
            .expect("a simulated peer")
    }

    /// Feeds an event to the policy and carries out its effects.
    /// Entries arrived from `peer` (one, with a random id).
    fn arrived(&mut self, peer: PeerId) {
        let id = liandong_protocol::EntryId(self.rng.random());
        self.event(Event::Arrived {
            from: vec![peer],
            ids: Some(vec![id]),
        });
    }

    fn event(&mut self, event: Event) {
        let effects = self.policy.handle(event, self.now);
        self.carry_out(effects);
    }

    /// (That a cascade never goes back to its source is a unit test in
    /// `mod.rs`: cascades start on a later tick here.)
    fn carry_out(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Ban { peer, reason } => self.ban(peer, reason),
                Effect::Sync { peer, session, .. } => {
                    let i = self.index(&peer);
                    let p = &self.peers[i];
                    assert_eq!(p.phase, Phase::Admitted, "sync with a peer not admitted");
                    assert!(p.session.is_none(), "two syncs at once with one connection");
                    // Thin links and big backlogs: up to two minutes.
                    let took = Duration::from_millis(self.rng.random_range(100..120_000));
                    self.peers[i].session = Some((session, self.now + took));
                }
            }
        }
    }

    fn ban(&mut self, peer: PeerId, reason: BanReason) {
        let i = self.index(&peer);
        let p = &self.peers[i];
        assert_ne!(p.kind, Kind::Honest, "an honest post was banned: {reason}");
        match (&p.kind, &reason) {
            (Kind::Insider, BanReason::InvalidEntries { count }) => {
                assert_eq!(*count, p.invalid, "banned for a count it did not reach");
                assert!(
                    p.invalid > MAX_INVALID_DELIVERIES,
                    "banned before the bound"
                );
            }
            (Kind::Silent, BanReason::NotAdmitted { .. }) => {}
            (kind, reason) => panic!("{kind:?} banned for {reason}"),
        }
        self.bans.ban(peer, reason, self.now, 0);
        self.peers[i].bans += 1;
        self.disconnect(i, Duration::from_secs(1));
    }

    /// Peer `i` goes away and tries again after `back`.
    fn disconnect(&mut self, i: usize, back: Duration) {
        let id = self.peers[i].id;
        let p = &mut self.peers[i];
        p.phase = Phase::Away {
            until: self.now + back,
        };
        p.session = None;
        p.invalid = 0;
        let effects = self.policy.handle(Event::Disconnected(id), self.now);
        assert!(effects.is_empty());
    }

    /// One peer's behaviour for one tick.
    fn step_peer(&mut self, i: usize) {
        let now = self.now;
        let (id, kind, phase) = (self.peers[i].id, self.peers[i].kind, self.peers[i].phase);
        match phase {
            Phase::Away { until } if now >= until => {
                if self.bans.is_banned(&id, now) {
                    // The connection is refused at the door: try later.
                    self.peers[i].phase = Phase::Away {
                        until: now + Duration::from_secs(5),
                    };
                    return;
                }
                let at = match kind {
                    Kind::Silent => None,
                    // Anywhere inside the timeout, down to its last second.
                    _ => Some(now + self.rng.random_range(Duration::ZERO..HELLO_TIMEOUT - TICK)),
                };
                self.peers[i].phase = Phase::Greeting { at };
                self.event(Event::Connected(id));
            }
            Phase::Away { .. } => {}
            Phase::Greeting { at: Some(at) } if now >= at => {
                self.peers[i].phase = Phase::Admitted;
                self.peers[i].last_synced = now;
                self.event(Event::Admitted(id));
            }
            Phase::Greeting { .. } => {}
            Phase::Admitted => self.step_admitted(i),
        }
    }

    fn step_admitted(&mut self, i: usize) {
        let now = self.now;
        let id = self.peers[i].id;
        if let Some((session, ends)) = self.peers[i].session
            && now >= ends
        {
            self.peers[i].session = None;
            self.peers[i].last_synced = now;
            self.event(Event::SyncEnded { peer: id, session });
            // Some sessions bring entries: a cascade.
            if self.rng.random_bool(0.3) {
                self.arrived(id);
            }
        }
        let unsynced = now.duration_since(self.peers[i].last_synced);
        if self.peers[i].kind == Kind::Honest && self.peers[i].session.is_none() {
            self.longest_unsynced = self.longest_unsynced.max(unsynced);
        }
        match self.peers[i].kind {
            Kind::Honest => {
                // Restarts within seconds, or a link that dies silently
                // and is noticed half a minute later: a few an hour.
                if self.rng.random_bool(0.0005) {
                    let back = Duration::from_secs(self.rng.random_range(1..10));
                    self.disconnect(i, back);
                } else if self.rng.random_bool(0.001) {
                    self.arrived(id);
                }
            }
            Kind::Insider => {
                // Paced bursts of invalid entries.
                if self.rng.random_bool(0.2) {
                    let count = self.rng.random_range(1..8);
                    self.peers[i].invalid += count;
                    self.event(Event::Invalid { peer: id, count });
                }
            }
            Kind::Silent => unreachable!("the silent node is never admitted"),
        }
    }

    fn run(&mut self) {
        while self.now.duration_since(self.start) < SPAN {
            for i in 0..self.peers.len() {
                self.step_peer(i);
            }
            self.event(Event::Tick);
            self.bans.expire(self.now);
            self.now += TICK;
        }
    }
}

#[test]
fn an_hour_of_restarts_slow_hellos_and_hostile_insiders() {
    for seed in 0..20 {
        let mut world = World::new(seed);
        world.run();
        for p in &world.peers {
            match p.kind {
                Kind::Honest => assert_eq!(p.bans, 0),
                // Banned, came back after the ban, banned again: every
                // return ends the same way.
                Kind::Insider | Kind::Silent => {
                    assert!(
                        p.bans >= 2,
                        "seed {seed}: {:?} banned {} times",
                        p.kind,
                        p.bans
                    )
                }
            }
        }
        // One random peer every 30 s, cascades, and sessions of up to two
        // minutes: nobody honest waits much longer than a few rounds.
        assert!(
            world.longest_unsynced < Duration::from_secs(600),
            "seed {seed}: an honest post went {:?} without a sync",
            world.longest_unsynced
        );
    }
}

/// A configured link (a village's county) that goes away for seconds,
/// minutes or an hour at a time — restarts, a dead radio link, a county
/// that kept this post out for a while — and comes back: the redial
/// backoff (`net/redial.rs`) must bring it back within the longest backoff
/// (with its jitter) every time, and never give up.
#[test]
fn a_configured_link_always_comes_back_within_the_longest_backoff() {
    use crate::net::redial::{MAX_BACKOFF, Redial};

    for seed in 0..20 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut jitter_rng = StdRng::seed_from_u64(seed + 1000);
        let mut jitter = move || jitter_rng.random_range(0.5..1.5);
        let county = PeerId::random();
        let addr: libp2p::Multiaddr = format!("/ip4/10.0.0.1/tcp/7400/p2p/{county}")
            .parse()
            .expect("address");
        let start = Instant::now();
        let mut now = start;
        let mut redial = Redial::new(std::slice::from_ref(&addr), now);
        let mut connected = false;
        // The county is up until `up_until`, then down until `down_until`.
        let mut up_until = now + Duration::from_secs(rng.random_range(60..600));
        let mut down_until = up_until;
        let mut back_at: Option<Instant> = None;
        let mut longest_return = Duration::ZERO;
        let mut outages = 0;
        while now.duration_since(start) < Duration::from_secs(6 * 3600) {
            let up = now < up_until || now >= down_until;
            if now >= down_until && now >= up_until {
                // It came back: the next outage, of a few seconds to an hour.
                outages += 1;
                back_at = Some(down_until);
                up_until = now + Duration::from_secs(rng.random_range(60..1800));
                let outage = match rng.random_range(0..3) {
                    0 => rng.random_range(1..10),
                    1 => rng.random_range(10..600),
                    _ => rng.random_range(600..3600),
                };
                down_until = up_until + Duration::from_secs(outage);
            }
            if connected && !up {
                connected = false;
                redial.disconnected(&county, now);
            }
            for dialled in redial.due(now, &mut jitter) {
                if up {
                    redial.connected(county, &dialled);
                    connected = true;
                    if let Some(at) = back_at.take() {
                        longest_return = longest_return.max(now.duration_since(at));
                    }
                } else {
                    redial.failed(Some(&dialled), None, "connection refused", now, &mut jitter);
                }
            }
            now += Duration::from_millis(500);
        }
        assert!(outages > 3, "seed {seed}: the run saw {outages} outages");
        // The longest wait is 60 s × 1.5 jitter, and one step of the clock.
        assert!(
            longest_return <= MAX_BACKOFF.mul_f64(1.5) + Duration::from_secs(1),
            "seed {seed}: a returning county waited {longest_return:?} to be redialled"
        );
    }
}
