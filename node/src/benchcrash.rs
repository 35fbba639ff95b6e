//! `liandong bench crash`: SIGKILL at random instants, on real processes,
//! and what the store looks like afterwards.
//!
//! Each cycle starts a `liandong` child on one scratch post and kills it
//! (SIGKILL, its own PID) at a random moment, in one of three phases:
//!
//! - **write**: `bench store --print-acks` writes notes (batches of 1 or
//!   16) and prints each id once it is durable; the kill lands after a
//!   random number of acks — zero included, so it also lands while the
//!   child opens the store and sled writes its start-up snapshot;
//! - **open**: `log --limit 1`, killed within its first milliseconds, when
//!   it is opening the store (sled's snapshot, staged writes completed);
//! - **init**: `init` of a fresh post, killed at a random moment.
//!
//! After every cycle this process opens the store itself and counts:
//! *lost* — acknowledged ids missing; *torn* — entries without all their
//! index rows, or index rows without their entry; *unopenable* — a store
//! (or an interrupted init) that does not open, or an init that cannot be
//! run again. Every 50 cycles, and at the end, the full `verify` runs too.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use liandong_protocol::EntryId;
use serde::Serialize;

use crate::datadir::DataDir;
use crate::post::{Post, PostError};

/// How long a check waits for the killed child's file lock to go.
const LOCK_PATIENCE: Duration = Duration::from_secs(10);
/// Full `verify` every this many cycles.
const VERIFY_EVERY: u64 = 50;

#[derive(Debug, Clone)]
pub struct CrashOptions {
    pub cycles: u64,
    pub seed: u64,
    /// The `liandong` binary to run as the child.
    pub binary: PathBuf,
}

/// Kills and outcomes of one phase.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PhaseCounts {
    pub cycles: u64,
    /// Of which the child had finished before the kill landed.
    pub finished_first: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CrashReport {
    pub cycles: u64,
    pub seed: u64,
    pub write: PhaseCounts,
    pub open: PhaseCounts,
    pub init: PhaseCounts,
    /// Entries acknowledged as durable by the writer before it was killed.
    pub acknowledged: u64,
    pub lost: u64,
    pub torn: u64,
    pub unopenable: u64,
    /// Inits killed before they finished (left no post, run again fine).
    pub init_interrupted: u64,
    /// Repairs the checker's opens made first, of the post and of killed
    /// inits: partial snapshots a kill left (sled 0.34.7 alone refuses such
    /// a store), corrupt ones set aside.
    pub repairs: u64,
    /// Entries in the post's store after the last cycle.
    pub entries_at_end: u64,
    pub verify_runs: u64,
    pub seconds: f64,
    /// One line per problem found, with its cycle.
    pub problems: Vec<String>,
}

impl CrashReport {
    pub fn clean(&self) -> bool {
        self.lost == 0 && self.torn == 0 && self.unopenable == 0
    }
}

/// A small deterministic generator, so a failing run replays by seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Runs the kill loop in `work` (a scratch directory); `progress` gets a
/// line now and then.
pub fn run(
    opts: &CrashOptions,
    work: &Path,
    mut progress: impl FnMut(&str),
) -> Result<CrashReport, String> {
    let start = Instant::now();
    let post = work.join("post");
    let mut report = CrashReport {
        seed: opts.seed,
        ..CrashReport::default()
    };
    let o = child(
        opts,
        &post,
        &["init", "--name", "崩溃测试", "--level", "county"],
    )
    .args(["--region", "654203"])
    .output()
    .map_err(|e| format!("cannot run {}: {e}", opts.binary.display()))?;
    if !o.status.success() {
        return Err(format!(
            "init failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let mut rng = Rng(opts.seed | 1);
    let mut acked: HashSet<EntryId> = HashSet::new();
    for cycle in 1..=opts.cycles {
        report.cycles = cycle;
        match rng.below(10) {
            0 => kill_open(opts, &post, &mut rng, &mut report)?,
            1 => kill_init(opts, work, cycle, &mut rng, &mut report)?,
            _ => kill_write(opts, &post, &mut rng, &mut acked, &mut report)?,
        }
        check(&post, cycle, &acked, &mut report);
        if cycle % VERIFY_EVERY == 0 || cycle == opts.cycles {
            full_verify(&post, cycle, &mut report);
            progress(&format!(
                "cycle {cycle}/{}: {} acknowledged, {} lost, {} torn, {} unopenable",
                opts.cycles, report.acknowledged, report.lost, report.torn, report.unopenable
            ));
        }
    }
    report.seconds = start.elapsed().as_secs_f64();
    Ok(report)
}

fn child(opts: &CrashOptions, dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(&opts.binary);
    c.arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("LIANDONG_DATA_DIR")
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn spawn(mut c: Command) -> Result<Child, String> {
    c.stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the child: {e}"))
}

/// SIGKILL to the child's own PID; true when it had already ended.
fn kill(child: &mut Child) -> bool {
    let finished = matches!(child.try_wait(), Ok(Some(_)));
    let _ = child.kill();
    let _ = child.wait();
    finished
}

fn kill_write(
    opts: &CrashOptions,
    post: &Path,
    rng: &mut Rng,
    acked: &mut HashSet<EntryId>,
    report: &mut CrashReport,
) -> Result<(), String> {
    report.write.cycles += 1;
    let batch = if rng.below(2) == 0 { "1" } else { "16" };
    let mut c = spawn(child(
        opts,
        post,
        &[
            "bench",
            "store",
            "--entries",
            "100000000",
            "--batch",
            batch,
            "--print-acks",
        ],
    ))?;
    let stdout = c.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    // Zero acks now and then: the kill then lands in the open.
    let wanted = match rng.below(4) {
        0 => 0,
        _ => 1 + rng.below(40),
    };
    let mut seen = 0;
    while seen < wanted {
        match lines.next() {
            Some(Ok(line)) => {
                if let Ok(id) = line.trim().parse() {
                    acked.insert(id);
                    report.acknowledged += 1;
                }
                seen += 1;
            }
            _ => break,
        }
    }
    std::thread::sleep(Duration::from_micros(rng.below(if wanted == 0 {
        40_000
    } else {
        3_000
    })));
    if kill(&mut c) {
        report.write.finished_first += 1;
    }
    // Acks printed before the kill landed were durable too.
    for line in lines.map_while(Result::ok) {
        if let Ok(id) = line.trim().parse()
            && acked.insert(id)
        {
            report.acknowledged += 1;
        }
    }
    Ok(())
}

fn kill_open(
    opts: &CrashOptions,
    post: &Path,
    rng: &mut Rng,
    report: &mut CrashReport,
) -> Result<(), String> {
    report.open.cycles += 1;
    let mut c = spawn(child(opts, post, &["log", "--limit", "1"]))?;
    std::thread::sleep(Duration::from_micros(rng.below(30_000)));
    if kill(&mut c) {
        report.open.finished_first += 1;
    }
    Ok(())
}

/// Kills an `init` of a fresh post; then the post is either complete or
/// absent (and `init` runs again).
fn kill_init(
    opts: &CrashOptions,
    work: &Path,
    cycle: u64,
    rng: &mut Rng,
    report: &mut CrashReport,
) -> Result<(), String> {
    report.init.cycles += 1;
    let dir = work.join(format!("init-{cycle}"));
    let args = [
        "init",
        "--name",
        "新建",
        "--level",
        "village",
        "--region",
        "654203106201",
    ];
    let mut c = spawn(child(opts, &dir, &args))?;
    std::thread::sleep(Duration::from_micros(rng.below(60_000)));
    if kill(&mut c) {
        report.init.finished_first += 1;
    }
    let data = DataDir::new(&dir);
    let complete = match open_waiting(&data) {
        Ok(post) => {
            report.repairs += post.ledger.store().repairs().len() as u64;
            let n = post.ledger.store().count().unwrap_or(0);
            if n != 1 {
                report.unopenable += 1;
                report
                    .problems
                    .push(format!("cycle {cycle}: init left a post with {n} entries"));
            }
            true
        }
        Err(PostError::InitInterrupted(_) | PostError::NotInitialised(_)) => false,
        Err(e) => {
            report.unopenable += 1;
            report
                .problems
                .push(format!("cycle {cycle}: after a killed init: {e}"));
            true
        }
    };
    if !complete {
        report.init_interrupted += 1;
        let o = child(opts, &dir, &args)
            .output()
            .map_err(|e| format!("cannot rerun init: {e}"))?;
        if !o.status.success() {
            report.unopenable += 1;
            report.problems.push(format!(
                "cycle {cycle}: init could not run again: {}",
                String::from_utf8_lossy(&o.stderr)
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn open_waiting(data: &DataDir) -> Result<Post, PostError> {
    Post::open_waiting(data, LOCK_PATIENCE)
}

/// Opens the post as the next command would, and looks for lost and torn
/// entries.
fn check(post: &Path, cycle: u64, acked: &HashSet<EntryId>, report: &mut CrashReport) {
    let p = match open_waiting(&DataDir::new(post)) {
        Ok(p) => p,
        Err(e) => {
            report.unopenable += 1;
            report
                .problems
                .push(format!("cycle {cycle}: the store does not open: {e}"));
            return;
        }
    };
    let store = p.ledger.store();
    report.repairs += store.repairs().len() as u64;
    let problem = |report: &mut CrashReport, what: String| {
        report.problems.push(format!("cycle {cycle}: {what}"));
    };
    for id in acked {
        match store.get(id) {
            Ok(Some(entry)) => match store.indexes_complete(&entry) {
                Ok(true) => {}
                _ => {
                    report.torn += 1;
                    problem(report, format!("entry {id} lacks index rows"));
                }
            },
            Ok(None) => {
                report.lost += 1;
                problem(report, format!("acknowledged entry {id} lost"));
            }
            Err(e) => {
                report.torn += 1;
                problem(report, format!("entry {id} unreadable: {e}"));
            }
        }
    }
    match store.dangling_index_rows() {
        Ok(0) => {}
        Ok(n) => {
            report.torn += n;
            problem(report, format!("{n} index rows without their entry"));
        }
        Err(e) => {
            report.torn += 1;
            problem(report, format!("index rows unreadable: {e}"));
        }
    }
    report.entries_at_end = store.count().unwrap_or(0);
}

fn full_verify(post: &Path, cycle: u64, report: &mut CrashReport) {
    report.verify_runs += 1;
    let result = open_waiting(&DataDir::new(post))
        .map_err(|e| e.to_string())
        .and_then(|p| crate::ledger::verify::verify(&p.ledger).map_err(|e| e.to_string()));
    match result {
        Ok(r) if r.problems.is_empty() => {}
        Ok(r) => {
            report.torn += r.problems.len() as u64;
            report.problems.push(format!(
                "cycle {cycle}: verify found {} problems: {}",
                r.problems.len(),
                r.problems.join("; ")
            ));
        }
        Err(e) => {
            report.unopenable += 1;
            report
                .problems
                .push(format!("cycle {cycle}: verify could not run: {e}"));
        }
    }
}

/// The report as the table `bench crash` prints.
pub fn table(r: &CrashReport) -> String {
    format!(
        "cycles {} (seed {}): write {} · open {} · init {} ({} interrupted)\n\
         acknowledged {} · lost {} · torn {} · unopenable {} · verify runs {} · repairs {} · {:.0} s\n",
        r.cycles,
        r.seed,
        r.write.cycles,
        r.open.cycles,
        r.init.cycles,
        r.init_interrupted,
        r.acknowledged,
        r.lost,
        r.torn,
        r.unopenable,
        r.verify_runs,
        r.repairs,
        r.seconds
    )
}
