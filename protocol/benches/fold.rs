//! How fast the views rebuild: folding 100,000 domain entries.
//!
//! Two numbers: a full fold from signed entries (decode every body, then
//! the pass) — what a post does at start-up — and a rebuild from an
//! already-decoded `Fold` — what it does after each new entry.

#[path = "../tests/world/mod.rs"]
mod world;

use criterion::{Criterion, criterion_group, criterion_main};
use liandong_protocol::domain::fold::{self, Fold, FoldContext, Track};
use liandong_protocol::domain::*;
use liandong_protocol::trust::TrustDirectory;
use liandong_protocol::{Hlc, ResponseLevel, SignedEntry, Status};
use world::*;

/// About `n` entries: incidents, each with reports, a response, a request
/// filled from an offer and delivered, and a task with acknowledgements.
fn ledger(w: &World, n: usize) -> Vec<SignedEntry> {
    let mut out = Vec::with_capacity(n + 20);
    let mut t = 0u64;
    let mut next = || {
        t += 1;
        Hlc::new(T0 + t * 1000, 0)
    };
    let scope = |p: &Post| p.info.region.clone();
    while out.len() < n {
        let inc = w.write_full(
            &w.village,
            next(),
            scope(&w.village),
            Status::Actual,
            report(Phase::Initial, None),
        );
        let id = inc.id();
        out.push(inc);
        for _ in 0..3 {
            out.push(w.write_full(
                &w.village,
                next(),
                scope(&w.village),
                Status::Actual,
                report(Phase::Update, Some(id)),
            ));
        }
        out.push(w.write_full(
            &w.county,
            next(),
            scope(&w.county),
            Status::Actual,
            decision(ResponseAction::Activate, id, ResponseLevel::IV),
        ));
        out.push(w.write_full(
            &w.prefecture,
            next(),
            scope(&w.prefecture),
            Status::Actual,
            decision(ResponseAction::Adjust, id, ResponseLevel::III),
        ));
        let req = w.write_full(
            &w.village,
            next(),
            scope(&w.village),
            Status::Actual,
            request(Some(id), 3),
        );
        let off = w.write_full(
            &w.county,
            next(),
            scope(&w.county),
            Status::Actual,
            offer(Some(req.id()), 5),
        );
        let com = w.write_full(
            &w.county,
            next(),
            scope(&w.county),
            Status::Actual,
            commit(off.id(), req.id(), 3),
        );
        let (req_id, com_id) = (req.id(), com.id());
        out.extend([req, off, com]);
        out.push(w.write_full(
            &w.county,
            next(),
            scope(&w.county),
            Status::Actual,
            status(com_id, DeploymentStatus::Dispatched),
        ));
        out.push(w.write_full(
            &w.village,
            next(),
            scope(&w.village),
            Status::Actual,
            status(com_id, DeploymentStatus::Delivered),
        ));
        let tk = w.write_full(
            &w.county,
            next(),
            scope(&w.county),
            Status::Actual,
            task(Some(id), vec![w.village.id(), w.town.id()], None),
        );
        let tk_id = tk.id();
        out.push(tk);
        out.push(w.write_full(
            &w.village,
            next(),
            scope(&w.village),
            Status::Actual,
            task_update(tk_id, TaskState::Acknowledged, ""),
        ));
        out.push(w.write_full(
            &w.town,
            next(),
            scope(&w.town),
            Status::Actual,
            task_update(tk_id, TaskState::Done, ""),
        ));
        out.push(w.write_full(
            &w.village,
            next(),
            scope(&w.village),
            Status::Actual,
            report(Phase::Final, Some(id)),
        ));
        let _ = req_id;
    }
    out
}

fn bench(c: &mut Criterion) {
    let w = World::new();
    let entries = ledger(&w, 100_000);
    let ctx = w.ctx(0);
    let mut group = c.benchmark_group("fold");
    group.sample_size(10);
    group.bench_function("full fold, 100k entries", |b| {
        b.iter(|| fold::fold_track(&entries, &ctx, Track::Actual))
    });
    let mut warm = Fold::new();
    for e in &entries {
        warm.insert(e);
    }
    group.bench_function("views from a decoded Fold, 100k entries", |b| {
        b.iter(|| warm.views(&ctx, Track::Actual))
    });

    // What a console does each second while no entry arrives: the views
    // it has, set to the new time.
    let mut kept = warm.views(&ctx, Track::Actual);
    let mut now = ctx.now_ms;
    group.bench_function("views set to a new time, 100k entries", |b| {
        b.iter(|| {
            now += 1000;
            kept.set_time(now)
        })
    });
    // The same while a request still holds them (writing a large answer):
    // the console's cache copies them first (`Arc::make_mut`).
    group.bench_function("views copied and set to a new time, 100k entries", |b| {
        b.iter(|| {
            now += 1000;
            let mut copy = kept.clone();
            copy.set_time(now);
            copy
        })
    });

    // The same posts in a network with a genesis, as a post in a real
    // network folds: every author resolved down its certificate chain,
    // per entry (the state itself) or once per post (`TrustDirectory`,
    // made afresh each time as a views request does).
    let trust = w.trust_state();
    let resolving = FoldContext {
        directory: &trust,
        ..ctx
    };
    let expected = warm.views(&ctx, Track::Actual);
    assert_eq!(warm.views(&resolving, Track::Actual), expected);
    let directory = TrustDirectory::new(trust.clone());
    let once = FoldContext {
        directory: &directory,
        ..ctx
    };
    assert_eq!(warm.views(&once, Track::Actual), expected);
    group.bench_function(
        "views from a decoded Fold, 100k entries, each author resolved",
        |b| b.iter(|| warm.views(&resolving, Track::Actual)),
    );
    group.bench_function(
        "views from a decoded Fold, 100k entries, TrustDirectory",
        |b| {
            b.iter(|| {
                let directory = TrustDirectory::new(trust.clone());
                let ctx = FoldContext {
                    directory: &directory,
                    ..ctx
                };
                warm.views(&ctx, Track::Actual)
            })
        },
    );
    group.finish();

    // Start-up at national scale: one full fold of a million entries,
    // measured once (set LIANDONG_BENCH_1M=1; it signs a million entries
    // first, which takes a while).
    if std::env::var_os("LIANDONG_BENCH_1M").is_some() {
        let entries = ledger(&w, 1_000_000);
        let start = std::time::Instant::now();
        let views = fold::fold_track(&entries, &ctx, Track::Actual);
        println!(
            "fold of {} entries: {:?} ({} incidents)",
            entries.len(),
            start.elapsed(),
            views.incidents.len()
        );
        let mut warm = Fold::new();
        for e in &entries {
            warm.insert(e);
        }
        let start = std::time::Instant::now();
        let views = warm.views(&ctx, Track::Actual);
        println!(
            "views from a decoded Fold of {} entries: {:?} ({} incidents)",
            entries.len(),
            start.elapsed(),
            views.incidents.len()
        );
        let start = std::time::Instant::now();
        warm.views(&resolving, Track::Actual);
        println!(
            "the same, each author resolved from the trust state: {:?}",
            start.elapsed()
        );
        let start = std::time::Instant::now();
        let directory = TrustDirectory::new(trust.clone());
        warm.views(
            &FoldContext {
                directory: &directory,
                ..ctx
            },
            Track::Actual,
        );
        println!(
            "the same, through a new TrustDirectory: {:?}",
            start.elapsed()
        );
        let mut kept = views;
        let start = std::time::Instant::now();
        kept.set_time(ctx.now_ms + 1000);
        println!("the same views set to a new time: {:?}", start.elapsed());
        let start = std::time::Instant::now();
        let mut copy = kept.clone();
        copy.set_time(ctx.now_ms + 2000);
        println!(
            "the same views copied and set to a new time: {:?}",
            start.elapsed()
        );
        let start = std::time::Instant::now();
        drop(copy);
        println!("the copy dropped: {:?}", start.elapsed());
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
