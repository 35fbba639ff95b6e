//! Any backlog heals: a post that missed 10,000 entries of the largest size
//! the network allows (64 KiB, packed into 4 MiB frames at most) gets all of
//! them by sync, and neither post bans the other. Frames are split by the
//! one rule sender and receiver share (`protocol::net::split_batches`); a
//! backlog over 1 MiB once failed here and got an honest post banned.

use std::time::Duration;

use liandong_node::config::{Config, PostConfig};
use liandong_node::datadir::DataDir;
use liandong_node::post::Post;
use liandong_protocol::{Body, Limits, Note, Status, UnitType};
use liandong_tests::*;

const NET: &str = "backlog-net";
const ENTRIES: usize = 10_000;

fn init(root: &std::path::Path, name: &str, region_code: &str) -> DataDir {
    let r = region(region_code);
    let dir = DataDir::new(root.join(name));
    let mut config = Config::new(PostConfig {
        name: name.to_string(),
        level: r.level(),
        region: r,
        unit_type: UnitType::Command,
        contact: String::new(),
        location: None,
    });
    config.network.name = NET.to_string();
    config.network.mdns = false;
    // The largest entries the default limit allows: notes long enough to
    // fill 64 KiB.
    config.limits.max_text_chars = 70_000;
    Post::init(&dir, config).unwrap_or_else(|e| panic!("init {name}: {e}"));
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_maximum_size_entries_heal_by_sync() {
    init_logging();
    let tmp = tempfile::tempdir().expect("tempdir");
    let county_dir = init(tmp.path(), "county", "654203");
    let township_dir = init(tmp.path(), "township", "654203106");

    // The county's backlog, written while the township was away.
    let written = tokio::task::spawn_blocking({
        let dir = county_dir.clone();
        move || {
            let post = Post::open(&dir).expect("open");
            let scope = post.config.post.region.clone();
            let max = Limits::DEFAULT_MAX_ENTRY_BYTES;
            let mut bytes = 0usize;
            for chunk in 0..ENTRIES / 100 {
                let items = (0..100)
                    .map(|i| {
                        // Distinct texts, each filling the entry to within a
                        // few hundred bytes of the limit.
                        let text = format!("{chunk}-{i} {}", "水".repeat((max - 600) / 3));
                        (scope.clone(), Status::Actual, Body::Note(Note { text }))
                    })
                    .collect();
                let entries = post.ledger.author_batch(items).expect("write");
                bytes += entries.iter().map(|e| e.wire().len()).sum::<usize>();
                if chunk == 0 {
                    let largest = entries.iter().map(|e| e.wire().len()).max().unwrap_or(0);
                    assert!(largest > max - 1024 && largest <= max, "{largest}");
                }
            }
            bytes
        }
    })
    .await
    .expect("join");
    eprintln!("backlog: {ENTRIES} entries, {} MB", written / 1_000_000);

    let county = spawn(&county_dir, vec![], Duration::from_secs(5)).await;
    let township = spawn(&township_dir, vec![], Duration::from_secs(5)).await;
    let started = tokio::time::Instant::now();
    connect(&township, &county).await;
    wait_until(
        "the township holds the whole backlog",
        Duration::from_secs(900),
        || async { digest(&township, "654203").await == digest(&county, "654203").await },
    )
    .await;
    eprintln!("healed in {:?}", started.elapsed());
    assert!(!is_banned(&county, &township.peer_id()).await);
    assert!(!is_banned(&township, &county.peer_id()).await);
    county.shutdown().await;
    township.shutdown().await;
}
