//! Keeping the store's void marks in line with the trust state.
//!
//! A revocation must win even when it arrives after the entries it
//! invalidates (docs/trust.md). Such entries stay stored as evidence, but a post
//! that refused them on arrival never holds them, so for the two posts to
//! converge this one *voids* them: out of the indexes, digests, sync and
//! bundles (see `store::standing`). After every change of the trust state
//! — a received batch, a bundle or certificate file (all through
//! `ingest_each`), a fork this post observed, a trust entry it wrote, and
//! at open — the ledger re-judges the entries whose standing may have
//! changed and voids or restores them:
//! - every entry by a key that [`TrustState::affected_since`] names (a key
//!   newly revoked or quarantined, or whose revocation stopped counting,
//!   and the certification subtree that depends on it), found through the
//!   author index;
//! - every voided entry, since new certificates or a revocation that
//!   stopped counting can give standing back (voided entries are few: the
//!   work of revoked or equivocating keys).
//!
//! An entry is voided when [`Ledger::standing`] refuses it, and restored
//! when it no longer does. Voiding is derived state: if writing it fails, or
//! the process dies between storing a revocation and voiding what it
//! voids, the next change (or the next open, which re-judges from scratch)
//! puts it right.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use liandong_protocol::{EntryId, Removals, SignedEntry, TrustState};

use super::{Ledger, LedgerError};
use crate::store::{Durability, StandingApplied, VoidReason};

/// Most standing changes written in one batch: bounds the memory a large
/// revoked subtree takes. Each batch is atomic; a crash between two is
/// repaired at open like any other interruption.
const MAX_CHANGES_PER_BATCH: usize = 4096;

impl Ledger {
    /// The trust state's removals now, to compare after a change; `None`
    /// in development mode.
    pub(super) fn removals(&self) -> Option<Removals> {
        self.with_trust(TrustState::removals)
    }

    /// Call after the trust state may have changed (it had `before`'s
    /// removals): re-judges what may have changed standing. Never fails:
    /// the entries that caused the change are already stored, so a failure
    /// here is logged and the whole store is re-judged at the next change.
    pub(super) fn after_trust_change(&self, before: &Removals, durability: Durability) {
        let stale = self.standing_stale.swap(false, Ordering::SeqCst);
        let none = Removals::none();
        let since = if stale { &none } else { before };
        match self.settle_standing(since, durability) {
            Ok(applied) if !applied.is_empty() => tracing::info!(
                voided = applied.voided,
                restored = applied.restored,
                "stored entries changed trust standing / 已存条目的效力发生变化"
            ),
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "cannot void entries that lost standing; will retry");
                self.standing_stale.store(true, Ordering::SeqCst);
            }
        }
    }

    /// Whether an earlier re-judging failed and the next one must cover the
    /// whole store.
    pub(super) fn standing_stale(&self) -> bool {
        self.standing_stale.load(Ordering::SeqCst)
    }

    /// Voids the stored entries that lost standing since the trust state had
    /// `before`'s removals, and restores voided ones that regained it.
    /// `Removals::none()` re-judges every entry that may lack standing.
    pub fn settle_standing(
        &self,
        before: &Removals,
        durability: Durability,
    ) -> Result<StandingApplied, LedgerError> {
        let Some(authors) = self.with_trust(|t| t.affected_since(before)) else {
            return Ok(StandingApplied::default());
        };
        let store = self.store();
        let mut candidates: BTreeSet<EntryId> = BTreeSet::new();
        for author in &authors {
            for id in store.author_ids(author) {
                candidates.insert(id?);
            }
        }
        for (id, _) in store.voided()? {
            candidates.insert(id);
        }

        let mut total = StandingApplied::default();
        let mut void: Vec<(SignedEntry, VoidReason)> = Vec::new();
        let mut restore: Vec<SignedEntry> = Vec::new();
        for id in candidates {
            // Listed by an index a moment ago; gone only if the store is
            // damaged, which `verify` reports.
            let Some(entry) = store.get(&id)? else {
                continue;
            };
            match (self.standing(&entry), store.is_voided(&id)?) {
                (Err(why), false) => {
                    void.push((entry, VoidReason::new(why.label(), &why.to_string())));
                }
                (Ok(()), true) => restore.push(entry),
                _ => {}
            }
            if void.len() + restore.len() >= MAX_CHANGES_PER_BATCH {
                add(
                    &mut total,
                    store.apply_standing(&void, &restore, durability)?,
                );
                void.clear();
                restore.clear();
            }
        }
        if !void.is_empty() || !restore.is_empty() {
            add(
                &mut total,
                store.apply_standing(&void, &restore, durability)?,
            );
        }
        Ok(total)
    }
}

fn add(total: &mut StandingApplied, more: StandingApplied) {
    total.voided += more.voided;
    total.restored += more.restored;
}
