//! The views' snapshot (`domain::snapshot`): whatever state it is found in
//! — current, behind, missing late or voided entries, lying about its
//! digest, corrupted — loading it gives exactly the fold of the ledger's
//! entries, and it is current again afterwards.

mod common;

use std::path::PathBuf;

use common::views::{Author, load_and_compare, report, views};
use common::{genesis, open_store};
use liandong_node::domain::load::feeds_fold;
use liandong_node::domain::snapshot::{self, How, in_memory};
use liandong_node::restricted::Keyring;
use liandong_node::store::{Durability, Side, SideBatch, Store, VoidReason};
use liandong_protocol::domain::fold::Fold;
use liandong_protocol::{Keypair, LedgerDigest, RegionCode, SignedEntry, SignedGenesis};

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

/// A chunk of the snapshot file: the key its checksum covers (file id and
/// chunk number) and its sealed bytes.
type Row = (Vec<u8>, Vec<u8>);

/// The folder of the snapshot's files.
fn snapshot_dir(store: &Store) -> PathBuf {
    store.path().join("side/fold-snapshot")
}

/// The snapshot files in the folder.
fn snapshot_files(store: &Store) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(snapshot_dir(store))
        .expect("snapshot folder")
        .map(|item| item.expect("listing").path())
        .collect();
    files.sort();
    files
}

/// The meta row, and the file it names (format, digest, then the file id).
fn meta_and_file(store: &Store) -> (Vec<u8>, PathBuf, Vec<u8>) {
    let side = store.side(Side::FoldSnapshot).expect("side");
    let meta = side.get(b"M").expect("read").expect("a meta");
    let id = meta[4 + LedgerDigest::BYTES..][..16].to_vec();
    let file = snapshot_dir(store).join(format!("chunks.{}", hex(&id)));
    (meta, file, id)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The meta row and the chunks of the file it names.
fn rows(store: &Store) -> (Vec<u8>, Vec<Row>) {
    let (meta, file, id) = meta_and_file(store);
    let bytes = std::fs::read(file).expect("snapshot file");
    let mut chunks = Vec::new();
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        let len = u32::from_be_bytes(rest[..4].try_into().expect("frame")) as usize;
        let key = [&id[..], &(chunks.len() as u64).to_be_bytes()].concat();
        chunks.push((key, rest[4..4 + len].to_vec()));
        rest = &rest[4 + len..];
    }
    (meta, chunks)
}

/// Writes `chunks` as the file the meta names (the meta is left as it is).
fn write_chunks(store: &Store, chunks: &[Row]) {
    let (_, file, _) = meta_and_file(store);
    let mut bytes = Vec::new();
    for (_, sealed) in chunks {
        bytes.extend_from_slice(&(sealed.len() as u32).to_be_bytes());
        bytes.extend_from_slice(sealed);
    }
    std::fs::write(file, bytes).expect("write the snapshot file");
}

/// Rewrites the meta or the first chunk: `f` gets the meta and the first
/// chunk and returns a key (`M` for the meta) and value to write.
fn tamper(store: &Store, f: impl FnOnce(&[u8], &Row) -> Row) {
    tamper_chunk(store, 0, f);
}

/// As [`tamper`], with chunk number `n`.
fn tamper_chunk(store: &Store, n: usize, f: impl FnOnce(&[u8], &Row) -> Row) {
    let (meta, mut chunks) = rows(store);
    let (key, value) = f(&meta, &chunks[n]);
    if key == b"M" {
        let side = store.side(Side::FoldSnapshot).expect("side");
        let mut batch = SideBatch::default();
        batch.put(&key, &value);
        side.apply(batch).expect("write");
    } else {
        chunks[n] = (key, value);
        write_chunks(store, &chunks);
    }
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
    let damages: [(&str, Damage); 9] = [
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
        ("a chunk sealed for another place", |_, (k, v)| {
            let mut elsewhere = k.clone();
            *elsewhere.last_mut().expect("key") ^= 1;
            (k.clone(), sealed(&elsewhere, &v[4..]))
        }),
        ("a truncated meta", |meta, _| {
            (b"M".to_vec(), meta[..20].to_vec())
        }),
        ("another format", |meta, _| {
            let mut meta = meta.to_vec();
            meta[3] = meta[3].wrapping_add(1);
            (b"M".to_vec(), meta)
        }),
        ("a meta naming another file", |meta, _| {
            let mut meta = meta.to_vec();
            meta[4 + LedgerDigest::BYTES] ^= 1;
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
        assert_eq!(snapshot_files(&store).len(), 1, "{what}: files left");
    }
}

#[test]
fn a_missing_chunk_is_found() {
    let (_dir, store, _) = snapshotted();
    let (_, mut chunks) = rows(&store);
    chunks.remove(0);
    write_chunks(&store, &chunks);
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
}

#[test]
fn a_file_that_lost_its_tail_or_went_missing_is_rebuilt() {
    // A power cut can leave a meta whose file lacks bytes it counts.
    let (_dir, store, _) = snapshotted();
    let (_, file, _) = meta_and_file(&store);
    let len = std::fs::metadata(&file).expect("file").len();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .expect("open");
    f.set_len(len - 1).expect("truncate");
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
    let (_, file, _) = meta_and_file(&store);
    std::fs::remove_file(file).expect("remove");
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
    assert_eq!(load_and_compare(&store), How::Snapshot);
}

#[test]
fn bytes_past_what_the_meta_counts_are_ignored_and_cut_off_by_the_next_append() {
    // What an append cut short by a crash leaves: chunks written, the meta
    // that would count them not.
    let (_dir, store, g) = snapshotted();
    let (_, file, _) = meta_and_file(&store);
    let len = std::fs::metadata(&file).expect("file").len();
    let mut bytes = std::fs::read(&file).expect("read");
    bytes.extend_from_slice(&[0xff; 100]);
    std::fs::write(&file, &bytes).expect("write");
    assert_eq!(load_and_compare(&store), How::Snapshot);
    let mut base = store.digest(&RegionCode::national()).expect("digest");
    let e = Author::new(&g, 34).write(&store, T0 + 2_000_000, report("新事件", None));
    append_as_running(&store, &mut base, &e);
    let (_, chunks) = rows(&store);
    let after = std::fs::metadata(&file).expect("file").len();
    let appended = 4 + chunks.last().expect("a chunk").1.len() as u64;
    assert_eq!(after, len + appended, "the junk was cut off first");
    assert_eq!(load_and_compare(&store), How::Snapshot);
}

#[test]
fn a_snapshot_of_the_older_format_in_sled_rows_is_rebuilt_and_its_rows_removed() {
    let (_dir, store, _) = snapshotted();
    // Format 5 kept its chunks as rows `C` + chunk number beside the meta.
    let side = store.side(Side::FoldSnapshot).expect("side");
    let old_chunk = [&b"C"[..], &7u64.to_be_bytes()].concat();
    let mut batch = SideBatch::default();
    batch.put(&old_chunk, &sealed(&old_chunk, b"format 5"));
    side.apply(batch).expect("write");
    tamper(&store, |meta, _| {
        let mut meta = meta.to_vec();
        meta[..4].copy_from_slice(&5u32.to_be_bytes());
        (b"M".to_vec(), meta)
    });
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
    let keys: Vec<_> = side
        .scan(&[])
        .map(|row| row.expect("row").0.to_vec())
        .collect();
    assert_eq!(keys, vec![b"M".to_vec()]);
    assert_eq!(load_and_compare(&store), How::Snapshot);
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
    // A file left by a compaction that a crash cut short.
    let stale = snapshot_dir(&store).join(format!("chunks.{}", hex(&[7; 16])));
    std::fs::write(&stale, b"left by a crash").expect("write");
    let (_, before, _) = meta_and_file(&store);
    // Crowded: compacted on the way, into a new file of at least as many
    // chunks; the old file and the stale one are gone.
    assert_eq!(load_and_compare(&store), How::Snapshot);
    let (_, after, _) = meta_and_file(&store);
    assert_ne!(after, before);
    assert_eq!(snapshot_files(&store), vec![after]);
    let compacted = rows(&store).1.len();
    assert!(compacted >= chunks, "{compacted} chunks after compacting");
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
    let (_, mut now) = rows(&store);
    now.remove(now.len() / 2);
    write_chunks(&store, &now);
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
    assert_eq!(load_and_compare(&store), How::Snapshot);
}

#[test]
fn the_snapshot_file_counts_in_the_stores_size_on_disk() {
    // `status` and the `liandong_store_bytes` metric show this size.
    let (_dir, store, _) = snapshotted();
    let (_, file, _) = meta_and_file(&store);
    let file_bytes = std::fs::metadata(&file).expect("file").len();
    // sled's own files stay as they are once nothing is left to flush.
    store.sync().expect("sync");
    let with_it = store.size_on_disk();
    std::fs::remove_file(&file).expect("remove");
    assert_eq!(store.size_on_disk(), with_it - file_bytes);
}

/// A tmpfs of `bytes` mounted over `path` for one test, unmounted when
/// dropped; `None` (after saying so) when this process may not mount.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(path: &std::path::Path, bytes: u64) -> Option<SmallDisk> {
        let uid = std::process::Command::new("id")
            .arg("-u")
            .output()
            .expect("id -u");
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            eprintln!("######## SKIPPED: a full disk under the snapshot needs root ########");
            return None;
        }
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(path)
            .status()
            .expect("run mount")
            .success();
        assert!(ok, "mount tmpfs failed although running as root");
        Some(SmallDisk(path.to_path_buf()))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_under_the_snapshot_file_costs_the_snapshot_only() {
    // The snapshot's file is written outside sled, so its write can meet
    // a full disk that the store's reserve did not foresee (another
    // program filled it). The views must still be right, the store must
    // not count as failed, and the snapshot is written once space returns.
    let (_dir, store, g) = snapshotted();
    let (_, file, _) = meta_and_file(&store);
    let bytes = std::fs::read(&file).expect("read");
    let folder = snapshot_dir(&store);
    let pages = (bytes.len() as u64).div_ceil(4096) + 1;
    let Some(disk) = SmallDisk::mount(&folder, pages * 4096) else {
        return;
    };
    std::fs::write(&file, &bytes).expect("the snapshot fits");
    let base = store.digest(&RegionCode::national()).expect("digest");
    let mut a = Author::new(&g, 35);
    let more: Vec<_> = (0..200u64)
        .map(|i| a.write(&store, T0 + 3_000_000 + i, report("新事件", None)))
        .collect();
    let digest = store.digest(&RegionCode::national()).expect("digest");
    let latest = more.last().expect("entries").hlc();
    // The meta is at `base`: only the disk can refuse this append.
    assert!(!snapshot::append(&store, &base, &more, digest, latest).expect("no error"));
    // A load catches up in memory, and cannot write it either.
    let loaded = snapshot::load(&store, &Keyring::empty()).expect("load");
    assert_eq!(
        (loaded.how, loaded.saved),
        (How::CaughtUp { entries: 200 }, false)
    );
    assert!(store.health().writable(), "the store did not fail");
    assert_eq!(load_and_compare(&store), How::CaughtUp { entries: 200 });
    // Space returns (the tmpfs goes; the file beneath it is as it was),
    // and the same append is written.
    drop(disk);
    assert!(snapshot::append(&store, &base, &more, digest, latest).expect("append"));
    assert_eq!(load_and_compare(&store), How::Snapshot);
}

#[test]
fn a_file_left_by_a_killed_rebuild_or_compaction_goes_at_the_next_load() {
    let (_dir, store, _) = snapshotted();
    let stale = snapshot_dir(&store).join(format!("chunks.{}", hex(&[9; 16])));
    std::fs::write(&stale, vec![0xab; 10_000]).expect("write");
    let (_, named, _) = meta_and_file(&store);
    assert_eq!(load_and_compare(&store), How::Snapshot);
    assert_eq!(snapshot_files(&store), vec![named]);
}

/// The fuzz target `snapshot` reads files through `snapshot::in_memory`:
/// a post's real file must read there as at a start, copy as a compaction
/// copies, and fail its checksum when a byte is flipped.
#[test]
fn a_posts_snapshot_file_reads_in_memory_as_at_a_start() {
    let (_dir, store, g) = new_store();
    Author::new(&g, 34).incidents(&store, T0, 100, 4);
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
    let (meta, file, id) = meta_and_file(&store);
    let id: [u8; 16] = id.try_into().expect("a 16-byte id");
    let bytes = std::fs::read(file).expect("snapshot file");
    let decoded = in_memory::decode_file(&id, &bytes).expect("the post's file decodes");
    let records = u64::from_be_bytes(meta[meta.len() - 8..].try_into().expect("records"));
    assert_eq!((decoded.items.len() + decoded.others.len()) as u64, records);
    assert_eq!(decoded.chunks as usize, rows(&store).1.len());
    assert!(decoded.chunks >= 2, "{} chunks", decoded.chunks);
    let loaded = snapshot::load(&store, &Keyring::empty()).expect("load");
    assert_eq!(
        views(&Fold::from_items(decoded.items.clone())),
        views(&loaded.fold)
    );

    let copy = in_memory::copy_file(&id, &bytes, &[9; 16]).expect("copies");
    assert_eq!(in_memory::decode_file(&[9; 16], &copy), Ok(decoded));
    assert!(
        in_memory::decode_file(&id, &copy).is_err(),
        "a copy's chunks are sealed for its own id"
    );
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0x10;
    assert!(in_memory::decode_file(&id, &flipped).is_err());
    assert_eq!(
        in_memory::reencode_meta(&meta).as_deref(),
        Ok(&meta[..]),
        "a meta row encodes back to its bytes"
    );
}

/// A rebuild of the same entries in memory writes the same records as the
/// post wrote on disk (the seeds of the fuzz target are made so).
#[test]
fn a_file_made_in_memory_holds_what_a_rebuild_wrote() {
    let (_dir, store, g) = new_store();
    let mut a = Author::new(&g, 35);
    a.incidents(&store, T0, 30, 3);
    assert!(matches!(load_and_compare(&store), How::Rebuilt { .. }));
    let (_, file, id) = meta_and_file(&store);
    let id: [u8; 16] = id.try_into().expect("a 16-byte id");
    let entries: Vec<SignedEntry> = store
        .time_ordered(&RegionCode::national(), None)
        .expect("time index")
        .map(|k| {
            let (_, entry) = k.expect("index row");
            store.get(&entry).expect("read").expect("stored")
        })
        .filter(|e| feeds_fold(e.kind()))
        .collect();
    let made = in_memory::file_of(&id, &entries);
    assert_eq!(made, std::fs::read(file).expect("snapshot file"));
}
