//! The pair setting: two posts with a shared history meet once; and the
//! preload that gives posts that history.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use liandong_protocol::{Body, Note, RegionCode, Status, UnitType};

use super::{
    BenchOptions, NETWORK, Pair, REGION, bench_note, connect, fail, init_post, loopback_options,
    wait, wait_converged,
};
use crate::config::{Config, PostConfig};
use crate::datadir::DataDir;
use crate::node::Node;
use crate::post::Post;

/// Two posts that share `opts.preload` entries, each write `opts.diverge`
/// more, then meet: the dialler's first session reconciles both ways.
pub(super) async fn pair(root: &Path, opts: &BenchOptions) -> Result<Pair, String> {
    let dirs = vec![init_post(root, 900)?, init_post(root, 901)?];
    if opts.preload > 0 {
        preload(&dirs, opts.preload).await?;
    }
    let mut nodes = Vec::new();
    for dir in &dirs {
        let mut o = loopback_options(dir)?;
        o.sync_interval = Duration::from_secs(3600);
        nodes.push(Node::spawn(o).await.map_err(fail)?);
    }
    let mut missing_bytes = 0;
    for (i, n) in nodes.iter().enumerate() {
        for k in 0..opts.diverge {
            let e = bench_note(n, format!("pair {i} entry {k}")).await?;
            missing_bytes += e.wire().len() as u64;
        }
    }
    let started = Instant::now();
    connect(&nodes[0], &nodes[1], opts.deadline).await?;
    wait_converged(&nodes, opts.deadline).await?;
    let seconds = started.elapsed().as_secs_f64();
    // The peer can hold everything a moment before the dialler records its
    // session (the last push's answer is still on its way back).
    wait(opts.deadline, "the pair's first sync record", || async {
        !nodes[0].sync_history().is_empty()
    })
    .await
    .map_err(|_| "the pair never synced")?;
    let first = nodes[0]
        .sync_history()
        .into_iter()
        .next()
        .ok_or("the pair never synced")?;
    let in_sync = nodes[0].sync_with(nodes[1].peer_id()).await.map_err(fail)?;
    for n in &nodes {
        n.shutdown().await;
    }
    let sync_bytes = first.bytes_sent + first.bytes_received;
    Ok(Pair {
        shared_entries: opts.preload,
        diverged_each: opts.diverge,
        round_trips: first.round_trips,
        sync_bytes,
        missing_bytes,
        ratio: sync_bytes as f64 / missing_bytes.max(1) as f64,
        target_bytes: missing_bytes * 6 / 5 + 4096,
        seconds,
        in_sync_bytes: in_sync.bytes_sent + in_sync.bytes_received,
    })
}

/// Writes `count` entries by one extra author into every store, through
/// the ingest path (each store validates them).
pub(super) async fn preload(dirs: &[DataDir], count: usize) -> Result<(), String> {
    let source = DataDir::new(dirs[0].root().with_file_name("preload-author"));
    let mut config = Config::new(PostConfig {
        name: "preload".into(),
        level: liandong_protocol::Level::County,
        region: REGION.parse().map_err(fail)?,
        unit_type: UnitType::Command,
        contact: String::new(),
        location: None,
    });
    config.network.name = NETWORK.into();
    config.store.cache_mb = 16;
    let author = Post::init(&source, config).map_err(fail)?;
    let scope: RegionCode = REGION.parse().map_err(fail)?;
    let mut wires = Vec::with_capacity(count);
    for chunk in 0..count.div_ceil(1000) {
        let n = 1000.min(count - chunk * 1000);
        let items = (0..n)
            .map(|k| {
                (
                    scope.clone(),
                    Status::Test,
                    Body::Note(Note {
                        text: format!("preload {}", chunk * 1000 + k),
                    }),
                )
            })
            .collect();
        let entries = author.ledger.author_batch(items).map_err(fail)?;
        wires.extend(entries.into_iter().map(|e| e.into_wire()));
    }
    drop(author);
    let wires = Arc::new(wires);
    for dir in dirs {
        let dir = dir.clone();
        let wires = Arc::clone(&wires);
        tokio::task::spawn_blocking(move || -> Result<(), String> {
            let post = Post::open(&dir).map_err(fail)?;
            for chunk in wires.chunks(1024) {
                post.ledger
                    .ingest(chunk, crate::store::Durability::Lazy)
                    .map_err(fail)?;
            }
            post.ledger.store().sync().map_err(fail)
        })
        .await
        .map_err(fail)??;
    }
    Ok(())
}
