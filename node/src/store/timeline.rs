//! Entries of a region subtree in time order, read lazily, so that a
//! listing with a limit (`log --limit 1`) reads only what it prints.
//!
//! The whole country is the `T` index itself. A smaller subtree is a merge
//! of one `S` range per exact scope that holds entries (the scopes with a
//! `D` row), each already in time order; see [`super::keys`].

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use liandong_protocol::{EntryId, Hlc, RegionCode};

use super::{Store, StoreError, keys};

type Item = Result<(Hlc, EntryId), StoreError>;

impl Store {
    /// (hlc, id) of every counted entry in `subtree` from `since`, oldest
    /// first, read as the caller consumes it.
    pub fn time_ordered(
        &self,
        subtree: &RegionCode,
        since: Option<Hlc>,
    ) -> Result<Box<dyn Iterator<Item = Item> + '_>, StoreError> {
        let since = since.unwrap_or(Hlc::ZERO);
        let tree = self.tree()?;
        if subtree.is_national() {
            let start = keys::time(since, &EntryId([0; 32]));
            let rows = tree
                .range(start..)
                .keys()
                .take_while(|k| k.as_ref().map_or(true, |k| k.first() == Some(&keys::TIME)))
                .map(|k| keys::trailing_hlc_id(&k?).ok_or_else(|| self.bad_key("T")));
            return Ok(Box::new(rows));
        }
        let mut ranges = Vec::new();
        for row in tree.scan_prefix(keys::digest_prefix(subtree)).keys() {
            let scope = keys::digest_key_region(&row?).ok_or_else(|| self.bad_key("D"))?;
            let prefix = [&[keys::SCOPE][..], &scope.key()].concat();
            let start = [&prefix[..], &since.as_u64().to_be_bytes()].concat();
            let end = keys::prefix_end(&prefix);
            ranges.push(Box::new(tree.range(start..end).keys()) as Box<dyn Iterator<Item = _>>);
        }
        Ok(Box::new(Merge::new(self, ranges)))
    }
}

/// A k-way merge of per-scope `S` ranges by (hlc, id).
struct Merge<'a> {
    store: &'a Store,
    ranges: Vec<Box<dyn Iterator<Item = sled::Result<sled::IVec>> + 'a>>,
    heads: BinaryHeap<Reverse<((Hlc, EntryId), usize)>>,
    started: bool,
}

impl<'a> Merge<'a> {
    fn new(
        store: &'a Store,
        ranges: Vec<Box<dyn Iterator<Item = sled::Result<sled::IVec>> + 'a>>,
    ) -> Self {
        Merge {
            store,
            ranges,
            heads: BinaryHeap::new(),
            started: false,
        }
    }

    /// Reads range `i`'s next row into the heap.
    fn advance(&mut self, i: usize) -> Result<(), StoreError> {
        if let Some(key) = self.ranges[i].next() {
            let item = keys::trailing_hlc_id(&key?).ok_or_else(|| self.store.bad_key("S"))?;
            self.heads.push(Reverse((item, i)));
        }
        Ok(())
    }
}

impl Iterator for Merge<'_> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if !self.started {
            self.started = true;
            for i in 0..self.ranges.len() {
                if let Err(e) = self.advance(i) {
                    return Some(Err(e));
                }
            }
        }
        let Reverse((item, i)) = self.heads.pop()?;
        if let Err(e) = self.advance(i) {
            return Some(Err(e));
        }
        Some(Ok(item))
    }
}

#[cfg(test)]
mod tests {
    use liandong_protocol::{Body, Draft, Keypair, NetworkId, Note, SignedEntry, Status};

    use super::*;
    use crate::store::{Durability, StoreOptions};

    /// The merge of per-scope ranges is the same as sorting everything.
    #[test]
    fn a_subtree_reads_in_time_order_across_its_scopes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_with(
            &dir.path().join("store"),
            StoreOptions {
                cache_mb: 8,
                reserve_bytes: 0,
            },
        )
        .expect("open");
        let scopes = [
            "654203",
            "654203106",
            "654203106201",
            "654203106202",
            "654201",
        ];
        let mut entries: Vec<SignedEntry> = Vec::new();
        for (k, seed) in (1u8..=5).enumerate() {
            let kp = Keypair::from_secret([seed; 32]);
            let mut prev = None;
            for seq in 1..=20u64 {
                let draft = Draft {
                    network: NetworkId([1; 32]),
                    seq,
                    prev,
                    // Interleaved times across authors and scopes.
                    hlc: Hlc::new(1_000 + seq * 7 + k as u64 * 3, 0),
                    scope: scopes[k].parse().expect("region"),
                    status: Status::Actual,
                    body: Body::Note(Note {
                        text: format!("{k}-{seq}"),
                    }),
                    operator: None,
                };
                let e = SignedEntry::sign(&kp, draft).expect("sign");
                prev = Some(e.id());
                entries.push(e);
            }
        }
        store
            .insert_batch(&entries, Durability::Lazy)
            .expect("insert");
        let subtree: RegionCode = "654203".parse().expect("region");
        let since = Hlc::new(1_050, 0);
        let read: Vec<(Hlc, EntryId)> = store
            .time_ordered(&subtree, Some(since))
            .expect("read")
            .map(|r| r.expect("row"))
            .collect();
        let mut expected: Vec<(Hlc, EntryId)> = entries
            .iter()
            .filter(|e| e.header().scope.is_within(&subtree) && e.hlc() >= since)
            .map(|e| (e.hlc(), e.id()))
            .collect();
        expected.sort_unstable();
        assert_eq!(read, expected);
        // Taking a few reads only a few.
        let first: Vec<_> = store
            .time_ordered(&subtree, None)
            .expect("read")
            .take(3)
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(first.len(), 3);
        assert!(first.windows(2).all(|w| w[0] <= w[1]));
    }
}
