//! Voiding: stored entries that lost their trust standing leave the views.
//!
//! The ledger decides *which* entries lose (or regain) standing; the store
//! only applies the decision, atomically: a voided entry keeps its entry
//! and author-chain rows (evidence), loses its scope, kind and time rows,
//! leaves its scope's digest, and gains a `V` row saying why. Restoring is
//! the exact inverse. See the `V` key space in [`super::keys`].

use std::collections::{BTreeMap, BTreeSet, HashSet};

use liandong_protocol::{EntryId, LedgerDigest, RegionCode, SignedEntry};

use super::{Durability, Store, StoreError, keys, lock, put_digest};

/// Longest label kept; labels are short identifiers (`TrustError::label`).
const MAX_LABEL_BYTES: usize = 64;
/// Longest message kept: enough for any trust error, bounded so that a
/// `V` row stays small.
const MAX_DETAIL_BYTES: usize = 1024;

/// Why an entry was voided: what the trust rules said when it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidReason {
    /// A short stable label (`revoked`, `quarantined`, `issuer_invalid`, …),
    /// for counting.
    pub label: String,
    /// The message an operator reads.
    pub detail: String,
}

impl VoidReason {
    pub fn new(label: &str, detail: &str) -> VoidReason {
        VoidReason {
            label: truncate(label, MAX_LABEL_BYTES).to_string(),
            detail: truncate(detail, MAX_DETAIL_BYTES).to_string(),
        }
    }

    /// `label length (1) · label · detail`, all UTF-8.
    fn encode(&self) -> Vec<u8> {
        let label = truncate(&self.label, MAX_LABEL_BYTES);
        let mut out = Vec::with_capacity(1 + label.len() + self.detail.len());
        // `truncate` keeps the label within one byte's range.
        out.push(u8::try_from(label.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(label.as_bytes());
        out.extend_from_slice(truncate(&self.detail, MAX_DETAIL_BYTES).as_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Option<VoidReason> {
        let (&len, rest) = bytes.split_first()?;
        let (label, detail) = rest.split_at_checked(usize::from(len))?;
        Some(VoidReason {
            label: std::str::from_utf8(label).ok()?.to_string(),
            detail: std::str::from_utf8(detail).ok()?.to_string(),
        })
    }
}

/// The longest prefix of `text` within `max` bytes, cut at a character.
fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// What [`Store::apply_standing`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StandingApplied {
    pub voided: usize,
    pub restored: usize,
}

impl StandingApplied {
    pub fn is_empty(&self) -> bool {
        self.voided == 0 && self.restored == 0
    }
}

impl Store {
    /// Voids the stored entries in `void` and restores the voided entries
    /// in `restore`, in one atomic batch. Idempotent: an entry that is not
    /// stored, already voided (for `void`) or not voided (for `restore`) is
    /// left as it is.
    pub fn apply_standing(
        &self,
        void: &[(SignedEntry, VoidReason)],
        restore: &[SignedEntry],
        durability: Durability,
    ) -> Result<StandingApplied, StoreError> {
        self.health.check_writable()?;
        let _writer = lock(&self.writer);
        let mut batch = sled::Batch::default();
        let mut seen: HashSet<EntryId> = HashSet::new();
        let mut gone: BTreeMap<RegionCode, LedgerDigest> = BTreeMap::new();
        let mut back: BTreeMap<RegionCode, LedgerDigest> = BTreeMap::new();
        let mut applied = StandingApplied::default();

        for (entry, reason) in void {
            let id = entry.id();
            if !seen.insert(id) || !self.contains(&id)? || self.is_voided(&id)? {
                continue;
            }
            let h = entry.header();
            for row in keys::view_rows(h, &id) {
                batch.remove(row);
            }
            batch.insert(keys::void(&id), reason.encode());
            gone.entry(h.scope.clone()).or_default().add(&id);
            applied.voided += 1;
        }
        for entry in restore {
            let id = entry.id();
            if !seen.insert(id) || !self.is_voided(&id)? {
                continue;
            }
            let h = entry.header();
            for row in keys::view_rows(h, &id) {
                batch.insert(row, &[]);
            }
            batch.remove(keys::void(&id));
            back.entry(h.scope.clone()).or_default().add(&id);
            applied.restored += 1;
        }
        if applied.is_empty() {
            return Ok(applied);
        }

        let scopes: BTreeSet<&RegionCode> = gone.keys().chain(back.keys()).collect();
        for scope in scopes {
            let mut digest = self.scope_digest(scope)?;
            if let Some(d) = back.get(scope) {
                digest.merge(d);
            }
            if let Some(d) = gone.get(scope) {
                digest.subtract(d);
            }
            put_digest(&mut batch, scope, &digest);
        }
        self.apply(batch)?;
        if durability == Durability::Durable {
            self.sync()?;
        }
        Ok(applied)
    }

    pub fn is_voided(&self, id: &EntryId) -> Result<bool, StoreError> {
        Ok(self.tree()?.contains_key(keys::void(id))?)
    }

    /// Why `id` was voided; `None` when it is not.
    pub fn void_reason(&self, id: &EntryId) -> Result<Option<VoidReason>, StoreError> {
        self.tree()?
            .get(keys::void(id))?
            .map(|raw| VoidReason::decode(&raw).ok_or_else(|| self.bad_key("V")))
            .transpose()
    }

    /// Every voided entry and why, by id.
    pub fn voided(&self) -> Result<Vec<(EntryId, VoidReason)>, StoreError> {
        self.tree()?
            .scan_prefix([keys::VOID])
            .map(|row| {
                let (k, v) = row?;
                let id = keys::trailing_id(&k).ok_or_else(|| self.bad_key("V"))?;
                let reason = VoidReason::decode(&v).ok_or_else(|| self.bad_key("V"))?;
                Ok((id, reason))
            })
            .collect()
    }

    /// The ids of the voided entries, oldest first (for listings).
    pub(super) fn voided_by_time(&self) -> Result<Vec<EntryId>, StoreError> {
        let mut timed = Vec::new();
        for key in self.tree()?.scan_prefix([keys::VOID]).keys() {
            let id = keys::trailing_id(&key?).ok_or_else(|| self.bad_key("V"))?;
            let entry = self.get(&id)?.ok_or_else(|| StoreError::Corrupt {
                path: self.path.clone(),
                reason: format!("voided entry {id} is missing"),
            })?;
            timed.push((entry.hlc(), id));
        }
        timed.sort_unstable();
        Ok(timed.into_iter().map(|(_, id)| id).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_round_trip_and_stay_bounded() {
        let r = VoidReason::new("revoked", "654203 已吊销 / revoked");
        assert_eq!(VoidReason::decode(&r.encode()), Some(r));
        let long = VoidReason::new(&"标".repeat(100), &"x".repeat(5000));
        assert!(long.label.len() <= MAX_LABEL_BYTES && long.label.starts_with('标'));
        assert_eq!(long.detail.len(), MAX_DETAIL_BYTES);
        assert_eq!(VoidReason::decode(&long.encode()), Some(long));
        assert_eq!(VoidReason::decode(&[]), None);
        assert_eq!(VoidReason::decode(&[9, b'a']), None, "label cut short");
        assert_eq!(VoidReason::decode(&[1, 0xff]), None, "not UTF-8");
    }
}
