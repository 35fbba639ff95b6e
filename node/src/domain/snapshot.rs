//! The folded views' snapshot: every decoded domain entry, kept in the
//! store's fold-snapshot side tree (`store::snapshot`) with the ledger
//! digest it accounts for, so a restart reads one tree in key order instead
//! of a million entries by random lookups through the kind index.
//!
//! ## Why loading it is always right
//!
//! The fold is a function of the entry *set*: the protocol keeps entries in
//! a map by (HLC, id) and folds them in that order (`domain::fold`), so any
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
//! The records live in chunks of about [`CHUNK_BYTES`] (sled's cost is per
//! row: a million rows of 250 bytes read several times slower than four
//! thousand of 64 KiB), keyed `C` + chunk number; the meta (`M`) names the
//! range of chunks in use. A record is a tag, the entry's HLC and id, and
//! for a fold input its author, status, kind, scope and stored body bytes.
//!
//! The digest is a sum of entry ids (BLAKE3 hashes of signed entries); two
//! different sets with the same count and sum would need a collision of
//! that sum among entries the trust rules admitted.

use std::collections::BTreeMap;
use std::time::Instant;

use liandong_protocol::domain::fold::{Fold, Item};
use liandong_protocol::limits::MAX_ENTRY_CEILING;
use liandong_protocol::{
    Body, EntryId, Hlc, Kind, LedgerDigest, NodeId, RegionCode, SignedEntry, Status,
};

use super::load::is_domain_kind;
use crate::store::{Side, SideBatch, SideTree, Store, StoreError};

/// The layout below; another value is rebuilt, never read.
pub const FORMAT: u32 = 2;

/// The commit row: format, digest, latest time, chunk range, records.
const META_KEY: &[u8] = b"M";
const META_BYTES: usize = 4 + LedgerDigest::BYTES + 4 * 8;
const CHUNK: u8 = b'C';

/// Record tags. A fold input:
const ITEM: u8 = b'I';
/// A domain-kind entry whose body does not decode: listed as invalid in
/// every view, so it is kept (as its id; the entry is read at load).
const UNDECODABLE: u8 = b'U';
/// A domain-kind entry that is not a fold input (kept so it is not read
/// again at every load).
const OTHER: u8 = b'N';

/// tag, HLC, id, payload length.
const RECORD_HEAD: usize = 1 + 8 + 32 + 4;
/// author, status, kind, scope length; then the scope and the body.
const ITEM_HEAD: usize = 32 + 1 + 2 + 1;
/// A record holds one entry's body: never more than an entry may be.
const MAX_PAYLOAD: usize = ITEM_HEAD + u8::MAX as usize + MAX_ENTRY_CEILING;
/// A chunk is closed once it reaches this size.
pub const CHUNK_BYTES: usize = 64 * 1024;
/// Every chunk starts with a CRC-32 of its key and contents.
const CRC_BYTES: usize = 4;
/// The most a chunk can hold: one record short of full, plus the largest.
const MAX_CHUNK_BYTES: usize = CRC_BYTES + CHUNK_BYTES + RECORD_HEAD + MAX_PAYLOAD;
/// Chunks written per batch when the whole snapshot is written.
const CHUNKS_PER_BATCH: usize = 64;

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

/// One held entry, by (HLC, id).
#[derive(Debug)]
enum Held {
    Item(Item),
    Undecodable(Box<SignedEntry>),
    Other,
}

impl Held {
    fn tag(&self) -> u8 {
        match self {
            Held::Item(_) => ITEM,
            Held::Undecodable(_) => UNDECODABLE,
            Held::Other => OTHER,
        }
    }
}

type Key = (Hlc, EntryId);
type Set = BTreeMap<Key, Held>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Meta {
    digest: LedgerDigest,
    max_hlc: Hlc,
    /// Chunks `first..next` hold the records.
    first: u64,
    next: u64,
    records: u64,
}

impl Meta {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(META_BYTES);
        out.extend_from_slice(&FORMAT.to_be_bytes());
        out.extend_from_slice(&self.digest.to_bytes());
        for word in [self.max_hlc.as_u64(), self.first, self.next, self.records] {
            out.extend_from_slice(&word.to_be_bytes());
        }
        out
    }

    fn decode(bytes: &[u8]) -> Result<Meta, String> {
        let format = bytes
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
            .ok_or("meta row is truncated")?;
        if format != FORMAT {
            return Err(format!(
                "snapshot format {format}, this liandong writes {FORMAT}"
            ));
        }
        if bytes.len() != META_BYTES {
            return Err(format!(
                "meta row has {} bytes, expected {META_BYTES}",
                bytes.len()
            ));
        }
        let digest = LedgerDigest::from_bytes(&bytes[4..4 + LedgerDigest::BYTES])
            .ok_or("meta row digest is malformed")?;
        let mut words = bytes[4 + LedgerDigest::BYTES..]
            .chunks_exact(8)
            .filter_map(|c| <[u8; 8]>::try_from(c).ok().map(u64::from_be_bytes));
        let mut next = || words.next().ok_or("meta row is truncated");
        let meta = Meta {
            digest,
            max_hlc: Hlc::from_u64(next()?),
            first: next()?,
            next: next()?,
            records: next()?,
        };
        if meta.first > meta.next {
            return Err(format!("meta names chunks {}..{}", meta.first, meta.next));
        }
        Ok(meta)
    }
}

fn chunk_key(n: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = CHUNK;
    key[1..].copy_from_slice(&n.to_be_bytes());
    key
}

fn status_byte(status: Status) -> u8 {
    match status {
        Status::Actual => 0,
        Status::Exercise => 1,
        Status::Test => 2,
    }
}

fn status_of(byte: u8) -> Option<Status> {
    match byte {
        0 => Some(Status::Actual),
        1 => Some(Status::Exercise),
        2 => Some(Status::Test),
        _ => None,
    }
}

/// What the fold takes from a stored entry, and the payload of the record
/// that keeps it.
fn held_of(entry: &SignedEntry) -> (Held, Vec<u8>) {
    match Item::from_entry(entry) {
        Ok(Some(item)) => {
            let h = entry.header();
            let scope = h.scope.to_string();
            let mut row = Vec::with_capacity(ITEM_HEAD + scope.len() + entry.body_bytes().len());
            row.extend_from_slice(h.author.as_bytes());
            row.push(status_byte(h.status));
            row.extend_from_slice(&h.kind.0.to_be_bytes());
            // Region codes have at most 12 digits (protocol `region`).
            row.push(u8::try_from(scope.len()).unwrap_or(u8::MAX));
            row.extend_from_slice(scope.as_bytes());
            // The stored body bytes, not a re-encoding: exactly what the
            // entry carries.
            row.extend_from_slice(entry.body_bytes());
            (Held::Item(item), row)
        }
        Ok(None) => (Held::Other, Vec::new()),
        Err(_) => (Held::Undecodable(Box::new(entry.clone())), Vec::new()),
    }
}

/// The scopes met while reading: a post's entries share a few, so each is
/// parsed once.
#[derive(Default)]
struct Scopes(std::collections::HashMap<Vec<u8>, RegionCode>);

impl Scopes {
    fn parse(&mut self, raw: &[u8]) -> Result<RegionCode, String> {
        if let Some(code) = self.0.get(raw) {
            return Ok(code.clone());
        }
        let code: RegionCode = std::str::from_utf8(raw)
            .map_err(|_| "scope is not text".to_string())?
            .parse()
            .map_err(|e: liandong_protocol::region::RegionError| e.to_string())?;
        self.0.insert(raw.to_vec(), code.clone());
        Ok(code)
    }
}

/// Decodes an item record's payload (disk input: lengths checked first).
fn item_of(key: Key, row: &[u8], scopes: &mut Scopes) -> Result<Item, String> {
    let (hlc, id) = key;
    if row.len() < ITEM_HEAD {
        return Err(format!("item {id} has {} bytes", row.len()));
    }
    let author: [u8; 32] = row[..32]
        .try_into()
        .map_err(|_| format!("item {id}: author"))?;
    let status = status_of(row[32]).ok_or_else(|| format!("item {id}: status {}", row[32]))?;
    let kind = Kind(u16::from_be_bytes([row[33], row[34]]));
    let scope_end = ITEM_HEAD + usize::from(row[35]);
    let scope = row
        .get(ITEM_HEAD..scope_end)
        .ok_or_else(|| format!("item {id}: scope runs past the record"))?;
    let scope = scopes.parse(scope).map_err(|e| format!("item {id}: {e}"))?;
    let body =
        Body::decode(kind, &row[scope_end..]).map_err(|e| format!("item {id}: body: {e}"))?;
    Ok(Item {
        id,
        author: NodeId(author),
        hlc,
        scope,
        status,
        body,
    })
}

/// A chunk's value: the CRC of key and contents, then the contents.
fn seal(key: &[u8], contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(CRC_BYTES + contents.len());
    out.extend_from_slice(&crc(key, contents).to_be_bytes());
    out.extend_from_slice(contents);
    out
}

fn crc(key: &[u8], contents: &[u8]) -> u32 {
    let mut crc = crc32fast::Hasher::new();
    crc.update(key);
    crc.update(contents);
    crc.finalize()
}

/// The contents of a chunk whose CRC matches (size-checked first).
fn unseal<'v>(key: &[u8], value: &'v [u8]) -> Result<&'v [u8], String> {
    if value.len() < CRC_BYTES || value.len() > MAX_CHUNK_BYTES {
        return Err(format!("a chunk has {} bytes", value.len()));
    }
    let (stored, contents) = value.split_at(CRC_BYTES);
    if stored != crc(key, contents).to_be_bytes() {
        return Err("a chunk fails its checksum".into());
    }
    Ok(contents)
}

/// One record of a chunk.
struct Record<'c> {
    tag: u8,
    key: Key,
    payload: &'c [u8],
    /// The record's bytes as stored (for copying it when compacting).
    raw: &'c [u8],
}

/// Splits a chunk's contents into records (every length checked).
fn records(mut contents: &[u8]) -> impl Iterator<Item = Result<Record<'_>, String>> {
    std::iter::from_fn(move || {
        if contents.is_empty() {
            return None;
        }
        let record = (|| {
            let head = contents
                .get(..RECORD_HEAD)
                .ok_or("a record's head runs past its chunk")?;
            let tag = head[0];
            if ![ITEM, UNDECODABLE, OTHER].contains(&tag) {
                return Err(format!("unknown record tag {tag}"));
            }
            let hlc = Hlc::from_u64(u64::from_be_bytes(
                head[1..9].try_into().map_err(|_| "record time")?,
            ));
            let id = EntryId(head[9..41].try_into().map_err(|_| "record id")?);
            let len = u32::from_be_bytes(head[41..45].try_into().map_err(|_| "record length")?);
            let len = usize::try_from(len).map_err(|_| "record length")?;
            if len > MAX_PAYLOAD {
                return Err(format!("a record of {len} bytes"));
            }
            let end = RECORD_HEAD + len;
            let raw = contents.get(..end).ok_or("a record runs past its chunk")?;
            contents = &contents[end..];
            Ok(Record {
                tag,
                key: (hlc, id),
                payload: &raw[RECORD_HEAD..],
                raw,
            })
        })();
        if record.is_err() {
            contents = &[];
        }
        Some(record)
    })
}

/// Writes records into chunks numbered from `next`.
struct Chunks<'a, 's> {
    side: &'a SideTree<'s>,
    mode: Mode,
    batch: SideBatch,
    chunks_in_batch: usize,
    buf: Vec<u8>,
    next: u64,
    records: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Chunks wait in the batch, to be written atomically with the meta.
    Keep,
    /// Chunks are written in batches as they fill (a rewrite: the meta
    /// still names the old chunks meanwhile).
    Stream,
    /// Nothing is written (the disk is below its reserve).
    Drop,
}

impl<'a, 's> Chunks<'a, 's> {
    fn new(side: &'a SideTree<'s>, mode: Mode, next: u64) -> Chunks<'a, 's> {
        Chunks {
            side,
            mode,
            batch: SideBatch::default(),
            chunks_in_batch: 0,
            buf: Vec::new(),
            next,
            records: 0,
        }
    }

    fn push(&mut self, tag: u8, key: Key, payload: &[u8]) -> Result<(), StoreError> {
        self.records += 1;
        if self.mode == Mode::Drop {
            return Ok(());
        }
        let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
        self.buf.push(tag);
        self.buf.extend_from_slice(&key.0.as_u64().to_be_bytes());
        self.buf.extend_from_slice(key.1.as_bytes());
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(payload);
        self.close_if_full()
    }

    /// Copies a record as it was stored.
    fn copy(&mut self, raw: &[u8]) -> Result<(), StoreError> {
        self.records += 1;
        if self.mode == Mode::Drop {
            return Ok(());
        }
        self.buf.extend_from_slice(raw);
        self.close_if_full()
    }

    fn close_if_full(&mut self) -> Result<(), StoreError> {
        if self.buf.len() >= CHUNK_BYTES {
            self.close()?;
        }
        Ok(())
    }

    fn close(&mut self) -> Result<(), StoreError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let key = chunk_key(self.next);
        self.batch.put(&key, &seal(&key, &self.buf));
        self.buf.clear();
        self.next += 1;
        self.chunks_in_batch += 1;
        if self.mode == Mode::Stream && self.chunks_in_batch >= CHUNKS_PER_BATCH {
            self.side.apply(std::mem::take(&mut self.batch))?;
            self.chunks_in_batch = 0;
        }
        Ok(())
    }

    /// Closes the last chunk; the batch (with what is left to write) and
    /// the chunk number after the last.
    fn finish(mut self) -> Result<(SideBatch, u64, u64), StoreError> {
        self.close()?;
        Ok((self.batch, self.next, self.records))
    }
}

/// Reads the snapshot: `Ok(None)` when there is none, `Err(Corrupt)` with
/// the reason when it cannot be used. The records come back in chunk
/// order, as a list: when the digest matches (the common start) they go
/// into the fold after one sort, and only the other cases pay for a map.
fn read(
    store: &Store,
    side: &SideTree<'_>,
) -> Result<Option<(Meta, Vec<(Key, Held)>)>, StoreError> {
    let Some(meta) = side.get(META_KEY)? else {
        return Ok(None);
    };
    let meta = Meta::decode(&meta).map_err(unusable)?;
    let mut list = Vec::with_capacity(usize::try_from(meta.records).unwrap_or(0));
    let mut scopes = Scopes::default();
    let mut expected = meta.first;
    for row in side.range(&chunk_key(meta.first), &chunk_key(meta.next)) {
        let (key, value) = row?;
        if key.as_ref() != chunk_key(expected) {
            return Err(unusable(format!("chunk {expected} is missing")));
        }
        expected += 1;
        let contents = unseal(&key, &value).map_err(unusable)?;
        for record in records(contents) {
            let record = record.map_err(unusable)?;
            let held = match record.tag {
                ITEM => {
                    Held::Item(item_of(record.key, record.payload, &mut scopes).map_err(unusable)?)
                }
                UNDECODABLE => match store.get(&record.key.1)? {
                    Some(entry) => Held::Undecodable(Box::new(entry)),
                    None => {
                        return Err(unusable(format!(
                            "entry {} is not in the ledger",
                            record.key.1
                        )));
                    }
                },
                _ => Held::Other,
            };
            list.push((record.key, held));
        }
    }
    if expected != meta.next {
        return Err(unusable(format!("chunk {expected} is missing")));
    }
    if list.len() as u64 != meta.records {
        return Err(unusable(format!(
            "{} records read, the meta says {}",
            list.len(),
            meta.records
        )));
    }
    // Appended chunks may hold older times (late arrivals): one stable sort
    // (cheap on the runs it finds), and an entry recorded twice counts once.
    list.sort_by_key(|(key, _)| *key);
    list.dedup_by_key(|(key, _)| *key);
    Ok(Some((meta, list)))
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
pub fn load(store: &Store) -> Result<Loaded, StoreError> {
    let started = Instant::now();
    let national = RegionCode::national();
    // Read the ledger's state before anything else, and again at the end:
    // a snapshot is written back only when nothing changed in between.
    let digest = store.digest(&national)?;
    let max_hlc = store.max_hlc()?.unwrap_or(Hlc::ZERO);
    let side = store.side(Side::FoldSnapshot)?;
    let (meta, list) = match read(store, &side) {
        Ok(Some(found)) => found,
        Ok(None) => {
            return rebuild(
                store,
                &side,
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
            return rebuild(store, &side, digest, max_hlc, reason, started);
        }
        Err(e) => return Err(e),
    };
    if meta.digest == digest && !crowded(&meta) {
        tracing::debug!(entries = list.len(), elapsed = ?started.elapsed(), "views from the snapshot");
        return Ok(Loaded {
            fold: into_fold(list.into_iter().map(|(_, held)| held)),
            digest,
            max_hlc: meta.max_hlc,
            how: How::Snapshot,
            saved: true,
        });
    }
    if meta.digest == digest {
        // A running post's appends spread the records thin: compact once.
        let set: Set = list.into_iter().collect();
        let saved = store.health().writable() && compact(store, &side, &meta, &set)?;
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
    let mut set: Set = list.into_iter().collect();
    let writable = store.health().writable();
    let mode = if writable { Mode::Keep } else { Mode::Drop };
    let mut chunks = Chunks::new(&side, mode, meta.next);
    let (how, removed) = match catch_up(store, &meta, digest, &mut set, &mut chunks)? {
        Some(entries) => (How::CaughtUp { entries }, 0),
        None => {
            chunks = Chunks::new(&side, mode, meta.next);
            let (added, removed) = reconcile(store, &mut set, &mut chunks)?;
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
            saved = compact(store, &side, &meta, &set)?;
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

/// Whether appends left the records spread thin over many chunks.
fn crowded(meta: &Meta) -> bool {
    let chunks = meta.next - meta.first;
    chunks > 64 && chunks > meta.records / 64
}

/// Writes the live records of `set` into fresh chunks after `meta`'s, then
/// removes the old chunks and writes the new meta in one batch. Records
/// still in the old chunks are copied as stored; the others (added by this
/// load, not yet written) are made again from their entries.
fn compact(store: &Store, side: &SideTree<'_>, meta: &Meta, set: &Set) -> Result<bool, StoreError> {
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
        let entry = store.get(&key.1)?.ok_or_else(|| StoreError::Corrupt {
            path: store.path().to_path_buf(),
            reason: format!("entry {} vanished while the snapshot was written", key.1),
        })?;
        chunks.push(held.tag(), *key, &held_of(&entry).1)?;
    }
    let first = chunks.next;
    let (mut batch, next, records) = chunks.finish()?;
    // Between the old range and the fresh one lie the numbers of chunks
    // never written; removing them too clears any left by a crash.
    for n in old.start..first {
        batch.remove(&chunk_key(n));
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
        if is_domain_kind(entry.kind()) {
            add(set, chunks, &entry, (*hlc, *id))?;
        }
    }
    Ok(Some(after.len()))
}

/// Step 3: makes `set` the ledger's counted domain entries; returns how many
/// were added and removed. Added entries are recorded in `chunks`.
fn reconcile(
    store: &Store,
    set: &mut Set,
    chunks: &mut Chunks<'_, '_>,
) -> Result<(usize, usize), StoreError> {
    let mut counted = std::collections::BTreeSet::new();
    for kind in Kind::KNOWN.iter().copied().filter(|k| is_domain_kind(*k)) {
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
        let entry = store.get(&key.1)?.ok_or_else(|| StoreError::Corrupt {
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
    digest: LedgerDigest,
    max_hlc: Hlc,
    reason: String,
    started: Instant,
) -> Result<Loaded, StoreError> {
    let writable = written(side.remove(META_KEY).and_then(|()| side.clear()))?;
    let mode = if writable { Mode::Stream } else { Mode::Drop };
    let mut set = Set::new();
    let mut chunks = Chunks::new(side, mode, 0);
    reconcile(store, &mut set, &mut chunks)?;
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
    let mut fold = Fold::new();
    for held in held {
        match held {
            Held::Item(item) => {
                fold.insert_item(item);
            }
            Held::Undecodable(entry) => {
                fold.insert(&entry);
            }
            Held::Other => {}
        }
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
