//! The network benchmark behind `liandong bench net`: many real posts in
//! this process on loopback, live delivery latency, and a partition heal.
//!
//! Timings belong here, not in tests: the numbers depend on the machine.

mod baseline;
mod pair;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use liandong_protocol::{Body, EntryId, Kind, Note, RegionCode, Status, UnitType};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::config::{Config, PostConfig};
use crate::datadir::DataDir;
use crate::node::{Node, NodeHandle, NodeOptions};
use crate::post::Post;

#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub nodes: usize,
    pub entries: usize,
    /// Entries per second, across the whole network.
    pub rate: f64,
    /// Entries written on each side of the partition.
    pub diverge: usize,
    /// Links each new post makes to earlier ones.
    pub degree: usize,
    /// Entries both posts of the pair experiment share before diverging.
    pub preload: usize,
    pub seed: u64,
    /// How long to wait for stragglers after the last publish.
    pub settle: Duration,
    pub deadline: Duration,
    /// Also run plain gossipsub over the same topology and schedule
    /// (`baseline`), and report Liandong's latency against it.
    pub baseline: bool,
}

/// Gossipsub heartbeat of every bench post, real and baseline.
const HEARTBEAT: Duration = Duration::from_millis(200);

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            nodes: 50,
            entries: 200,
            rate: 10.0,
            diverge: 100,
            degree: 3,
            preload: 0,
            seed: 7,
            settle: Duration::from_secs(10),
            deadline: Duration::from_secs(300),
            baseline: false,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    /// Percentiles of `samples` (NaN when there are none).
    fn of(mut samples: Vec<f64>) -> Latency {
        samples.sort_by(f64::total_cmp);
        let pct = |p: f64| -> f64 {
            if samples.is_empty() {
                return f64::NAN;
            }
            let i = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1;
            samples[i]
        };
        Latency {
            p50: pct(0.50),
            p95: pct(0.95),
            p99: pct(0.99),
            max: samples.last().copied().unwrap_or(f64::NAN),
        }
    }
}

/// What the live phase measured.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// From the start of a publish to each other post's arrival.
    pub latency_ms: Latency,
    /// Arrivals recorded / arrivals expected.
    pub ratio: f64,
    /// How long a publish took at its author (sign, check, durable write,
    /// hand to gossipsub): the part of `latency_ms` before the first hop.
    pub publish_ms: Latency,
    /// The whole process's CPU time (every thread, background work
    /// included) from the first publish until the last arrival or the
    /// settle deadline, divided by the arrivals recorded. With every post
    /// in one process on two cores, the deliveries of one publish contend
    /// for the cores, so this cost shapes the latency (BENCHMARKS.md).
    pub cpu_ms_per_arrival: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Heal {
    pub seconds: f64,
    /// Most reconciliation round trips any one session took.
    pub round_trips: u32,
    /// Sessions run between the heal and convergence.
    pub sessions: usize,
    /// Every byte of every sync session (reconciliation, fetch, push), both ways.
    pub sync_bytes: u64,
    /// Gossip messages received between the heal and convergence, by
    /// every post, duplicates included. Gossipsub offers a post that
    /// rejoins its mesh the messages of its last few heartbeats (IHAVE,
    /// IWANT), so entries written just before the heal can arrive this way
    /// rather than by sync. Control messages are not counted.
    pub gossip_bytes: u64,
    /// Wire bytes of the entries each post was missing, summed over posts.
    pub missing_bytes: u64,
    /// `(sync_bytes + gossip_bytes) / missing_bytes`.
    pub ratio: f64,
    /// What exchanging whole ledgers in each of those sessions would have sent.
    pub naive_bytes: u64,
    /// Of `sync_bytes`: reconciliation messages.
    pub reconcile_bytes: u64,
    /// Entries moved (fetched + pushed), and their wire bytes.
    pub entries_moved: u64,
    pub entry_bytes_moved: u64,
    pub converged: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub nodes: usize,
    pub links: usize,
    pub entries: usize,
    pub rate: f64,
    pub latency_ms: Latency,
    pub delivery_ratio: f64,
    pub publish_ms: Latency,
    /// See [`Delivery::cpu_ms_per_arrival`].
    pub cpu_ms_per_arrival: f64,
    pub heal: Heal,
    /// Bytes of one sync between two posts already in sync.
    pub in_sync_bytes: u64,
    pub in_sync_round_trips: u32,
    /// Two posts alone: `preload` shared entries, `diverge` new ones each,
    /// then one sync session.
    pub pair: Pair,
    pub setup_seconds: f64,
    /// Plain gossipsub on the same topology and schedule, when asked for.
    pub baseline: Option<Baseline>,
}

/// Liandong's delivery against plain gossipsub's, measured in one run.
#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    pub latency_ms: Latency,
    pub delivery_ratio: f64,
    pub publish_ms: Latency,
    /// Liandong's p50 / the baseline's p50.
    pub p50_ratio: f64,
    /// Liandong's p99 / the baseline's p99.
    pub p99_ratio: f64,
    /// See [`Delivery::cpu_ms_per_arrival`].
    pub cpu_ms_per_arrival: f64,
    /// Liandong's CPU per arrival / the baseline's.
    pub cpu_ratio: f64,
}

/// The reconciliation cost between two posts, without the rest of the
/// network's traffic.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub shared_entries: usize,
    pub diverged_each: usize,
    pub round_trips: u32,
    /// Every byte of the session, both ways.
    pub sync_bytes: u64,
    /// Wire bytes of the entries each side lacked.
    pub missing_bytes: u64,
    pub ratio: f64,
    /// The target: 1.2 × missing + 4 KB.
    pub target_bytes: u64,
    pub seconds: f64,
    pub in_sync_bytes: u64,
}

const REGION: &str = "654203";
const NETWORK: &str = "bench-net";

fn fail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Runs the whole benchmark. `progress` receives one line per phase.
pub async fn run(
    opts: &BenchOptions,
    root: &Path,
    mut progress: impl FnMut(&str),
) -> Result<BenchReport, String> {
    if opts.nodes < 2 {
        return Err("at least 2 nodes".into());
    }
    let setup = Instant::now();
    let mut rng = StdRng::seed_from_u64(opts.seed);
    progress(&format!("starting {} posts", opts.nodes));
    let dirs: Vec<DataDir> = (0..opts.nodes)
        .map(|i| init_post(root, i))
        .collect::<Result<_, _>>()?;
    let mut nodes = Vec::new();
    for dir in &dirs {
        let mut o = loopback_options(dir)?;
        o.heartbeat = HEARTBEAT;
        o.sync_interval = Duration::from_secs(30);
        nodes.push(Node::spawn(o).await.map_err(fail)?);
    }
    let links = topology(opts.nodes, opts.degree, &mut rng);
    progress(&format!("connecting {} links", links.len()));
    for &(i, j) in &links {
        connect(&nodes[i], &nodes[j], opts.deadline).await?;
    }
    wait(opts.deadline, "gossip meshes", || async {
        for n in &nodes {
            if n.network().info().await.map(|i| i.mesh_peers).unwrap_or(0) == 0 {
                return false;
            }
        }
        true
    })
    .await?;
    wait_converged(&nodes, opts.deadline).await?;
    let setup_seconds = setup.elapsed().as_secs_f64();

    progress(&format!(
        "publishing {} entries at {}/s",
        opts.entries, opts.rate
    ));
    // The live phase and the baseline publish from the same posts at the
    // same moments.
    let schedule = StdRng::seed_from_u64(opts.seed.wrapping_add(1));
    let live = live_delivery(&nodes, opts, &mut schedule.clone()).await?;

    progress(&format!(
        "partition: {} entries on each side, then heal",
        opts.diverge
    ));
    let heal = partition_heal(&nodes, &links, opts, &mut rng).await?;

    let (in_sync_bytes, in_sync_round_trips) = match nodes[0].known_peers().first() {
        Some(&peer) => {
            let s = nodes[0].sync_with(peer).await.map_err(fail)?;
            (s.bytes_sent + s.bytes_received, s.round_trips)
        }
        None => (0, 0),
    };
    for n in &nodes {
        n.shutdown().await;
    }
    let baseline = if opts.baseline {
        progress(&format!(
            "baseline: plain gossipsub, {} posts, same links and schedule",
            opts.nodes
        ));
        let plain = baseline::run(
            opts.nodes,
            &links,
            opts,
            root,
            HEARTBEAT,
            &mut schedule.clone(),
        )
        .await?;
        Some(Baseline {
            p50_ratio: live.latency_ms.p50 / plain.latency_ms.p50,
            p99_ratio: live.latency_ms.p99 / plain.latency_ms.p99,
            cpu_ratio: live.cpu_ms_per_arrival / plain.cpu_ms_per_arrival.max(f64::MIN_POSITIVE),
            cpu_ms_per_arrival: plain.cpu_ms_per_arrival,
            latency_ms: plain.latency_ms,
            delivery_ratio: plain.ratio,
            publish_ms: plain.publish_ms,
        })
    } else {
        None
    };
    progress(&format!(
        "pair: {} shared entries, {} new on each side, one sync",
        opts.preload, opts.diverge
    ));
    let pair = pair::pair(root, opts).await?;
    Ok(BenchReport {
        nodes: opts.nodes,
        links: links.len(),
        entries: opts.entries,
        rate: opts.rate,
        latency_ms: live.latency_ms,
        delivery_ratio: live.ratio,
        publish_ms: live.publish_ms,
        cpu_ms_per_arrival: live.cpu_ms_per_arrival,
        heal,
        in_sync_bytes,
        in_sync_round_trips,
        pair,
        setup_seconds,
        baseline,
    })
}

/// A random graph in which each half (the two sides of the later
/// partition) is connected on its own: every post links to an earlier post
/// of its own half, then to `degree - 1` earlier posts anywhere.
fn topology(n: usize, degree: usize, rng: &mut StdRng) -> Vec<(usize, usize)> {
    let half = n / 2;
    let mut links = Vec::new();
    for i in 1..n {
        let start = if i < half { 0 } else { half };
        let mut targets: Vec<usize> = (0..i).collect();
        if i > start {
            let j = rng.random_range(start..i);
            links.push((i, j));
            targets.retain(|&t| t != j);
        }
        while links.iter().filter(|l| l.0 == i).count() < degree.max(1) && !targets.is_empty() {
            let j = targets.swap_remove(rng.random_range(0..targets.len()));
            links.push((i, j));
        }
    }
    links
}

/// Writes a Test-status note as `node` (benchmark traffic).
async fn bench_note(
    node: &NodeHandle,
    text: String,
) -> Result<liandong_protocol::SignedEntry, String> {
    node.author(
        node.region().clone(),
        Status::Test,
        Body::Note(Note { text }),
    )
    .await
    .map_err(fail)
}

fn init_post(root: &Path, i: usize) -> Result<DataDir, String> {
    let dir = DataDir::new(root.join(format!("post-{i:03}")));
    let region: RegionCode = REGION.parse().map_err(fail)?;
    let mut config = Config::new(PostConfig {
        name: format!("bench post {i}"),
        level: region.level(),
        region,
        unit_type: UnitType::Command,
        contact: String::new(),
        location: None,
    });
    config.network.name = NETWORK.into();
    config.network.mdns = false;
    config.store.cache_mb = 4;
    Post::init(&dir, config).map_err(fail)?;
    Ok(dir)
}

/// A bench post: loopback TCP on a free port, no mDNS (the bench wires
/// its own topology).
fn loopback_options(dir: &DataDir) -> Result<NodeOptions, String> {
    let mut o = NodeOptions::new(dir.clone());
    o.listen = vec!["/ip4/127.0.0.1/tcp/0".parse().map_err(fail)?];
    o.mdns = Some(false);
    Ok(o)
}

async fn connect(a: &NodeHandle, b: &NodeHandle, deadline: Duration) -> Result<(), String> {
    let addr = b
        .listen_addrs()
        .into_iter()
        .next()
        .ok_or("no listen address")?;
    a.dial(addr).await.map_err(fail)?;
    let (pa, pb) = (a.peer_id(), b.peer_id());
    wait(deadline, "hello", || async {
        a.known_peers().contains(&pb) && b.known_peers().contains(&pa)
    })
    .await
}

async fn wait<F, Fut>(deadline: Duration, what: &str, mut check: F) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let end = Instant::now() + deadline;
    while !check().await {
        if Instant::now() >= end {
            return Err(format!("timed out waiting for {what}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

async fn digests(nodes: &[NodeHandle]) -> Vec<String> {
    let mut out = Vec::with_capacity(nodes.len());
    for n in nodes {
        out.push(
            n.digest(RegionCode::national())
                .await
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
    }
    out
}

async fn wait_converged(nodes: &[NodeHandle], deadline: Duration) -> Result<(), String> {
    wait(deadline, "convergence", || async {
        let d = digests(nodes).await;
        d.windows(2).all(|w| w[0] == w[1])
    })
    .await
}

type Arrivals = Arc<Mutex<HashMap<EntryId, Vec<Instant>>>>;

/// Listens on every post for new entries, recording when each arrived.
fn listen_all(nodes: &[NodeHandle]) -> (Arrivals, Vec<tokio::task::JoinHandle<()>>) {
    let arrivals: Arrivals = Arc::new(Mutex::new(HashMap::new()));
    let tasks = nodes
        .iter()
        .map(|n| {
            let mut rx = n.subscribe();
            let arrivals = Arc::clone(&arrivals);
            tokio::spawn(async move {
                while let Ok(e) = rx.recv().await {
                    if e.kind == Kind::NOTE && !e.local {
                        let now = Instant::now();
                        arrivals
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .entry(e.id)
                            .or_default()
                            .push(now);
                    }
                }
            })
        })
        .collect();
    (arrivals, tasks)
}

async fn live_delivery(
    nodes: &[NodeHandle],
    opts: &BenchOptions,
    rng: &mut StdRng,
) -> Result<Delivery, String> {
    let (arrivals, listeners) = listen_all(nodes);
    let result = measure_delivery(nodes.len(), opts, rng, &arrivals, |author, k| {
        let node = &nodes[author];
        async move { Ok(bench_note(node, format!("live {k}")).await?.id()) }
    })
    .await;
    for t in listeners {
        t.abort();
    }
    result
}

/// Publishes `opts.entries` notes from random posts at `opts.rate`, waits
/// for every other post to record each (or `opts.settle`), and returns
/// the latency distribution from publish to arrival and the share of
/// arrivals that came. `publish(author, k)` writes note `k` at post
/// `author`; `arrivals` is filled by the posts as entries reach them.
async fn measure_delivery<P, Fut>(
    posts: usize,
    opts: &BenchOptions,
    rng: &mut StdRng,
    arrivals: &Arrivals,
    mut publish: P,
) -> Result<Delivery, String>
where
    P: FnMut(usize, usize) -> Fut,
    Fut: std::future::Future<Output = Result<EntryId, String>>,
{
    let interval = Duration::from_secs_f64(1.0 / opts.rate.max(0.001));
    let mut sent: Vec<(EntryId, Instant)> = Vec::with_capacity(opts.entries);
    let mut publish_ms = Vec::with_capacity(opts.entries);
    let mut ticker = tokio::time::interval(interval);
    let cpu_before = process_cpu();
    for k in 0..opts.entries {
        ticker.tick().await;
        let author = rng.random_range(0..posts);
        let start = Instant::now();
        let id = publish(author, k).await?;
        publish_ms.push(start.elapsed().as_secs_f64() * 1000.0);
        sent.push((id, start));
    }
    let expected = sent.len() * (posts - 1);
    let _ = wait(opts.settle, "stragglers", || async {
        let a = arrivals.lock().unwrap_or_else(|p| p.into_inner());
        sent.iter()
            .map(|(id, _)| a.get(id).map_or(0, Vec::len))
            .sum::<usize>()
            >= expected
    })
    .await;
    let cpu = process_cpu().saturating_sub(cpu_before);
    let a = arrivals.lock().unwrap_or_else(|p| p.into_inner());
    let mut latencies: Vec<f64> = Vec::with_capacity(expected);
    for (id, start) in &sent {
        for at in a.get(id).map(Vec::as_slice).unwrap_or(&[]) {
            latencies.push(at.duration_since(*start).as_secs_f64() * 1000.0);
        }
    }
    let ratio = latencies.len() as f64 / expected.max(1) as f64;
    let cpu_ms_per_arrival = cpu.as_secs_f64() * 1000.0 / latencies.len().max(1) as f64;
    Ok(Delivery {
        cpu_ms_per_arrival,
        latency_ms: Latency::of(latencies),
        ratio,
        publish_ms: Latency::of(publish_ms),
    })
}

async fn partition_heal(
    nodes: &[NodeHandle],
    links: &[(usize, usize)],
    opts: &BenchOptions,
    rng: &mut StdRng,
) -> Result<Heal, String> {
    let half = nodes.len() / 2;
    let side = |i: usize| i < half;
    let cross: Vec<(usize, usize)> = links
        .iter()
        .copied()
        .filter(|&(i, j)| side(i) != side(j))
        .collect();
    for &(i, j) in &cross {
        nodes[i].network().block(nodes[j].peer_id()).await;
        nodes[j].network().block(nodes[i].peer_id()).await;
    }
    wait(opts.deadline, "partition", || async {
        cross
            .iter()
            .all(|&(i, j)| !nodes[i].known_peers().contains(&nodes[j].peer_id()))
    })
    .await?;
    let mut written_bytes = [0u64; 2];
    for k in 0..opts.diverge {
        for (s, range) in [(0usize, 0..half), (1, half..nodes.len())] {
            let author = &nodes[rng.random_range(range)];
            let e = bench_note(author, format!("side {s} entry {k}")).await?;
            written_bytes[s] += e.wire().len() as u64;
        }
    }
    wait_converged(&nodes[..half], opts.deadline).await?;
    wait_converged(&nodes[half..], opts.deadline).await?;
    // Gossipsub tells a post that (re)joins its mesh about the messages it
    // received in its last few heartbeats (IHAVE). A real partition lasts
    // minutes or days, longer than that window: wait it out, so that the
    // heal below measures what sync moves, and is the same from run to
    // run. Gossip bytes received during the heal are still counted.
    let window = crate::net::behaviour::gossipsub_config(HEARTBEAT)
        .map_err(fail)?
        .history_gossip();
    let window = HEARTBEAT * u32::try_from(window + 1).unwrap_or(u32::MAX);
    tokio::time::sleep(window).await;
    // Each post of one side misses the other side's entries.
    let missing_bytes =
        written_bytes[1] * half as u64 + written_bytes[0] * (nodes.len() - half) as u64;
    let entry_bytes_total: u64 = {
        let n0 = nodes[0]
            .digest(RegionCode::national())
            .await
            .map(|d| d.count)
            .unwrap_or(0);
        let avg = (written_bytes[0] + written_bytes[1]) / (2 * opts.diverge.max(1) as u64);
        (n0 + opts.diverge as u64) * avg
    };

    let before: Vec<crate::service::status::SyncTotals> =
        nodes.iter().map(NodeHandle::sync_totals).collect();
    let gossip_before = gossip_bytes(nodes);
    let healed_at = Instant::now();
    for &(i, j) in &cross {
        nodes[i].network().unblock(nodes[j].peer_id()).await;
        nodes[j].network().unblock(nodes[i].peer_id()).await;
    }
    for &(i, j) in &cross {
        if let Some(addr) = nodes[j].listen_addrs().into_iter().next() {
            let _ = nodes[i].dial(addr).await;
        }
    }
    let converged = wait_converged(nodes, opts.deadline).await.is_ok();
    let seconds = healed_at.elapsed().as_secs_f64();
    let gossip_bytes = gossip_bytes(nodes) - gossip_before;
    // Let the sessions that were running at convergence finish recording.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut heal = Heal {
        seconds,
        round_trips: 0,
        sessions: 0,
        sync_bytes: 0,
        gossip_bytes,
        missing_bytes,
        ratio: 0.0,
        naive_bytes: 0,
        reconcile_bytes: 0,
        entries_moved: 0,
        entry_bytes_moved: 0,
        converged,
    };
    for (n, node) in nodes.iter().enumerate() {
        let after = node.sync_totals();
        let sessions = after.sessions - before[n].sessions;
        heal.sessions += sessions as usize;
        heal.sync_bytes += (after.bytes_sent + after.bytes_received)
            - (before[n].bytes_sent + before[n].bytes_received);
        heal.reconcile_bytes += after.reconcile_bytes - before[n].reconcile_bytes;
        heal.entries_moved +=
            (after.fetched + after.pushed) - (before[n].fetched + before[n].pushed);
        heal.entry_bytes_moved += after.entry_bytes - before[n].entry_bytes;
        // The most round trips of any session since the heal (the history
        // keeps the latest sessions).
        let history = node.sync_history();
        let recent = history.iter().rev().take(sessions as usize);
        heal.round_trips = heal
            .round_trips
            .max(recent.map(|s| s.round_trips).max().unwrap_or(0));
    }
    heal.naive_bytes = heal.sessions as u64 * 2 * entry_bytes_total;
    heal.ratio = (heal.sync_bytes + heal.gossip_bytes) as f64 / heal.missing_bytes.max(1) as f64;
    Ok(heal)
}

/// Bytes of the gossip messages every post has received so far.
fn gossip_bytes(nodes: &[NodeHandle]) -> u64 {
    nodes
        .iter()
        .map(|n| n.metrics().gossip_bytes_received())
        .sum()
}

/// A table for the terminal.
pub fn table(r: &BenchReport) -> String {
    let mut out = main_table(r);
    if let Some(b) = &r.baseline {
        out.push_str(&format!(
            "plain gossipsub ms    p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}  (delivery {:.4})\n\
             its publish ms        p50 {:.2}  p99 {:.2}\n\
             its CPU per arrival   {:.2} ms\n\
             against baseline      p50 {:.2}×  p99 {:.2}×  CPU per arrival {:.2}×\n",
            b.latency_ms.p50,
            b.latency_ms.p95,
            b.latency_ms.p99,
            b.latency_ms.max,
            b.delivery_ratio,
            b.publish_ms.p50,
            b.publish_ms.p99,
            b.cpu_ms_per_arrival,
            b.p50_ratio,
            b.p99_ratio,
            b.cpu_ratio,
        ));
    }
    out
}

fn main_table(r: &BenchReport) -> String {
    format!(
        "posts {nodes} · links {links} · entries {entries} at {rate}/s\n\
         delivery latency ms   p50 {p50:.1}  p95 {p95:.1}  p99 {p99:.1}  max {max:.1}\n\
         delivery ratio        {ratio:.4}\n\
         publish ms            p50 {pub50:.2}  p99 {pub99:.2}\n\
         CPU per arrival       {cpu:.2} ms (the whole process, live phase)\n\
         heal                  {secs:.2} s to converge ({conv}), {sessions} sessions, max {rt} round trips\n\
         heal bytes            sync {sync} + gossip {gossip} vs missing {missing} (ratio {hr:.2}); naive full exchange {naive}\n\
         heal breakdown        reconciliation {rec} B; {moved} entries moved ({moved_b} B)\n\
         in-sync pair          {insync} bytes, {insync_rt} round trip(s) per sync\n\
         pair heal             {pshared} shared + {pdiv} new each: {prt} round trips, {pbytes} bytes vs missing {pmissing} (ratio {pratio:.3}, target ≤ {ptarget}); in sync {pinsync} bytes\n",
        nodes = r.nodes,
        links = r.links,
        entries = r.entries,
        rate = r.rate,
        p50 = r.latency_ms.p50,
        p95 = r.latency_ms.p95,
        p99 = r.latency_ms.p99,
        max = r.latency_ms.max,
        ratio = r.delivery_ratio,
        pub50 = r.publish_ms.p50,
        pub99 = r.publish_ms.p99,
        cpu = r.cpu_ms_per_arrival,
        secs = r.heal.seconds,
        conv = if r.heal.converged {
            "converged"
        } else {
            "NOT converged"
        },
        sessions = r.heal.sessions,
        rt = r.heal.round_trips,
        sync = r.heal.sync_bytes,
        gossip = r.heal.gossip_bytes,
        missing = r.heal.missing_bytes,
        hr = r.heal.ratio,
        naive = r.heal.naive_bytes,
        rec = r.heal.reconcile_bytes,
        moved = r.heal.entries_moved,
        moved_b = r.heal.entry_bytes_moved,
        insync = r.in_sync_bytes,
        insync_rt = r.in_sync_round_trips,
        pshared = r.pair.shared_entries,
        pdiv = r.pair.diverged_each,
        prt = r.pair.round_trips,
        pbytes = r.pair.sync_bytes,
        pmissing = r.pair.missing_bytes,
        pratio = r.pair.ratio,
        ptarget = r.pair.target_bytes,
        pinsync = r.pair.in_sync_bytes,
    )
}

/// CPU time this process has used so far, on every thread.
fn process_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}
