//! SIGKILL in the middle of durable writes loses nothing acknowledged and
//! leaves no half-written entry.
//!
//! A child `liandong bench store --print-acks` writes entries and prints each
//! id after its fsync. The test kills it at a random moment, reopens the
//! store, checks every acknowledged id is present and runs `verify`, in a
//! loop.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use liandong_node::store::Store;
use liandong_protocol::EntryId;

const CYCLES: u32 = 24;

/// A small deterministic generator, so a failure can be replayed by seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn liandong(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_liandong"));
    c.arg("--data-dir").arg(dir);
    c
}

#[test]
fn kill_loop_loses_no_acknowledged_entry() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("post");
    let o = liandong(&dir)
        .args([
            "init", "--name", "crash", "--level", "county", "--region", "654203",
        ])
        .output()
        .expect("init");
    assert!(o.status.success());

    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_u64);
    let mut rng = Rng(seed);
    let mut acked: HashSet<EntryId> = HashSet::new();
    for cycle in 0..CYCLES {
        let batch = if rng.next().is_multiple_of(2) {
            "1"
        } else {
            "16"
        };
        let mut child = liandong(&dir)
            .args([
                "bench",
                "store",
                "--entries",
                "1000000",
                "--batch",
                batch,
                "--print-acks",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn writer");
        let stdout = child.stdout.take().expect("stdout");
        // Kill after a random number of acks, plus a random extra delay so
        // the kill lands at an arbitrary point inside the next write.
        let acks_before_kill = 1 + rng.next() % 60;
        let extra_delay = Duration::from_micros(rng.next() % 3000);
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = 0;
        while seen < acks_before_kill {
            let line = lines.next().expect("writer ended early").expect("read");
            acked.insert(line.trim().parse().expect("ack is an entry id"));
            seen += 1;
        }
        std::thread::sleep(extra_delay);
        child.kill().expect("SIGKILL");
        // Acks printed before the kill landed are durable too.
        for line in lines.map_while(Result::ok) {
            if let Ok(id) = line.trim().parse() {
                acked.insert(id);
            }
        }
        child.wait().expect("reap");

        let store = Store::open(&dir.join("store"), 8).expect("store reopens after SIGKILL");
        for id in &acked {
            assert!(
                store.contains(id).expect("read"),
                "cycle {cycle} (seed {seed}): acknowledged entry {id} lost"
            );
        }
        drop(store);
        let verify = liandong(&dir)
            .args(["verify", "--json"])
            .output()
            .expect("verify");
        assert!(
            verify.status.success(),
            "cycle {cycle} (seed {seed}): verify failed: {}{}",
            String::from_utf8_lossy(&verify.stdout),
            String::from_utf8_lossy(&verify.stderr)
        );
    }
    assert!(acked.len() as u32 >= CYCLES);
}
