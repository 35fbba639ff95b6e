//! `liandong bench views`: how long a post with a large ledger takes to
//! start showing its views — without the views' snapshot (read every domain
//! entry from the store, decode it, fold), building the snapshot, with it
//! (read the snapshot tree), and with it after more entries arrived (the
//! snapshot caught up with them). Each start opens the post afresh; the
//! operating system's page cache is left as it is (say so with figures).

use std::path::Path;
use std::time::Instant;

use liandong_protocol::domain::fold::{DeadlinePolicy, Fold, FoldContext, Track, Views};
use liandong_protocol::domain::{Casualties, Category, EventType, IncidentReport, Phase, Severity};
use liandong_protocol::{Body, EntryId, Level, RegionCode, Status, UnitType};
use serde::Serialize;

use crate::clock;
use crate::config::{Config, PostConfig};
use crate::datadir::DataDir;
use crate::domain::snapshot::{self, How};
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
    /// Building the snapshot from the entries (the first start after an
    /// upgrade, or after a snapshot was found unusable).
    pub snapshot_build_seconds: f64,
    /// A start with the snapshot current: open, load, views.
    pub with_snapshot: StartReport,
    /// Entries written after the snapshot before the next start.
    pub added_after: u64,
    /// A start after those entries: the snapshot catches up with them.
    pub caught_up: StartReport,
    pub store_bytes_with_snapshot: u64,
}

/// One start of a post with the views' snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct StartReport {
    pub open_seconds: f64,
    /// Reading the snapshot (and bringing it up to date) into a fold.
    pub load_seconds: f64,
    pub views_seconds: f64,
    /// How the fold was obtained (`snapshot`, `caught up with N`, ...).
    pub how: String,
    pub total_seconds: f64,
}

fn fail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// How much text each written report carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Texts {
    /// A title, the event's subtype and a one-word trend (every other
    /// `bench views` figure in BENCHMARKS.md was measured so).
    Short,
    /// Every text field filled, as a duty operator's 续报 is: about 500
    /// bytes of text.
    Full,
}

/// What a county's 续报 says, numbered so that no two are alike.
fn fill_texts(report: &mut IncidentReport, i: u64) {
    let n = i % 97;
    report.losses = format!(
        "倒塌房屋 {n} 间，损坏房屋 {} 间，冲毁道路 2.3 公里，农田受淹 860 亩，牲畜死亡 {} 头",
        n * 3,
        n % 11
    );
    report.cause = "持续强降雨引发山洪，河道水位超警戒 0.8 米，上游水库开闸泄洪".into();
    report.trend = format!(
        "雨势减弱，预计未来 {} 小时水位缓慢回落，仍需防范次生灾害",
        n % 12 + 1
    );
    report.actions = format!(
        "已转移群众 {} 人，开放安置点 3 处，抢险队 45 人在现场加固堤防，医疗组巡回救治",
        n * 10 + 20
    );
    report.requests = "需冲锋舟 4 艘、救生衣 200 件、帐篷 60 顶、饮用水 5 吨".into();
    report.contact = format!("李明（乡应急办）139 1234 {:04}", n * 37);
}

/// Writes `entries` incident reports (one 首报 and nine 续报 per incident)
/// into a new post under `root`, then measures a cold start.
pub fn run(
    root: &Path,
    entries: u64,
    texts: Texts,
    mut progress: impl FnMut(&str),
) -> Result<ViewsReport, String> {
    let dir = kept_post(root);
    let region: RegionCode = "654203".parse().map_err(fail)?;
    let mut config = Config::new(PostConfig {
        name: "沙湾市应急管理局".into(),
        level: Level::County,
        region: region.clone(),
        unit_type: UnitType::Command,
        contact: String::new(),
        location: None,
    });
    config.store.cache_mb = 256;
    let post = Post::init(&dir, config).map_err(fail)?;
    let started = Instant::now();
    let now_ms = clock::now_ms();
    write(&post, &region, 0, entries, texts, &mut progress)?;
    let write_seconds = started.elapsed().as_secs_f64();
    post.ledger.store().sync().map_err(fail)?;
    let written_allocated_bytes =
        crate::store::allocated_bytes(post.ledger.store().path()).map_err(fail)?;
    drop(post);

    let t = Instant::now();
    let post = Post::open(&dir).map_err(fail)?;
    let open_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let fold = load_fold(post.ledger.store(), post.ledger.keyring()).map_err(fail)?;
    let load_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let views = views_of(&post, &fold, now_ms)?;
    let views_seconds = t.elapsed().as_secs_f64();
    let store_bytes = post.ledger.store().size_on_disk();
    let disk = post.ledger.store().disk_stats().map_err(fail)?;

    progress("building the views' snapshot");
    let t = Instant::now();
    let built = snapshot::load(post.ledger.store(), post.ledger.keyring()).map_err(fail)?;
    let snapshot_build_seconds = t.elapsed().as_secs_f64();
    if !matches!(built.how, How::Rebuilt { .. }) || !built.saved {
        return Err(format!("the snapshot was not built: {:?}", built.how));
    }
    drop(post);

    let (with_snapshot, again) = start(&dir, now_ms)?;
    if again != views {
        return Err("views from the snapshot differ from the full fold".into());
    }
    let added_after = (entries / 100).max(10);
    let post = Post::open(&dir).map_err(fail)?;
    write(&post, &region, entries, added_after, texts, &mut progress)?;
    drop(post);
    let (caught_up, _) = start(&dir, now_ms)?;
    let post = Post::open(&dir).map_err(fail)?;
    let store_bytes_with_snapshot = post.ledger.store().size_on_disk();
    Ok(ViewsReport {
        entries,
        write_seconds,
        open_seconds,
        load_seconds,
        views_seconds,
        incidents: views.incidents.len(),
        store_bytes,
        written_allocated_bytes,
        disk,
        snapshot_build_seconds,
        with_snapshot,
        added_after,
        caught_up,
        store_bytes_with_snapshot,
    })
}

/// Starts of a post written by an earlier [`run`] under `root` (kept with
/// `bench views --dir`): each opens the post afresh, loads the fold (the
/// snapshot, brought up to date) and folds the views. Nothing is written,
/// so starts can be timed again and again, before and after a change.
pub fn starts(root: &Path, count: usize) -> Result<Vec<StartReport>, String> {
    let dir = kept_post(root);
    let now_ms = clock::now_ms();
    (0..count.max(1))
        .map(|_| start(&dir, now_ms).map(|(report, _)| report))
        .collect()
}

/// Where [`run`] writes its post under `root`.
fn kept_post(root: &Path) -> DataDir {
    DataDir::new(root.join("views-post"))
}

/// Whether `root` holds a post an earlier [`run`] wrote.
pub fn has_post(root: &Path) -> bool {
    kept_post(root).is_initialised()
}

/// A start with the snapshot: open the post, load the fold, fold the views.
fn start(dir: &DataDir, now_ms: u64) -> Result<(StartReport, Views), String> {
    let t = Instant::now();
    let post = Post::open(dir).map_err(fail)?;
    let open_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let loaded = snapshot::load(post.ledger.store(), post.ledger.keyring()).map_err(fail)?;
    let load_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let views = views_of(&post, &loaded.fold, now_ms)?;
    let views_seconds = t.elapsed().as_secs_f64();
    let how = match loaded.how {
        How::Snapshot => "snapshot".to_string(),
        How::CaughtUp { entries } => format!("caught up with {entries}"),
        How::Reconciled { added, removed } => format!("reconciled +{added} -{removed}"),
        How::Rebuilt { reason } => format!("rebuilt ({reason})"),
    };
    Ok((
        StartReport {
            open_seconds,
            load_seconds,
            views_seconds,
            how,
            total_seconds: open_seconds + load_seconds + views_seconds,
        },
        views,
    ))
}

/// Reality's views of a fold, as the console computes them.
fn views_of(post: &Post, fold: &Fold, now_ms: u64) -> Result<Views, String> {
    let directory =
        PostDirectory::for_ledger(&post.ledger, &DevRoles::default(), &[]).map_err(fail)?;
    let authority = liandong_protocol::AuthorityPolicy::default();
    let deadlines = DeadlinePolicy::default();
    let ctx = FoldContext {
        directory: &directory,
        authority: &authority,
        deadlines: &deadlines,
        // One time for every start, so that their views compare equal.
        now_ms,
    };
    Ok(fold.views(&ctx, Track::Actual))
}

/// Writes `entries` incident reports (one 首报 and nine 续报 per incident),
/// numbering incidents from `first / 10`.
fn write(
    post: &Post,
    region: &RegionCode,
    first: u64,
    entries: u64,
    texts: Texts,
    progress: &mut impl FnMut(&str),
) -> Result<(), String> {
    let now = clock::now_ms();
    let report = |phase: Phase, incident: Option<EntryId>, i: u64| {
        let mut report = IncidentReport {
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
        };
        if texts == Texts::Full {
            fill_texts(&mut report, i);
        }
        Body::from(report)
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
                    report(Phase::Initial, None, (first + written) / 10 + k),
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
    Ok(())
}
