//! A limited listing (`liandong log --limit N`, `--since`, `--until`, and
//! `/api/entries`) reads only what it returns: an entry outside it is never
//! touched — shown here by removing one from under the store's indexes,
//! which a listing that read it would report as corruption.

mod common;

use common::{entry_at, genesis, note, open_store};
use liandong_node::store::{Durability, Query, Store, StoreError};
use liandong_protocol::{Hlc, Keypair, Kind, SignedEntry};

/// Five notes at 1000, 2000, … 5000 ms; the last one's stored bytes are
/// then removed (its index rows stay).
fn store_missing_the_last() -> (tempfile::TempDir, Store, Vec<SignedEntry>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store");
    let g = genesis(&Keypair::from_secret([1; 32]));
    let kp = Keypair::from_secret([2; 32]);
    let mut entries: Vec<SignedEntry> = Vec::new();
    {
        let store = open_store(&path);
        for i in 1..=5u64 {
            let prev = entries.last().map(SignedEntry::id);
            let e = entry_at(
                &g,
                &kp,
                i,
                prev,
                Hlc::new(i * 1000, 0),
                "654203",
                note(&format!("第 {i} 条")),
            );
            store.insert(&e, Durability::Durable).expect("insert");
            entries.push(e);
        }
    }
    // Found by its bytes, whatever the key layout: the row that holds the
    // last entry's wire bytes.
    {
        let db = common::raw_sled(&path);
        let last = entries[4].wire().to_vec();
        let mut removed = 0;
        for name in db.tree_names() {
            let tree = db.open_tree(&name).expect("tree");
            let keys: Vec<_> = tree
                .iter()
                .filter_map(Result::ok)
                .filter(|(_, v)| v.as_ref() == last.as_slice())
                .map(|(k, _)| k)
                .collect();
            for k in keys {
                tree.remove(k).expect("remove");
                removed += 1;
            }
        }
        assert_eq!(removed, 1);
        db.flush().expect("flush");
    }
    let store = open_store(&path);
    (dir, store, entries)
}

fn ids(store: &Store, query: Query) -> Result<Vec<u64>, StoreError> {
    Ok(store.query(&query)?.iter().map(SignedEntry::seq).collect())
}

#[test]
fn a_limited_listing_reads_only_what_it_returns() {
    let (_dir, store, _) = store_missing_the_last();
    // Reading everything meets the missing entry.
    assert!(matches!(
        ids(&store, Query::default()),
        Err(StoreError::Corrupt { .. })
    ));
    let limited = |q: Query| ids(&store, q).expect("a listing that stops in time");
    assert_eq!(
        limited(Query {
            limit: Some(2),
            ..Query::default()
        }),
        [1, 2]
    );
    // `until` ends the scan of the time-ordered indexes (time, kind,
    // scope) instead of reading on and filtering.
    let until = Some(Hlc::new(3000, u16::MAX));
    assert_eq!(
        limited(Query {
            until,
            ..Query::default()
        }),
        [1, 2, 3]
    );
    assert_eq!(
        limited(Query {
            kind: Some(Kind::NOTE),
            until,
            ..Query::default()
        }),
        [1, 2, 3]
    );
    assert_eq!(
        limited(Query {
            scope: Some(common::rc("654203")),
            until,
            ..Query::default()
        }),
        [1, 2, 3]
    );
    // `since` starts the kind index's scan at that time.
    assert_eq!(
        limited(Query {
            kind: Some(Kind::NOTE),
            since: Some(Hlc::new(2000, 0)),
            limit: Some(2),
            ..Query::default()
        }),
        [2, 3]
    );
}
