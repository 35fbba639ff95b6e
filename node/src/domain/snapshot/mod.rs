//! The folded views' snapshot: every decoded domain entry, kept in the
//! store's fold-snapshot side tree (`store::snapshot`) with the ledger
//! digest it accounts for, so a restart reads one tree in key order instead
//! of a million entries by random lookups through the kind index.
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
//! (each chunk carries a CRC; the meta counts chunks and records) is logged
//! and rebuilt (step 3 from an empty set). What was added is written back
//! as new chunks with the new meta in one atomic batch, unless the ledger
//! changed while this ran (then the next load catches up again); removals,
//! and a snapshot grown into many small chunks by a running post's appends,
//! are written by compacting: the live records copied into fresh chunks,
//! the old ones removed with the new meta in one batch.
//!
//! ## Layout
//!
//! The records live in chunks of about 64 KiB, keyed `C` + chunk number
//! (sled's cost is per row: `bench views` at 200,000 entries loaded a
//! snapshot of one row per entry in 0.98 s and one in chunks in 0.58 s, on
//! the shared box under different background load); the meta (`M`) names the
//! range of chunks in use. A record is a tag, the entry's HLC and id, and
//! for a fold input its author, status, kind, scope and stored body bytes.
//!
//! The digest is a sum of entry ids (BLAKE3 hashes of signed entries); two
//! different sets with the same count and sum would need a collision of
//! that sum among entries the trust rules admitted.

use std::time::Instant;

use liandong_protocol::domain::fold::Fold;
use liandong_protocol::{Hlc, Kind, LedgerDigest, RegionCode, SignedEntry};

use super::load::feeds_fold;
use crate::restricted::{Keyring, reading::as_read};
use crate::store::{Side, SideTree, Store, StoreError};
use format::{Chunks, Held, Key, META_KEY, Meta, Mode, Set, chunk_key, held_of, records, unseal};
use read::read;

mod format;
mod read;

pub use format::FORMAT;
pub use read::MIN_CHUNKS_PER_THREAD;

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
        let saved = store.health().writable() && compact(store, &side, keyring, &meta, &set)?;
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
    let mode = if writable { Mode::Keep } else { Mode::Drop };
    let mut chunks = Chunks::new(&side, mode, meta.next);
    let (how, removed) = match catch_up(store, keyring, &meta, digest, &mut set, &mut chunks)? {
        Some(entries) => (How::CaughtUp { entries }, 0),
        None => {
            chunks = Chunks::new(&side, mode, meta.next);
            let (added, removed) = reconcile(store, keyring, &mut set, &mut chunks)?;
            (How::Reconciled { added, removed }, removed)
        }
    };
    let max_hlc = max_hlc.max(meta.max_hlc);
    let mut saved = false;
    if writable && store.digest(&national)? == digest {
        let (mut batch, next, added) = chunks.finish()?;
        let meta = Meta {
            digest,
            max_hlc,
            first: meta.first,
            next,
            records: meta.records + added,
        };
        if removed > 0 || crowded(&meta) {
            // The added chunks are not written: compacting copies what
            // is live, the added records included.
            saved = compact(store, &side, keyring, &meta, &set)?;
        } else {
            batch.put(META_KEY, &meta.encode());
            saved = written(side.apply(batch))?;
        }
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
    let chunks = meta.next - meta.first;
    chunks > 64 && chunks > meta.records / 64
}

/// Writes the live records of `set` into fresh chunks after `meta`'s, then
/// removes the old chunks and writes the new meta in one batch. Records
/// still in the old chunks are copied as stored; the others (added by this
/// load, not yet written) are made again from their entries.
fn compact(
    store: &Store,
    side: &SideTree<'_>,
    keyring: &Keyring,
    meta: &Meta,
    set: &Set,
) -> Result<bool, StoreError> {
    let old = meta.first..meta.next;
    // `meta.next` counts the chunks this load would have appended (never
    // written): fresh chunks start after them.
    let mut chunks = Chunks::new(side, Mode::Stream, meta.next);
    let mut copied = std::collections::HashSet::new();
    for row in side.range(&chunk_key(old.start), &chunk_key(old.end)) {
        let (key, value) = row?;
        let contents = unseal(&key, &value).map_err(unusable)?;
        for record in records(contents) {
            let record = record.map_err(unusable)?;
            let live = set.get(&record.key).is_some_and(|h| h.tag() == record.tag);
            if live && copied.insert(record.key) {
                chunks.copy(record.raw)?;
            }
        }
    }
    for (key, held) in set {
        if copied.contains(key) {
            continue;
        }
        let entry = fetch(store, &key.1, keyring)?.ok_or_else(|| StoreError::Corrupt {
            path: store.path().to_path_buf(),
            reason: format!("entry {} vanished while the snapshot was written", key.1),
        })?;
        chunks.push(held.tag(), *key, &held_of(&entry).1)?;
    }
    let (mut batch, next, records) = chunks.finish()?;
    // Only the old chunks go: the fresh ones start at `meta.next`, the old
    // range's end. (Removing up to where the writing had got to would take
    // every fresh chunk but the last, and the next start would rebuild.)
    for n in old {
        batch.remove(&chunk_key(n));
    }
    // Chunks past the fresh ones were written by an earlier compaction
    // that a crash cut short (the fresh ones overwrote the rest of them).
    for row in side.range(&chunk_key(next), &chunk_key(u64::MAX)) {
        batch.remove(&row?.0);
    }
    let meta = Meta {
        first: meta.next,
        next,
        records,
        ..*meta
    };
    batch.put(META_KEY, &meta.encode());
    written(side.apply(batch))
}

/// Step 2: adds the entries timed after the snapshot when they are exactly
/// what the digests differ by; `None` otherwise.
fn catch_up(
    store: &Store,
    keyring: &Keyring,
    meta: &Meta,
    digest: LedgerDigest,
    set: &mut Set,
    chunks: &mut Chunks<'_, '_>,
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
            add(set, chunks, &entry, (*hlc, *id))?;
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
    chunks: &mut Chunks<'_, '_>,
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
        add(set, chunks, &entry, key)?;
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

fn add(
    set: &mut Set,
    chunks: &mut Chunks<'_, '_>,
    entry: &SignedEntry,
    key: Key,
) -> Result<(), StoreError> {
    let (held, payload) = held_of(entry);
    chunks.push(held.tag(), key, &payload)?;
    set.insert(key, held);
    Ok(())
}

/// Builds the set from the entries and writes the whole snapshot: chunks
/// in batches as the entries are read, the meta last (until it lands the
/// snapshot reads as absent, and a crash meanwhile means another rebuild).
fn rebuild(
    store: &Store,
    side: &SideTree<'_>,
    keyring: &Keyring,
    digest: LedgerDigest,
    max_hlc: Hlc,
    reason: String,
    started: Instant,
) -> Result<Loaded, StoreError> {
    let writable = written(side.remove(META_KEY).and_then(|()| side.clear()))?;
    let mode = if writable { Mode::Stream } else { Mode::Drop };
    let mut set = Set::new();
    let mut chunks = Chunks::new(side, mode, 0);
    reconcile(store, keyring, &mut set, &mut chunks)?;
    let (mut batch, next, records) = chunks.finish()?;
    let mut saved = false;
    if writable && store.digest(&RegionCode::national())? == digest {
        let meta = Meta {
            digest,
            max_hlc,
            first: 0,
            next,
            records,
        };
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
    let mut chunks = Chunks::new(&side, Mode::Keep, meta.next);
    for entry in entries {
        let (held, payload) = held_of(entry);
        chunks.push(held.tag(), (entry.hlc(), entry.id()), &payload)?;
    }
    let (mut batch, next, added) = chunks.finish()?;
    let meta = Meta {
        digest,
        max_hlc: meta.max_hlc.max(max_hlc),
        next,
        records: meta.records + added,
        ..meta
    };
    batch.put(META_KEY, &meta.encode());
    written(side.apply(batch))
}
