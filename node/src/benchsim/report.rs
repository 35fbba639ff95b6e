//! What a run reports: per post and per level, entries held and bytes
//! sent and received against the interest set and the network's size;
//! live delivery; the partition's heal.

use std::fmt::Write as _;
use std::time::Duration;

use liandong_protocol::{RegionCode, UnitType};
use serde::Serialize;

use super::SimOptions;
use super::tree::{Shape, Tree};
use super::world::{Phase, Traffic, World};

#[derive(Debug, Clone, Serialize)]
pub struct PostRow {
    pub region: String,
    pub level: String,
    pub unit: String,
    /// Entries written anywhere that this post's interest holds.
    pub interest: u32,
    pub held: u32,
    pub live: Traffic,
    pub partition: Traffic,
    /// Sync sessions it took part in, as initiator or responder.
    pub sessions: u32,
}

/// Posts of one kind (a level's command posts, or the member units).
#[derive(Debug, Clone, Serialize)]
pub struct LevelRow {
    pub kind: String,
    pub posts: usize,
    pub interest_mean: f64,
    pub interest_max: u32,
    pub held_mean: f64,
    /// Live phase, bytes per post.
    pub sent_mean: f64,
    pub sent_max: u64,
    pub received_mean: f64,
    pub received_max: u64,
    pub gossip_received_mean: f64,
    pub push_received_mean: f64,
    pub sync_received_mean: f64,
    /// Live bytes received per entry of the interest set.
    pub received_per_interest_entry: f64,
    pub sessions_mean: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Delivery {
    pub copies: usize,
    pub p50_ms: u32,
    pub p99_ms: u32,
    pub max_ms: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartitionReport {
    pub province: String,
    pub posts_cut_off: usize,
    pub links_cut: usize,
    pub cut_at_s: f64,
    /// (post, entry) copies missing when the links came back, and their bytes.
    pub missing_pairs: u64,
    pub missing_bytes: u64,
    /// Everything sent network-wide from the heal to convergence (syncs
    /// everywhere, including other posts' routine ones, and pushes).
    pub heal_bytes: u64,
    pub converged_after_s: Option<f64>,
    /// (seconds after the heal, copies still missing), at fixed marks
    /// until convergence.
    pub missing_after: Vec<(f64, u64)>,
}

impl PartitionReport {
    pub fn new(province: &RegionCode) -> PartitionReport {
        PartitionReport {
            province: province.to_string(),
            posts_cut_off: 0,
            links_cut: 0,
            cut_at_s: 0.0,
            missing_pairs: 0,
            missing_bytes: 0,
            heal_bytes: 0,
            converged_after_s: None,
            missing_after: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SimReport {
    pub seed: u64,
    pub shape: Shape,
    pub posts: usize,
    pub counties: usize,
    pub links: usize,
    pub entries: usize,
    pub entry_bytes: usize,
    pub sync_interval_s: u64,
    pub live_converged_s: Option<f64>,
    pub live_delivery: Delivery,
    pub live_sessions: u64,
    pub partition: PartitionReport,
    pub partition_sessions: u64,
    pub levels: Vec<LevelRow>,
    pub problems: Vec<String>,
    pub wall_seconds: f64,
    pub per_post: Vec<PostRow>,
}

fn kind(p: &super::world::SimPost) -> String {
    if p.unit == UnitType::Command {
        p.level.name_en().to_string()
    } else {
        "member unit".to_string()
    }
}

fn percentile(sorted: &[u32], q: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

impl SimReport {
    pub fn new(
        opts: &SimOptions,
        tree: &Tree,
        w: &World,
        live_converged: Option<u64>,
        partition: PartitionReport,
        wall: Duration,
    ) -> SimReport {
        let per_post: Vec<PostRow> = w
            .posts
            .iter()
            .map(|p| PostRow {
                region: p.region.to_string(),
                level: p.level.name_en().to_string(),
                unit: p.unit.to_string(),
                interest: p.expected,
                held: p.held.len() as u32,
                live: p.traffic[Phase::Live as usize],
                partition: p.traffic[Phase::Partition as usize],
                sessions: p.sessions,
            })
            .collect();
        let mut kinds: Vec<String> = Vec::new();
        for p in &w.posts {
            let k = kind(p);
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
        let levels = kinds
            .into_iter()
            .map(|k| {
                let rows: Vec<(&super::world::SimPost, &PostRow)> = w
                    .posts
                    .iter()
                    .zip(&per_post)
                    .filter(|(p, _)| kind(p) == k)
                    .collect();
                let n = rows.len().max(1) as f64;
                let mean =
                    |f: &dyn Fn(&PostRow) -> f64| rows.iter().map(|(_, r)| f(r)).sum::<f64>() / n;
                LevelRow {
                    kind: k,
                    posts: rows.len(),
                    interest_mean: mean(&|r| f64::from(r.interest)),
                    interest_max: rows.iter().map(|(_, r)| r.interest).max().unwrap_or(0),
                    held_mean: mean(&|r| f64::from(r.held)),
                    sent_mean: mean(&|r| r.live.sent() as f64),
                    sent_max: rows.iter().map(|(_, r)| r.live.sent()).max().unwrap_or(0),
                    received_mean: mean(&|r| r.live.received() as f64),
                    received_max: rows
                        .iter()
                        .map(|(_, r)| r.live.received())
                        .max()
                        .unwrap_or(0),
                    gossip_received_mean: mean(&|r| r.live.gossip_received as f64),
                    push_received_mean: mean(&|r| r.live.push_received as f64),
                    sync_received_mean: mean(&|r| r.live.sync_received as f64),
                    received_per_interest_entry: mean(&|r| {
                        r.live.received() as f64 / f64::from(r.interest.max(1))
                    }),
                    sessions_mean: mean(&|r| f64::from(r.sessions)),
                }
            })
            .collect();
        let mut delays = w.delays_ms.clone();
        delays.sort_unstable();
        SimReport {
            seed: opts.seed,
            shape: opts.shape,
            posts: w.posts.len(),
            counties: tree.counties,
            links: w.links.len(),
            entries: w.entries.len(),
            entry_bytes: w.entry_template,
            sync_interval_s: opts.sync_interval_s,
            live_converged_s: live_converged.map(|t| t as f64 / 1e6),
            live_delivery: Delivery {
                copies: delays.len(),
                p50_ms: percentile(&delays, 0.5),
                p99_ms: percentile(&delays, 0.99),
                max_ms: delays.last().copied().unwrap_or(0),
            },
            live_sessions: w.session_count[0],
            partition,
            partition_sessions: w.session_count[1],
            levels,
            problems: w.problems.clone(),
            wall_seconds: wall.as_secs_f64(),
            per_post,
        }
    }

    /// The row of one level, by kind name.
    pub fn level(&self, kind: &str) -> Option<&LevelRow> {
        self.levels.iter().find(|l| l.kind == kind)
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        let s = &self.shape;
        let _ = writeln!(
            out,
            "{} posts ({} provinces, {} counties of {} posts: {} units, {} townships × {} villages), {} links, {} entries of {} B, seed {}",
            self.posts,
            s.provinces,
            self.counties,
            s.county_posts(),
            s.units,
            s.townships,
            s.villages,
            self.links,
            self.entries,
            self.entry_bytes,
            self.seed
        );
        let _ = writeln!(
            out,
            "live: every copy delivered at {} (p50 {} ms, p99 {} ms, max {} ms over {} copies), {} sync sessions",
            self.live_converged_s
                .map_or("never".to_string(), |t| format!("{t:.1} s")),
            self.live_delivery.p50_ms,
            self.live_delivery.p99_ms,
            self.live_delivery.max_ms,
            self.live_delivery.copies,
            self.live_sessions
        );
        let _ = writeln!(
            out,
            "\n{:<12} {:>6} {:>9} {:>9} {:>11} {:>11} {:>11} {:>9} {:>9} {:>9} {:>8} {:>8}",
            "live phase",
            "posts",
            "interest",
            "held",
            "sent B",
            "recv B",
            "recv max",
            "gossip",
            "push",
            "sync",
            "B/entry",
            "sessions"
        );
        for l in &self.levels {
            let _ = writeln!(
                out,
                "{:<12} {:>6} {:>9.1} {:>9.1} {:>11.0} {:>11.0} {:>11} {:>9.0} {:>9.0} {:>9.0} {:>8.0} {:>8.1}",
                l.kind,
                l.posts,
                l.interest_mean,
                l.held_mean,
                l.sent_mean,
                l.received_mean,
                l.received_max,
                l.gossip_received_mean,
                l.push_received_mean,
                l.sync_received_mean,
                l.received_per_interest_entry,
                l.sessions_mean
            );
        }
        let p = &self.partition;
        let _ = writeln!(
            out,
            "\npartition: province {} ({} posts, {} links) cut at {:.1} s for the partition window; at the heal {} copies ({} B) missing",
            p.province, p.posts_cut_off, p.links_cut, p.cut_at_s, p.missing_pairs, p.missing_bytes
        );
        let _ = writeln!(
            out,
            "heal: converged {} after the links came back; {} B sent network-wide meanwhile ({:.2} × missing), {} sessions since the cut",
            p.converged_after_s
                .map_or("never".to_string(), |t| format!("{t:.2} s")),
            p.heal_bytes,
            p.heal_bytes as f64 / p.missing_bytes.max(1) as f64,
            self.partition_sessions
        );
        if !p.missing_after.is_empty() {
            let marks: Vec<String> = p
                .missing_after
                .iter()
                .map(|(t, m)| format!("{t} s: {m}"))
                .collect();
            let _ = writeln!(out, "copies missing after the heal: {}", marks.join(", "));
        }
        let _ = writeln!(out, "simulated in {:.1} s", self.wall_seconds);
        for problem in &self.problems {
            let _ = writeln!(out, "PROBLEM: {problem}");
        }
        out
    }
}
