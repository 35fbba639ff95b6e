//! An order-independent fingerprint of a set of entries.
//!
//! Two nodes hold the same entries of a scope exactly when their digests of
//! that scope are equal (up to a 2^-256 collision chance). The digest is the
//! count plus the sum of all entry ids as 256-bit integers (mod 2^256):
//! adding an entry is O(1), any insertion order gives the same value, and
//! digests of disjoint sets add up, so a subtree's digest is the sum of its
//! regions' digests.

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
        self.count += 1;
        add_256(&mut self.sum, id.as_bytes());
    }

    pub fn merge(&mut self, other: &LedgerDigest) {
        self.count += other.count;
        add_256(&mut self.sum, &other.sum);
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
    }
}
