//! The folded views' snapshot: every decoded domain entry, kept beside the
//! store (the fold-snapshot side, `store::snapshot`) with the ledger digest
//! it accounts for, so a restart reads one file in order instead of a
//! million entries by random lookups through the kind index.
//!
//! ## Why loading it is always right
//!
//! The fold is a function of the entry *set*: the protocol keeps entries as
//! a set ordered by (HLC, id) and folds them in that order (`domain::fold`), so any
//! way of arriving at the same set gives the same views, however late an
//! entry came or however old its time. The snapshot is that set plus the
//! digest of every entry it accounts for (domain or not: the ledger's
//! digest covers all kinds) and the latest time among them. Loading:
//!
//! 1. **Same digest** as the ledger: the snapshot is the set.
//! 2. **Catch up**: the entries timed after the snapshot's latest (a range
//!    of the `T` index) arrived since — *if* adding their ids to the
//!    snapshot's digest gives the ledger's. That equation fails when
//!    something arrived with an older time (a healed partition, a bundle
//!    from a cut-off village) or was voided since.
//! 3. **Reconcile** with the kind index: the (time, id) of every domain
//!    entry the ledger counts now is a scan of index keys (no entry read);
//!    only the entries the snapshot lacks are read, and those it holds but
//!    the ledger no longer counts (voided) are dropped.
//!
//! A snapshot that is missing, of another format or that does not decode
//! (each chunk carries a CRC; the meta counts chunks, bytes and records)
//! is logged and rebuilt (step 3 from an empty set). What was added is
//! appended to the file and then counted by a new meta, unless the ledger
//! changed while this ran (then the next load catches up again); removals,
//! and a snapshot grown into many small chunks by a running post's appends,
//! are written by compacting: the live records copied into a new file, the
//! new meta written, the old file removed.
//!
//! ## Layout
//!
//! The records live in chunks of about 64 KiB, framed one after another in
//! a file of their own (`file`: sled reads large values slowly); the meta,
//! the side tree's one row (`M`), names the file and counts its chunks,
//! bytes and records. A record is a tag, the entry's HLC and id, and for a
//! fold input its author, status, kind, scope and stored body bytes.
//!
//! The digest is a sum of entry ids (BLAKE3 hashes of signed entries); two
//! different sets with the same count and sum would need a collision of
//! that sum among entries the trust rules admitted.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use liandong_protocol::domain::fold::Fold;
use liandong_protocol::{Hlc, Kind, LedgerDigest, RegionCode, SignedEntry};

use super::load::feeds_fold;
use crate::restricted::{Keyring, reading::as_read};
use crate::store::{Side, SideBatch, SideTree, Store, StoreError};
use file::Frames;
use format::{
    Chunks, Finished, Held, Key, META_KEY, Meta, Set, chunk_key, held_of, records, unseal,
};
use read::read;

mod file;
mod format;
pub mod in_memory;
mod read;

pub use format::FORMAT;
pub use read::MIN_CHUNKS_PER_THREAD;

/// One writer at a time: a snapshot file is appended in place, so two
/// writers starting from the same meta would write over each other. Each
/// writer checks, holding this, that the meta is still the one it started
/// from.
static WRITER: Mutex<()> = Mutex::new(());

fn writer() -> std::sync::MutexGuard<'static, ()> {
    // The guarded data is `()`: a panicked writer left nothing half-done
    // in it (the meta on disk says what is valid).
    WRITER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How a fold was obtained (logged, and reported by `bench views`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// The snapshot matched the ledger.
    Snapshot,
    /// The snapshot plus the entries timed after it.
    CaughtUp { entries: usize },
    /// The snapshot reconciled with the kind index.
    Reconciled { added: usize, removed: usize },
    /// Built from the entries (no usable snapshot).
    Rebuilt { reason: String },
}

/// A loaded fold and what it accounts for.
#[derive(Debug)]
pub struct Loaded {
    pub fold: Fold,
    /// The digest of every entry the fold accounts for.
    pub digest: LedgerDigest,
    /// The latest time among them.
    pub max_hlc: Hlc,
    pub how: How,
    /// Whether the snapshot on disk now matches `digest`.
    pub saved: bool,
}

/// A snapshot that cannot be used; carried as `Corrupt` to the caller,
/// which logs it and rebuilds.
fn unusable(reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        path: "views' snapshot".into(),
        reason: reason.into(),
    }
}

/// The fold of the ledger's domain entries, from the snapshot when it can
/// be used; the snapshot is brought up to date on the way.
pub fn load(store: &Store, keyring: &Keyring) -> Result<Loaded, StoreError> {
    let started = Instant::now();
    let national = RegionCode::national();
    // Read the ledger's state before anything else, and again at the end:
    // a snapshot is written back only when nothing changed in between.
    let digest = store.digest(&national)?;
    let max_hlc = store.max_hlc()?.unwrap_or(Hlc::ZERO);
    let side = store.side(Side::FoldSnapshot)?;
    let snapshot = match read(store, &side, keyring) {
        Ok(Some(found)) => found,
        Ok(None) => {
            return rebuild(
                store,
                &side,
                keyring,
                digest,
                max_hlc,
                "no snapshot yet".into(),
                started,
            );
        }
        Err(StoreError::Corrupt { reason, .. }) => {
            tracing::warn!(
                reason,
                "the views' snapshot cannot be used; rebuilding it from the entries / \
                 视图快照无法使用，正在从条目重建"
            );
            return rebuild(store, &side, keyring, digest, max_hlc, reason, started);
        }
        Err(e) => return Err(e),
    };
    let meta = snapshot.meta;
    if store.health().writable() {
        remove_unnamed_files(&side, &meta)?;
    }
    if meta.digest == digest && !crowded(&meta) {
        tracing::debug!(entries = snapshot.len(), elapsed = ?started.elapsed(), "views from the snapshot");
        return Ok(Loaded {
            fold: snapshot.into_fold(),
            digest,
            max_hlc: meta.max_hlc,
            how: How::Snapshot,
            saved: true,
        });
    }
    if meta.digest == digest {
        // A running post's appends spread the records thin: compact once.
        let set = snapshot.into_set();
        let saved =
            store.health().writable() && compact(store, &side, keyring, &meta, &meta, &set)?;
        tracing::info!(entries = set.len(), saved, elapsed = ?started.elapsed(),
            "views' snapshot compacted / 视图快照已整理");
        return Ok(Loaded {
            fold: into_fold(set.into_values()),
            digest,
            max_hlc: meta.max_hlc,
            how: How::Snapshot,
            saved,
        });
    }
    let mut set = snapshot.into_set();
    let writable = store.health().writable();
    let fresh = || {
        if writable {
            Chunks::keep(meta.file, meta.chunks, meta.bytes)
        } else {
            Chunks::counted_only()
        }
    };
    let mut chunks = fresh();
    let (how, removed) = match catch_up(store, keyring, &meta, digest, &mut set, &mut chunks)? {
        Some(entries) => (How::CaughtUp { entries }, 0),
        None => {
            chunks = fresh();
            let (added, removed) = reconcile(store, keyring, &mut set, &mut chunks)?;
            (How::Reconciled { added, removed }, removed)
        }
    };
    let max_hlc = max_hlc.max(meta.max_hlc);
    let mut saved = false;
    if writable && store.digest(&national)? == digest {
        let added = chunks.finish();
        let now = Meta {
            digest,
            max_hlc,
            chunks: added.chunks,
            bytes: added.bytes,
            records: meta.records + added.records,
            ..meta
        };
        saved = if removed > 0 || crowded(&now) {
            // The added chunks are not written: compacting copies what
            // is live, the added records included.
            compact(store, &side, keyring, &meta, &now, &set)?
        } else {
            save_appended(&side, &meta, &now, &added)?
        };
    }
    tracing::info!(?how, entries = set.len(), saved, elapsed = ?started.elapsed(),
        "views' snapshot brought up to date / 视图快照已更新");
    Ok(Loaded {
        fold: into_fold(set.into_values()),
        digest,
        max_hlc,
        how,
        saved,
    })
}

/// A stored entry as this post reads it (restricted ones opened where it
/// can: see `restricted::reading`).
fn fetch(
    store: &Store,
    id: &liandong_protocol::EntryId,
    keyring: &Keyring,
) -> Result<Option<SignedEntry>, StoreError> {
    Ok(store.get(id)?.map(|entry| as_read(entry, keyring)))
}

/// Whether appends left the records spread thin over many chunks.
fn crowded(meta: &Meta) -> bool {
    meta.chunks > 64 && meta.chunks > meta.records / 64
}

/// The writer's lock, when `base` is still the meta on disk and the disk
/// takes writes; `None` when nothing is to be written.
fn writer_at(
    side: &SideTree<'_>,
    base: &Meta,
) -> Result<Option<std::sync::MutexGuard<'static, ()>>, StoreError> {
    let guard = writer();
    Ok((unmoved(side, base)? && written(side.check_writable())?).then_some(guard))
}

/// Whether the meta on disk is still `expected` (no other writer moved it
/// since it was read). Called holding the writer's lock.
fn unmoved(side: &SideTree<'_>, expected: &Meta) -> Result<bool, StoreError> {
    let Some(raw) = side.get(META_KEY)? else {
        return Ok(false);
    };
    Ok(Meta::decode(&raw).is_ok_and(|meta| meta == *expected))
}

/// Appends `added`'s chunks to the file `base` names and writes `now`, the
/// meta that counts them; false when nothing was written (another writer
/// moved the meta, the disk is below its reserve, or the file could not
/// be written: the next load finds out and catches up or rebuilds).
fn save_appended(
    side: &SideTree<'_>,
    base: &Meta,
    now: &Meta,
    added: &Finished,
) -> Result<bool, StoreError> {
    let Some(_writer) = writer_at(side, base)? else {
        return Ok(false);
    };
    if !added.framed.is_empty() {
        let Some(dir) = folder(side) else {
            return Ok(false);
        };
        let appended = file::append(&dir, &base.file, base.bytes, &added.framed);
        if !file_written(appended.map_err(|e| e.to_string())) {
            return Ok(false);
        }
    }
    let mut batch = SideBatch::default();
    batch.put(META_KEY, &now.encode());
    written(side.apply(batch))
}

/// Writes the live records of `set` into a new file, then the meta `now`
/// (with the new file's counts) in place of `base`, and removes the old
/// file once that meta is durable. Records in the old file are copied as
/// stored; the others (added by this load, not yet written) are made
/// again from their entries.
fn compact(
    store: &Store,
    side: &SideTree<'_>,
    keyring: &Keyring,
    base: &Meta,
    now: &Meta,
    set: &Set,
) -> Result<bool, StoreError> {
    let Some(_writer) = writer_at(side, base)? else {
        return Ok(false);
    };
    let Some((dir, id)) = new_file(side) else {
        return Ok(false);
    };
    let mut chunks = Chunks::stream(&dir, id);
    let mut copied = std::collections::HashSet::new();
    let copying = copy_live(&dir, base, set, &mut chunks, &mut copied);
    if !file_written(copying.map_err(|e| format!("the old file: {e}"))) {
        // The views are right; the next load finds the old file's fault
        // and rebuilds, and removes the new file this leaves.
        return Ok(false);
    }
    for (key, held) in set {
        if copied.contains(key) {
            continue;
        }
        let entry = fetch(store, &key.1, keyring)?.ok_or_else(|| StoreError::Corrupt {
            path: store.path().to_path_buf(),
            reason: format!("entry {} vanished while the snapshot was written", key.1),
        })?;
        chunks.push(held.tag(), *key, &held_of(&entry).1);
    }
    let done = chunks.finish();
    if !file_written(done.lost.map_or(Ok(()), Err)) {
        return Ok(false);
    }
    let meta = Meta {
        file: id,
        chunks: done.chunks,
        bytes: done.bytes,
        records: done.records,
        ..*now
    };
    let mut batch = SideBatch::default();
    batch.put(META_KEY, &meta.encode());
    if !written(side.apply(batch))? {
        return Ok(false);
    }
    // The old file goes only once the meta that no longer names it is
    // durable: a crash before then brings back the old meta, whose file
    // must still be there.
    side.flush()?;
    remove_other_files(&dir, Some(&id));
    Ok(true)
}

/// Copies the records of `base`'s file that are live in `set`, once each,
/// as stored; `copied` gets their keys.
fn copy_live(
    dir: &Path,
    base: &Meta,
    set: &Set,
    chunks: &mut Chunks,
    copied: &mut std::collections::HashSet<Key>,
) -> Result<(), String> {
    let frames = Frames::open(dir, &base.file, base.bytes)?;
    copy_records(frames, &base.file, chunks, |record| {
        let live = set.get(&record.key).is_some_and(|h| h.tag() == record.tag);
        live && copied.insert(record.key)
    })
}

/// Copies the records of file `file`, read through `frames`, that `keep`
/// wants into `chunks`, as stored.
fn copy_records<R: std::io::Read>(
    mut frames: Frames<R>,
    file: &file::FileId,
    chunks: &mut Chunks,
    mut keep: impl FnMut(&format::Record<'_>) -> bool,
) -> Result<(), String> {
    let mut n = 0;
    while let Some(sealed) = frames.next_chunk() {
        let sealed = sealed?;
        for record in records(unseal(&chunk_key(file, n), &sealed)?) {
            let record = record?;
            if keep(&record) {
                chunks.copy(record.raw);
            }
        }
        n += 1;
    }
    Ok(())
}

/// Step 2: adds the entries timed after the snapshot when they are exactly
/// what the digests differ by; `None` otherwise.
fn catch_up(
    store: &Store,
    keyring: &Keyring,
    meta: &Meta,
    digest: LedgerDigest,
    set: &mut Set,
    chunks: &mut Chunks,
) -> Result<Option<usize>, StoreError> {
    let since = if meta.digest.is_empty() {
        Hlc::ZERO
    } else {
        Hlc::from_u64(meta.max_hlc.as_u64().saturating_add(1))
    };
    let mut sum = meta.digest;
    let mut after = Vec::new();
    for item in store.time_ordered(&RegionCode::national(), Some(since))? {
        let (hlc, id) = item?;
        sum.add(&id);
        after.push((hlc, id));
        if sum.count > digest.count {
            return Ok(None);
        }
    }
    if sum != digest {
        return Ok(None);
    }
    for (hlc, id) in &after {
        let Some(entry) = store.get(id)? else {
            return Ok(None);
        };
        if feeds_fold(entry.kind()) {
            let entry = as_read(entry, keyring);
            add(set, chunks, &entry, (*hlc, *id));
        }
    }
    Ok(Some(after.len()))
}

/// Step 3: makes `set` the ledger's counted domain entries; returns how many
/// were added and removed. Added entries are recorded in `chunks`.
fn reconcile(
    store: &Store,
    keyring: &Keyring,
    set: &mut Set,
    chunks: &mut Chunks,
) -> Result<(usize, usize), StoreError> {
    let mut counted = std::collections::BTreeSet::new();
    for kind in Kind::KNOWN.iter().copied().filter(|k| feeds_fold(*k)) {
        for item in store.kind_items(kind)? {
            counted.insert(item?);
        }
    }
    let before = set.len();
    set.retain(|key, _| counted.contains(key));
    let removed = before - set.len();
    let mut added = 0;
    for key in counted {
        if set.contains_key(&key) {
            continue;
        }
        let entry = fetch(store, &key.1, keyring)?.ok_or_else(|| StoreError::Corrupt {
            path: store.path().to_path_buf(),
            reason: format!("kind index names entry {}, which is missing", key.1),
        })?;
        add(set, chunks, &entry, key);
        added += 1;
    }
    Ok((added, removed))
}

/// Whether a snapshot write happened: a disk below its reserve refuses it,
/// which must not stop a reading command (the views are still right; the
/// snapshot is brought up to date by a later load).
fn written(result: Result<(), StoreError>) -> Result<bool, StoreError> {
    match result {
        Ok(()) => Ok(true),
        Err(e @ StoreError::DiskFull { .. }) => {
            tracing::warn!(error = %e, "views' snapshot not written / 视图快照未写入");
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Whether the snapshot's file was written. A file that cannot be written
/// (a full disk met between the reserve check and the write, a read-only
/// folder) costs only the snapshot: the views are right, and a later load
/// tries again.
fn file_written(result: Result<(), String>) -> bool {
    match result {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(
                error,
                "views' snapshot file not written / 视图快照文件未写入"
            );
            false
        }
    }
}

/// The side's folder; `None` (logged) when it cannot be made, which
/// leaves the snapshot unwritten.
fn folder(side: &SideTree<'_>) -> Option<PathBuf> {
    match side.dir() {
        Ok(dir) => Some(dir),
        Err(e) => {
            file_written(Err(format!("its folder: {e}")));
            None
        }
    }
}

/// The folder and a fresh id for a new file; `None` (logged) when the
/// folder cannot be made or the system has no randomness to give.
fn new_file(side: &SideTree<'_>) -> Option<(PathBuf, file::FileId)> {
    let dir = folder(side)?;
    match file::new_id() {
        Ok(id) => Some((dir, id)),
        Err(e) => {
            file_written(Err(format!("a new file's id: {e}")));
            None
        }
    }
}

/// Removes the files other than the one `meta` names, while that meta is
/// still the one on disk: what a rebuild or a compaction killed half-way
/// left (as large as the snapshot). Safe: a meta that names a file is
/// either durable, or written by a rebuild, which removed every other
/// file first.
fn remove_unnamed_files(side: &SideTree<'_>, meta: &Meta) -> Result<(), StoreError> {
    let _writer = writer();
    if unmoved(side, meta)?
        && let Some(dir) = folder(side)
    {
        remove_other_files(&dir, Some(&meta.file));
    }
    Ok(())
}

/// Removes the snapshot files no meta names any more (logged; one left
/// behind is removed by the next load).
fn remove_other_files(dir: &Path, keep: Option<&file::FileId>) {
    if let Err(e) = file::remove_others(dir, keep) {
        tracing::warn!(error = %e, "old views' snapshot files not removed / 旧视图快照文件未删除");
    }
}

fn add(set: &mut Set, chunks: &mut Chunks, entry: &SignedEntry, key: Key) {
    let (held, payload) = held_of(entry);
    chunks.push(held.tag(), key, &payload);
    set.insert(key, held);
}

/// Builds the set from the entries and writes the whole snapshot: a new
/// file as the entries are read, made durable, then the meta (until it
/// lands the snapshot reads as absent, and a crash meanwhile means another
/// rebuild).
fn rebuild(
    store: &Store,
    side: &SideTree<'_>,
    keyring: &Keyring,
    digest: LedgerDigest,
    max_hlc: Hlc,
    reason: String,
    started: Instant,
) -> Result<Loaded, StoreError> {
    let _writer = writer();
    // The sled rows go too: a snapshot of format 5 or older kept its
    // chunks there.
    let writable = written(side.remove(META_KEY).and_then(|()| side.clear()))?;
    let file = if writable { new_file(side) } else { None };
    let mut chunks = match &file {
        Some((dir, id)) => {
            // No meta names any file now.
            remove_other_files(dir, None);
            Chunks::stream(dir, *id)
        }
        None => Chunks::counted_only(),
    };
    let mut set = Set::new();
    reconcile(store, keyring, &mut set, &mut chunks)?;
    let done = chunks.finish();
    let mut saved = false;
    if let Some((_, id)) = file
        && file_written(done.lost.map_or(Ok(()), Err))
        && store.digest(&RegionCode::national())? == digest
    {
        let meta = Meta {
            digest,
            file: id,
            max_hlc,
            chunks: done.chunks,
            bytes: done.bytes,
            records: done.records,
        };
        let mut batch = SideBatch::default();
        batch.put(META_KEY, &meta.encode());
        saved = written(side.apply(batch))?;
    }
    tracing::info!(reason, entries = set.len(), saved, elapsed = ?started.elapsed(),
        "views' snapshot rebuilt from the entries / 视图快照已从条目重建");
    Ok(Loaded {
        fold: into_fold(set.into_values()),
        digest,
        max_hlc,
        how: How::Rebuilt { reason },
        saved,
    })
}

/// The fold of held entries, given in (HLC, id) order.
fn into_fold(held: impl IntoIterator<Item = Held>) -> Fold {
    let mut undecodable = Vec::new();
    let items = held.into_iter().filter_map(|held| match held {
        Held::Item(item) => Some(item),
        Held::Undecodable(entry) => {
            undecodable.push(entry);
            None
        }
        Held::Other => None,
    });
    let mut fold = Fold::from_items(items);
    for entry in undecodable {
        fold.insert(&entry);
    }
    fold
}

/// Adds what a running post folded in since the snapshot on disk
/// accounted for `base`: the domain entries among them (`entries`), and
/// the digest and latest time of everything now accounted for, as new
/// chunks. Writes nothing and returns false when the snapshot on disk is
/// not at `base` (another writer moved it; the next load catches up).
pub fn append(
    store: &Store,
    base: &LedgerDigest,
    entries: &[SignedEntry],
    digest: LedgerDigest,
    max_hlc: Hlc,
) -> Result<bool, StoreError> {
    let side = store.side(Side::FoldSnapshot)?;
    let Some(raw) = side.get(META_KEY)? else {
        return Ok(false);
    };
    let Ok(meta) = Meta::decode(&raw) else {
        return Ok(false);
    };
    if meta.digest != *base {
        return Ok(false);
    }
    let mut chunks = Chunks::keep(meta.file, meta.chunks, meta.bytes);
    for entry in entries {
        let (held, payload) = held_of(entry);
        chunks.push(held.tag(), (entry.hlc(), entry.id()), &payload);
    }
    let added = chunks.finish();
    let now = Meta {
        digest,
        max_hlc: meta.max_hlc.max(max_hlc),
        chunks: added.chunks,
        bytes: added.bytes,
        records: meta.records + added.records,
        ..meta
    };
    save_appended(&side, &meta, &now, &added)
}
