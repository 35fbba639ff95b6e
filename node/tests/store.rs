//! The store: idempotent atomic inserts, forks kept as evidence, digests,
//! queries, and refusal of unknown or foreign stores.

mod common;

use liandong_node::store::{Durability, InsertOutcome, Query, Store, StoreError};
use liandong_protocol::{
    Body, Draft, EntryId, Hlc, Keypair, Kind, NetworkId, Note, RegionCode, SignedEntry, Status,
};
use proptest::prelude::*;

fn region(s: &str) -> RegionCode {
    s.parse().expect("region")
}

fn entry(
    kp: &Keypair,
    seq: u64,
    prev: Option<EntryId>,
    scope: &str,
    text: &str,
    ms: u64,
) -> SignedEntry {
    SignedEntry::sign(
        kp,
        Draft {
            network: NetworkId::from_name("t"),
            seq,
            prev,
            hlc: Hlc::new(ms, 0),
            scope: region(scope),
            status: Status::Actual,
            body: Body::Note(Note { text: text.into() }),
            operator: None,
        },
    )
    .expect("sign")
}

/// Opens the store, waiting for sled's threads of a dropped handle to let
/// go of its files (a reopen right after a drop can find them locked).
fn open(dir: &tempfile::TempDir) -> Store {
    common::open_store(&dir.path().join("store"))
}

#[test]
fn insert_is_idempotent_and_survives_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kp = Keypair::from_secret([1; 32]);
    let e = entry(&kp, 1, None, "654203", "a", 1000);
    {
        let store = open(&dir);
        assert_eq!(
            store.insert(&e, Durability::Durable).expect("insert"),
            InsertOutcome::Added
        );
        assert_eq!(
            store.insert(&e, Durability::Durable).expect("again"),
            InsertOutcome::Duplicate
        );
        assert_eq!(store.count().expect("count"), 1);
    }
    let store = open(&dir);
    assert_eq!(store.get(&e.id()).expect("get"), Some(e.clone()));
    assert_eq!(
        store.insert(&e, Durability::Lazy).expect("after reopen"),
        InsertOutcome::Duplicate
    );
    assert_eq!(store.count().expect("count"), 1);
    assert!(store.indexes_complete(&e).expect("indexes"));
}

#[test]
fn duplicates_within_one_batch_are_written_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir);
    let e = entry(&Keypair::from_secret([1; 32]), 1, None, "654203", "a", 1000);
    let out = store
        .insert_batch(&[e.clone(), e.clone()], Durability::Durable)
        .expect("batch");
    assert_eq!(out, [InsertOutcome::Added, InsertOutcome::Duplicate]);
    assert_eq!(store.count().expect("count"), 1);
}

#[test]
fn equivocation_is_kept_as_evidence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir);
    let kp = Keypair::from_secret([2; 32]);
    let a = entry(&kp, 1, None, "654203", "version A", 1000);
    let b = entry(&kp, 1, None, "654203", "version B", 1000);
    assert_eq!(
        store.insert(&a, Durability::Durable).expect("a"),
        InsertOutcome::Added
    );
    assert_eq!(
        store.insert(&b, Durability::Durable).expect("b"),
        InsertOutcome::Fork
    );
    // Neither is overwritten.
    assert_eq!(store.get(&a.id()).expect("get a"), Some(a.clone()));
    assert_eq!(store.get(&b.id()).expect("get b"), Some(b.clone()));
    let forks = store.forks().expect("forks");
    assert_eq!(forks.len(), 1);
    assert_eq!((forks[0].author, forks[0].seq), (kp.node_id(), 1));
    let mut ids = forks[0].ids.clone();
    ids.sort();
    let mut expected = vec![a.id(), b.id()];
    expected.sort();
    assert_eq!(ids, expected);
    // A fork inside one batch is detected too.
    let c = entry(&kp, 2, Some(a.id()), "654203", "c", 2000);
    let d = entry(&kp, 2, Some(b.id()), "654203", "d", 2000);
    let out = store
        .insert_batch(&[c, d], Durability::Durable)
        .expect("batch");
    assert_eq!(out, [InsertOutcome::Added, InsertOutcome::Fork]);
    assert_eq!(store.forks().expect("forks").len(), 2);
}

#[test]
fn digests_by_subtree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir);
    let kp = Keypair::from_secret([3; 32]);
    let village = entry(&kp, 1, None, "654203106201", "v", 1000);
    let county = entry(&kp, 2, Some(village.id()), "654203", "c", 2000);
    let other = entry(&kp, 3, Some(county.id()), "110101", "o", 3000);
    store
        .insert_batch(
            &[village.clone(), county.clone(), other.clone()],
            Durability::Durable,
        )
        .expect("insert");
    assert_eq!(store.digest(&region("654203106201")).expect("d").count, 1);
    assert_eq!(store.digest(&region("654203")).expect("d").count, 2);
    assert_eq!(store.digest(&region("65")).expect("d").count, 2);
    assert_eq!(store.digest(&region("11")).expect("d").count, 1);
    assert_eq!(store.digest(&region("00")).expect("d").count, 3);
    let mut expected = liandong_protocol::LedgerDigest::default();
    expected.add(&village.id());
    expected.add(&county.id());
    assert_eq!(store.digest(&region("6542")).expect("d"), expected);
}

#[test]
fn queries_filter_and_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir);
    let kp = Keypair::from_secret([4; 32]);
    let other = Keypair::from_secret([5; 32]);
    let e1 = entry(&kp, 1, None, "654203106", "one", 3000);
    let e2 = entry(&kp, 2, Some(e1.id()), "654203", "two", 1000);
    let e3 = entry(&other, 1, None, "110101", "three", 2000);
    store
        .insert_batch(&[e1.clone(), e2.clone(), e3.clone()], Durability::Lazy)
        .expect("insert");
    let ids = |q: Query| -> Vec<EntryId> {
        store
            .query(&q)
            .expect("query")
            .iter()
            .map(|e| e.id())
            .collect()
    };
    assert_eq!(
        ids(Query::default()),
        [e2.id(), e3.id(), e1.id()],
        "time order"
    );
    assert_eq!(
        ids(Query {
            scope: Some(region("6542")),
            ..Query::default()
        }),
        [e2.id(), e1.id()]
    );
    assert_eq!(
        ids(Query {
            author: Some(kp.node_id()),
            ..Query::default()
        }),
        [e1.id(), e2.id()],
        "seq order"
    );
    assert_eq!(
        ids(Query {
            since: Some(Hlc::new(2000, 0)),
            ..Query::default()
        }),
        [e3.id(), e1.id()]
    );
    assert_eq!(
        ids(Query {
            until: Some(Hlc::new(2000, 0)),
            ..Query::default()
        }),
        [e2.id(), e3.id()]
    );
    assert_eq!(
        ids(Query {
            kind: Some(Kind::NOTE),
            limit: Some(1),
            ..Query::default()
        }),
        [e2.id()]
    );
    assert_eq!(store.max_hlc().expect("max"), Some(Hlc::new(3000, 0)));
    assert_eq!(
        store.head_of(&kp.node_id()).expect("head"),
        Some((2, vec![e2.id()]))
    );
    assert_eq!(store.dangling_index_rows().expect("dangling"), 0);
}

#[test]
fn unknown_schema_version_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(open(&dir));
    {
        let db = common::raw_sled(&dir.path().join("store"));
        db.open_tree("meta")
            .expect("meta")
            .insert("schema_version", &99u32.to_be_bytes())
            .expect("write");
        db.flush().expect("flush");
    }
    match common::try_open_store(&dir.path().join("store")) {
        Err(StoreError::UnknownSchema {
            found: 99,
            supported: 1,
            ..
        }) => {}
        other => panic!("expected UnknownSchema, got {other:?}"),
    }
}

#[test]
fn garbage_store_is_reported_not_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store");
    std::fs::create_dir_all(&path).expect("mkdir");
    std::fs::write(path.join("conf"), b"this is not sled").expect("write");
    std::fs::write(path.join("db"), vec![0xAB; 4096]).expect("write");
    let result = Store::open(&path, 8);
    assert!(result.is_err(), "garbage must not open as a store");
    assert_eq!(
        std::fs::read(path.join("conf")).expect("read"),
        b"this is not sled"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn digest_is_independent_of_insert_order(order in Just((0..12usize).collect::<Vec<_>>()).prop_shuffle(), batch in 1usize..5) {
        let kp = Keypair::from_secret([6; 32]);
        let scopes = ["654203106201", "654203", "6542", "110101"];
        let mut entries: Vec<SignedEntry> = Vec::new();
        for i in 0..12u64 {
            let prev = entries.last().map(|e| e.id());
            entries.push(entry(&kp, i + 1, prev, scopes[i as usize % 4], &format!("n{i}"), 1000 + i));
        }
        let in_order = tempfile::tempdir().expect("tempdir");
        let shuffled = tempfile::tempdir().expect("tempdir");
        let a = open(&in_order);
        a.insert_batch(&entries, Durability::Lazy).expect("insert");
        let b = open(&shuffled);
        let reordered: Vec<SignedEntry> = order.iter().map(|&i| entries[i].clone()).collect();
        for chunk in reordered.chunks(batch) {
            b.insert_batch(chunk, Durability::Lazy).expect("insert");
        }
        for scope in ["00", "65", "654203", "11"] {
            prop_assert_eq!(a.digest(&region(scope)).expect("d"), b.digest(&region(scope)).expect("d"));
        }
    }
}

#[test]
fn authors_are_found_by_the_start_of_their_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir);
    // Several entries each, so the lookup must step over an author's rows.
    let keys: Vec<Keypair> = (1..=4u8).map(|b| Keypair::from_secret([b; 32])).collect();
    for kp in &keys {
        let mut prev = None;
        for seq in 1..=3 {
            let e = entry(kp, seq, prev, "654203", "x", 1000 + seq);
            store.insert(&e, Durability::Durable).expect("insert");
            prev = Some(e.id());
        }
    }
    let mut all: Vec<String> = keys.iter().map(|k| k.node_id().to_hex()).collect();
    all.sort();
    let found = |prefix: &str, max: usize| -> Vec<String> {
        store
            .authors_starting_with(prefix, max)
            .expect("lookup")
            .iter()
            .map(|a| a.to_hex())
            .collect()
    };
    assert_eq!(found("", 10), all, "every author once, in key order");
    assert_eq!(found("", 2), all[..2], "no more than asked for");
    for id in &all {
        // Even and odd lengths, upper case as an operator may type it.
        assert_eq!(found(&id[..8], 10), vec![id.clone()]);
        assert_eq!(found(&id[..9].to_uppercase(), 10), vec![id.clone()]);
        assert_eq!(found(id, 10), vec![id.clone()]);
    }
    assert!(found("not hex!", 10).is_empty());
}
