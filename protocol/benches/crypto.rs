//! Signing, verification and codec costs: the physical limits of ingest.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use liandong_protocol::{
    Body, Draft, Hlc, Keypair, Limits, NetworkId, Note, SignedEntry, Status, ValidationContext,
    validate,
};

const NOW_MS: u64 = 1_795_000_000_000;

fn sample_entry(kp: &Keypair, seq: u64) -> SignedEntry {
    SignedEntry::sign(
        kp,
        Draft {
            network: NetworkId::from_name("bench"),
            seq,
            prev: (seq > 1).then_some(liandong_protocol::EntryId([seq as u8; 32])),
            hlc: Hlc::new(NOW_MS, 0),
            scope: "654203106".parse().expect("region"),
            status: Status::Actual,
            body: Body::Note(Note {
                text: "西戈壁村：暴雨持续，村东河道水位上涨 0.8 米，已转移 12 户。".into(),
            }),
            operator: None,
        },
    )
    .expect("sign")
}

fn signatures(c: &mut Criterion) {
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let public: VerifyingKey = key.verifying_key();
    let msg = [0x42u8; 200];
    let sig: Signature = key.sign(&msg);

    c.bench_function("ed25519/sign 200B", |b| {
        b.iter(|| key.sign(black_box(&msg)))
    });
    c.bench_function("ed25519/verify 200B", |b| {
        b.iter(|| public.verify(black_box(&msg), &sig))
    });
    c.bench_function("ed25519/verify_strict 200B", |b| {
        b.iter(|| public.verify_strict(black_box(&msg), &sig))
    });

    let keys: Vec<SigningKey> = (0..256u32)
        .map(|i| SigningKey::from_bytes(&[(i % 251) as u8 + 1; 32]))
        .collect();
    let msgs: Vec<Vec<u8>> = (0..256u32)
        .map(|i| format!("message {i}").into_bytes())
        .collect();
    let sigs: Vec<Signature> = keys.iter().zip(&msgs).map(|(k, m)| k.sign(m)).collect();
    let pubs: Vec<VerifyingKey> = keys.iter().map(SigningKey::verifying_key).collect();
    let refs: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
    let mut group = c.benchmark_group("ed25519/batch");
    group.throughput(Throughput::Elements(256));
    group.bench_function(BenchmarkId::new("verify_batch", 256), |b| {
        b.iter(|| ed25519_dalek::verify_batch(black_box(&refs), &sigs, &pubs))
    });
    group.finish();
}

fn entries(c: &mut Criterion) {
    let kp = Keypair::from_secret([9u8; 32]);
    let entry = sample_entry(&kp, 2);
    let limits = Limits::default();
    let ctx = ValidationContext {
        now_ms: NOW_MS,
        network: NetworkId::from_name("bench"),
        limits: &limits,
    };
    let draft = Draft {
        network: NetworkId::from_name("bench"),
        seq: 1,
        prev: None,
        hlc: Hlc::new(NOW_MS, 0),
        scope: "654203106".parse().expect("region"),
        status: Status::Actual,
        body: Body::Note(Note {
            text: "x".repeat(100),
        }),
        operator: None,
    };
    c.bench_function("entry/sign", |b| {
        b.iter(|| SignedEntry::sign(&kp, black_box(draft.clone())))
    });
    c.bench_function("entry/decode (no signature check)", |b| {
        b.iter(|| SignedEntry::decode_stored(black_box(entry.wire())))
    });
    c.bench_function("entry/body decode", |b| b.iter(|| black_box(&entry).body()));
    c.bench_function("entry/validate (decode + checks + verify_strict)", |b| {
        b.iter(|| validate(black_box(entry.wire()), &ctx))
    });
}

criterion_group!(benches, signatures, entries);
criterion_main!(benches);
