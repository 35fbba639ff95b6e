//! The store's key layout, key by key.
//!
//! Everything an entry needs lives in one sled tree, `ledger`, so that an
//! entry and all its index rows are written by one atomic `apply_batch`:
//! after a crash an entry is either there with every index row, or absent.
//! Each key starts with a one-byte key-space tag; all integers are
//! big-endian so that byte order is numeric order.
//!
//! | tag | key                                        | value                  | purpose |
//! |-----|--------------------------------------------|------------------------|---------|
//! | `E` | id (32)                                    | entry wire bytes       | the entries |
//! | `A` | author (32) · seq (8) · id (32)            | empty                  | author chains; two ids under one (author, seq) are a fork |
//! | `S` | scope key (12) · hlc (8) · id (32)         | empty                  | entries of a region subtree, by time |
//! | `K` | kind (2) · hlc (8) · id (32)               | empty                  | entries of a kind, by time |
//! | `T` | hlc (8) · id (32)                          | empty                  | all entries by time (sync ranges, `--since`) |
//! | `D` | scope key (12)                             | `LedgerDigest` (40)    | digest of the entries with exactly this scope |
//! | `F` | author (32) · seq (8)                      | empty                  | forks: equivocation evidence |
//! | `V` | id (32)                                    | `VoidReason`           | voided entries (below) |
//! | `P` | id (32)                                    | entry wire bytes       | staged durable writes (below) |
//!
//! The scope key is the region code padded to 12 bytes with `-`
//! (`RegionCode::key`), so a subtree is a key prefix.
//!
//! A *voided* entry lost its trust standing after it was stored (the
//! revocation or equivocation evidence that voids it arrived later, after a
//! partition). It keeps its `E` and `A` rows — evidence is never deleted,
//! and the author chain (with its forks) stays whole — but has no `S`, `K`
//! or `T` row and is not in its scope's `D` digest, so sync, bundles, time
//! and kind queries and digests no longer count it: a post that voided an
//! entry and one that refused it converge. Its `V` row says why
//! (`store::VoidReason`: a stable label, then the operator's message). Void
//! and restore are one atomic batch each (see `store::standing`), so an
//! entry is always either fully indexed or fully voided. Stores written
//! before voiding existed simply have no `V` rows; see `SCHEMA_VERSION`.
//!
//! A *staged* (`P`) row holds an entry this post is writing durably: it is
//! written and fsynced first, and only then is the entry inserted with its
//! rows (removing the `P` row in the same batch). So an entry is never
//! readable before it is on stable storage, and an fsync that fails leaves
//! nothing a peer could have seen; a crash between the two steps leaves the
//! `P` row, which `Store::open` completes. Nothing else reads `P` rows.
//!
//! A second tree, `meta`, holds `schema_version` (u32) and the name of the
//! writing program.

use liandong_protocol::region::MAX_REGION_DIGITS;
use liandong_protocol::{EntryId, Header, Hlc, Kind, NodeId, RegionCode};

pub const ENTRY: u8 = b'E';
pub const AUTHOR: u8 = b'A';
pub const SCOPE: u8 = b'S';
pub const KIND: u8 = b'K';
pub const TIME: u8 = b'T';
pub const DIGEST: u8 = b'D';
pub const FORK: u8 = b'F';
pub const VOID: u8 = b'V';
pub const PENDING: u8 = b'P';

pub fn entry(id: &EntryId) -> Vec<u8> {
    cat(&[&[ENTRY], id.as_bytes()])
}

pub fn author_seq_prefix(author: &NodeId, seq: u64) -> Vec<u8> {
    cat(&[&[AUTHOR], author.as_bytes(), &seq.to_be_bytes()])
}

pub fn author_prefix(author: &NodeId) -> Vec<u8> {
    cat(&[&[AUTHOR], author.as_bytes()])
}

pub fn author(author: &NodeId, seq: u64, id: &EntryId) -> Vec<u8> {
    cat(&[&author_seq_prefix(author, seq), id.as_bytes()])
}

pub fn scope_prefix(subtree: &RegionCode) -> Vec<u8> {
    cat(&[&[SCOPE], subtree.subtree_key_prefix()])
}

pub fn scope(scope: &RegionCode, hlc: Hlc, id: &EntryId) -> Vec<u8> {
    cat(&[
        &[SCOPE],
        &scope.key(),
        &hlc.as_u64().to_be_bytes(),
        id.as_bytes(),
    ])
}

pub fn kind_prefix(kind: Kind) -> Vec<u8> {
    cat(&[&[KIND], &kind.0.to_be_bytes()])
}

pub fn kind(kind: Kind, hlc: Hlc, id: &EntryId) -> Vec<u8> {
    cat(&[
        &kind_prefix(kind),
        &hlc.as_u64().to_be_bytes(),
        id.as_bytes(),
    ])
}

pub fn time(hlc: Hlc, id: &EntryId) -> Vec<u8> {
    cat(&[&[TIME], &hlc.as_u64().to_be_bytes(), id.as_bytes()])
}

pub fn digest(scope: &RegionCode) -> Vec<u8> {
    cat(&[&[DIGEST], &scope.key()])
}

pub fn digest_prefix(subtree: &RegionCode) -> Vec<u8> {
    cat(&[&[DIGEST], subtree.subtree_key_prefix()])
}

pub fn fork(author: &NodeId, seq: u64) -> Vec<u8> {
    cat(&[&[FORK], author.as_bytes(), &seq.to_be_bytes()])
}

/// How many rows [`view_rows`] names.
pub const VIEW_ROWS: usize = 3;

/// The rows that make an entry count in views — `S`, `K` and `T` — and
/// that voiding takes away (the `A` row stays: the chain is evidence).
pub fn view_rows(h: &Header, id: &EntryId) -> [Vec<u8>; VIEW_ROWS] {
    [
        scope(&h.scope, h.hlc, id),
        kind(h.kind, h.hlc, id),
        time(h.hlc, id),
    ]
}

pub fn void(id: &EntryId) -> Vec<u8> {
    cat(&[&[VOID], id.as_bytes()])
}

pub fn pending(id: &EntryId) -> Vec<u8> {
    cat(&[&[PENDING], id.as_bytes()])
}

/// The first key after every key that starts with `prefix` (for ranges);
/// `prefix` is never all `0xff` here, as every key starts with a tag.
pub fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return end;
        }
    }
    vec![u8::MAX; prefix.len() + 1]
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// The trailing 32-byte entry id of an index key.
pub fn trailing_id(key: &[u8]) -> Option<EntryId> {
    let tail: [u8; 32] = key.get(key.len().checked_sub(32)?..)?.try_into().ok()?;
    Some(EntryId(tail))
}

/// The (hlc, id) of an `S` or `T` or `K` key: the 40 bytes at its end.
pub fn trailing_hlc_id(key: &[u8]) -> Option<(Hlc, EntryId)> {
    let start = key.len().checked_sub(40)?;
    let hlc: [u8; 8] = key.get(start..start + 8)?.try_into().ok()?;
    Some((Hlc::from_u64(u64::from_be_bytes(hlc)), trailing_id(key)?))
}

/// The seq of an `A` key.
pub fn author_key_seq(key: &[u8]) -> Option<u64> {
    let seq: [u8; 8] = key.get(33..41)?.try_into().ok()?;
    Some(u64::from_be_bytes(seq))
}

/// The region of a `D` key.
pub fn digest_key_region(key: &[u8]) -> Option<RegionCode> {
    RegionCode::from_key(key.get(1..1 + MAX_REGION_DIGITS)?).ok()
}

/// The (author, seq) of an `F` key.
pub fn fork_key(key: &[u8]) -> Option<(NodeId, u64)> {
    let author: [u8; 32] = key.get(1..33)?.try_into().ok()?;
    let seq: [u8; 8] = key.get(33..41)?.try_into().ok()?;
    Some((NodeId(author), u64::from_be_bytes(seq)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_decode_back() {
        let id = EntryId([9; 32]);
        let a = NodeId([1; 32]);
        let hlc = Hlc::new(123_456, 7);
        let region: RegionCode = "654203".parse().expect("region");
        assert_eq!(trailing_id(&author(&a, 5, &id)), Some(id));
        assert_eq!(author_key_seq(&author(&a, 5, &id)), Some(5));
        assert_eq!(trailing_hlc_id(&scope(&region, hlc, &id)), Some((hlc, id)));
        assert_eq!(trailing_hlc_id(&time(hlc, &id)), Some((hlc, id)));
        assert_eq!(
            trailing_hlc_id(&kind(Kind::NOTE, hlc, &id)),
            Some((hlc, id))
        );
        assert_eq!(digest_key_region(&digest(&region)), Some(region.clone()));
        assert_eq!(fork_key(&fork(&a, 5)), Some((a, 5)));
        assert_eq!(trailing_id(&void(&id)), Some(id));
        assert_eq!(trailing_id(&pending(&id)), Some(id));
        assert!(scope(&region, hlc, &id).starts_with(&scope_prefix(&"6542".parse().expect("r"))));
    }

    #[test]
    fn big_endian_orders_numerically() {
        let id = EntryId([0; 32]);
        assert!(time(Hlc::new(256, 0), &id) > time(Hlc::new(255, 0), &id));
        let a = NodeId([1; 32]);
        assert!(author(&a, 256, &id) > author(&a, 255, &id));
    }
}
