//! Writing to the store: inserts, durable writes, syncing.
//!
//! A durable write is two steps (see the `P` key space in [`super::keys`]):
//! the new entries are staged as `P` rows and fsynced, and only then
//! inserted with their index rows, the `P` rows removed in the same atomic
//! batch. So an entry this post authored is never readable, and never
//! served to a peer, before it is on stable storage: if the fsync fails,
//! the store is marked failed (see [`super::health`]) and nothing anyone
//! saw can come back different after a restart — no sequence number is
//! reused. A crash between the steps leaves the `P` rows, which the next
//! open completes ([`Store::complete_staged`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use liandong_protocol::{EntryId, LedgerDigest, NodeId, RegionCode, SignedEntry};

use super::{Durability, InsertOutcome, Store, StoreError, keys, lock, put_digest};

/// An insert worked out against the current rows, not yet applied.
struct Planned<'a> {
    batch: sled::Batch,
    outcomes: Vec<InsertOutcome>,
    new: Vec<&'a SignedEntry>,
}

impl Store {
    /// Inserts one validated entry.
    pub fn insert(
        &self,
        entry: &SignedEntry,
        durability: Durability,
    ) -> Result<InsertOutcome, StoreError> {
        let outcomes = self.insert_batch(std::slice::from_ref(entry), durability)?;
        Ok(outcomes
            .first()
            .copied()
            .unwrap_or(InsertOutcome::Duplicate))
    }

    /// Inserts validated entries in one atomic batch (and, if durable, one
    /// fsync before any of them is readable). Returns one outcome per input
    /// entry. Refused, with nothing written, when free space is under the
    /// reserve or an earlier write failed.
    pub fn insert_batch(
        &self,
        entries: &[SignedEntry],
        durability: Durability,
    ) -> Result<Vec<InsertOutcome>, StoreError> {
        self.health.check_writable()?;
        let _writer = lock(&self.writer);
        let Planned {
            mut batch,
            outcomes,
            new,
        } = self.plan_insert(entries)?;
        if new.is_empty() {
            return Ok(outcomes);
        }
        if durability == Durability::Durable {
            self.stage(&new)?;
            for entry in &new {
                batch.remove(keys::pending(&entry.id()));
            }
        }
        self.apply(batch)?;
        Ok(outcomes)
    }

    /// The rows that inserting `entries` writes; duplicates (in the store
    /// or earlier in `entries`) write nothing.
    fn plan_insert<'a>(&self, entries: &'a [SignedEntry]) -> Result<Planned<'a>, StoreError> {
        let tree = self.tree()?;
        let mut batch = sled::Batch::default();
        let mut outcomes = Vec::with_capacity(entries.len());
        let mut new = Vec::new();
        let mut in_batch: HashSet<EntryId> = HashSet::new();
        let mut batch_chain: HashMap<(NodeId, u64), EntryId> = HashMap::new();
        let mut deltas: BTreeMap<RegionCode, LedgerDigest> = BTreeMap::new();

        for entry in entries {
            let id = entry.id();
            if in_batch.contains(&id) || tree.contains_key(keys::entry(&id))? {
                outcomes.push(InsertOutcome::Duplicate);
                continue;
            }
            in_batch.insert(id);
            let h = entry.header();
            let fork = batch_chain.contains_key(&(h.author, h.seq))
                || tree
                    .scan_prefix(keys::author_seq_prefix(&h.author, h.seq))
                    .next()
                    .is_some();
            batch_chain.insert((h.author, h.seq), id);

            batch.insert(keys::entry(&id), entry.wire());
            batch.insert(keys::author(&h.author, h.seq, &id), &[]);
            for row in keys::view_rows(h, &id) {
                batch.insert(row, &[]);
            }
            if fork {
                batch.insert(keys::fork(&h.author, h.seq), &[]);
            }
            deltas.entry(h.scope.clone()).or_default().add(&id);
            outcomes.push(if fork {
                InsertOutcome::Fork
            } else {
                InsertOutcome::Added
            });
            new.push(entry);
        }
        for (scope, delta) in deltas {
            let mut digest = self.scope_digest(&scope)?;
            digest.merge(&delta);
            put_digest(&mut batch, &scope, &digest);
        }
        Ok(Planned {
            batch,
            outcomes,
            new,
        })
    }

    /// Writes `entries` as `P` rows and makes them durable.
    fn stage(&self, entries: &[&SignedEntry]) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for entry in entries {
            batch.insert(keys::pending(&entry.id()), entry.wire());
        }
        self.apply(batch)?;
        self.sync()
    }

    /// Applies one atomic batch; a failure marks the store failed.
    pub(super) fn apply(&self, batch: sled::Batch) -> Result<(), StoreError> {
        self.tree()?
            .apply_batch(batch)
            .map_err(|e| self.health.fail("applying a write batch", &e.into()))
    }

    /// Flushes sled and fsyncs its files; a failure marks the store failed.
    pub fn sync(&self) -> Result<(), StoreError> {
        self.health.check()?;
        let result = self
            .db
            .flush()
            .map_err(StoreError::from)
            .and_then(|_| lock(&self.durable).sync().map_err(StoreError::from));
        result.map_err(|e| self.health.fail("syncing to disk", &e))
    }

    /// Completes durable writes a crash interrupted after their `P` rows
    /// were fsynced: inserts each staged entry (if it is not stored yet) and
    /// removes its `P` row. Called by `open`; returns how many there were.
    pub(super) fn complete_staged(&self) -> Result<usize, StoreError> {
        let mut staged = Vec::new();
        for row in self.tree()?.scan_prefix([keys::PENDING]) {
            let (key, wire) = row?;
            let id = keys::trailing_id(&key).ok_or_else(|| self.bad_key("P"))?;
            let entry = SignedEntry::decode_stored(&wire).map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                reason: format!("staged entry {id} unreadable: {e}"),
            })?;
            if entry.id() != id {
                return Err(self.bad_key("P"));
            }
            staged.push(entry);
        }
        if staged.is_empty() {
            return Ok(0);
        }
        let _writer = lock(&self.writer);
        let Planned { mut batch, .. } = self.plan_insert(&staged)?;
        for entry in &staged {
            batch.remove(keys::pending(&entry.id()));
        }
        self.apply(batch)?;
        self.sync()?;
        tracing::info!(
            entries = staged.len(),
            "completed durable writes interrupted by a crash / 已补全崩溃中断的写入"
        );
        Ok(staged.len())
    }
}

#[cfg(test)]
mod tests {
    use liandong_protocol::{Body, Draft, Hlc, Keypair, NetworkId, Note, Status};

    use super::*;
    use crate::store::StoreOptions;

    fn note(kp: &Keypair, seq: u64, prev: Option<EntryId>, text: &str) -> SignedEntry {
        let draft = Draft {
            network: NetworkId([7; 32]),
            seq,
            prev,
            hlc: Hlc::new(1_000 + seq, 0),
            scope: "654203".parse().expect("region"),
            status: Status::Actual,
            body: Body::Note(Note { text: text.into() }),
            operator: None,
        };
        SignedEntry::sign(kp, draft).expect("sign")
    }

    fn open(dir: &std::path::Path) -> Store {
        Store::open_with(
            &dir.join("store"),
            StoreOptions {
                cache_mb: 8,
                reserve_bytes: 0,
            },
        )
        .expect("open")
    }

    #[test]
    fn a_failed_fsync_leaves_nothing_readable_and_refuses_everything_after() {
        let dir = tempfile::tempdir().expect("tempdir");
        let kp = Keypair::from_secret([3; 32]);
        let store = open(dir.path());
        let first = note(&kp, 1, None, "一");
        store.insert(&first, Durability::Durable).expect("first");

        let second = note(&kp, 2, Some(first.id()), "二");
        lock(&store.durable).fail_next_sync();
        let err = store
            .insert(&second, Durability::Durable)
            .expect_err("the fsync fails");
        assert!(matches!(err, StoreError::Failed { .. }), "{err}");
        assert!(matches!(
            store.contains(&first.id()),
            Err(StoreError::Failed { .. })
        ));
        assert!(matches!(
            store.insert(&note(&kp, 2, Some(first.id()), "再"), Durability::Durable),
            Err(StoreError::Failed { .. })
        ));
        assert!(store.health().failed.is_some());
        assert!(store.failure_watch().borrow().is_some());
        drop(store);

        // Reopened, the staged entry is either completed (it reached the
        // disk after all) or absent — never half there — and the chain's
        // head says which, so the next write cannot reuse seq 2.
        let store = reopen(dir.path());
        let head = store.head_of(&kp.node_id()).expect("head");
        if store.contains(&second.id()).expect("read") {
            assert_eq!(head, Some((2, vec![second.id()])));
        } else {
            assert_eq!(head, Some((1, vec![first.id()])));
        }
        assert_eq!(store.dangling_index_rows().expect("rows"), 0);
    }

    #[test]
    fn staged_rows_left_by_a_crash_are_completed_at_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let kp = Keypair::from_secret([4; 32]);
        let entry = note(&kp, 1, None, "staged");
        {
            let store = open(dir.path());
            // What a crash between the two steps leaves: the P row only.
            let mut batch = sled::Batch::default();
            batch.insert(keys::pending(&entry.id()), entry.wire());
            store.apply(batch).expect("stage");
            store.sync().expect("sync");
            assert!(!store.contains(&entry.id()).expect("read"));
        }
        let store = reopen(dir.path());
        assert!(store.contains(&entry.id()).expect("completed"));
        assert_eq!(
            store.head_of(&kp.node_id()).expect("head"),
            Some((1, vec![entry.id()]))
        );
        assert_eq!(
            store
                .tree()
                .expect("tree")
                .scan_prefix([keys::PENDING])
                .count(),
            0
        );
        assert_eq!(store.count().expect("count"), 1);
    }

    #[test]
    fn under_the_reserve_writes_refuse_and_reads_go_on() {
        let dir = tempfile::tempdir().expect("tempdir");
        let kp = Keypair::from_secret([5; 32]);
        let first = note(&kp, 1, None, "before");
        {
            let store = open(dir.path());
            store.insert(&first, Durability::Durable).expect("insert");
        }
        let store = Store::open_with(
            &dir.path().join("store"),
            StoreOptions {
                cache_mb: 8,
                reserve_bytes: u64::MAX,
            },
        )
        .expect("a store under its reserve still opens");
        let err = store
            .insert(
                &note(&kp, 2, Some(first.id()), "after"),
                Durability::Durable,
            )
            .expect_err("refused");
        assert!(matches!(err, StoreError::DiskFull { .. }), "{err}");
        assert!(err.to_string().contains("磁盘空间不足"), "{err}");
        assert!(store.health().disk_full && store.health().failed.is_none());
        assert!(store.contains(&first.id()).expect("reads go on"));
        assert_eq!(store.count().expect("count"), 1);
    }

    /// Reopens, waiting for sled's threads of the dropped handle to let go.
    fn reopen(dir: &std::path::Path) -> Store {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match Store::open_with(
                &dir.join("store"),
                StoreOptions {
                    cache_mb: 8,
                    reserve_bytes: 0,
                },
            ) {
                Err(StoreError::Locked(_)) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other.expect("reopen"),
            }
        }
    }
}
