//! The nemesis: a seeded schedule of ordinary bad days played against real
//! posts, and the invariants checked after the last heal.
//!
//! Faults: partitions of any set of links, links that go silent (packets
//! vanish, nobody is told), thin links, clean restarts, SIGKILL and restart
//! within seconds (real processes), bursts of entries, and clocks skewed
//! within the allowed window (real processes). Meanwhile every post keeps
//! writing. After the schedule every link is healed and, within a bound:
//!
//! - every post holds what every other post with the same interest holds
//!   (digests agree — see [`world::World::agreements`]);
//! - no post banned another, or was told it is banned (all are honest);
//! - no post forked its own chain;
//! - no entry whose write was acknowledged is missing anywhere it belongs.
//!
//! `liandong bench nemesis --seeds N` plays many seeds with real processes;
//! the test suite plays a few small ones in process (`tests/tests/nemesis.rs`).

mod post;
mod schedule;
mod wire;
mod world;

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use liandong_protocol::{EntryId, RegionCode};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

pub use post::{Launch, Mode};
pub use schedule::Fault;
pub use wire::{LinkState, Wire};
use world::World;

/// Options of a run.
#[derive(Debug, Clone)]
pub struct NemesisOptions {
    pub launch: Launch,
    /// The small world and a short schedule (for the test suite).
    pub small: bool,
    /// Faults per seed.
    pub steps: usize,
    /// Entries in a burst.
    pub burst: usize,
    /// How long the posts may take to converge after the last heal.
    pub converge_bound: Duration,
}

/// What became of one seed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SeedOutcome {
    pub seed: u64,
    /// The world's links, by the index the faults name.
    pub links: Vec<String>,
    pub faults: Vec<String>,
    pub acknowledged: u64,
    pub converged: bool,
    /// Seconds from the last heal until every agreement held.
    pub converge_s: f64,
    /// Bans between posts (all honest): each one is a failure.
    pub honest_bans: u32,
    pub forks: u32,
    pub lost: u32,
    pub problems: Vec<String>,
}

impl SeedOutcome {
    pub fn passed(&self) -> bool {
        self.converged && self.honest_bans == 0 && self.forks == 0 && self.lost == 0
    }
}

/// Acknowledged writes: (id, author's region).
type Acked = Arc<Mutex<Vec<(EntryId, RegionCode)>>>;

/// Plays one seed in `root` (a scratch directory).
pub async fn run_seed(
    opts: &NemesisOptions,
    seed: u64,
    root: &Path,
    mut progress: impl FnMut(&str),
) -> SeedOutcome {
    let mut outcome = SeedOutcome {
        seed,
        ..SeedOutcome::default()
    };
    let world = match World::build(root, opts.small, &opts.launch).await {
        Ok(w) => w,
        Err(e) => {
            outcome.problems.push(format!("world: {e}"));
            return outcome;
        }
    };
    outcome.links = world.link_names();
    let world = Arc::new(world);
    for p in &world.posts {
        if let Err(e) = p.lock().await.start().await {
            outcome.problems.push(format!("start: {e}"));
            return outcome;
        }
    }
    let acked: Acked = Arc::default();
    let writing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let writer = tokio::spawn(background_writes(
        Arc::clone(&world),
        Arc::clone(&acked),
        Arc::clone(&writing),
        seed,
    ));

    let mut rng = StdRng::seed_from_u64(seed);
    for step in 0..opts.steps {
        let fault = schedule::draw(&mut rng, &world, opts);
        progress(&format!("seed {seed} step {step}: {fault}"));
        outcome.faults.push(fault.to_string());
        schedule::play(&world, &fault, &acked, &mut rng).await;
    }

    // The last heal: every link open, every post running.
    world.heal_all();
    for p in &world.posts {
        if let Err(e) = p.lock().await.start().await {
            outcome.problems.push(format!("restart: {e}"));
        }
    }
    writing.store(false, std::sync::atomic::Ordering::Release);
    let _ = writer.await;
    let healed = Instant::now();
    outcome.converged = converge(&world, opts.converge_bound).await;
    outcome.converge_s = healed.elapsed().as_secs_f64();
    if !outcome.converged {
        for d in disagreements(&world).await.into_iter().take(5) {
            outcome.problems.push(d);
        }
    }
    for (info, p) in world.info.iter().zip(&world.posts) {
        let (bans, banned_by) = p.lock().await.bans().await;
        for b in &bans {
            outcome.honest_bans += 1;
            outcome
                .problems
                .push(format!("{} banned {}: {}", info.name, b.peer_id, b.detail));
        }
        for b in &banned_by {
            outcome.honest_bans += 1;
            outcome.problems.push(format!(
                "{} was banned by {}: {}",
                info.name, b.peer_id, b.reason
            ));
        }
    }
    // Stop everything, then read the stores themselves.
    for p in &world.posts {
        p.lock().await.stop().await;
    }
    let acked = acked.lock().unwrap_or_else(|p| p.into_inner()).clone();
    outcome.acknowledged = acked.len() as u64;
    check_stores(&world, &acked, &mut outcome).await;
    outcome
}

/// Every post writes now and then while the faults play, at random
/// intervals; acknowledged ids are kept.
async fn background_writes(
    world: Arc<World>,
    acked: Acked,
    writing: Arc<std::sync::atomic::AtomicBool>,
    seed: u64,
) {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let mut n = 0u64;
    while writing.load(std::sync::atomic::Ordering::Acquire) {
        tokio::time::sleep(Duration::from_millis(rng.random_range(150..600))).await;
        let i = rng.random_range(0..world.posts.len());
        let info = &world.info[i];
        n += 1;
        let text = format!("{} 第 {n} 条报告", info.name);
        if let Some(id) = world.posts[i].lock().await.write(&text).await {
            acked
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((id, info.region.clone()));
        }
    }
}

/// Waits until every agreement holds, up to `bound`.
async fn converge(world: &World, bound: Duration) -> bool {
    let end = Instant::now() + bound;
    while Instant::now() < end {
        if disagreements(world).await.is_empty() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    false
}

async fn disagreements(w: &World) -> Vec<String> {
    let mut out = Vec::new();
    for (x, selector, a) in w.agreements() {
        let dx = w.posts[x].lock().await.digest(&selector).await;
        let da = w.posts[a].lock().await.digest(&selector).await;
        if dx.is_none() || dx != da {
            out.push(format!(
                "{} and {} disagree on {selector:?}: {dx:?} vs {da:?}",
                w.info[x].name, w.info[a].name
            ));
        }
    }
    out
}

/// Forks and lost entries, read from the stopped posts' stores.
async fn check_stores(w: &World, acked: &[(EntryId, RegionCode)], outcome: &mut SeedOutcome) {
    let mut stores = Vec::new();
    for p in &w.info {
        match open_store(&p.dir).await {
            Ok(s) => stores.push(Some(s)),
            Err(e) => {
                outcome.problems.push(format!("{}: store: {e}", p.name));
                stores.push(None);
            }
        }
    }
    for (p, store) in w.info.iter().zip(&stores) {
        let Some(store) = store else { continue };
        let forks = store.forks().unwrap_or_default();
        for f in &forks {
            outcome.problems.push(format!(
                "{}: fork of {} at seq {}",
                p.name,
                f.author.short(),
                f.seq
            ));
        }
        outcome.forks += forks.len() as u32;
    }
    let mut missing: HashSet<EntryId> = HashSet::new();
    for (id, scope) in acked {
        for i in w.holders_of(scope) {
            let held = stores[i]
                .as_ref()
                .is_some_and(|s| s.contains(id).unwrap_or(false));
            if !held && missing.insert(*id) {
                outcome.problems.push(format!(
                    "acknowledged entry {} missing at {}",
                    id.short(),
                    w.info[i].name
                ));
            }
        }
    }
    outcome.lost = missing.len() as u32;
}

async fn open_store(dir: &crate::datadir::DataDir) -> Result<crate::store::Store, String> {
    let path = dir.store_path();
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        match crate::store::Store::open(&path, 8) {
            Err(crate::store::StoreError::Locked(_)) if Instant::now() < end => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => return other.map_err(|e| e.to_string()),
        }
    }
}

/// Every seed's outcome and the totals.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NemesisReport {
    pub seeds: usize,
    pub passed: usize,
    pub converged: usize,
    pub honest_bans: u32,
    pub forks: u32,
    pub lost: u32,
    pub acknowledged: u64,
    pub worst_converge_s: f64,
    pub worst_seed: Option<u64>,
    pub outcomes: Vec<SeedOutcome>,
}

impl NemesisReport {
    pub fn add(&mut self, o: SeedOutcome) {
        self.seeds += 1;
        self.passed += usize::from(o.passed());
        self.converged += usize::from(o.converged);
        self.honest_bans += o.honest_bans;
        self.forks += o.forks;
        self.lost += o.lost;
        self.acknowledged += o.acknowledged;
        if o.converge_s > self.worst_converge_s {
            self.worst_converge_s = o.converge_s;
            self.worst_seed = Some(o.seed);
        }
        self.outcomes.push(o);
    }

    pub fn table(&self) -> String {
        let mut s = String::new();
        for o in &self.outcomes {
            s.push_str(&format!(
                "seed {:>4}  {}  converged {:>6.1} s  acked {:>5}  bans {}  forks {}  lost {}\n",
                o.seed,
                if o.passed() { "ok  " } else { "FAIL" },
                o.converge_s,
                o.acknowledged,
                o.honest_bans,
                o.forks,
                o.lost
            ));
        }
        s.push_str(&format!(
            "{}/{} seeds converged · {} honest bans · {} forks · {} lost · {} acknowledged · worst convergence {:.1} s (seed {})\n",
            self.converged,
            self.seeds,
            self.honest_bans,
            self.forks,
            self.lost,
            self.acknowledged,
            self.worst_converge_s,
            self.worst_seed.map(|s| s.to_string()).unwrap_or_default()
        ));
        s
    }
}
