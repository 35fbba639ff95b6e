//! The fold's entry set, in canonical (HLC, entry id) order.
//!
//! Nearly every item arrives in that order: a post's start loads them
//! sorted from the views' snapshot, and a running post's new entries are
//! timed after everything it holds. So they live in one sorted `Vec`,
//! built in place from the loaded list and appended to at its end. At a
//! million items, building a `BTreeMap` instead took a sixth of a start
//! (`bench views --dir`, BENCHMARKS.md "Cold start"), most of it the
//! first touch of the tree's fresh memory.
//!
//! An item older than the newest held (a late arrival: a healed
//! partition, a bundle carried from a cut-off post) goes into a map beside
//! the run; iterating merges the two. Every key in `late` is below the
//! run's last, so the newest item is always the run's last.

use std::collections::BTreeMap;
use std::collections::btree_map;
use std::iter::Peekable;

use super::item::Item;
use crate::hlc::Hlc;
use crate::ids::EntryId;

type Key = (Hlc, EntryId);

fn key(item: &Item) -> Key {
    (item.hlc, item.id)
}

#[derive(Debug, Clone, Default)]
pub(super) struct Items {
    /// Sorted by key, no duplicates.
    run: Vec<Item>,
    /// Items that arrived after a newer one, each keyed below `run`'s last.
    late: BTreeMap<Key, Item>,
}

impl Items {
    /// The set of `items`, in any order, duplicates counted once.
    pub fn from_vec(mut items: Vec<Item>) -> Items {
        // Stable, and linear on a run that is sorted already.
        items.sort_by_key(key);
        items.dedup_by_key(|item| key(item));
        Items {
            run: items,
            late: BTreeMap::new(),
        }
    }

    /// Adds an item; true when it was not held.
    pub fn insert(&mut self, item: Item) -> bool {
        let k = key(&item);
        match self.run.last() {
            Some(last) if key(last) >= k => {
                if self.run.binary_search_by_key(&k, key).is_ok() {
                    return false;
                }
                self.late.insert(k, item).is_none()
            }
            // Newer than everything held (`late` keys are below the last).
            _ => {
                self.run.push(item);
                true
            }
        }
    }

    pub fn len(&self) -> usize {
        self.run.len() + self.late.len()
    }

    /// The newest item's time.
    pub fn max_hlc(&self) -> Option<Hlc> {
        self.run.last().map(|item| item.hlc)
    }

    /// Every item, in key order.
    pub fn iter(&self) -> Merged<'_> {
        Merged {
            run: self.run.iter().peekable(),
            late: self.late.values().peekable(),
        }
    }
}

/// The run and the late items, merged in key order.
pub(super) struct Merged<'a> {
    run: Peekable<std::slice::Iter<'a, Item>>,
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
    fn an_empty_set_takes_any_item() {
        let mut items = Items::default();
        assert_eq!(items.max_hlc(), None);
        assert!(items.insert(item(5, 1)));
        assert!(items.insert(item(1, 2)));
        assert_eq!(keys(&items), [(1, 2), (5, 1)]);
    }
}
