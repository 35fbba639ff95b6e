//! Store and ingest costs on this machine's disk.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use liandong_node::ledger::actor::{Intake, LedgerHandle};
use liandong_node::ledger::{ItemOutcome, Ledger};
use liandong_node::store::{Durability, Store};
use liandong_protocol::{
    Body, Draft, EntryId, Hlc, Interest, Keypair, Limits, NetworkId, Note, SignedEntry, Status,
};

fn network() -> NetworkId {
    NetworkId::from_name("bench")
}

/// `n` entries from 16 authors, as a busy county would receive them.
fn received(n: usize) -> Vec<SignedEntry> {
    let now = liandong_node::clock::now_ms() - 60_000;
    let keys: Vec<Keypair> = (1..=16u8).map(|i| Keypair::from_secret([i; 32])).collect();
    let mut prev: Vec<Option<EntryId>> = vec![None; keys.len()];
    (0..n)
        .map(|i| {
            let a = i % keys.len();
            let seq = (i / keys.len()) as u64 + 1;
            let e = SignedEntry::sign(
                &keys[a],
                Draft {
                    network: network(),
                    seq,
                    prev: prev[a],
                    hlc: Hlc::new(now + i as u64, 0),
                    scope: "654203106".parse().expect("region"),
                    status: Status::Actual,
                    body: Body::Note(Note {
                        text: format!("情况报告 {i}：河道水位上涨，已转移群众。"),
                    }),
                    operator: None,
                },
            )
            .expect("sign");
            prev[a] = Some(e.id());
            e
        })
        .collect()
}

fn fresh_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("store"), 64).expect("open");
    (dir, store)
}

/// A ledger in development mode (no genesis, so no certificate checks)
/// that keeps everything.
fn fresh_ledger() -> (tempfile::TempDir, Ledger) {
    let (dir, store) = fresh_store();
    let ledger = Ledger::open(
        store,
        Keypair::from_secret([99; 32]),
        network(),
        Limits::default(),
        Interest::everything(),
    )
    .expect("ledger");
    (dir, ledger)
}

fn store_inserts(c: &mut Criterion) {
    let entries = received(4096);
    let mut group = c.benchmark_group("store");
    group.sample_size(10);

    group.throughput(Throughput::Elements(256));
    group.bench_function("insert 256, one durable batch", |b| {
        b.iter_batched(
            fresh_store,
            |(_dir, store)| store.insert_batch(black_box(&entries[..256]), Durability::Durable),
            BatchSize::PerIteration,
        )
    });

    group.throughput(Throughput::Elements(64));
    group.bench_function("insert 64, durable per entry", |b| {
        b.iter_batched(
            fresh_store,
            |(_dir, store)| {
                for e in &entries[..64] {
                    store
                        .insert(black_box(e), Durability::Durable)
                        .expect("insert");
                }
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// Ingests `wires` in groups of 256; lazy groups are each made durable by
/// one fsync behind them, as the node's fsync thread does.
fn ingest_in_groups(ledger: &Ledger, wires: &[Vec<u8>], durability: Durability) {
    for chunk in wires.chunks(256) {
        let report = ledger.ingest(chunk, durability).expect("ingest");
        assert_eq!(report.rejected.len(), 0);
        if durability == Durability::Lazy {
            ledger.store().sync().expect("sync");
        }
    }
}

fn full_ingest(c: &mut Criterion) {
    let wires: Vec<Vec<u8>> = received(10_000)
        .into_iter()
        .map(SignedEntry::into_wire)
        .collect();
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.throughput(Throughput::Elements(wires.len() as u64));
    group.bench_function(
        "10k received entries: decode + verify + insert, batches of 256",
        |b| {
            b.iter_batched(
                fresh_ledger,
                |(_dir, ledger)| ingest_in_groups(&ledger, &wires, Durability::Durable),
                BatchSize::PerIteration,
            )
        },
    );
    // What the node does with received entries (`ledger/actor.rs`): groups
    // inserted lazily, each made durable by one fsync behind it (the node's
    // fsync thread may cover several groups with one).
    group.bench_function(
        "10k received entries: decode + verify + insert, lazy groups of 256, one fsync each",
        |b| {
            b.iter_batched(
                fresh_ledger,
                |(_dir, ledger)| ingest_in_groups(&ledger, &wires, Durability::Lazy),
                BatchSize::PerIteration,
            )
        },
    );
    // The node's own path: received batches through the ledger thread's
    // handle, from four senders at once (gossip handlers, sync sessions),
    // with the node's fsync thread behind the writes.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    group.bench_function(
        "10k received entries through the ledger thread, 4 senders, batches of 256",
        |b| {
            b.iter_batched(
                fresh_ledger,
                |(_dir, ledger)| ingest_through_thread(&runtime, ledger, &wires),
                BatchSize::PerIteration,
            )
        },
    );
    group.finish();
}

/// Four senders, each with every fourth batch of 256, through the ledger
/// thread's handle; every entry must be added.
fn ingest_through_thread(runtime: &tokio::runtime::Runtime, ledger: Ledger, wires: &[Vec<u8>]) {
    let (handle, thread) = LedgerHandle::spawn(ledger).expect("spawn");
    runtime.block_on(async {
        let senders: Vec<_> = (0..4)
            .map(|k| {
                let handle = handle.clone();
                let batches: Vec<Vec<Vec<u8>>> = wires
                    .chunks(256)
                    .skip(k)
                    .step_by(4)
                    .map(<[Vec<u8>]>::to_vec)
                    .collect();
                tokio::spawn(async move {
                    for batch in batches {
                        let ingested = handle
                            .ingest(batch, Intake::Received)
                            .await
                            .expect("ingest");
                        let added = |o: &ItemOutcome| matches!(o, ItemOutcome::Added(_));
                        assert!(ingested.outcomes.iter().all(added));
                    }
                })
            })
            .collect();
        for sender in senders {
            sender.await.expect("sender");
        }
    });
    drop(handle);
    thread.join().expect("ledger thread");
}

criterion_group!(benches, store_inserts, full_ingest);
criterion_main!(benches);
