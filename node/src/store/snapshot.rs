//! Side trees: state derived from the ledger and kept beside it so that a
//! restart need not recompute it — the folded views' snapshot
//! (`domain::snapshot`) and the last point `verify` checked
//! (`ledger::verify`) — and two small queues that are not in the ledger at
//! all: the certificate requests a parent received over the network
//! (`service::cert_inbox`) and where a newcomer sent its own
//! (`service::cert_outbox`). Their owners sync the store after writing
//! them, so they survive a restart; losing one costs a newcomer a resend.
//!
//! Each side tree is its own sled tree, never the `ledger` tree: whatever
//! is in one can be thrown away and rebuilt from the entries, so it is
//! written lazily (no fsync of its own) and its layout can change without a
//! schema bump of the ledger. The store only keeps bytes; the owner of each
//! tree encodes and checks them (they are disk input, size-checked before
//! decoding). A tree's owner writes its commit row (its "meta") last, or in
//! the same atomic batch as the rows it describes, so a crash leaves either
//! the old state, the new state, or no meta (which means "rebuild").
//!
//! A side may also keep files of its own, in `<store>/side/<name>/` (the
//! views' snapshot keeps its chunks there: sled reads large values slowly).
//! Its meta row names them; the owner makes them durable before the meta
//! that names them, and removes them only once a newer meta is durable.

use liandong_protocol::{EntryId, Hlc, Kind};

use super::{Store, StoreError, keys};

/// Which side tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The decoded domain entries the views are folded from.
    FoldSnapshot,
    /// The ledger digest and time up to which `verify` found no problem.
    Verified,
    /// Certificate requests received over the network, by subject key.
    CertInbox,
    /// Parent posts this post sent its certificate request to.
    CertOutbox,
}

impl Side {
    const ALL: [Side; 4] = [
        Side::FoldSnapshot,
        Side::Verified,
        Side::CertInbox,
        Side::CertOutbox,
    ];

    /// The sled tree's name, and the folder of the side's files.
    fn name(self) -> &'static str {
        match self {
            Side::FoldSnapshot => "side/fold-snapshot",
            Side::Verified => "side/verified",
            Side::CertInbox => "side/cert-inbox",
            Side::CertOutbox => "side/cert-outbox",
        }
    }
}

/// The bytes of every side's files under `store_dir` (unreadable ones
/// count as none: this is for status and metrics).
pub(super) fn side_files_bytes(store_dir: &std::path::Path) -> u64 {
    let files = Side::ALL
        .into_iter()
        .filter_map(|side| std::fs::read_dir(store_dir.join(side.name())).ok())
        .flatten()
        .filter_map(|item| item.ok()?.metadata().ok());
    files.filter(|m| m.is_file()).map(|m| m.len()).sum()
}

/// Rows to put and remove in one atomic batch.
#[derive(Debug, Default)]
pub struct SideBatch {
    batch: sled::Batch,
    writes: usize,
}

impl SideBatch {
    pub fn put(&mut self, key: &[u8], value: &[u8]) {
        self.batch.insert(key, value);
        self.writes += 1;
    }

    pub fn remove(&mut self, key: &[u8]) {
        self.batch.remove(key);
        self.writes += 1;
    }

    /// Rows written so far (callers split large rewrites into batches).
    pub fn len(&self) -> usize {
        self.writes
    }

    pub fn is_empty(&self) -> bool {
        self.writes == 0
    }
}

/// One side tree of a store.
#[derive(Debug, Clone)]
pub struct SideTree<'s> {
    store: &'s Store,
    side: Side,
    tree: sled::Tree,
}

impl Store {
    /// Opens (or creates) a side tree. sled keeps opened trees, so this is
    /// a map lookup after the first call.
    pub fn side(&self, side: Side) -> Result<SideTree<'_>, StoreError> {
        self.health.check()?;
        Ok(SideTree {
            store: self,
            side,
            tree: self.db.open_tree(side.name())?,
        })
    }
}

impl Store {
    /// (time, id) of every counted entry of one kind, from the kind index
    /// alone (no entry is read): what a side tree reconciles against.
    pub fn kind_items(
        &self,
        kind: Kind,
    ) -> Result<impl Iterator<Item = Result<(Hlc, EntryId), StoreError>> + '_, StoreError> {
        Ok(self
            .tree()?
            .scan_prefix(keys::kind_prefix(kind))
            .keys()
            .map(|k| keys::trailing_hlc_id(&k?).ok_or_else(|| self.bad_key("K"))))
    }
}

impl SideTree<'_> {
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree.get(key)?.map(|v| v.to_vec()))
    }

    /// Rows whose key starts with `prefix`, in key order.
    pub fn scan(
        &self,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<(sled::IVec, sled::IVec), StoreError>> + '_ {
        self.tree
            .scan_prefix(prefix)
            .map(|row| row.map_err(StoreError::from))
    }

    /// Applies a batch atomically.
    pub fn apply(&self, batch: SideBatch) -> Result<(), StoreError> {
        self.write(|t| t.apply_batch(batch.batch))
    }

    /// Removes one row (a meta before a rewrite: the tree then reads as
    /// absent until the new meta lands).
    pub fn remove(&self, key: &[u8]) -> Result<(), StoreError> {
        self.write(|t| t.remove(key).map(drop))
    }

    /// Removes every row.
    pub fn clear(&self) -> Result<(), StoreError> {
        self.write(|t| t.clear())
    }

    /// The folder of this side's files (`<store>/side/<name>`), created
    /// if need be.
    pub fn dir(&self) -> Result<std::path::PathBuf, StoreError> {
        let dir = self.store.path().join(self.side.name());
        std::fs::create_dir_all(&dir)?;
        Ok(dir)
    }

    /// Refuses when the store has failed or the disk is below its reserve:
    /// the gate for writing this side's files, as for its rows.
    pub fn check_writable(&self) -> Result<(), StoreError> {
        self.store.health.check_writable()
    }

    /// Makes the rows written so far durable (before removing files that
    /// only an older meta named).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.store.sync()
    }

    /// A write goes through the same gate as the ledger's: refused below
    /// the free-space reserve, and a failed one fails the store (sled is
    /// poisoned for the process after a failed write; see `health`).
    fn write(&self, f: impl FnOnce(&sled::Tree) -> sled::Result<()>) -> Result<(), StoreError> {
        self.store.health.check_writable()?;
        f(&self.tree).map_err(|e| self.store.health.fail("a side-tree write", &e.into()))
    }
}
