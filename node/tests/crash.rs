//! SIGKILL at random instants — while writing durably, while opening the
//! store (sled's start-up snapshot), and during `init` — loses nothing
//! acknowledged, tears nothing, and leaves every store openable.
//!
//! This is `liandong bench crash` (node/src/benchcrash.rs) with few
//! cycles; BENCHMARKS.md records a long run. `CRASH_SEED` and
//! `CRASH_CYCLES` replay or lengthen it.

use liandong_node::benchcrash::{self, CrashOptions};

#[test]
fn kill_loop_loses_no_acknowledged_entry() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let opts = CrashOptions {
        cycles: env("CRASH_CYCLES", 40),
        seed: env("CRASH_SEED", 0x5eed_1234),
        binary: env!("CARGO_BIN_EXE_liandong").into(),
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let report = benchcrash::run(&opts, tmp.path(), |line| eprintln!("{line}")).expect("run");
    eprint!("{}", benchcrash::table(&report));
    assert!(report.clean(), "seed {}: {:#?}", opts.seed, report.problems);
    assert!(report.acknowledged >= 40, "{report:?}");
    assert!(report.write.cycles > 0 && report.open.cycles > 0 && report.init.cycles > 0);
}
