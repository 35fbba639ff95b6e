//! One run: build the world, play the live phase (everyone writes, until
//! every entry is where it belongs), cut one province off while both
//! sides write, heal, and play until everything converged again.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use liandong_protocol::entry::{Draft, Note};
use liandong_protocol::interest::topic_name;
use liandong_protocol::sign::Keypair;
use liandong_protocol::{Body, Hlc, Interest, NetworkId, RegionCode, SignedEntry, Status};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::link::{Link, Micros};
use super::report::{PartitionReport, SimReport};
use super::tree::{self, Tree};
use super::world::{Ev, PeerEnd, Phase, PushQueue, SimPost, World};
use super::{SimError, SimOptions};
use crate::policy::{Event, PeerPolicy, PolicyConfig};

const SECOND: Micros = 1_000_000;
/// After the heal, the copies still missing are noted at these times.
const HEAL_MARKS: [Micros; 9] = [
    SECOND / 2,
    SECOND,
    2 * SECOND,
    5 * SECOND,
    10 * SECOND,
    30 * SECOND,
    60 * SECOND,
    120 * SECOND,
    300 * SECOND,
];
/// How long the live phase may take to deliver everything before the cut
/// comes anyway (and the report says it did not converge).
const LIVE_GRACE: Micros = 600 * SECOND;

/// The network name of the simulation (its topic names' prefix).
const NETWORK: &str = "liandong-sim";

/// The wire size of a typical entry: a village's 首报 as a signed note.
fn entry_template() -> Result<usize, SimError> {
    let key = Keypair::from_secret([7; 32]);
    let draft = Draft {
        network: NetworkId::from_name(NETWORK),
        seq: 1,
        prev: None,
        hlc: Hlc::new(1_796_083_200_000, 0),
        scope: RegionCode::parse("654203106201").map_err(|e| SimError::Setup(e.to_string()))?,
        status: Status::Actual,
        body: Body::Note(Note {
            text: "西戈壁村首报：暴雨致村道塌方约30米，2户房屋进水，无人员伤亡，\
                   已转移群众12人，请求乡镇派挖掘机1台。"
                .into(),
        }),
        operator: None,
    };
    let entry = SignedEntry::sign(&key, draft).map_err(|e| SimError::Setup(e.to_string()))?;
    Ok(entry.wire().len())
}

fn secret(seed: u64, post: usize) -> [u8; 32] {
    let mut src = b"benchsim post key".to_vec();
    src.extend_from_slice(&seed.to_le_bytes());
    src.extend_from_slice(&(post as u64).to_le_bytes());
    *blake3::hash(&src).as_bytes()
}

/// The world of `tree`, everyone connected and admitted at time zero.
fn world(tree: &Tree, opts: &SimOptions, rng: &mut StdRng) -> Result<World, SimError> {
    let config = PolicyConfig {
        hello_timeout: Duration::from_secs(30),
        sync_interval: Duration::from_secs(opts.sync_interval_s),
    };
    let mut posts = Vec::with_capacity(tree.posts.len());
    let mut posts_at: BTreeMap<[u8; 12], Vec<usize>> = BTreeMap::new();
    let mut partners_of: BTreeMap<[u8; 12], Vec<usize>> = BTreeMap::new();
    let mut by_peer_id = HashMap::new();
    for (i, spec) in tree.posts.iter().enumerate() {
        let peer_id = crate::identity::peer_id(&Keypair::from_secret(secret(opts.seed, i)));
        by_peer_id.insert(peer_id, i);
        posts_at.entry(spec.region.key()).or_default().push(i);
        for c in &spec.cooperate {
            partners_of.entry(c.key()).or_default().push(i);
        }
        posts.push(SimPost {
            region: spec.region.clone(),
            level: spec.level,
            unit: spec.unit.clone(),
            // What `Config::interest` and `Node::spawn` compute for a post
            // at this region with these partners.
            interest: Interest::of_post(&spec.region, &spec.cooperate),
            topics: crate::node::topic_regions(&spec.region, &spec.cooperate),
            peer_id,
            peers: Vec::new(),
            policy: PeerPolicy::new(
                config.clone(),
                opts.seed ^ (i as u64).wrapping_mul(0x2545_F491),
            ),
            held: Default::default(),
            by_scope: BTreeMap::new(),
            seen: Default::default(),
            expected: 0,
            traffic: Default::default(),
            sessions: 0,
            wake_at: None,
        });
    }
    let mut links = Vec::with_capacity(tree.links.len());
    for &(d, l) in &tree.links {
        let lower = posts[d].level.max(posts[l].level);
        let link = links.len();
        links.push(Link::new(d, l, lower, rng));
        for (a, b) in [(d, l), (l, d)] {
            posts[a].peers.push(PeerEnd {
                peer: b,
                link,
                pace: Default::default(),
                push: PushQueue::default(),
            });
        }
    }
    let mut w = World {
        posts,
        links,
        entries: Vec::new(),
        by_id: HashMap::new(),
        by_prefix: HashMap::new(),
        by_peer_id,
        posts_at,
        partners_of,
        queue: Default::default(),
        sessions: HashMap::new(),
        next_session: 1,
        now: 0,
        base: Instant::now(),
        phase: Phase::Live,
        expected_pairs: 0,
        held_pairs: 0,
        expected_bytes: 0,
        held_bytes: 0,
        delays_ms: Vec::new(),
        session_count: [0, 0],
        problems: Vec::new(),
        entry_template: entry_template()?,
        network: NetworkId::from_name(NETWORK),
        set_cache: HashMap::new(),
    };
    for link in 0..w.links.len() {
        connect(&mut w, link);
    }
    Ok(w)
}

/// Both ends of `link` learn of each other and admit each other (the
/// hello is not simulated beyond its round trip).
fn connect(w: &mut World, link: usize) {
    let (a, b) = (w.links[link].dialler, w.links[link].listener);
    for (x, y) in [(a, b), (b, a)] {
        let peer = w.posts[y].peer_id;
        w.policy(x, Event::Connected(peer));
        w.policy(x, Event::Admitted(peer));
    }
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Live,
    CutScheduled,
    Cut,
    Healed,
}

pub fn run(opts: &SimOptions) -> Result<SimReport, SimError> {
    play(opts).map(|(report, _)| report)
}

/// Plays a run; the report and the world at its end (for tests).
pub(super) fn play(opts: &SimOptions) -> Result<(SimReport, World), SimError> {
    let wall = Instant::now();
    let mut tree = tree::build(opts.posts, opts.shape)?;
    tree.link_partners();
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let mut w = world(&tree, opts, &mut rng)?;
    // Each post's policy is ticked as often as the node ticks it; the sync
    // timer's own interval lives in the policy (`sync_interval`).
    let tick = crate::policy::TICK.as_micros() as Micros;
    let n = w.posts.len();
    let cut_region = match &opts.cut_province {
        Some(code) => RegionCode::parse(code).map_err(|e| SimError::Setup(e.to_string()))?,
        None => w.posts[1].region.clone(),
    };
    if cut_region.level() != liandong_protocol::Level::Province
        || !w.posts.iter().any(|p| p.region == cut_region)
    {
        return Err(SimError::Setup(format!(
            "--cut {cut_region} is not a province of this network"
        )));
    }
    for post in 0..n {
        let phase = rng.random_range(0..tick.max(1));
        w.queue.at(phase, Ev::Tick { post });
        for _ in 0..opts.entries {
            let at = rng.random_range(0..(opts.live_s * SECOND).max(1));
            w.queue.at(at, Ev::Write { post });
        }
    }
    let mut writes_left = n as u64 * u64::from(opts.entries);
    w.queue
        .at(opts.live_s * SECOND + LIVE_GRACE, Ev::LiveDeadline);

    let mut stage = Stage::Live;
    let mut live_converged: Option<Micros> = None;
    let mut cut_links: Vec<usize> = Vec::new();
    let mut partition = PartitionReport::new(&cut_region);
    let mut heal_at: Micros = 0;
    let mut sent_at_heal: u64 = 0;
    let mut end = Micros::MAX;
    while let Some((at, ev)) = w.queue.pop() {
        if at > end {
            break;
        }
        w.now = at;
        match ev {
            Ev::Write { post } => {
                w.write(post, opts.seed);
                writes_left = writes_left.saturating_sub(u64::from(stage == Stage::Live));
            }
            Ev::Tick { post } => {
                w.policy(post, Event::Tick);
                w.queue.at(at + tick, Ev::Tick { post });
            }
            Ev::Wake { post } => {
                if w.posts[post].wake_at == Some(at) {
                    w.posts[post].wake_at = None;
                }
                w.policy(post, Event::Tick);
            }
            Ev::Gossip {
                to,
                from,
                link,
                epoch,
                entry,
            } => {
                if w.links[link].epoch == epoch {
                    w.on_gossip(to, from, entry);
                }
            }
            Ev::Push {
                to,
                from,
                link,
                epoch,
                entries,
            } => {
                if w.links[link].epoch == epoch {
                    w.on_push(to, from, link, entries);
                }
            }
            Ev::Pushed {
                pusher,
                to,
                link,
                epoch,
                bytes,
            } => {
                if w.links[link].epoch == epoch {
                    w.on_pushed(pusher, to, bytes);
                }
            }
            Ev::Serve { session } => w.on_serve(session),
            Ev::Answer { session } => w.on_answer(session),
            Ev::LiveDeadline => {
                if stage == Stage::Live {
                    w.problems.push(format!(
                        "the live phase had not delivered every entry {} s after the last write",
                        LIVE_GRACE / SECOND
                    ));
                    stage = Stage::CutScheduled;
                    w.queue.at(at, Ev::Cut);
                }
            }
            Ev::Cut => {
                stage = Stage::Cut;
                w.phase = Phase::Partition;
                cut_links = cut(&mut w, &cut_region);
                partition.links_cut = cut_links.len();
                partition.posts_cut_off = w
                    .posts
                    .iter()
                    .filter(|p| p.region.is_within(&cut_region))
                    .count();
                partition.cut_at_s = at as f64 / SECOND as f64;
                for post in 0..n {
                    for _ in 0..opts.partition_entries {
                        let t = at + rng.random_range(0..(opts.partition_s * SECOND).max(1));
                        w.queue.at(t, Ev::Write { post });
                    }
                }
                w.queue.at(at + (opts.partition_s + 1) * SECOND, Ev::Heal);
            }
            Ev::Heal => {
                stage = Stage::Healed;
                heal_at = at;
                end = at + opts.heal_limit_s * SECOND;
                partition.missing_pairs = w.expected_pairs - w.held_pairs;
                partition.missing_bytes = w.expected_bytes - w.held_bytes;
                sent_at_heal = total_sent(&w);
                for &link in &cut_links {
                    let rtt = w.links[link].round_trip();
                    w.queue.at(at + rtt, Ev::Reconnected { link });
                }
            }
            Ev::Reconnected { link } => reconnect(&mut w, link),
        }
        match stage {
            Stage::Live if writes_left == 0 && w.converged() => {
                live_converged = Some(at);
                stage = Stage::CutScheduled;
                w.queue.at(at + SECOND, Ev::Cut);
            }
            Stage::Healed
                if partition.missing_after.len() < HEAL_MARKS.len()
                    && at - heal_at >= HEAL_MARKS[partition.missing_after.len()] =>
            {
                let mark = HEAL_MARKS[partition.missing_after.len()];
                partition
                    .missing_after
                    .push((mark as f64 / SECOND as f64, w.expected_pairs - w.held_pairs));
                if w.converged() {
                    partition.converged_after_s = Some((at - heal_at) as f64 / SECOND as f64);
                    partition.heal_bytes = total_sent(&w) - sent_at_heal;
                    break;
                }
            }
            Stage::Healed if w.converged() => {
                partition.converged_after_s = Some((at - heal_at) as f64 / SECOND as f64);
                partition.heal_bytes = total_sent(&w) - sent_at_heal;
                break;
            }
            _ => {}
        }
    }
    if stage == Stage::Healed && partition.converged_after_s.is_none() {
        partition.heal_bytes = total_sent(&w) - sent_at_heal;
        w.problems.push(format!(
            "not converged {} s after the heal: {} copies missing",
            opts.heal_limit_s,
            w.expected_pairs - w.held_pairs
        ));
    }
    let report = SimReport::new(opts, &tree, &w, live_converged, partition, wall.elapsed());
    Ok((report, w))
}

fn total_sent(w: &World) -> u64 {
    w.posts
        .iter()
        .map(|p| p.traffic[Phase::Partition as usize].sent())
        .sum()
}

/// Cuts every link between `region`'s subtree and the rest: both ends
/// forget the peer (policy, push queue), sessions over it end, and what
/// is in flight is lost. Returns the links cut.
fn cut(w: &mut World, region: &RegionCode) -> Vec<usize> {
    let inside = |w: &World, p: usize| w.posts[p].region.is_within(region);
    let links: Vec<usize> = (0..w.links.len())
        .filter(|&l| inside(w, w.links[l].dialler) != inside(w, w.links[l].listener))
        .collect();
    for &l in &links {
        w.links[l].cut();
        w.drop_sessions_on(l);
        let (a, b) = (w.links[l].dialler, w.links[l].listener);
        for (x, y) in [(a, b), (b, a)] {
            if let Some(end) = w.posts[x].end_for(y) {
                w.posts[x].peers[end].push = PushQueue::default();
            }
            let peer = w.posts[y].peer_id;
            w.policy(x, Event::Disconnected(peer));
        }
    }
    links
}

/// A cut link is back: hellos are exchanged (one round trip, already
/// waited), both ends admit each other, and the dialler syncs at once, as
/// a post does after every new connection.
fn reconnect(w: &mut World, link: usize) {
    w.links[link].heal();
    connect(w, link);
    let (d, l) = (w.links[link].dialler, w.links[link].listener);
    let peer = w.posts[l].peer_id;
    if let Ok(session) = w.posts[d].policy.start_sync(&peer) {
        w.start_session(d, l, session, None);
    }
}

/// The topic name length of `region` in the simulated network.
pub fn topic_len(network: &NetworkId, region: &RegionCode) -> usize {
    topic_name(network, region).len()
}
