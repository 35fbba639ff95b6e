//! SIGKILL at any instant while a real `liandong` process brings the
//! views' snapshot up to date — rebuilding it, appending to its file,
//! compacting it into a new file — and the next load still gives exactly
//! the fold of the ledger's entries, and leaves the snapshot current.
//!
//! Each cycle puts the snapshot in a state that makes the next load write
//! (its meta removed, newer entries, older entries, many thin appends),
//! runs `liandong board incidents` on the post, and kills it (its own PID)
//! after a random delay within a run's usual length. Then this process
//! opens the store and loads.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::open_store;
use common::views::{Author, load_and_compare, report};
use liandong_node::domain::snapshot::{self, How};
use liandong_node::store::{Side, Store};
use liandong_protocol::{Keypair, RegionCode, SignedGenesis};

const CYCLES: u64 = 16;
const T0: u64 = 1_700_000_000_000;

/// A child killed when dropped, so that a failing test leaves none.
struct Board(Child);

impl Board {
    fn start(post: &Path) -> Board {
        let child = Command::new(env!("CARGO_BIN_EXE_liandong"))
            .arg("--data-dir")
            .arg(post)
            .args(["board", "incidents", "--json"])
            .env_remove("LIANDONG_DATA_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start liandong");
        Board(child)
    }

    /// Kills it; true when it had already ended.
    fn kill(mut self) -> bool {
        let finished = matches!(self.0.try_wait(), Ok(Some(_)));
        let _ = self.0.kill();
        let _ = self.0.wait();
        finished
    }

    /// Waits for it to end by itself.
    fn finish(mut self) {
        let status = self.0.wait().expect("wait");
        assert!(status.success(), "board incidents failed: {status}");
    }
}

impl Drop for Board {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A seeded xorshift: the same kills at every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Puts the snapshot in a state that makes the next load write; says
/// which.
fn disturb(store: &Store, g: &SignedGenesis, cycle: u64, what: u64) -> &'static str {
    let mut author = Author::new(g, 100 + cycle as u8);
    // After the post's own entries (its certificate and the like, timed
    // at `init`), so that a load catches these up from the time index.
    let later = common::now_ms() + 10_000_000 * (cycle + 1);
    match what {
        0 => {
            let side = store.side(Side::FoldSnapshot).expect("side");
            side.remove(b"M").expect("remove the meta");
            "rebuild"
        }
        1 => {
            author.incidents(store, later, 20, 4);
            "catch up"
        }
        2 => {
            // Older than everything: only a reconcile finds them.
            author.incidents(store, T0 - 1_000_000 + cycle * 1_000, 5, 4);
            "reconcile"
        }
        _ => {
            // Many thin appends, as a running post's console makes them:
            // the next load compacts.
            let mut base = store.digest(&RegionCode::national()).expect("digest");
            for i in 0..80 {
                let e = author.write(store, later + i, report("新事件", None));
                let digest = store.digest(&RegionCode::national()).expect("digest");
                if snapshot::append(store, &base, std::slice::from_ref(&e), digest, e.hlc())
                    .expect("append")
                {
                    base = digest;
                }
            }
            "compact"
        }
    }
}

#[test]
fn a_kill_at_any_instant_while_the_snapshot_is_written_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let post = dir.path().join("post");
    let init = Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(&post)
        .args(["init", "--name", "县应急局", "--level", "county"])
        .args(["--region", "654203"])
        .env_remove("LIANDONG_DATA_DIR")
        .output()
        .expect("run init");
    assert!(init.status.success(), "init: {init:?}");
    let g = common::genesis(&Keypair::from_secret([1; 32]));
    let store_dir = post.join("store");
    {
        let store = open_store(&store_dir);
        Author::new(&g, 50).incidents(&store, T0, 300, 4);
    }
    // One run to the end (it builds the snapshot) sets the kills' range.
    let started = Instant::now();
    Board::start(&post).finish();
    let run = started.elapsed();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut killed_running = 0;
    for cycle in 0..CYCLES {
        let store = open_store(&store_dir);
        let what = disturb(&store, &g, cycle, cycle % 4);
        drop(store);
        let board = Board::start(&post);
        let delay = rng.below(run.as_micros() as u64);
        std::thread::sleep(Duration::from_micros(delay));
        let finished = board.kill();
        killed_running += u64::from(!finished);
        let store = open_store(&store_dir);
        let how = load_and_compare(&store);
        let files = std::fs::read_dir(store_dir.join("side/fold-snapshot"))
            .map_or(0, |listing| listing.count());
        eprintln!(
            "cycle {cycle}: {what}, killed after {delay} µs of {} µs ({}); \
             the next load: {how:?}; {files} file(s)",
            run.as_micros(),
            if finished { "had finished" } else { "running" },
        );
        // Only the file the meta names is left.
        assert_eq!(files, 1, "cycle {cycle} ({what}): {files} snapshot files");
        // The load made it current: the next one reads it as it is.
        assert_eq!(
            load_and_compare(&store),
            How::Snapshot,
            "cycle {cycle} ({what}, killed after {delay} µs): first {how:?}"
        );
    }
    assert!(killed_running > 0, "every kill landed after the run ended");
}
