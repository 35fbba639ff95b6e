//! A full check of what a post holds: every entry, every index row, the
//! stored digests and the voided set (`liandong verify`, and the crash
//! benchmark after every kill).

use std::collections::BTreeMap;

use liandong_protocol::{LedgerDigest, RegionCode, ValidationContext, validate};
use serde::Serialize;

use super::Ledger;
use crate::store::StoreError;

#[derive(Debug, Default, Serialize)]
pub struct VerifyReport {
    pub entries: u64,
    pub valid: u64,
    pub problems: Vec<String>,
    /// Equivocations found (kept as evidence, not a store problem).
    pub forks: Vec<String>,
    /// Voided entries (stored as evidence, out of views), by why.
    pub voided: BTreeMap<String, u64>,
    /// Entries that do not count now but are not voided, by why: this
    /// post's own entries while it is not certified, for instance.
    pub without_standing: BTreeMap<String, u64>,
    pub digest: String,
}

/// Checks every entry (decoding, signature, network, id), every index row,
/// and the stored digests against digests recomputed from the entries that
/// count; and that exactly the entries without trust standing are voided
/// (a voided entry that has standing again is a problem).
pub fn verify(ledger: &Ledger) -> Result<VerifyReport, StoreError> {
    let store = ledger.store();
    let limits = ledger.limits();
    // Stored entries were checked against the clock when they arrived; the
    // clock may have moved since, so "too far in the future" is not re-checked.
    let ctx = ValidationContext {
        now_ms: u64::MAX,
        network: ledger.network(),
        limits,
    };
    let mut report = VerifyReport::default();
    let mut recomputed: BTreeMap<RegionCode, LedgerDigest> = BTreeMap::new();
    store.for_each_wire(|id, bytes| {
        report.entries += 1;
        match validate(bytes, &ctx) {
            Err(e) => report.problems.push(format!("entry {id}: {e}")),
            Ok(entry) if entry.id() != id => {
                report
                    .problems
                    .push(format!("entry stored under {id} hashes to {}", entry.id()));
            }
            Ok(entry) => {
                report.valid += 1;
                let standing = ledger.standing(&entry);
                match store.void_reason(&id)? {
                    Some(reason) => {
                        *report.voided.entry(reason.label).or_default() += 1;
                        if !store.void_rows_consistent(&entry)? {
                            report
                                .problems
                                .push(format!("voided entry {id} is still indexed"));
                        }
                        if standing.is_ok() {
                            report
                                .problems
                                .push(format!("entry {id} is voided but has standing"));
                        }
                    }
                    None => {
                        if let Err(why) = standing {
                            *report
                                .without_standing
                                .entry(why.label().to_string())
                                .or_default() += 1;
                        }
                        if !store.indexes_complete(&entry)? {
                            report
                                .problems
                                .push(format!("entry {id} is missing index rows"));
                        }
                        recomputed
                            .entry(entry.header().scope.clone())
                            .or_default()
                            .add(&id);
                    }
                }
            }
        }
        Ok(())
    })?;
    let dangling = store.dangling_index_rows()?;
    if dangling > 0 {
        report
            .problems
            .push(format!("{dangling} index rows name missing entries"));
    }
    let stored: BTreeMap<RegionCode, LedgerDigest> =
        store.digests_by_scope()?.into_iter().collect();
    if report.problems.is_empty() && stored != recomputed {
        report
            .problems
            .push("stored digests differ from the entries".into());
    }
    for fork in store.forks()? {
        report.forks.push(format!(
            "author {} seq {}: {} entries",
            fork.author.short(),
            fork.seq,
            fork.ids.len()
        ));
    }
    report.digest = store.digest(&RegionCode::national())?.to_string();
    Ok(report)
}
