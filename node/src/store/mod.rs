//! The durable ledger: sled behind the project's own type.
//!
//! The store keeps validated entries and nothing else; callers validate
//! first (see `ledger::Ledger::ingest`). Inserts are idempotent, atomic with
//! their index rows, and never overwrite: a second entry with the same
//! (author, seq) is kept beside the first as equivocation evidence. Entries
//! that lose their trust standing later are voided, never deleted (see
//! [`standing`]). The key layout is documented in [`keys`].
//!
//! sled calls block, so async code reaches the store through a dedicated
//! thread, never from a runtime worker.
//!
//! What the store guarantees at a crash, a full disk and a failing disk —
//! and how — is in [`open`] (repairs before sled opens), [`write`] (durable
//! writes), [`health`] (the free-space reserve, and refusing all use after a
//! failed write); docs/storage.md says it for operators.

mod durable;
mod health;
pub mod keys;
mod lock;
mod marker;
mod open;
pub mod recover;
mod snapshot;
mod standing;
mod stats;
mod timeline;
mod write;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use liandong_protocol::{
    EntryId, Hlc, Interest, Kind, LedgerDigest, NodeId, RegionCode, Selector, SignedEntry,
};

use durable::DurableFiles;
use health::Health;
pub use health::{DEFAULT_RESERVE_MB, StoreHealth, free_bytes, mib};
pub use open::StoreOptions;
pub use snapshot::{Side, SideBatch, SideTree};
pub use standing::{StandingApplied, VoidReason};
pub use stats::{DiskStats, KeySpaceStats, allocated_bytes};

/// The store layout this code reads and writes.
///
/// Still 1 with the `V` (voided) key space: a store written before voiding
/// existed is a valid store with nothing voided, and the ledger voids what
/// its trust state says when it opens (`Ledger::open_in_network`), so no
/// migration is needed. The reverse — an older binary opening a store with
/// voided entries — also reads and syncs correctly (voided entries are
/// stored, so a resend is a duplicate; they are in no index or digest); only
/// its `verify` would report their missing index rows. The `P` (staged)
/// rows are the same: they exist only between a crash and the next open,
/// which completes them; an older binary would leave them unread.
pub const SCHEMA_VERSION: u32 = 1;

/// Whether `insert` returns only after the data is on stable storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// flush + fsync before returning: for entries this post authors
    /// (received entries are synced right behind their writes by the
    /// ledger's fsync thread; see `ledger::actor`).
    Durable,
    /// Left for a later [`Store::sync`]: the ledger's fsync thread for
    /// received entries, the final sync of a bulk load (and sled flushes
    /// when the store is dropped).
    Lazy,
}

/// What happened to one entry on insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    Added,
    /// Already stored: nothing written.
    Duplicate,
    /// Stored, and another entry already held the same (author, seq): the
    /// pair is equivocation evidence.
    Fork,
}

/// A stored equivocation: several entries under one (author, seq).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fork {
    pub author: NodeId,
    pub seq: u64,
    pub ids: Vec<EntryId>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "store {0} is in use by another liandong process (is `liandong run` running?) / \
         数据库正被另一个进程使用（节点是否正在运行？）"
    )]
    Locked(PathBuf),
    #[error(
        "store {path} has schema version {found}; this liandong supports version {supported} \
         / 数据库版本不受支持，请升级 liandong"
    )]
    UnknownSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error(
        "store {path} is not a liandong store or is corrupt / 数据库损坏或不是联动数据库: {reason}"
    )]
    Corrupt { path: PathBuf, reason: String },
    #[error("store I/O error (disk full or failing?) / 存储读写错误（磁盘已满或故障？）: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "disk nearly full at {path}: {} MiB free, under the {} MiB reserve; writing is paused \
         (reading and export still work) and resumes by itself once space is freed / \
         磁盘空间不足：剩余 {} MiB，低于保留的 {} MiB，已暂停写入（查看、导出不受影响），\
         清理磁盘后自动恢复",
        mib(*free_bytes), mib(*reserve_bytes), mib(*free_bytes), mib(*reserve_bytes)
    )]
    DiskFull {
        path: PathBuf,
        free_bytes: u64,
        reserve_bytes: u64,
    },
    #[error(
        "a write to the store at {path} failed ({reason}); it refuses all further use so that \
         nothing uncertain is kept or served. Check the disk (dmesg, df), then start the post \
         again / 存储写入失败，为免数据不一致已停用；请检查磁盘后重新启动节点"
    )]
    Failed { path: PathBuf, reason: String },
    #[error("store error / 存储错误: {0}")]
    Sled(String),
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Io(io) => StoreError::Io(plain_io(io)),
            other => StoreError::Sled(other.to_string()),
        }
    }
}

/// sled re-wraps the errors of its I/O thread as the *debug* text of the
/// original (`Os { code: 28, kind: StorageFull, … }`); an operator should
/// read "No space left on device (os error 28)".
fn plain_io(io: std::io::Error) -> std::io::Error {
    match io.kind() {
        _ if io.raw_os_error().is_some() => io,
        std::io::ErrorKind::StorageFull => std::io::Error::from_raw_os_error(28),
        kind if io.get_ref().is_some() => std::io::Error::from(kind),
        _ => io,
    }
}

/// What to list from the store.
///
/// Listings by scope, time or kind hold only entries that count (voided
/// entries are in none of those indexes); a listing by author is the
/// author's whole chain, voided entries included, since the chain is
/// evidence. `voided` lists only the voided entries, with the other
/// filters applied.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub scope: Option<RegionCode>,
    pub kind: Option<Kind>,
    pub author: Option<NodeId>,
    pub since: Option<Hlc>,
    pub until: Option<Hlc>,
    pub limit: Option<usize>,
    pub voided: bool,
}

#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    db: sled::Db,
    ledger: sled::Tree,
    /// One writer at a time: inserts read digests and chain rows, then
    /// write them in one batch.
    writer: Mutex<()>,
    durable: Mutex<DurableFiles>,
    health: Health,
    /// What opening had to repair first (see [`recover`]).
    repairs: Vec<recover::Repair>,
    /// Held while the store is open (`lock.rs`); declared last, so it is
    /// released after sled's handle is dropped.
    _lock: std::fs::File,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave sled half-written (the
    // batch is atomic), so a poisoned lock is safe to reuse.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Store {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The `ledger` tree, unless a write has failed (see [`health`]).
    fn tree(&self) -> Result<&sled::Tree, StoreError> {
        self.health.check()?;
        Ok(&self.ledger)
    }

    /// What opening this store repaired before sled read it.
    pub fn repairs(&self) -> &[recover::Repair] {
        &self.repairs
    }

    /// Free space, the reserve, and whether a write has failed.
    pub fn health(&self) -> StoreHealth {
        self.health.report()
    }

    /// Resolves to the reason when a write fails (`None` until then).
    pub fn failure_watch(&self) -> tokio::sync::watch::Receiver<Option<std::sync::Arc<str>>> {
        self.health.watch()
    }

    /// The stored digest of exactly `scope` (empty when it has no row).
    fn scope_digest(&self, scope: &RegionCode) -> Result<LedgerDigest, StoreError> {
        match self.tree()?.get(keys::digest(scope))? {
            Some(raw) => LedgerDigest::from_bytes(&raw).ok_or_else(|| StoreError::Corrupt {
                path: self.path.clone(),
                reason: format!("digest row of {scope} is malformed"),
            }),
            None => Ok(LedgerDigest::default()),
        }
    }

    pub fn contains(&self, id: &EntryId) -> Result<bool, StoreError> {
        Ok(self.tree()?.contains_key(keys::entry(id))?)
    }

    /// True when some stored entry's id starts with `prefix`.
    pub fn contains_prefix(&self, prefix: &[u8; 8]) -> Result<bool, StoreError> {
        let key = [&[keys::ENTRY][..], prefix].concat();
        Ok(self
            .tree()?
            .scan_prefix(key)
            .keys()
            .next()
            .transpose()?
            .is_some())
    }

    /// The stored entries whose ids start with `prefix`, at most `max`.
    pub fn wires_with_prefix(
        &self,
        prefix: &[u8; 8],
        max: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let key = [&[keys::ENTRY][..], prefix].concat();
        self.tree()?
            .scan_prefix(key)
            .values()
            .take(max)
            .map(|v| Ok(v?.to_vec()))
            .collect()
    }

    pub fn get_wire(&self, id: &EntryId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree()?.get(keys::entry(id))?.map(|v| v.to_vec()))
    }

    pub fn get(&self, id: &EntryId) -> Result<Option<SignedEntry>, StoreError> {
        self.get_wire(id)?
            .map(|bytes| self.decode(id, &bytes))
            .transpose()
    }

    fn decode(&self, id: &EntryId, bytes: &[u8]) -> Result<SignedEntry, StoreError> {
        SignedEntry::decode_stored(bytes).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            reason: format!("entry {id} unreadable: {e}"),
        })
    }

    /// The ids stored under one (author, seq): one normally, several for a fork.
    pub fn ids_at(&self, author: &NodeId, seq: u64) -> Result<Vec<EntryId>, StoreError> {
        self.tree()?
            .scan_prefix(keys::author_seq_prefix(author, seq))
            .keys()
            .map(|k| keys::trailing_id(&k?).ok_or_else(|| self.bad_key("A")))
            .collect()
    }

    /// The ids of every entry `author` signed that is stored here, voided
    /// ones included, by seq.
    pub fn author_ids(
        &self,
        author: &NodeId,
    ) -> impl Iterator<Item = Result<EntryId, StoreError>> + '_ {
        // A failed store yields its error once instead of any row.
        let failed = self.health.check().err();
        let rows = failed
            .is_none()
            .then(|| self.ledger.scan_prefix(keys::author_prefix(author)).keys());
        failed.into_iter().map(Err).chain(
            rows.into_iter()
                .flatten()
                .map(|k| keys::trailing_id(&k?).ok_or_else(|| self.bad_key("A"))),
        )
    }

    /// The authors in this store whose id, in hex, starts with `hex_prefix`
    /// (at most `max` of them): how an operator's 8-character id finds the
    /// post it means. One seek per author, not a scan of their entries.
    pub fn authors_starting_with(
        &self,
        hex_prefix: &str,
        max: usize,
    ) -> Result<Vec<NodeId>, StoreError> {
        let hex = hex_prefix.to_ascii_lowercase();
        let Some(whole) = hex
            .as_bytes()
            .chunks_exact(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
            .collect::<Option<Vec<u8>>>()
        else {
            return Ok(Vec::new());
        };
        let prefix = [&[keys::AUTHOR][..], &whole].concat();
        let mut from = prefix.clone();
        let mut found = Vec::new();
        while found.len() < max {
            let Some(key) = self.tree()?.range(from.clone()..).keys().next() else {
                break;
            };
            let key = key?;
            if !key.starts_with(&prefix) {
                break;
            }
            let id: [u8; 32] = key
                .get(1..33)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| self.bad_key("A"))?;
            let author = NodeId(id);
            if author.to_hex().starts_with(&hex) {
                found.push(author);
            }
            // Past every key of this author: seq and entry id are 40 bytes.
            from = [&keys::author_prefix(&author)[..], &[0xff; 41]].concat();
        }
        Ok(found)
    }

    /// The highest seq stored for `author` and the id(s) at it.
    pub fn head_of(&self, author: &NodeId) -> Result<Option<(u64, Vec<EntryId>)>, StoreError> {
        let Some(last) = self
            .tree()?
            .scan_prefix(keys::author_prefix(author))
            .keys()
            .next_back()
        else {
            return Ok(None);
        };
        let seq = keys::author_key_seq(&last?).ok_or_else(|| self.bad_key("A"))?;
        Ok(Some((seq, self.ids_at(author, seq)?)))
    }

    /// The highest seq stored for `author` below `seq` (0 if none): where a
    /// gap in the author's chain starts.
    pub fn highest_seq_below(&self, author: &NodeId, seq: u64) -> Result<u64, StoreError> {
        let start = keys::author_seq_prefix(author, 0);
        let end = keys::author_seq_prefix(author, seq);
        match self.tree()?.range(start..end).keys().next_back() {
            Some(key) => keys::author_key_seq(&key?).ok_or_else(|| self.bad_key("A")),
            None => Ok(0),
        }
    }

    /// The wire bytes of an author's entries with seq in `from..=to`.
    pub fn chain_range(
        &self,
        author: &NodeId,
        from: u64,
        to: u64,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let start = keys::author_seq_prefix(author, from);
        let end = keys::author_seq_prefix(author, to.saturating_add(1));
        let mut out = Vec::new();
        for key in self.tree()?.range(start..end).keys() {
            let id = keys::trailing_id(&key?).ok_or_else(|| self.bad_key("A"))?;
            if let Some(wire) = self.get_wire(&id)? {
                out.push(wire);
            }
        }
        Ok(out)
    }

    /// The latest time of any stored entry.
    pub fn max_hlc(&self) -> Result<Option<Hlc>, StoreError> {
        let Some(last) = self.tree()?.scan_prefix([keys::TIME]).keys().next_back() else {
            return Ok(None);
        };
        let (hlc, _) = keys::trailing_hlc_id(&last?).ok_or_else(|| self.bad_key("T"))?;
        Ok(Some(hlc))
    }

    /// The digest of every entry whose scope lies in `subtree`.
    pub fn digest(&self, subtree: &RegionCode) -> Result<LedgerDigest, StoreError> {
        let mut total = LedgerDigest::default();
        for row in self.tree()?.scan_prefix(keys::digest_prefix(subtree)) {
            let (_, value) = row?;
            let d = LedgerDigest::from_bytes(&value).ok_or_else(|| self.bad_key("D"))?;
            total.merge(&d);
        }
        Ok(total)
    }

    /// The digest of the entries one interest selector covers.
    pub fn selector_digest(&self, selector: &Selector) -> Result<LedgerDigest, StoreError> {
        match selector {
            Selector::Subtree(r) => self.digest(r),
            Selector::Exact(r) => match self.tree()?.get(keys::digest(r))? {
                Some(raw) => LedgerDigest::from_bytes(&raw).ok_or_else(|| self.bad_key("D")),
                None => Ok(LedgerDigest::default()),
            },
        }
    }

    /// Digests per exact scope, for status displays.
    pub fn digests_by_scope(&self) -> Result<Vec<(RegionCode, LedgerDigest)>, StoreError> {
        self.tree()?
            .scan_prefix([keys::DIGEST])
            .map(|row| {
                let (k, v) = row?;
                let region = keys::digest_key_region(&k).ok_or_else(|| self.bad_key("D"))?;
                let d = LedgerDigest::from_bytes(&v).ok_or_else(|| self.bad_key("D"))?;
                Ok((region, d))
            })
            .collect()
    }

    /// Number of stored entries.
    pub fn count(&self) -> Result<u64, StoreError> {
        Ok(self.digest(&RegionCode::national())?.count)
    }

    /// Number of stored entries of one kind (a scan of its index keys;
    /// no entry is read).
    pub fn count_kind(&self, kind: Kind) -> Result<u64, StoreError> {
        let mut n = 0;
        for key in self.tree()?.scan_prefix(keys::kind_prefix(kind)).keys() {
            key?;
            n += 1;
        }
        Ok(n)
    }

    /// Every stored equivocation.
    pub fn forks(&self) -> Result<Vec<Fork>, StoreError> {
        let mut out = Vec::new();
        for key in self.tree()?.scan_prefix([keys::FORK]).keys() {
            let (author, seq) = keys::fork_key(&key?).ok_or_else(|| self.bad_key("F"))?;
            out.push(Fork {
                author,
                seq,
                ids: self.ids_at(&author, seq)?,
            });
        }
        Ok(out)
    }

    /// (hlc, id) of every entry whose scope matches `interest`, in time
    /// order, from `since`: the item set of a sync session or a bundle.
    pub fn items_in(
        &self,
        interest: &Interest,
        since: Option<Hlc>,
    ) -> Result<Vec<(Hlc, EntryId)>, StoreError> {
        let since = since.unwrap_or(Hlc::ZERO);
        let mut out = Vec::new();
        for selector in interest.selectors() {
            let prefix = match selector {
                Selector::Subtree(r) => keys::scope_prefix(r),
                Selector::Exact(r) => [&[keys::SCOPE][..], &r.key()].concat(),
            };
            for key in self.tree()?.scan_prefix(prefix).keys() {
                let item = keys::trailing_hlc_id(&key?).ok_or_else(|| self.bad_key("S"))?;
                if item.0 >= since {
                    out.push(item);
                }
            }
        }
        // Selectors of an `Interest` never overlap, so there are no duplicates.
        out.sort_unstable();
        Ok(out)
    }

    /// Lists entries matching `query`, oldest first (by seq for an author
    /// query, by time otherwise).
    pub fn query(&self, query: &Query) -> Result<Vec<SignedEntry>, StoreError> {
        let limit = query.limit.unwrap_or(usize::MAX);
        // (time, id), with the time where the index key carries it: `since`
        // and `until` are then applied before an entry is read, and a
        // time-ordered listing stops at `until` (it reads what it returns).
        type Ids<'a> = Box<dyn Iterator<Item = Result<(Option<Hlc>, EntryId), StoreError>> + 'a>;
        let ids: Ids<'_> = if query.voided {
            Box::new(self.voided_by_time()?.into_iter().map(|id| Ok((None, id))))
        } else if let Some(author) = &query.author {
            Box::new(self.author_ids(author).map(|id| id.map(|id| (None, id))))
        } else if let Some(kind) = query.kind {
            let since = query.since.unwrap_or(Hlc::ZERO);
            let start = keys::kind(kind, since, &EntryId([0; 32]));
            let end = keys::prefix_end(&keys::kind_prefix(kind));
            Box::new(self.tree()?.range(start..end).keys().map(|k| {
                let (hlc, id) = keys::trailing_hlc_id(&k?).ok_or_else(|| self.bad_key("K"))?;
                Ok((Some(hlc), id))
            }))
        } else {
            let scope = query.scope.clone().unwrap_or_else(RegionCode::national);
            Box::new(
                self.time_ordered(&scope, query.since)?
                    .map(|item| item.map(|(hlc, id)| (Some(hlc), id))),
            )
        };
        let mut out = Vec::new();
        for item in ids {
            if out.len() >= limit {
                break;
            }
            let (hlc, id) = item?;
            if let Some(hlc) = hlc {
                if query.until.is_some_and(|t| hlc > t) {
                    break;
                }
                if query.since.is_some_and(|t| hlc < t) {
                    continue;
                }
            }
            let Some(entry) = self.get(&id)? else {
                return Err(StoreError::Corrupt {
                    path: self.path.clone(),
                    reason: format!("index names entry {id}, which is missing"),
                });
            };
            let h = entry.header();
            let keep = query.scope.as_ref().is_none_or(|s| h.scope.is_within(s))
                && query.kind.is_none_or(|k| h.kind == k)
                && query.author.is_none_or(|a| h.author == a)
                && query.since.is_none_or(|t| h.hlc >= t)
                && query.until.is_none_or(|t| h.hlc <= t);
            if keep {
                out.push(entry);
            }
        }
        Ok(out)
    }

    /// Every stored entry's raw bytes, for `verify`. Calls `f` per entry.
    pub fn for_each_wire(
        &self,
        mut f: impl FnMut(EntryId, &[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        for row in self.tree()?.scan_prefix([keys::ENTRY]) {
            let (k, v) = row?;
            let id = keys::trailing_id(&k).ok_or_else(|| self.bad_key("E"))?;
            f(id, &v)?;
        }
        Ok(())
    }

    /// True when every index row of `entry` is present (for `verify`).
    pub fn indexes_complete(&self, entry: &SignedEntry) -> Result<bool, StoreError> {
        let (chain, views) = self.rows_of(entry)?;
        Ok(chain && views == keys::VIEW_ROWS)
    }

    /// True when a voided entry's rows are as voiding leaves them: its
    /// author-chain row present, no scope, kind or time row (for `verify`).
    pub fn void_rows_consistent(&self, entry: &SignedEntry) -> Result<bool, StoreError> {
        let (chain, views) = self.rows_of(entry)?;
        Ok(chain && views == 0)
    }

    /// Whether `entry`'s author-chain row is present, and how many of its
    /// view rows are.
    fn rows_of(&self, entry: &SignedEntry) -> Result<(bool, usize), StoreError> {
        let h = entry.header();
        let id = entry.id();
        let chain = self
            .tree()?
            .contains_key(keys::author(&h.author, h.seq, &id))?;
        let mut views = 0;
        for row in keys::view_rows(h, &id) {
            views += usize::from(self.tree()?.contains_key(row)?);
        }
        Ok((chain, views))
    }

    /// Index and void rows whose entry is missing (for `verify`).
    pub fn dangling_index_rows(&self) -> Result<u64, StoreError> {
        let mut dangling = 0;
        for tag in [
            keys::AUTHOR,
            keys::SCOPE,
            keys::KIND,
            keys::TIME,
            keys::VOID,
        ] {
            for key in self.tree()?.scan_prefix([tag]).keys() {
                let id = keys::trailing_id(&key?).ok_or_else(|| self.bad_key("index"))?;
                if !self.contains(&id)? {
                    dangling += 1;
                }
            }
        }
        Ok(dangling)
    }

    /// Bytes on disk, for status and metrics: sled's files and the side
    /// trees' own files (the views' snapshot).
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0) + snapshot::side_files_bytes(&self.path)
    }

    fn bad_key(&self, space: &str) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            reason: format!("malformed {space} key"),
        }
    }
}

/// Writes a scope's digest row; the empty digest has no row, so a scope
/// whose entries were all voided reads like one that never had any.
fn put_digest(batch: &mut sled::Batch, scope: &RegionCode, digest: &LedgerDigest) {
    let key = keys::digest(scope);
    if digest.is_empty() {
        batch.remove(key);
    } else {
        batch.insert(key, digest.to_bytes().as_slice());
    }
}
