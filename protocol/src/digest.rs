//! An order-independent fingerprint of a set of entries.
//!
//! Two nodes hold the same entries of a scope exactly when their digests of
//! that scope are equal (up to a 2^-256 collision chance). The digest is the
//! count plus the sum of all entry ids as 256-bit integers (mod 2^256):
//! adding an entry is O(1), any insertion order gives the same value, and
//! digests of disjoint sets add up, so a subtree's digest is the sum of its
//! regions' digests. Removing is the exact inverse (subtraction mod 2^256,
//! and mod 2^64 for the count), so a digest can follow a set that also
//! shrinks — entries voided by the trust rules leave their scope's digest —
//! and any mix of additions and removals gives the digest of the final set.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::EntryId;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct LedgerDigest {
    pub count: u64,
    /// Little-endian 256-bit sum of entry ids.
    pub sum: [u8; 32],
}

impl LedgerDigest {
    /// Encoded size of [`LedgerDigest::to_bytes`].
    pub const BYTES: usize = 40;

    pub fn add(&mut self, id: &EntryId) {
        // Wrapping, like the sum: addition and removal form a group, so any
        // mix of them in any order gives the same digest.
        self.count = self.count.wrapping_add(1);
        add_256(&mut self.sum, id.as_bytes());
    }

    pub fn merge(&mut self, other: &LedgerDigest) {
        self.count = self.count.wrapping_add(other.count);
        add_256(&mut self.sum, &other.sum);
    }

    /// Takes one entry out: the inverse of [`LedgerDigest::add`]. Removing
    /// an id that was never added wraps rather than panics; the caller
    /// removes only what it added (the store checks membership first).
    pub fn remove(&mut self, id: &EntryId) {
        self.count = self.count.wrapping_sub(1);
        sub_256(&mut self.sum, id.as_bytes());
    }

    /// Takes a disjoint subset out: the inverse of [`LedgerDigest::merge`].
    pub fn subtract(&mut self, other: &LedgerDigest) {
        self.count = self.count.wrapping_sub(other.count);
        sub_256(&mut self.sum, &other.sum);
    }

    /// True for the digest of the empty set.
    pub fn is_empty(&self) -> bool {
        *self == LedgerDigest::default()
    }

    pub fn to_bytes(&self) -> [u8; Self::BYTES] {
        let mut out = [0u8; Self::BYTES];
        out[..8].copy_from_slice(&self.count.to_be_bytes());
        out[8..].copy_from_slice(&self.sum);
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != Self::BYTES {
            return None;
        }
        let mut count = [0u8; 8];
        count.copy_from_slice(&bytes[..8]);
        let mut sum = [0u8; 32];
        sum.copy_from_slice(&bytes[8..]);
        Some(LedgerDigest {
            count: u64::from_be_bytes(count),
            sum,
        })
    }
}

fn add_256(acc: &mut [u8; 32], x: &[u8; 32]) {
    let mut carry = 0u16;
    for (a, b) in acc.iter_mut().zip(x) {
        let s = u16::from(*a) + u16::from(*b) + carry;
        *a = s as u8;
        carry = s >> 8;
    }
}

fn sub_256(acc: &mut [u8; 32], x: &[u8; 32]) {
    let mut borrow = false;
    for (a, b) in acc.iter_mut().zip(x) {
        let (d, under) = a.overflowing_sub(*b);
        let (d, under_again) = d.overflowing_sub(u8::from(borrow));
        *a = d;
        borrow = under || under_again;
    }
}

/// `count:hex(sum)`: equal strings exactly when the digests are equal.
impl fmt::Display for LedgerDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.count, hex::encode(self.sum))
    }
}

impl fmt::Debug for LedgerDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "LedgerDigest({}:{})",
            self.count,
            hex::encode(&self.sum[..4])
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn carries_across_bytes() {
        let mut d = LedgerDigest::default();
        d.add(&EntryId([0xff; 32]));
        d.add(&EntryId({
            let mut one = [0u8; 32];
            one[0] = 1;
            one
        }));
        assert_eq!(d.count, 2);
        assert_eq!(d.sum, [0u8; 32], "2^256 - 1 + 1 wraps to zero");
    }

    #[test]
    fn remove_borrows_across_bytes_and_wraps() {
        let one = EntryId({
            let mut one = [0u8; 32];
            one[0] = 1;
            one
        });
        let mut d = LedgerDigest::default();
        d.add(&EntryId([0xff; 32]));
        d.add(&one);
        d.remove(&one);
        assert_eq!(d.count, 1);
        assert_eq!(d.sum, [0xff; 32], "0 - 1 borrows through every byte");
        d.remove(&EntryId([0xff; 32]));
        assert!(d.is_empty());

        // Below zero wraps mod 2^256 instead of panicking.
        let mut d = LedgerDigest::default();
        d.remove(&one);
        assert_eq!(d.sum, [0xff; 32]);
        d.add(&one);
        assert!(d.is_empty());
    }

    #[test]
    fn bytes_round_trip() {
        let mut d = LedgerDigest::default();
        d.add(&EntryId([5; 32]));
        assert_eq!(LedgerDigest::from_bytes(&d.to_bytes()), Some(d));
        assert_eq!(LedgerDigest::from_bytes(&[0; 3]), None);
    }

    proptest! {
        #[test]
        fn order_independent_and_mergeable(ids in prop::collection::vec(any::<[u8; 32]>(), 0..50), split in 0usize..50) {
            let mut forward = LedgerDigest::default();
            ids.iter().for_each(|i| forward.add(&EntryId(*i)));
            let mut backward = LedgerDigest::default();
            ids.iter().rev().for_each(|i| backward.add(&EntryId(*i)));
            prop_assert_eq!(forward, backward);

            let split = split.min(ids.len());
            let (mut a, mut b) = (LedgerDigest::default(), LedgerDigest::default());
            ids[..split].iter().for_each(|i| a.add(&EntryId(*i)));
            ids[split..].iter().for_each(|i| b.add(&EntryId(*i)));
            a.merge(&b);
            prop_assert_eq!(a, forward);
        }

        #[test]
        fn remove_undoes_add(ids in prop::collection::vec(any::<[u8; 32]>(), 0..50), split in 0usize..50) {
            let split = split.min(ids.len());
            let mut kept = LedgerDigest::default();
            ids[..split].iter().for_each(|i| kept.add(&EntryId(*i)));

            // Add everything, then take out the tail one by one...
            let mut shrunk = LedgerDigest::default();
            ids.iter().for_each(|i| shrunk.add(&EntryId(*i)));
            ids[split..].iter().rev().for_each(|i| shrunk.remove(&EntryId(*i)));
            prop_assert_eq!(shrunk, kept);

            // ...or as one subtracted digest.
            let mut tail = LedgerDigest::default();
            ids[split..].iter().for_each(|i| tail.add(&EntryId(*i)));
            let mut whole = kept;
            whole.merge(&tail);
            whole.subtract(&tail);
            prop_assert_eq!(whole, kept);
        }
    }
}
