//! What sled 0.34 puts on disk for the store's rows, with the entries in
//! sled and without them: the measurement behind "Disk per entry" in
//! BENCHMARKS.md. It writes synthetic rows shaped like the store's (see
//! `store/keys.rs`), 250 entries per atomic batch, each batch flushed, with
//! sled configured as the store configures it (no background flusher).
//!
//! ```sh
//! cargo run --release -p liandong-node --example sled_space -- 200000
//! ```

use std::time::Instant;

use liandong_node::store::allocated_bytes;

/// Which rows an entry costs.
#[derive(Clone, Copy)]
struct Layout {
    name: &'static str,
    /// The `E` row's value: the entry (282 bytes, as `bench views`
    /// writes them), a 12-byte pointer into a log outside sled, or none.
    entry_value: Option<usize>,
    /// Whether the `T` (all entries by time) row is written.
    time_row: bool,
    /// Whether index keys end in an 8-byte local number instead of the
    /// 32-byte entry id.
    short_ids: bool,
}

const LAYOUTS: [Layout; 4] = [
    Layout {
        name: "as the store is (E holds the entry)",
        entry_value: Some(282),
        time_row: true,
        short_ids: false,
    },
    Layout {
        name: "entries outside sled (E holds a 12-byte pointer)",
        entry_value: Some(12),
        time_row: true,
        short_ids: false,
    },
    Layout {
        name: "same, without T rows",
        entry_value: Some(12),
        time_row: false,
        short_ids: false,
    },
    Layout {
        name: "same, index keys end in an 8-byte number",
        entry_value: Some(12),
        time_row: false,
        short_ids: true,
    },
];

const BATCH: u64 = 250;
const AUTHORS: u64 = 16;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let entries: u64 = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 200_000,
    };
    println!("| Layout | Logical B/entry | On disk B/entry | Ratio | Write s | Reopen s |");
    println!("|---|---|---|---|---|---|");
    for layout in LAYOUTS {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("sled");
        let config = || {
            sled::Config::new()
                .path(&path)
                .cache_capacity(64 * 1024 * 1024)
                .flush_every_ms(None)
        };
        let db = config().open()?;
        let tree = db.open_tree("ledger")?;
        let started = Instant::now();
        let mut logical = 0u64;
        let mut n = 0u64;
        while n < entries {
            let mut batch = sled::Batch::default();
            for _ in 0..BATCH.min(entries - n) {
                for (key, value) in rows(layout, n) {
                    logical += (key.len() + value.len()) as u64;
                    batch.insert(key, value);
                }
                n += 1;
            }
            tree.apply_batch(batch)?;
            db.flush()?;
        }
        let write = started.elapsed().as_secs_f64();
        let disk = allocated_bytes(&path)?;
        drop(tree);
        drop(db);
        let started = Instant::now();
        let db = config().open()?;
        db.open_tree("ledger")?;
        let reopen = started.elapsed().as_secs_f64();
        println!(
            "| {} | {} | {} | {:.1} | {write:.1} | {reopen:.2} |",
            layout.name,
            logical / entries,
            disk / entries,
            disk as f64 / logical as f64
        );
    }
    Ok(())
}

/// The rows of entry `n`: keys shaped as `store/keys.rs` builds them.
fn rows(layout: Layout, n: u64) -> Vec<(Vec<u8>, Vec<u8>)> {
    let id = *blake3::hash(&n.to_be_bytes()).as_bytes();
    let author = *blake3::hash(&(n % AUTHORS).to_le_bytes()).as_bytes();
    let seq = n / AUTHORS + 1;
    let hlc = ((1_700_000_000_000 + n) << 16).to_be_bytes();
    let scope = b"654203------";
    let kind = 10u16.to_be_bytes();
    let tail: Vec<u8> = if layout.short_ids {
        n.to_be_bytes().to_vec()
    } else {
        id.to_vec()
    };
    let mut rows = Vec::with_capacity(5);
    if let Some(len) = layout.entry_value {
        rows.push(([&b"E"[..], &id].concat(), vec![7u8; len]));
    }
    rows.push((
        [&b"A"[..], &author, &seq.to_be_bytes(), &tail].concat(),
        Vec::new(),
    ));
    rows.push(([&b"S"[..], scope, &hlc, &tail].concat(), Vec::new()));
    rows.push(([&b"K"[..], &kind, &hlc, &tail].concat(), Vec::new()));
    if layout.time_row {
        rows.push(([&b"T"[..], &hlc, &tail].concat(), Vec::new()));
    }
    rows
}
