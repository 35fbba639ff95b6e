//! The views' snapshot (`domain::snapshot`): whatever state it is found in
//! — current, behind, missing late or voided entries, lying about its
//! digest, corrupted — loading it gives exactly the fold of the ledger's
//! entries, and it is current again afterwards.

mod common;

use std::sync::Arc;

use common::{entry_at, genesis, note, open_store, rc};
use liandong_node::domain::load_fold;
use liandong_node::domain::snapshot::{self, How};
use liandong_node::restricted::Keyring;
use liandong_node::store::{Durability, Side, SideBatch, Store, VoidReason};
use liandong_protocol::domain::fold::{DeadlinePolicy, Fold, FoldContext, Track, Views};
use liandong_protocol::domain::{Casualties, Category, EventType, IncidentReport, Phase, Severity};
use liandong_protocol::{
    AuthorityPolicy, Body, Directory, EntryId, Hlc, Keypair, LedgerDigest, Level, NodeId, PostInfo,
    RegionCode, SignedEntry, SignedGenesis, UnitType,
};

/// A directory in which every author is a county post, so that the views
/// hold every entry (an unknown author's entries would all be excluded).
struct Everyone;

impl Directory for Everyone {
    fn post_at(&self, node: &NodeId, _at: Hlc) -> Option<Arc<PostInfo>> {
        Some(Arc::new(PostInfo {
            node: *node,
            name: "县应急局".into(),
            level: Level::County,
            region: rc("654203"),
            unit_type: UnitType::Command,
            roles: Vec::new(),
            can_certify: false,
            cooperates: Vec::new(),
        }))
    }
}

fn views(fold: &Fold) -> Views {
    let ctx = FoldContext {
        directory: &Everyone,
        authority: &AuthorityPolicy::default(),
        deadlines: &DeadlinePolicy::default(),
        now_ms: 1_800_000_000_000,
    };
    fold.views(&ctx, Track::Actual)
}

fn report(title: &str, incident: Option<EntryId>) -> Body {
    Body::from(IncidentReport {
        phase: if incident.is_some() {
            Phase::Update
        } else {
            Phase::Initial
        },
        incident,
        drill: None,
        title: title.into(),
        event: EventType::new(Category::Natural, "flood_drought"),
        severity: Severity::IV,
        provisional: false,
        occurred_ms: 1_700_000_000_000,
        region: rc("654203"),
        point: None,
        casualties: Casualties::default(),
        economic_loss_wan: None,
        losses: String::new(),
        cause: String::new(),
        trend: "平稳".into(),
        actions: String::new(),
        requests: String::new(),
        contact: String::new(),
        attachments: Vec::new(),
    })
}

/// One author writing straight into a store (the store does not check
/// trust, so times can be chosen freely: old ones for late arrivals).
struct Author {
    g: SignedGenesis,
    kp: Keypair,
    seq: u64,
    prev: Option<EntryId>,
}

impl Author {
    fn new(g: &SignedGenesis, seed: u8) -> Author {
        Author {
            g: g.clone(),
            kp: Keypair::from_secret([seed; 32]),
            seq: 0,
            prev: None,
        }
    }

    fn write(&mut self, store: &Store, wall_ms: u64, body: Body) -> SignedEntry {
        self.seq += 1;
        let e = entry_at(
            &self.g,
            &self.kp,
            self.seq,
            self.prev,
            Hlc::new(wall_ms, 0),
            "654203",
            body,
        );
        self.prev = Some(e.id());
        store.insert(&e, Durability::Lazy).expect("insert");
        e
    }

    /// `incidents` incidents of a 首报 and `updates` 续报 each, plus a note,
    /// timed from `wall_ms` on, one millisecond apart.
    fn incidents(
        &mut self,
        store: &Store,
        wall_ms: u64,
        incidents: u64,
        updates: u64,
    ) -> Vec<SignedEntry> {
        let mut t = wall_ms;
        let mut out = Vec::new();
        for i in 0..incidents {
            let first = self.write(store, t, report(&format!("事件 {i}"), None));
            t += 1;
            out.push(first.clone());
            for _ in 0..updates {
                out.push(self.write(store, t, report(&format!("事件 {i}"), Some(first.id()))));
                t += 1;
            }
            self.write(store, t, note("值班记录"));
            t += 1;
        }
        out
    }
}

/// Loads through the snapshot and checks the result against a fold of
/// every entry read from the ledger: the same set (so the same views, for
/// any track and any time), and the views themselves.
fn load_and_compare(store: &Store) -> How {
    let loaded = snapshot::load(store, &Keyring::empty()).expect("load");
    let full = load_fold(store, &Keyring::empty()).expect("full fold");
    assert_eq!(
        format!("{:?}", loaded.fold),
        format!("{full:?}"),
        "the snapshot's fold differs from the full fold ({:?})",
        loaded.how
    );
    assert_eq!(views(&loaded.fold), views(&full));
    assert_eq!(
        loaded.digest,
        store.digest(&RegionCode::national()).expect("digest")
    );
    loaded.how
}

fn new_store() -> (tempfile::TempDir, Store, SignedGenesis) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open_store(&dir.path().join("store"));
    let g = genesis(&Keypair::from_secret([1; 32]));
    (dir, store, g)
}

const T0: u64 = 1_700_000_000_000;

#[test]
fn snapshot_round_trip_equals_the_full_fold() {
    let (dir, store, g) = new_store();
    let mut a = Author::new(&g, 11);
    a.incidents(&store, T0, 20, 9);
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
    assert_eq!(load_and_compare(&store), How::Snapshot);
    // And after a restart: the snapshot is on disk, not in memory.
    drop(store);
    let store = open_store(&dir.path().join("store"));
    assert_eq!(load_and_compare(&store), How::Snapshot);
    let views = views(
        &snapshot::load(&store, &Keyring::empty())
            .expect("load")
            .fold,
    );
    assert_eq!(views.incidents.len(), 20);
}

#[test]
fn entries_after_the_snapshot_are_caught_up() {
    let (_dir, store, g) = new_store();
    let mut a = Author::new(&g, 12);
    a.incidents(&store, T0, 10, 4);
    load_and_compare(&store);
    // 3 incidents × (1 + 4 reports + 1 note).
    a.incidents(&store, T0 + 1_000_000, 3, 4);
    assert_eq!(
        load_and_compare(&store),
        How::CaughtUp { entries: 18 },
        "newer entries are read from the time index alone"
    );
    assert_eq!(load_and_compare(&store), How::Snapshot);
}

#[test]
fn late_entries_with_old_times_are_reconciled() {
    let (_dir, store, g) = new_store();
    let mut village = Author::new(&g, 13);
    let mut county = Author::new(&g, 14);
    county.incidents(&store, T0 + 1_000_000, 10, 4);
    load_and_compare(&store);
    // A partition heals: the village's reports, written before the
    // county's, arrive now, with their older times. Updates to one of the
    // county's incidents among them change that incident's view.
    village.incidents(&store, T0, 2, 3);
    let first = store
        .query(&liandong_node::store::Query {
            author: Some(county.kp.node_id()),
            limit: Some(1),
            ..Default::default()
        })
        .expect("query");
    village.write(&store, T0 + 1_000_001, report("续报", Some(first[0].id())));
    // 2 × (1 + 3) domain entries, 2 notes, 1 update: the notes do not feed
    // the fold and are not read.
    assert_eq!(
        load_and_compare(&store),
        How::Reconciled {
            added: 9,
            removed: 0
        }
    );
    assert_eq!(load_and_compare(&store), How::Snapshot);
}

#[test]
fn voided_entries_leave_the_snapshot() {
    let (_dir, store, g) = new_store();
    let mut a = Author::new(&g, 15);
    let mut b = Author::new(&g, 16);
    a.incidents(&store, T0, 5, 2);
    let revoked = b.incidents(&store, T0 + 10, 2, 2);
    load_and_compare(&store);
    let void: Vec<_> = revoked
        .iter()
        .map(|e| (e.clone(), VoidReason::new("revoked", "test")))
        .collect();
    store
        .apply_standing(&void, &[], Durability::Lazy)
        .expect("void");
    assert_eq!(
        load_and_compare(&store),
        How::Reconciled {
            added: 0,
            removed: 6
        }
    );
    assert_eq!(load_and_compare(&store), How::Snapshot);
}

/// A row of the snapshot tree: key and value.
type Row = (Vec<u8>, Vec<u8>);

/// The snapshot tree's rows: the meta and the chunks.
fn rows(store: &Store) -> (Vec<u8>, Vec<Row>) {
    let side = store.side(Side::FoldSnapshot).expect("side");
    let mut meta = Vec::new();
    let mut chunks = Vec::new();
    for row in side.scan(&[]) {
        let (k, v) = row.expect("row");
        if k.as_ref() == b"M" {
            meta = v.to_vec();
        } else {
            chunks.push((k.to_vec(), v.to_vec()));
        }
    }
    (meta, chunks)
}

/// Rewrites one row of the snapshot tree: `f` gets the meta and the first
/// chunk and returns the key and value to write.
fn tamper(store: &Store, f: impl FnOnce(&[u8], &Row) -> Row) {
    tamper_chunk(store, 0, f);
}

/// As [`tamper`], with chunk number `n` (in key order).
fn tamper_chunk(store: &Store, n: usize, f: impl FnOnce(&[u8], &Row) -> Row) {
    let (meta, chunks) = rows(store);
    let (key, value) = f(&meta, &chunks[n]);
    put_row(store, &key, &value);
}

/// Writes one row of the snapshot tree.
fn put_row(store: &Store, key: &[u8], value: &[u8]) {
    let side = store.side(Side::FoldSnapshot).expect("side");
    let mut batch = SideBatch::default();
    batch.put(key, value);
    side.apply(batch).expect("write");
}

/// Appends a just-written entry to the snapshot, as a running post does
/// after folding it in; `base` moves on to the new digest.
fn append_as_running(store: &Store, base: &mut LedgerDigest, e: &SignedEntry) {
    let digest = store.digest(&RegionCode::national()).expect("digest");
    assert!(
        snapshot::append(store, base, std::slice::from_ref(e), digest, e.hlc()).expect("append")
    );
    *base = digest;
}

/// A chunk value with a valid CRC over `contents`.
fn sealed(key: &[u8], contents: &[u8]) -> Vec<u8> {
    let mut crc = crc32fast::Hasher::new();
    crc.update(key);
    crc.update(contents);
    [&crc.finalize().to_be_bytes()[..], contents].concat()
}

fn snapshotted() -> (tempfile::TempDir, Store, SignedGenesis) {
    let (dir, store, g) = new_store();
    Author::new(&g, 30).incidents(&store, T0, 10, 4);
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
    (dir, store, g)
}

#[test]
fn a_wrong_digest_is_never_served() {
    let (_dir, store, _) = snapshotted();
    // The meta claims another ledger (a bit of its digest flipped): the
    // snapshot is not taken as it is, but checked against the kind index.
    tamper(&store, |meta, _| {
        let mut meta = meta.to_vec();
        meta[10] ^= 1;
        (b"M".to_vec(), meta)
    });
    assert_eq!(
        load_and_compare(&store),
        How::Reconciled {
            added: 0,
            removed: 0
        }
    );
    assert_eq!(load_and_compare(&store), How::Snapshot);
}

#[test]
fn corrupted_snapshots_are_rebuilt() {
    type Damage = fn(&[u8], &Row) -> Row;
    let damages: [(&str, Damage); 7] = [
        ("a flipped byte in a chunk", |_, (k, v)| {
            let mut v = v.clone();
            let last = v.len() - 1;
            v[last] ^= 0x20;
            (k.clone(), v)
        }),
        ("a truncated chunk", |_, (k, v)| {
            (k.clone(), v[..v.len() / 2].to_vec())
        }),
        ("an empty chunk", |_, (k, _)| (k.clone(), Vec::new())),
        ("records cut short under a valid checksum", |_, (k, v)| {
            (k.clone(), sealed(k, &v[4..v.len() - 7]))
        }),
        ("an unknown record under a valid checksum", |_, (k, v)| {
            let mut contents = v[4..].to_vec();
            contents[0] = b'?';
            (k.clone(), sealed(k, &contents))
        }),
        ("a truncated meta", |meta, _| {
            (b"M".to_vec(), meta[..20].to_vec())
        }),
        ("another format", |meta, _| {
            let mut meta = meta.to_vec();
            meta[3] = meta[3].wrapping_add(1);
            (b"M".to_vec(), meta)
        }),
    ];
    for (what, damage) in damages {
        let (_dir, store, _) = snapshotted();
        tamper(&store, damage);
        let how = load_and_compare(&store);
        assert!(
            matches!(how, How::Rebuilt { .. }),
            "{what}: expected a rebuild, got {how:?}"
        );
        assert_eq!(load_and_compare(&store), How::Snapshot, "{what}");
    }
}

#[test]
fn a_missing_chunk_is_found() {
    let (_dir, store, _) = snapshotted();
    let (_, chunks) = rows(&store);
    let side = store.side(Side::FoldSnapshot).expect("side");
    side.remove(&chunks[0].0).expect("remove");
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
}

#[test]
fn a_running_posts_appends_are_read_and_compacted() {
    let (_dir, store, g) = snapshotted();
    let mut a = Author::new(&g, 31);
    let mut base = store.digest(&RegionCode::national()).expect("digest");
    // 80 appends of one entry each, as a busy console would make them.
    for i in 0..80u64 {
        let e = a.write(&store, T0 + 1_000_000 + i, report("新事件", None));
        let stale = base;
        append_as_running(&store, &mut base, &e);
        // Appending from a stale base writes nothing.
        assert!(
            !snapshot::append(&store, &stale, std::slice::from_ref(&e), base, e.hlc())
                .expect("append")
        );
    }
    assert!(rows(&store).1.len() > 64);
    // Read as they are (and compacted on the way), then one chunk again.
    assert_eq!(load_and_compare(&store), How::Snapshot);
    assert_eq!(rows(&store).1.len(), 1);
    assert_eq!(load_and_compare(&store), How::Snapshot);
}

#[test]
fn a_compaction_into_several_chunks_is_read_back_at_the_next_start() {
    let (_dir, store, g) = new_store();
    // Enough entries for a compacted snapshot to fill several chunks.
    Author::new(&g, 32).incidents(&store, T0, 100, 4);
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
    let chunks = rows(&store).1.len();
    assert!(chunks >= 2, "{chunks} chunks");
    let mut a = Author::new(&g, 33);
    let mut base = store.digest(&RegionCode::national()).expect("digest");
    for i in 0..80u64 {
        let e = a.write(&store, T0 + 1_000_000 + i, report("新事件", None));
        append_as_running(&store, &mut base, &e);
    }
    // A chunk left far past the others by a compaction a crash cut short.
    let stale = [&b"C"[..], &1_000_000u64.to_be_bytes()].concat();
    put_row(&store, &stale, &sealed(&stale, b"left by a crash"));
    // Crowded: compacted on the way, into at least as many chunks, and
    // the stale chunk is gone.
    assert_eq!(load_and_compare(&store), How::Snapshot);
    let (_, after) = rows(&store);
    assert!(
        after.len() >= chunks,
        "{} chunks after compacting",
        after.len()
    );
    assert!(after.iter().all(|(key, _)| *key != stale));
    // The next start reads the compacted snapshot as it is.
    assert_eq!(load_and_compare(&store), How::Snapshot);
}

#[test]
fn a_snapshot_of_many_chunks_is_read_on_every_core_and_checked_throughout() {
    let (_dir, store, g) = new_store();
    // Enough entries for the chunks to be shared among threads (at least
    // two threads' worth, whatever the machine has).
    Author::new(&g, 40).incidents(&store, T0, 700, 9);
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
    let chunks = rows(&store).1.len();
    assert!(
        chunks >= 2 * snapshot::MIN_CHUNKS_PER_THREAD,
        "{chunks} chunks"
    );
    assert_eq!(load_and_compare(&store), How::Snapshot);
    // Damage anywhere is found, whichever thread reads it.
    tamper_chunk(&store, chunks - 1, |_, (k, v)| {
        let mut v = v.clone();
        v[10] ^= 0x01;
        (k.clone(), v)
    });
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
    let (_, rows_now) = rows(&store);
    let side = store.side(Side::FoldSnapshot).expect("side");
    side.remove(&rows_now[rows_now.len() / 2].0)
        .expect("remove");
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
    assert_eq!(load_and_compare(&store), How::Snapshot);
}
