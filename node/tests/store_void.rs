//! Voiding in the store: a voided entry stays (entry and author-chain
//! rows) but leaves the scope, kind and time indexes and its scope's
//! digest, in one batch; voiding and restoring are idempotent, survive a
//! reopen, and any mix of them leaves the digest of the entries that count.

mod common;

use std::collections::BTreeSet;

use liandong_node::store::{Durability, InsertOutcome, Query, Store, VoidReason};
use liandong_protocol::{
    Body, Draft, EntryId, Hlc, Interest, Keypair, Kind, LedgerDigest, NetworkId, Note, RegionCode,
    SignedEntry, Status,
};
use proptest::prelude::*;

fn region(s: &str) -> RegionCode {
    s.parse().expect("region")
}

/// `n` notes by one author, alternating between two scopes.
fn notes(n: u64) -> Vec<SignedEntry> {
    let kp = Keypair::from_secret([7; 32]);
    let mut out: Vec<SignedEntry> = Vec::new();
    for seq in 1..=n {
        let scope = if seq % 2 == 0 { "654203" } else { "654203106" };
        let e = SignedEntry::sign(
            &kp,
            Draft {
                network: NetworkId::from_name("t"),
                seq,
                prev: out.last().map(|e| e.id()),
                hlc: Hlc::new(1_000 * seq, 0),
                scope: region(scope),
                status: Status::Actual,
                body: Body::Note(Note {
                    text: format!("第{seq}次"),
                }),
                operator: None,
            },
        )
        .expect("sign");
        out.push(e);
    }
    out
}

/// Opens the store, waiting for sled's threads of a dropped handle to let
/// go of its files (a reopen right after a drop can find them locked).
fn open(dir: &tempfile::TempDir) -> Store {
    common::open_store(&dir.path().join("store"))
}

fn reason() -> VoidReason {
    VoidReason::new("revoked", "已吊销 / revoked")
}

fn void(store: &Store, entries: &[&SignedEntry]) -> usize {
    let list: Vec<(SignedEntry, VoidReason)> =
        entries.iter().map(|e| ((*e).clone(), reason())).collect();
    store
        .apply_standing(&list, &[], Durability::Durable)
        .expect("void")
        .voided
}

fn restore(store: &Store, entries: &[&SignedEntry]) -> usize {
    let list: Vec<SignedEntry> = entries.iter().map(|e| (*e).clone()).collect();
    store
        .apply_standing(&[], &list, Durability::Durable)
        .expect("restore")
        .restored
}

fn digest_of<'a>(entries: impl IntoIterator<Item = &'a SignedEntry>) -> LedgerDigest {
    let mut d = LedgerDigest::default();
    for e in entries {
        d.add(&e.id());
    }
    d
}

fn national(store: &Store) -> LedgerDigest {
    store.digest(&RegionCode::national()).expect("digest")
}

fn item_ids(store: &Store) -> BTreeSet<EntryId> {
    store
        .items_in(&Interest::everything(), None)
        .expect("items")
        .into_iter()
        .map(|(_, id)| id)
        .collect()
}

#[test]
fn a_voided_entry_stays_but_leaves_indexes_and_digests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir);
    let e = notes(4);
    store.insert_batch(&e, Durability::Durable).expect("insert");
    let (kept, gone) = ([&e[0], &e[2], &e[3]], &e[1]);

    assert_eq!(void(&store, &[gone]), 1);
    assert!(store.is_voided(&gone.id()).expect("voided"));
    assert_eq!(
        store.void_reason(&gone.id()).expect("reason"),
        Some(reason())
    );
    assert_eq!(national(&store), digest_of(kept));
    assert_eq!(store.count().expect("count"), 3);
    let by_scope = store.digests_by_scope().expect("scopes");
    assert_eq!(
        by_scope,
        [
            (region("654203"), digest_of([&e[3]])),
            (region("654203106"), digest_of([&e[0], &e[2]])),
        ]
    );
    // Evidence: still readable by id and in the author's chain.
    assert_eq!(store.get(&gone.id()).expect("get").as_ref(), Some(gone));
    assert!(store.void_rows_consistent(gone).expect("rows"));
    assert!(!store.indexes_complete(gone).expect("rows"));
    assert_eq!(
        store.ids_at(&gone.author(), gone.seq()).expect("ids"),
        [gone.id()]
    );
    // Out of sync, time, scope and kind listings; listed as voided.
    assert!(!item_ids(&store).contains(&gone.id()));
    let time: Vec<EntryId> = store
        .time_ordered(&RegionCode::national(), None)
        .expect("time")
        .map(|item| item.expect("row").1)
        .collect();
    assert_eq!(time, [e[0].id(), e[2].id(), e[3].id()]);
    let query = |q: Query| -> Vec<EntryId> {
        store
            .query(&q)
            .expect("query")
            .iter()
            .map(|e| e.id())
            .collect()
    };
    assert_eq!(
        query(Query {
            kind: Some(Kind::NOTE),
            ..Query::default()
        })
        .len(),
        3
    );
    assert_eq!(
        query(Query {
            scope: Some(region("654203")),
            ..Query::default()
        }),
        [e[0].id(), e[2].id(), e[3].id()]
    );
    assert_eq!(
        query(Query {
            author: Some(gone.author()),
            ..Query::default()
        })
        .len(),
        4,
        "the chain is whole"
    );
    assert_eq!(
        query(Query {
            voided: true,
            ..Query::default()
        }),
        [gone.id()]
    );
    assert_eq!(store.dangling_index_rows().expect("dangling"), 0);

    // Idempotent: voiding again, or receiving it again, changes nothing.
    assert_eq!(void(&store, &[gone]), 0);
    assert_eq!(
        store.insert(gone, Durability::Durable).expect("again"),
        InsertOutcome::Duplicate
    );
    assert_eq!(national(&store), digest_of(kept));
    assert!(store.is_voided(&gone.id()).expect("voided"));
    // An entry that is not stored cannot be voided.
    let stranger = &notes(5)[4];
    assert_eq!(void(&store, &[stranger]), 0);
    assert!(!store.is_voided(&stranger.id()).expect("not stored"));
}

#[test]
fn voiding_a_whole_scope_drops_its_digest_row_and_restoring_brings_it_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir);
    let e = notes(4);
    store.insert_batch(&e, Durability::Durable).expect("insert");
    let all = digest_of(&e);
    let by_scope = store.digests_by_scope().expect("scopes");

    assert_eq!(void(&store, &[&e[1], &e[3]]), 2);
    let scopes: Vec<RegionCode> = store
        .digests_by_scope()
        .expect("scopes")
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    assert_eq!(scopes, [region("654203106")], "the county scope is empty");

    assert_eq!(restore(&store, &[&e[1], &e[3]]), 2);
    assert_eq!(restore(&store, &[&e[1]]), 0, "idempotent");
    assert_eq!(national(&store), all);
    assert_eq!(store.digests_by_scope().expect("scopes"), by_scope);
    assert!(e.iter().all(|x| store.indexes_complete(x).expect("rows")));
    assert!(store.voided().expect("voided").is_empty());
}

#[test]
fn voiding_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = notes(3);
    {
        let store = open(&dir);
        store.insert_batch(&e, Durability::Durable).expect("insert");
        void(&store, &[&e[0]]);
    }
    let store = open(&dir);
    assert!(store.is_voided(&e[0].id()).expect("voided"));
    assert_eq!(national(&store), digest_of([&e[1], &e[2]]));
    assert_eq!(
        store.insert(&e[0], Durability::Durable).expect("again"),
        InsertOutcome::Duplicate
    );
    assert_eq!(national(&store), digest_of([&e[1], &e[2]]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any sequence of void and restore batches leaves each scope's digest
    /// equal to the digest of the entries that count, and the sync item set
    /// equal to them.
    #[test]
    fn digests_follow_any_mix_of_void_and_restore(
        steps in prop::collection::vec((any::<bool>(), prop::collection::vec(0usize..8, 0..5)), 1..8)
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = open(&dir);
        let e = notes(8);
        store.insert_batch(&e, Durability::Lazy).expect("insert");
        let mut voided: BTreeSet<usize> = BTreeSet::new();
        for (is_void, picks) in steps {
            let picked: Vec<&SignedEntry> = picks.iter().map(|&i| &e[i]).collect();
            if is_void {
                void(&store, &picked);
                voided.extend(picks);
            } else {
                restore(&store, &picked);
                picks.iter().for_each(|i| { voided.remove(i); });
            }
        }
        let counting: Vec<&SignedEntry> =
            (0..8).filter(|i| !voided.contains(i)).map(|i| &e[i]).collect();
        prop_assert_eq!(national(&store), digest_of(counting.iter().copied()));
        let mut want = std::collections::BTreeMap::new();
        for x in &counting {
            want.entry(x.header().scope.clone()).or_insert_with(LedgerDigest::default).add(&x.id());
        }
        let got: std::collections::BTreeMap<RegionCode, LedgerDigest> =
            store.digests_by_scope().expect("scopes").into_iter().collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(item_ids(&store), counting.iter().map(|x| x.id()).collect::<BTreeSet<_>>());
        prop_assert_eq!(store.dangling_index_rows().expect("dangling"), 0);
    }
}
