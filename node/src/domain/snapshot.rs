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
//! is logged and rebuilt (step 3 from an empty set). Whatever changed is
//! written back, rows and the new digest in one atomic batch, unless the
//! ledger changed while this ran (then the next load catches up again).
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

/// The layout of the rows below; another value is rebuilt, never read.
pub const FORMAT: u32 = 1;

/// The commit row: format, digest, latest time, row counts.
const META_KEY: &[u8] = b"M";
const META_BYTES: usize = 4 + LedgerDigest::BYTES + 8 + 3 * 8;

/// Row tags; a row's key is its tag, the entry's HLC (big-endian) and id,
/// so a scan returns the fold's own order.
const ITEM: u8 = b'I';
/// A domain-kind entry whose body does not decode: listed as invalid in
/// every view, so it is kept (as its id; the entry is read at load).
const UNDECODABLE: u8 = b'U';
/// A domain-kind entry that is not a fold input (kept so it is not read
/// again at every load).
const OTHER: u8 = b'N';
const KEY_BYTES: usize = 1 + 8 + 32;

/// Every row's value starts with a CRC-32 of its key and the rest of the
/// value: bytes that rot on disk are found, not folded. An item row then
/// holds author, status, kind, scope length, the scope and the body.
const CRC_BYTES: usize = 4;
const ROW_HEAD: usize = 32 + 1 + 2 + 1;
/// A row holds one entry's body: never more than an entry may be.
const MAX_ROW_BYTES: usize = CRC_BYTES + ROW_HEAD + u8::MAX as usize + MAX_ENTRY_CEILING;

/// Rows per batch when the whole snapshot is written again.
const REWRITE_BATCH: usize = 8192;

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

type Set = BTreeMap<(Hlc, EntryId), Held>;
type List = Vec<((Hlc, EntryId), Held)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Meta {
    digest: LedgerDigest,
    max_hlc: Hlc,
    items: u64,
    undecodable: u64,
    other: u64,
}

impl Meta {
    fn of(set: &Set, digest: LedgerDigest, max_hlc: Hlc) -> Meta {
        let mut meta = Meta {
            digest,
            max_hlc,
            items: 0,
            undecodable: 0,
            other: 0,
        };
        for held in set.values() {
            *meta.count_mut(held.tag()) += 1;
        }
        meta
    }

    fn count_mut(&mut self, tag: u8) -> &mut u64 {
        match tag {
            ITEM => &mut self.items,
            UNDECODABLE => &mut self.undecodable,
            _ => &mut self.other,
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(META_BYTES);
        out.extend_from_slice(&FORMAT.to_be_bytes());
        out.extend_from_slice(&self.digest.to_bytes());
        out.extend_from_slice(&self.max_hlc.as_u64().to_be_bytes());
        out.extend_from_slice(&self.items.to_be_bytes());
        out.extend_from_slice(&self.undecodable.to_be_bytes());
        out.extend_from_slice(&self.other.to_be_bytes());
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
        Ok(Meta {
            digest,
            max_hlc: Hlc::from_u64(next()?),
            items: next()?,
            undecodable: next()?,
            other: next()?,
        })
    }
}

fn row_key(tag: u8, hlc: Hlc, id: &EntryId) -> [u8; KEY_BYTES] {
    let mut key = [0u8; KEY_BYTES];
    key[0] = tag;
    key[1..9].copy_from_slice(&hlc.as_u64().to_be_bytes());
    key[9..].copy_from_slice(id.as_bytes());
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

/// What the fold takes from a stored entry, and the payload of the row
/// that keeps it.
fn held_of(entry: &SignedEntry) -> (Held, Vec<u8>) {
    match Item::from_entry(entry) {
        Ok(Some(item)) => {
            let h = entry.header();
            let scope = h.scope.to_string();
            let mut row = Vec::with_capacity(ROW_HEAD + scope.len() + entry.body_bytes().len());
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

/// Decodes an item row (disk input: every length checked first).
fn item_of(hlc: Hlc, id: EntryId, row: &[u8], scopes: &mut Scopes) -> Result<Item, String> {
    if row.len() < ROW_HEAD {
        return Err(format!("item {id} row has {} bytes", row.len()));
    }
    let author: [u8; 32] = row[..32]
        .try_into()
        .map_err(|_| format!("item {id}: author"))?;
    let status = status_of(row[32]).ok_or_else(|| format!("item {id}: status {}", row[32]))?;
    let kind = Kind(u16::from_be_bytes([row[33], row[34]]));
    let scope_len = usize::from(row[35]);
    let scope_end = ROW_HEAD + scope_len;
    let scope = row
        .get(ROW_HEAD..scope_end)
        .ok_or_else(|| format!("item {id}: scope runs past the row"))?;
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

/// Reads the snapshot: `Ok(None)` when there is none, `Err` with the
/// reason when it cannot be used.
///
/// The rows come back in key order, as a list: when the digest matches
/// (the common start) they go straight into the fold, and only the other
/// cases pay for a map.
fn read(store: &Store, side: &SideTree<'_>) -> Result<Option<(Meta, List)>, StoreError> {
    let Some(meta) = side.get(META_KEY)? else {
        return Ok(None);
    };
    let meta = match Meta::decode(&meta) {
        Ok(meta) => meta,
        Err(reason) => return Err(unusable(reason)),
    };
    let mut rows = List::new();
    let mut scopes = Scopes::default();
    let mut counts = Meta {
        items: 0,
        undecodable: 0,
        other: 0,
        ..meta
    };
    for row in side.scan(&[]) {
        let (key, value) = row?;
        if key.as_ref() == META_KEY {
            continue;
        }
        let (tag, hlc, id) = parse_key(&key).map_err(unusable)?;
        let payload = unseal(&key, &value).map_err(unusable)?;
        let held = match tag {
            ITEM => Held::Item(item_of(hlc, id, payload, &mut scopes).map_err(unusable)?),
            UNDECODABLE => match store.get(&id)? {
                Some(entry) => Held::Undecodable(Box::new(entry)),
                None => return Err(unusable(format!("entry {id} is not in the ledger"))),
            },
            _ => Held::Other,
        };
        *counts.count_mut(tag) += 1;
        rows.push(((hlc, id), held));
    }
    if counts != meta {
        return Err(unusable(format!(
            "rows counted {}/{}/{}, meta says {}/{}/{}",
            counts.items,
            counts.undecodable,
            counts.other,
            meta.items,
            meta.undecodable,
            meta.other
        )));
    }
    Ok(Some((meta, rows)))
}

fn parse_key(key: &[u8]) -> Result<(u8, Hlc, EntryId), String> {
    if key.len() != KEY_BYTES || ![ITEM, UNDECODABLE, OTHER].contains(&key[0]) {
        return Err(format!("unexpected row key of {} bytes", key.len()));
    }
    let hlc: [u8; 8] = key[1..9].try_into().map_err(|_| "row key time")?;
    let id: [u8; 32] = key[9..].try_into().map_err(|_| "row key id")?;
    Ok((key[0], Hlc::from_u64(u64::from_be_bytes(hlc)), EntryId(id)))
}

/// A snapshot that cannot be used; carried as `Corrupt` to the caller,
/// which logs it and rebuilds.
fn unusable(reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        path: "fold snapshot".into(),
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
    let snapshot = match read(store, &side) {
        Ok(found) => found,
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
    let Some((meta, rows)) = snapshot else {
        return rebuild(
            store,
            &side,
            digest,
            max_hlc,
            "no snapshot yet".into(),
            started,
        );
    };
    if meta.digest == digest {
        tracing::debug!(entries = rows.len(), elapsed = ?started.elapsed(), "views from the snapshot");
        return Ok(Loaded {
            fold: into_fold(rows.into_iter().map(|(_, held)| held)),
            digest,
            max_hlc: meta.max_hlc,
            how: How::Snapshot,
            saved: true,
        });
    }
    let mut set: Set = rows.into_iter().collect();
    let mut batch = SideBatch::default();
    let how = match catch_up(store, &meta, digest, &mut set, &mut batch)? {
        Some(entries) => How::CaughtUp { entries },
        None => {
            batch = SideBatch::default();
            let (added, removed) = reconcile(store, &mut set, &mut batch, Rows::Keep)?;
            How::Reconciled { added, removed }
        }
    };
    let max_hlc = max_hlc.max(meta.max_hlc);
    let new_meta = Meta::of(&set, digest, max_hlc);
    let saved = if store.digest(&national)? == digest {
        batch.put(META_KEY, &new_meta.encode());
        written(side.apply(batch))?
    } else {
        false
    };
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

/// Step 2: adds the entries timed after the snapshot when they are exactly
/// what the digests differ by; `None` otherwise.
fn catch_up(
    store: &Store,
    meta: &Meta,
    digest: LedgerDigest,
    set: &mut Set,
    batch: &mut SideBatch,
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
            add(set, batch, &entry, *hlc, *id);
        }
    }
    Ok(Some(after.len()))
}

/// What [`reconcile`] does with the rows it makes.
#[derive(Clone, Copy)]
enum Rows<'a, 's> {
    /// Left in the batch, for the caller to write atomically with the meta.
    Keep,
    /// Written in batches as they are made (a rebuild: the meta is absent
    /// meanwhile).
    Stream(&'a SideTree<'s>),
    /// Not written (the disk is below its reserve).
    Drop,
}

/// Step 3: makes `set` the ledger's counted domain entries; returns how many
/// were added and removed.
fn reconcile(
    store: &Store,
    set: &mut Set,
    batch: &mut SideBatch,
    rows: Rows<'_, '_>,
) -> Result<(usize, usize), StoreError> {
    let mut counted = std::collections::BTreeSet::new();
    for kind in Kind::KNOWN.iter().copied().filter(|k| is_domain_kind(*k)) {
        for item in store.kind_items(kind)? {
            counted.insert(item?);
        }
    }
    let gone: Vec<(Hlc, EntryId)> = set
        .keys()
        .filter(|k| !counted.contains(*k))
        .copied()
        .collect();
    for key in &gone {
        if let Some(held) = set.remove(key) {
            batch.remove(&row_key(held.tag(), key.0, &key.1));
        }
    }
    let mut added = 0;
    for (hlc, id) in counted {
        if set.contains_key(&(hlc, id)) {
            continue;
        }
        let entry = store.get(&id)?.ok_or_else(|| StoreError::Corrupt {
            path: store.path().to_path_buf(),
            reason: format!("kind index names entry {id}, which is missing"),
        })?;
        add(set, batch, &entry, hlc, id);
        added += 1;
        if batch.len() >= REWRITE_BATCH {
            match rows {
                Rows::Keep => {}
                Rows::Stream(side) => side.apply(std::mem::take(batch))?,
                Rows::Drop => *batch = SideBatch::default(),
            }
        }
    }
    Ok((added, gone.len()))
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

fn add(set: &mut Set, batch: &mut SideBatch, entry: &SignedEntry, hlc: Hlc, id: EntryId) {
    let (held, payload) = held_of(entry);
    let key = row_key(held.tag(), hlc, &id);
    batch.put(&key, &seal(&key, &payload));
    set.insert((hlc, id), held);
}

/// A row's value: the CRC of key and payload, then the payload.
fn seal(key: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut crc = crc32fast::Hasher::new();
    crc.update(key);
    crc.update(payload);
    let mut out = Vec::with_capacity(CRC_BYTES + payload.len());
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// The payload of a row whose CRC matches (size-checked first).
fn unseal<'v>(key: &[u8], value: &'v [u8]) -> Result<&'v [u8], String> {
    if value.len() < CRC_BYTES || value.len() > MAX_ROW_BYTES {
        return Err(format!("a row has {} bytes", value.len()));
    }
    let (stored, payload) = value.split_at(CRC_BYTES);
    let mut crc = crc32fast::Hasher::new();
    crc.update(key);
    crc.update(payload);
    if stored != crc.finalize().to_be_bytes() {
        return Err("a row fails its checksum".into());
    }
    Ok(payload)
}

/// Builds the set from the entries and writes the whole snapshot: rows in
/// batches as the entries are read, the meta last (until it lands the
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
    let rows = if writable {
        Rows::Stream(side)
    } else {
        Rows::Drop
    };
    let mut set = Set::new();
    let mut batch = SideBatch::default();
    reconcile(store, &mut set, &mut batch, rows)?;
    let mut saved = false;
    if writable && store.digest(&RegionCode::national())? == digest {
        batch.put(META_KEY, &Meta::of(&set, digest, max_hlc).encode());
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
/// the digest and latest time of everything now accounted for. Writes
/// nothing and returns false when the snapshot on disk is not at `base`
/// (another writer moved it; the next load catches up).
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
    let Ok(mut meta) = Meta::decode(&raw) else {
        return Ok(false);
    };
    if meta.digest != *base {
        return Ok(false);
    }
    let mut batch = SideBatch::default();
    for entry in entries {
        let (held, payload) = held_of(entry);
        let key = row_key(held.tag(), entry.hlc(), &entry.id());
        // Idempotent: a row already there is not counted twice.
        if side.get(&key)?.is_none() {
            *meta.count_mut(held.tag()) += 1;
        }
        batch.put(&key, &seal(&key, &payload));
    }
    meta.digest = digest;
    meta.max_hlc = meta.max_hlc.max(max_hlc);
    batch.put(META_KEY, &meta.encode());
    written(side.apply(batch))
}
