//! `liandong bench`: measurements an engineer runs on a real machine.

use std::io::Write;
use std::time::Instant;

use clap::{Args, Subcommand};
use liandong_protocol::{Body, Note, Status};
use serde_json::json;

use super::CliError;
use super::output;
use crate::datadir::DataDir;
use crate::post::Post;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Durable write throughput of this post's store. Writes Test-status
    /// notes into the ledger: use a scratch --data-dir. / 存储写入基准（写入测试条目）
    Store(StoreBenchArgs),
    /// Many posts in this process on loopback: delivery latency and partition
    /// heal. Writes a table, and JSON with --json FILE. / 网络基准
    Net(NetBenchArgs),
    /// Start-up of a post with a large ledger: read, decode and fold N
    /// domain entries into views (in a scratch directory). / 视图启动基准
    Views(ViewsBenchArgs),
    /// A seeded simulation of a national network (national → provinces →
    /// … → villages, member units at counties) with the posts' real
    /// interest, topic, push, sync-policy and reconciliation rules: what
    /// each post holds and sends, and how fast a province cut off
    /// converges once reconnected. No sockets, no disk. / 全国规模仿真
    Sim(SimBenchArgs),
    /// SIGKILL real `liandong` processes at random instants while they
    /// write, open and init (in a scratch directory), and count lost, torn
    /// and unopenable stores. / 崩溃测试（随机杀进程）
    Crash(CrashBenchArgs),
    /// Seeded fault schedules (partitions, silent and thin links, restarts,
    /// SIGKILL, bursts, clock skew) against real posts, and the invariants
    /// after the last heal: converged, no honest ban, no fork, nothing
    /// lost. / 故障注入测试
    Nemesis(NemesisBenchArgs),
}

#[derive(Debug, Args)]
pub struct NemesisBenchArgs {
    /// Seeds to play
    #[arg(long, default_value_t = 100)]
    pub seeds: u64,
    /// The first seed
    #[arg(long, default_value_t = 1)]
    pub first_seed: u64,
    /// Faults per seed
    #[arg(long, default_value_t = 6)]
    pub steps: usize,
    /// Entries in a burst
    #[arg(long, default_value_t = 5000)]
    pub burst: usize,
    /// Seconds the posts may take to converge after the last heal
    #[arg(long, default_value_t = 180)]
    pub bound: u64,
    /// Posts in this process instead of real processes (no SIGKILL, no
    /// clock skew)
    #[arg(long)]
    pub in_process: bool,
    /// The small world (4 posts) and shorter faults
    #[arg(long)]
    pub small: bool,
    /// Write the report as JSON to this file
    #[arg(long, value_name = "FILE")]
    pub json: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct CrashBenchArgs {
    /// Kill cycles to run
    #[arg(long, default_value_t = 1000)]
    pub cycles: u64,
    #[arg(long, default_value_t = 0x5eed_1234)]
    pub seed: u64,
    /// Write the report as JSON to this file
    #[arg(long, value_name = "FILE")]
    pub json: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ViewsBenchArgs {
    /// Domain entries to write first
    #[arg(long, default_value_t = 1_000_000)]
    pub entries: u64,
    /// Write the post into this directory and keep it; when it already
    /// holds one (from an earlier `--dir` run), write nothing and only time
    /// `--starts` starts of it / 保留基准数据目录，再次运行时只测启动
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
    /// Starts to time of a post kept with `--dir`
    #[arg(long, default_value_t = 3)]
    pub starts: usize,
    /// Fill every text field of each report, as a duty operator does
    /// (about 500 bytes of text), not just a title / 每份报告填满全部文字字段
    #[arg(long)]
    pub full_texts: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SimBenchArgs {
    /// At most this many posts (the largest tree of whole counties that fits)
    #[arg(long, default_value_t = 10_000)]
    pub posts: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Provinces (31 real codes, then other valid ones)
    #[arg(long, default_value_t = 31)]
    pub provinces: usize,
    #[arg(long, default_value_t = 8)]
    pub counties_per_prefecture: usize,
    /// Member units beside each county post (fire, police, health, water, weather, …)
    #[arg(long, default_value_t = 5)]
    pub units: usize,
    /// Townships per county
    #[arg(long, default_value_t = 4)]
    pub townships: usize,
    /// Villages per township
    #[arg(long, default_value_t = 6)]
    pub villages: usize,
    /// Entries each post writes in the live phase
    #[arg(long, default_value_t = 2)]
    pub entries: u32,
    /// Entries each post writes while the province is cut off
    #[arg(long, default_value_t = 1)]
    pub partition_entries: u32,
    /// Seconds (simulated) over which live writes are spread
    #[arg(long, default_value_t = 60)]
    pub live_seconds: u64,
    /// Seconds (simulated) the province stays cut off
    #[arg(long, default_value_t = 60)]
    pub partition_seconds: u64,
    /// Each post's anti-entropy interval, seconds (the node's default)
    #[arg(long, default_value_t = 30)]
    pub sync_interval: u64,
    /// The province to cut off (its 2-digit code; the first by default)
    #[arg(long)]
    pub cut: Option<String>,
    /// Write the report, with a row per post, as JSON to this file
    #[arg(long, value_name = "FILE")]
    pub json: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct NetBenchArgs {
    /// Posts to start
    #[arg(long, default_value_t = 50)]
    pub nodes: usize,
    /// Entries to publish from random posts
    #[arg(long, default_value_t = 200)]
    pub entries: usize,
    /// Entries per second across the network
    #[arg(long, default_value_t = 10.0)]
    pub rate: f64,
    /// Entries written on each side of the partition
    #[arg(long, default_value_t = 100)]
    pub diverge: usize,
    /// Links each post makes to earlier ones
    #[arg(long, default_value_t = 3)]
    pub degree: usize,
    /// Entries the two posts of the pair experiment share before they
    /// diverge (e.g. 100000 to measure round trips on a large ledger)
    #[arg(long, default_value_t = 0)]
    pub preload: usize,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Also run plain libp2p gossipsub (same topology, settings, entries
    /// and schedule; validation and one sled insert per hop) and report
    /// delivery latency against it
    #[arg(long)]
    pub baseline: bool,
    /// Write the report as JSON to this file
    #[arg(long, value_name = "FILE")]
    pub json: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct StoreBenchArgs {
    /// How many entries to write
    #[arg(long, default_value_t = 2000)]
    pub entries: u64,
    /// Entries per durable batch (1 = flush + fsync after every entry)
    #[arg(long, default_value_t = 1)]
    pub batch: u64,
    /// Print each entry id once it is durable (one line each)
    #[arg(long)]
    pub print_acks: bool,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, cmd: BenchCommand) -> Result<(), CliError> {
    match cmd {
        BenchCommand::Store(args) => store(data_dir, args),
        BenchCommand::Net(args) => net(args),
        BenchCommand::Views(args) => views(args),
        BenchCommand::Sim(args) => sim(args),
        BenchCommand::Crash(args) => crash(args),
        BenchCommand::Nemesis(args) => nemesis(args),
    }
}

fn nemesis(args: NemesisBenchArgs) -> Result<(), CliError> {
    use crate::nemesis::{Launch, Mode, NemesisOptions, NemesisReport};
    let binary = std::env::current_exe()
        .map_err(|e| CliError::Failed(format!("cannot find this program: {e}")))?;
    let opts = NemesisOptions {
        launch: Launch {
            mode: if args.in_process {
                Mode::InProcess
            } else {
                Mode::Processes
            },
            binary: Some(binary),
            sync_interval: std::time::Duration::from_secs(10),
        },
        small: args.small,
        steps: args.steps,
        burst: args.burst,
        converge_bound: std::time::Duration::from_secs(args.bound),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the runtime: {e}")))?;
    let mut report = NemesisReport::default();
    for seed in args.first_seed..args.first_seed + args.seeds {
        let tmp = tempfile::Builder::new()
            .prefix("liandong-nemesis-")
            .tempdir()
            .map_err(|e| CliError::Failed(format!("cannot create a temporary directory: {e}")))?;
        let outcome = runtime.block_on(crate::nemesis::run_seed(&opts, seed, tmp.path(), |l| {
            eprintln!("[nemesis] {l}")
        }));
        eprintln!(
            "[nemesis] seed {seed}: {} — converged in {:.1} s, {} acknowledged{}",
            if outcome.passed() { "ok" } else { "FAILED" },
            outcome.converge_s,
            outcome.acknowledged,
            if outcome.problems.is_empty() {
                String::new()
            } else {
                format!(": {}", outcome.problems.join("; "))
            }
        );
        report.add(outcome);
        if let Some(path) = &args.json {
            let text = serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            std::fs::write(path, text)
                .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
        }
    }
    print!("{}", report.table());
    if report.passed == report.seeds {
        Ok(())
    } else {
        Err(CliError::Problems(report.seeds - report.passed))
    }
}

fn crash(args: CrashBenchArgs) -> Result<(), CliError> {
    let binary = std::env::current_exe()
        .map_err(|e| CliError::Failed(format!("cannot find this program: {e}")))?;
    let tmp = tempfile::Builder::new()
        .prefix("liandong-crash-")
        .tempdir()
        .map_err(|e| CliError::Failed(format!("cannot create a temporary directory: {e}")))?;
    let opts = crate::benchcrash::CrashOptions {
        cycles: args.cycles,
        seed: args.seed,
        binary,
    };
    let report = crate::benchcrash::run(&opts, tmp.path(), |line| eprintln!("[bench] {line}"))
        .map_err(CliError::Failed)?;
    print!("{}", crate::benchcrash::table(&report));
    for p in &report.problems {
        println!("  {p}");
    }
    if let Some(path) = args.json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Failed(e.to_string()))?;
        std::fs::write(&path, text)
            .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
    }
    if report.clean() {
        Ok(())
    } else {
        Err(CliError::Problems(report.problems.len()))
    }
}

fn store(data_dir: &DataDir, args: StoreBenchArgs) -> Result<(), CliError> {
    if args.batch == 0 {
        return Err(CliError::Usage("--batch must be at least 1".into()));
    }
    let post = Post::open(data_dir)?;
    let scope = post.config.post.region.clone();
    let mut stdout = std::io::stdout().lock();
    let start = Instant::now();
    let mut written = 0u64;
    while written < args.entries {
        let n = args.batch.min(args.entries - written);
        let items = (0..n)
            .map(|i| {
                let text = format!("bench entry {}", written + i);
                (scope.clone(), Status::Test, Body::Note(Note { text }))
            })
            .collect();
        let entries = post.ledger.author_batch(items)?;
        if args.print_acks {
            for e in &entries {
                // An ack line is printed only after the batch is durable.
                writeln!(stdout, "{}", e.id()).map_err(|e| CliError::Failed(e.to_string()))?;
            }
            stdout
                .flush()
                .map_err(|e| CliError::Failed(e.to_string()))?;
        }
        written += n;
    }
    let secs = start.elapsed().as_secs_f64();
    let rate = written as f64 / secs.max(1e-9);
    if args.json {
        output::print_json(
            &json!({ "entries": written, "batch": args.batch, "seconds": secs, "entries_per_second": rate }),
        );
    } else if !args.print_acks {
        println!(
            "{written} durable entries in {secs:.2} s, batch {}: {rate:.0} entries/s",
            args.batch
        );
    }
    Ok(())
}

fn net(args: NetBenchArgs) -> Result<(), CliError> {
    let opts = crate::benchnet::BenchOptions {
        nodes: args.nodes,
        entries: args.entries,
        rate: args.rate,
        diverge: args.diverge,
        degree: args.degree,
        preload: args.preload,
        seed: args.seed,
        baseline: args.baseline,
        ..Default::default()
    };
    let tmp = tempfile::Builder::new()
        .prefix("liandong-bench-")
        .tempdir()
        .map_err(|e| CliError::Failed(format!("cannot create a temporary directory: {e}")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the runtime: {e}")))?;
    let report = runtime
        .block_on(crate::benchnet::run(&opts, tmp.path(), |line| {
            eprintln!("[bench] {line}")
        }))
        .map_err(CliError::Failed)?;
    print!("{}", crate::benchnet::table(&report));
    if let Some(path) = args.json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Failed(e.to_string()))?;
        std::fs::write(&path, text)
            .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

fn sim(args: SimBenchArgs) -> Result<(), CliError> {
    use crate::benchsim::{Shape, SimOptions};
    let opts = SimOptions {
        posts: args.posts,
        seed: args.seed,
        shape: Shape {
            provinces: args.provinces,
            counties_per_prefecture: args.counties_per_prefecture,
            units: args.units,
            townships: args.townships,
            villages: args.villages,
        },
        entries: args.entries,
        partition_entries: args.partition_entries,
        live_s: args.live_seconds,
        partition_s: args.partition_seconds,
        sync_interval_s: args.sync_interval.max(1),
        cut_province: args.cut,
        ..Default::default()
    };
    let report = crate::benchsim::run(&opts).map_err(|e| CliError::Failed(e.to_string()))?;
    print!("{}", report.table());
    if let Some(path) = args.json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Failed(e.to_string()))?;
        std::fs::write(&path, text)
            .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
    }
    if report.problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::Problems(report.problems.len()))
    }
}

/// Bytes per entry: on disk after writing, after reopening, and what each
/// key space holds (keys + values).
fn print_disk(entries: u64, written: u64, disk: &crate::store::DiskStats) {
    let per = |bytes: u64| bytes as f64 / entries.max(1) as f64;
    println!(
        "disk per entry: {:.0} B written, {:.0} B after reopen; logical {:.0} B",
        per(written),
        per(disk.allocated_bytes),
        per(disk.logical_bytes())
    );
    for s in &disk.key_spaces {
        println!(
            "  {}: {} rows, {:.1} B/entry ({} B keys + {} B values)",
            s.tag,
            s.rows,
            per(s.key_bytes + s.value_bytes),
            s.key_bytes,
            s.value_bytes
        );
    }
}

fn views(args: ViewsBenchArgs) -> Result<(), CliError> {
    if let Some(dir) = &args.dir
        && crate::benchviews::has_post(dir)
    {
        return view_starts(dir, &args);
    }
    let tmp;
    let root = match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| CliError::Failed(format!("cannot create {}: {e}", dir.display())))?;
            dir.as_path()
        }
        None => {
            tmp = tempfile::Builder::new()
                .prefix("liandong-bench-")
                .tempdir()
                .map_err(|e| {
                    CliError::Failed(format!("cannot create a temporary directory: {e}"))
                })?;
            tmp.path()
        }
    };
    let texts = if args.full_texts {
        crate::benchviews::Texts::Full
    } else {
        crate::benchviews::Texts::Short
    };
    let r = crate::benchviews::run(root, args.entries, texts, |line| {
        eprintln!("[bench] {line}")
    })
    .map_err(CliError::Failed)?;
    if args.json {
        output::print_json(&r);
    } else {
        println!(
            "{} entries ({} MB on disk) written in {:.1} s; cold start: open {:.2} s, load {:.2} s, views {:.2} s ({} incidents)",
            r.entries,
            r.store_bytes / 1_000_000,
            r.write_seconds,
            r.open_seconds,
            r.load_seconds,
            r.views_seconds,
            r.incidents
        );
        print_disk(r.entries, r.written_allocated_bytes, &r.disk);
        println!(
            "views' snapshot built in {:.2} s ({} MB on disk with it)",
            r.snapshot_build_seconds,
            r.store_bytes_with_snapshot / 1_000_000
        );
        for (label, s) in [
            ("start with the snapshot".to_string(), &r.with_snapshot),
            (
                format!("start after {} more entries", r.added_after),
                &r.caught_up,
            ),
        ] {
            print_start(&label, s);
        }
    }
    Ok(())
}

/// `bench views --dir DIR` on a post kept there: starts only.
fn view_starts(dir: &std::path::Path, args: &ViewsBenchArgs) -> Result<(), CliError> {
    let starts = crate::benchviews::starts(dir, args.starts).map_err(CliError::Failed)?;
    if args.json {
        output::print_json(&starts);
        return Ok(());
    }
    for (n, s) in starts.iter().enumerate() {
        print_start(&format!("start {}", n + 1), s);
    }
    Ok(())
}

fn print_start(label: &str, s: &crate::benchviews::StartReport) {
    println!(
        "{label}: open {:.2} s, load {:.2} s ({}), views {:.2} s; total {:.2} s",
        s.open_seconds, s.load_seconds, s.how, s.views_seconds, s.total_seconds
    );
}
