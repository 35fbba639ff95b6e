//! `liandong bench views`: how long a post with a large ledger takes to
//! start showing its views (read the domain entries from the store, decode
//! them, fold them).

use std::path::Path;
use std::time::Instant;

use liandong_protocol::domain::fold::{DeadlinePolicy, FoldContext, Track};
use liandong_protocol::domain::{Casualties, Category, EventType, IncidentReport, Phase, Severity};
use liandong_protocol::{Body, EntryId, Level, RegionCode, Status, UnitType};
use serde::Serialize;

use crate::clock;
use crate::config::{Config, PostConfig};
use crate::datadir::DataDir;
use crate::domain::{DevRoles, PostDirectory, load_fold};
use crate::post::Post;

#[derive(Debug, Clone, Serialize)]
pub struct ViewsReport {
    pub entries: u64,
    pub write_seconds: f64,
    /// Opening the data directory (store, ledger, trust state).
    pub open_seconds: f64,
    /// Reading and decoding the domain entries into a fold.
    pub load_seconds: f64,
    /// Computing the views from the loaded fold.
    pub views_seconds: f64,
    pub incidents: usize,
    pub store_bytes: u64,
    /// What the store's files take on disk (`du`) once written and synced,
    /// before the post is closed.
    pub written_allocated_bytes: u64,
    /// The key spaces' logical bytes and `du` after the cold start.
    pub disk: crate::store::DiskStats,
}

fn fail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Writes `entries` incident reports (one 首报 and nine 续报 per incident)
/// into a new post under `root`, then measures a cold start.
pub fn run(
    root: &Path,
    entries: u64,
    mut progress: impl FnMut(&str),
) -> Result<ViewsReport, String> {
    let dir = DataDir::new(root.join("views-post"));
    let region: RegionCode = "654203".parse().map_err(fail)?;
    let mut config = Config::new(PostConfig {
        name: "沙湾市应急管理局".into(),
        level: Level::County,
        region: region.clone(),
        unit_type: UnitType::Command,
        contact: String::new(),
    });
    config.store.cache_mb = 256;
    let post = Post::init(&dir, config).map_err(fail)?;
    let started = Instant::now();
    let now = clock::now_ms();
    let report = |phase: Phase, incident: Option<EntryId>, i: u64| {
        Body::from(IncidentReport {
            phase,
            incident,
            drill: None,
            title: format!("事件 {i}"),
            event: EventType::new(Category::Natural, "flood_drought"),
            severity: Severity::IV,
            provisional: false,
            occurred_ms: now - 3_600_000,
            region: region.clone(),
            point: None,
            casualties: Casualties {
                evacuated: (i % 50) as u32,
                ..Casualties::default()
            },
            economic_loss_wan: None,
            losses: String::new(),
            cause: String::new(),
            trend: "平稳".into(),
            actions: String::new(),
            requests: String::new(),
            contact: String::new(),
            attachments: Vec::new(),
        })
    };
    // Batches of 100 incidents: their 首报 first, then nine 续报 each.
    let mut written = 0u64;
    while written < entries {
        let incidents = (entries - written).div_ceil(10).min(100);
        let firsts = (0..incidents)
            .map(|k| {
                (
                    region.clone(),
                    Status::Actual,
                    report(Phase::Initial, None, written / 10 + k),
                )
            })
            .collect();
        let firsts = post.ledger.author_batch(firsts).map_err(fail)?;
        written += firsts.len() as u64;
        let updates: Vec<_> = firsts
            .iter()
            .flat_map(|f| (0..9).map(move |_| f.id()))
            .take(usize::try_from(entries - written).unwrap_or(usize::MAX))
            .enumerate()
            .map(|(k, id)| {
                (
                    region.clone(),
                    Status::Actual,
                    report(Phase::Update, Some(id), k as u64),
                )
            })
            .collect();
        written += updates.len() as u64;
        post.ledger.author_batch(updates).map_err(fail)?;
        if written % 100_000 < 1000 {
            progress(&format!("{written} entries written"));
        }
    }
    let write_seconds = started.elapsed().as_secs_f64();
    post.ledger.store().sync().map_err(fail)?;
    let written_allocated_bytes =
        crate::store::allocated_bytes(post.ledger.store().path()).map_err(fail)?;
    drop(post);

    let t = Instant::now();
    let post = Post::open(&dir).map_err(fail)?;
    let open_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let fold = load_fold(post.ledger.store()).map_err(fail)?;
    let load_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let directory =
        PostDirectory::for_ledger(&post.ledger, &DevRoles::default(), &[]).map_err(fail)?;
    let authority = liandong_protocol::AuthorityPolicy::default();
    let deadlines = DeadlinePolicy::default();
    let ctx = FoldContext {
        directory: &directory,
        authority: &authority,
        deadlines: &deadlines,
        now_ms: clock::now_ms(),
    };
    let views = fold.views(&ctx, Track::Actual);
    let views_seconds = t.elapsed().as_secs_f64();
    Ok(ViewsReport {
        entries,
        write_seconds,
        open_seconds,
        load_seconds,
        views_seconds,
        incidents: views.incidents.len(),
        store_bytes: post.ledger.store().size_on_disk(),
        written_allocated_bytes,
        disk: post.ledger.store().disk_stats().map_err(fail)?,
    })
}
