//! The store after crashes and bad sectors: the states sled 0.34.7 leaves
//! behind, reproduced on real stores, and what opening them does.

use std::path::{Path, PathBuf};

use liandong_node::store::{Durability, Store, StoreError, recover};
use liandong_protocol::{Body, Draft, EntryId, Hlc, Keypair, NetworkId, Note, SignedEntry, Status};

fn entries(kp: &Keypair, n: u64) -> Vec<SignedEntry> {
    let mut out: Vec<SignedEntry> = Vec::new();
    for seq in 1..=n {
        let draft = Draft {
            network: NetworkId::from_name("t"),
            seq,
            prev: out.last().map(SignedEntry::id),
            hlc: Hlc::new(1_000 + seq, 0),
            scope: "654203".parse().expect("region"),
            status: Status::Actual,
            body: Body::Note(Note {
                text: format!("第 {seq} 条 situation note"),
            }),
            operator: None,
        };
        out.push(SignedEntry::sign(kp, draft).expect("sign"));
    }
    out
}

/// A store holding `n` entries, written in one session and closed;
/// `reopened` opens it once more (sled writes its snapshot as it opens).
fn written_store(dir: &Path, n: u64, reopened: bool) -> Vec<EntryId> {
    let kp = Keypair::from_secret([8; 32]);
    let all = entries(&kp, n);
    let store = Store::open(dir, 8).expect("open");
    for chunk in all.chunks(50) {
        store.insert_batch(chunk, Durability::Lazy).expect("insert");
    }
    store.sync().expect("sync");
    drop(store);
    if reopened {
        drop(reopen(dir).expect("reopen"));
    }
    all.iter().map(SignedEntry::id).collect()
}

fn snapshots(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("snap."))
        })
        .collect();
    out.sort();
    out
}

fn assert_all_there(dir: &Path, ids: &[EntryId]) {
    let store = reopen(dir).expect("the store opens");
    for id in ids {
        assert!(store.contains(id).expect("read"), "entry {id} lost");
    }
    assert_eq!(store.count().expect("count"), ids.len() as u64);
    assert_eq!(store.dangling_index_rows().expect("rows"), 0);
}

/// sled issue 1527: a kill while sled writes its start-up snapshot leaves
/// `snap.<lsn>.generating`, which sled 0.34.7 then reads as the snapshot
/// and refuses the store for ever.
#[test]
fn a_snapshot_half_written_by_a_kill_is_removed_and_every_entry_opens() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("store");
    let ids = written_store(&dir, 300, true);
    let snap = snapshots(&dir).pop().expect("sled wrote a snapshot");
    let bytes = std::fs::read(&snap).expect("read");
    let partial = PathBuf::from(format!("{}.generating", snap.display()));
    std::fs::write(&partial, &bytes[..bytes.len() / 2]).expect("write");

    // What sled alone makes of it: the bug, so this test proves the repair.
    let raw = sled::Config::new().path(&dir).open();
    assert!(
        raw.is_err(),
        "sled 0.34.7 refuses a store with a partial snapshot"
    );
    drop(raw);

    assert_all_there(&dir, &ids);
    assert!(!partial.exists());
}

/// A command run while a node opens its store (a script polling
/// `liandong status`) is told the store is in use, and repairs nothing
/// under it: the snapshot the node's sled is writing stays where it is.
#[test]
fn a_second_opener_touches_nothing_while_the_store_is_open() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("store");
    let ids = written_store(&dir, 50, true);
    let open = reopen(&dir).expect("open");
    let snap = snapshots(&dir).pop().expect("sled wrote a snapshot");
    let generating = PathBuf::from(format!("{}.generating", snap.display()));
    std::fs::write(&generating, b"being written").expect("write");

    let second = Store::open(&dir, 8);
    assert!(
        matches!(&second, Err(StoreError::Locked(_))),
        "{:?}",
        second.err()
    );
    assert!(generating.exists(), "a second opener removed it");

    drop(open);
    assert_all_there(&dir, &ids);
}

/// A finished snapshot that fails its checksum (a bad sector) is moved
/// aside; sled rebuilds the page table from the log.
#[test]
fn a_corrupt_snapshot_is_set_aside_and_rebuilt_from_the_log() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("store");
    let ids = written_store(&dir, 300, true);
    let snap = snapshots(&dir).pop().expect("snapshot");
    let mut bytes = std::fs::read(&snap).expect("read");
    bytes[3] ^= 0x40;
    std::fs::write(&snap, &bytes).expect("write");

    assert_all_there(&dir, &ids);
    let aside = dir.join(recover::RECOVERED_DIR);
    assert_eq!(std::fs::read_dir(&aside).expect("recovered/").count(), 1);
}

/// Bytes flipped in sled's log: the store refuses to open and names the
/// file, whatever sled's recovery does with them (it panics on some); it
/// never takes the whole program down.
#[test]
fn a_damaged_log_is_a_corrupt_store_that_names_its_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let pristine = tmp.path().join("pristine");
    // Written in one session: sled's snapshot predates the entries, so
    // opening means replaying the damaged log (where sled can panic).
    written_store(&pristine, 5000, false);
    let log = std::fs::read(pristine.join("db")).expect("read log");
    let (mut corrupt, mut recovered_by_sled) = (0, 0);
    for seed in 1..=12u64 {
        let dir = tmp.path().join(format!("flipped-{seed}"));
        copy_dir(&pristine, &dir);
        let mut damaged = log.clone();
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for _ in 0..50 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let at = (x % damaged.len() as u64) as usize;
            damaged[at] ^= (x >> 32) as u8 | 1;
        }
        std::fs::write(dir.join("db"), &damaged).expect("write");
        match reopen(&dir) {
            Err(StoreError::Corrupt { path, reason }) => {
                assert_eq!(path, dir.join("db"), "{reason}");
                corrupt += 1;
                recovered_by_sled += usize::from(reason.contains("sled could not recover"));
            }
            Err(other) => panic!("seed {seed}: expected a corrupt store, got {other}"),
            // sled may also recover a prefix of a damaged log.
            Ok(_) => {}
        }
    }
    assert!(corrupt > 0, "no seed damaged the log beyond recovery");
    assert!(
        recovered_by_sled > 0,
        "no seed reached sled's recovery panic"
    );
    eprintln!("{corrupt} of 12 damaged logs refused, {recovered_by_sled} by a caught sled panic");
}

/// Opens the store, waiting (bounded) while the threads of a handle this
/// process just dropped still hold sled's file lock.
fn reopen(dir: &Path) -> Result<Store, StoreError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match Store::open(dir, 8) {
            Err(StoreError::Locked(_)) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for item in std::fs::read_dir(from).expect("list") {
        let item = item.expect("entry");
        let target = to.join(item.file_name());
        if item.file_type().expect("type").is_dir() {
            copy_dir(&item.path(), &target);
        } else {
            std::fs::copy(item.path(), target).expect("copy");
        }
    }
}
