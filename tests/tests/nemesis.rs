//! A few seeds of the nemesis (`liandong_node::nemesis`) in process: small
//! worlds, short schedules — partitions, thin links, restarts, bursts —
//! and the invariants after the last heal: converged within the bound, no
//! honest post banned, no fork, no acknowledged entry lost. The long run
//! with real processes (SIGKILL, silent links, clock skew) is
//! `liandong bench nemesis --seeds 100`; BENCHMARKS.md records it.

use std::time::Duration;

use liandong_node::nemesis::{Launch, Mode, NemesisOptions, run_seed};

fn options() -> NemesisOptions {
    NemesisOptions {
        launch: Launch {
            mode: Mode::InProcess,
            binary: None,
            sync_interval: Duration::from_secs(5),
        },
        small: true,
        steps: 4,
        burst: 300,
        converge_bound: Duration::from_secs(120),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_bad_days_end_converged_with_no_ban_fork_or_loss() {
    liandong_tests::init_logging();
    let seeds: Vec<u64> = std::env::var("NEMESIS_SEEDS")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![3, 17]);
    for seed in seeds {
        let tmp = tempfile::tempdir().expect("tempdir");
        let outcome = run_seed(&options(), seed, tmp.path(), |l| eprintln!("{l}")).await;
        eprintln!(
            "seed {seed}: converged in {:.1} s, {} acknowledged, faults {:?}",
            outcome.converge_s, outcome.acknowledged, outcome.faults
        );
        assert!(outcome.passed(), "seed {seed}: {outcome:#?}");
        assert!(outcome.acknowledged > 0);
    }
}
