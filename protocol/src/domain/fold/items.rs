//! The fold's entry set, in canonical (HLC, entry id) order.
//!
//! Nearly every item arrives in that order: a post's start loads them
//! sorted from the views' snapshot, and a running post's new entries are
//! timed after everything it holds. So they live in one sorted run,
//! built in place from the loaded list and appended to at its end. At a
//! million items, building a `BTreeMap` instead took a sixth of a start
//! (`bench views --dir`, BENCHMARKS.md "Cold start"), most of it the
//! first touch of the tree's fresh memory.
//!
//! The run is shared between copies of the set: the loaded list and each
//! full chunk of [`CHUNK`] items appended since sit behind an `Arc`, and
//! only the open chunk is copied. The console copies its fold whenever an
//! entry arrives while a request still reads the fold; copying a million
//! items each time took seconds and tripled the post's memory under a
//! stream of arrivals (BENCHMARKS.md, "The console under arrivals").
//!
//! An item older than the newest held (a late arrival: a healed
//! partition, a bundle carried from a cut-off post) goes into a map beside
//! the run; iterating merges the two. Every key in `late` is below the
//! run's last, so the newest item is always the run's last.

use std::collections::BTreeMap;
use std::collections::btree_map;
use std::iter::Peekable;
use std::sync::Arc;

use super::item::Item;
use crate::hlc::Hlc;
use crate::ids::EntryId;

type Key = (Hlc, EntryId);

fn key(item: &Item) -> Key {
    (item.hlc, item.id)
}

/// Items appended after the load that are sealed into one shared chunk:
/// a copy of the set copies at most this many items.
pub(super) const CHUNK: usize = 4096;

#[derive(Clone, Default)]
pub(super) struct Items {
    /// The run, sorted by key with no duplicates: the loaded list, then
    /// the sealed chunks (each [`CHUNK`] items), then the open chunk.
    loaded: Arc<Vec<Item>>,
    sealed: Vec<Arc<Vec<Item>>>,
    open: Vec<Item>,
    /// Items that arrived after a newer one, each keyed below the run's
    /// last. Shared too; a late arrival copies it when a copy of the set
    /// still holds it (late items are few: those of a heal, or a bundle).
    late: Arc<BTreeMap<Key, Item>>,
}

/// The run as one list, however it is cut into shared parts: two sets
/// that hold the same items the same way print the same.
impl std::fmt::Debug for Items {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("run", &DebugRun(self))
            .field("late", &self.late)
            .finish()
    }
}

struct DebugRun<'a>(&'a Items);

impl std::fmt::Debug for DebugRun<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.run()).finish()
    }
}

impl Items {
    /// The set of `items`, in any order, duplicates counted once.
    pub fn from_vec(mut items: Vec<Item>) -> Items {
        // Stable, and linear on a run that is sorted already.
        items.sort_by_key(key);
        items.dedup_by_key(|item| key(item));
        Items {
            loaded: Arc::new(items),
            ..Items::default()
        }
    }

    /// Adds an item; true when it was not held.
    pub fn insert(&mut self, item: Item) -> bool {
        let k = key(&item);
        match self.last() {
            Some(last) if key(last) >= k => {
                if self.run_holds(&k) {
                    return false;
                }
                Arc::make_mut(&mut self.late).insert(k, item).is_none()
            }
            // Newer than everything held (`late` keys are below the last).
            _ => {
                self.open.push(item);
                if self.open.len() == CHUNK {
                    self.sealed.push(Arc::new(std::mem::take(&mut self.open)));
                }
                true
            }
        }
    }

    pub fn len(&self) -> usize {
        self.loaded.len() + self.sealed.len() * CHUNK + self.open.len() + self.late.len()
    }

    /// The newest item's time.
    pub fn max_hlc(&self) -> Option<Hlc> {
        self.last().map(|item| item.hlc)
    }

    /// The run's last item: the newest held.
    fn last(&self) -> Option<&Item> {
        self.open
            .last()
            .or_else(|| self.sealed.last().and_then(|c| c.last()))
            .or_else(|| self.loaded.last())
    }

    /// Whether the run holds an item of this key: searched in the one part
    /// whose last key reaches it.
    fn run_holds(&self, k: &Key) -> bool {
        let parts = std::iter::once(self.loaded.as_slice())
            .chain(self.sealed.iter().map(|c| c.as_slice()))
            .chain(std::iter::once(self.open.as_slice()));
        for part in parts {
            if part.last().is_some_and(|last| key(last) >= *k) {
                return part.binary_search_by_key(k, key).is_ok();
            }
        }
        false
    }

    /// Every item, in key order.
    pub fn iter(&self) -> Merged<'_> {
        Merged {
            run: self.run().peekable(),
            late: self.late.values().peekable(),
        }
    }

    /// The run's items, in key order.
    fn run(&self) -> Run<'_> {
        Run {
            part: self.loaded.iter(),
            sealed: self.sealed.iter(),
            open: Some(&self.open),
        }
    }
}

/// The run's parts, one after the other.
pub(super) struct Run<'a> {
    part: std::slice::Iter<'a, Item>,
    sealed: std::slice::Iter<'a, Arc<Vec<Item>>>,
    open: Option<&'a Vec<Item>>,
}

impl<'a> Iterator for Run<'a> {
    type Item = &'a Item;

    fn next(&mut self) -> Option<&'a Item> {
        loop {
            if let Some(item) = self.part.next() {
                return Some(item);
            }
            self.part = match self.sealed.next() {
                Some(chunk) => chunk.iter(),
                None => self.open.take()?.iter(),
            };
        }
    }
}

/// The run and the late items, merged in key order.
pub(super) struct Merged<'a> {
    run: Peekable<Run<'a>>,
    late: Peekable<btree_map::Values<'a, Key, Item>>,
}

impl<'a> Iterator for Merged<'a> {
    type Item = &'a Item;

    fn next(&mut self) -> Option<&'a Item> {
        match (self.run.peek(), self.late.peek()) {
            (Some(a), Some(b)) if key(b) < key(a) => self.late.next(),
            (Some(_), _) => self.run.next(),
            (None, _) => self.late.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{Body, Status};
    use crate::ids::NodeId;
    use crate::region::RegionCode;

    fn item(wall_ms: u64, id: u8) -> Item {
        Item {
            id: EntryId([id; 32]),
            author: NodeId([1; 32]),
            hlc: Hlc::new(wall_ms, 0),
            scope: RegionCode::national(),
            status: Status::Actual,
            body: Body::Unknown {
                kind: crate::Kind(499),
            },
            operator: None,
        }
    }

    fn keys(items: &Items) -> Vec<(u64, u8)> {
        items.iter().map(|i| (i.hlc.wall_ms(), i.id.0[0])).collect()
    }

    #[test]
    fn late_and_duplicate_items_merge_in_order() {
        let mut items = Items::from_vec(vec![item(30, 3), item(10, 1), item(30, 3), item(20, 2)]);
        assert_eq!(keys(&items), [(10, 1), (20, 2), (30, 3)]);
        assert!(items.insert(item(40, 4)), "newer: appended");
        assert!(items.insert(item(15, 5)), "late: kept beside the run");
        assert!(items.insert(item(40, 0)), "same time, lower id: late");
        assert!(!items.insert(item(20, 2)), "held in the run");
        assert!(!items.insert(item(15, 5)), "held among the late");
        assert!(!items.insert(item(40, 4)), "the newest, again");
        assert_eq!(
            keys(&items),
            [(10, 1), (15, 5), (20, 2), (30, 3), (40, 0), (40, 4)]
        );
        assert_eq!(items.len(), 6);
        assert_eq!(items.max_hlc(), Some(Hlc::new(40, 0)));
    }

    #[test]
    fn a_copy_shares_the_run_and_each_side_grows_on_its_own() {
        let n = 2 * CHUNK as u64 + 110;
        // A loaded list, then appended items past two full chunks.
        let mut items = Items::from_vec((0..100).map(|t| item(t * 10, 1)).collect());
        for t in 100..n {
            assert!(items.insert(item(t * 10, 1)));
        }
        assert_eq!(items.sealed.len(), 2, "two chunks sealed");
        let before = keys(&items);
        let mut copy = items.clone();
        assert!(
            Arc::ptr_eq(&copy.loaded, &items.loaded),
            "the load is shared"
        );
        assert!(
            Arc::ptr_eq(&copy.sealed[1], &items.sealed[1]),
            "chunks are shared"
        );
        // Each side: a newer item, a late one, and every held one refused
        // (found in the load, in a sealed chunk, in the open chunk).
        assert!(copy.insert(item(n * 10, 2)));
        assert!(copy.insert(item(15, 3)));
        for t in [0, 99, 100, 100 + CHUNK as u64, n - 1] {
            assert!(!copy.insert(item(t * 10, 1)), "held: {t}");
            assert!(!items.insert(item(t * 10, 1)), "held: {t}");
        }
        assert!(items.insert(item(n * 10 + 5, 4)));
        assert_eq!(copy.len(), before.len() + 2);
        assert_eq!(items.len(), before.len() + 1);
        let mut expected = before.clone();
        expected.insert(2, (15, 3));
        expected.push((n * 10, 2));
        assert_eq!(keys(&copy), expected);
        let mut expected = before;
        expected.push((n * 10 + 5, 4));
        assert_eq!(keys(&items), expected);
        assert_eq!(copy.max_hlc(), Some(Hlc::new(n * 10, 0)));
        // However the run is cut, the same set prints the same.
        let whole = Items::from_vec(items.iter().cloned().collect());
        assert_eq!(whole.sealed.len(), 0);
        assert_eq!(format!("{whole:?}"), format!("{items:?}"));
    }

    #[test]
    fn an_empty_set_takes_any_item() {
        let mut items = Items::default();
        assert_eq!(items.max_hlc(), None);
        assert!(items.insert(item(5, 1)));
        assert!(items.insert(item(1, 2)));
        assert_eq!(keys(&items), [(1, 2), (5, 1)]);
    }
}
