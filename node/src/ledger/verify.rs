//! A check of what a post holds: every entry, every index row, the stored
//! digests and the voided set (`liandong verify --full`, and the crash
//! benchmark after every kill) — or, by default, only what arrived since
//! the last point at which a check found nothing wrong.
//!
//! ## The verified point
//!
//! A check that finds no problem records the ledger digest and the latest
//! entry time it covered (the store's `Verified` side tree). The next
//! default check lists the entries timed after that point (a range of the
//! time index) and checks them the same way as a full check does, if their
//! ids added to the recorded digest give the ledger's digest now — that is,
//! if nothing arrived with an older time and nothing was voided since.
//! Otherwise, or without a recorded point, it checks everything. So the
//! default costs what changed; bytes that rot on disk in entries checked
//! before are found by `--full`, not by the default.

use std::collections::BTreeMap;

use liandong_protocol::{EntryId, Hlc, LedgerDigest, RegionCode, ValidationContext, validate};
use serde::Serialize;

use super::Ledger;
use crate::clock;
use crate::store::{Side, SideBatch, Store, StoreError};

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
    /// "full", or "incremental" (only `entries` arrived since `since`).
    pub mode: String,
    /// The verified point an incremental check started from.
    pub since: Option<VerifiedPoint>,
    /// Why a check is what it is (no point yet, a full check forced by
    /// late or voided entries, a point not recorded).
    pub notes: Vec<String>,
}

/// The last point at which a check found nothing wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VerifiedPoint {
    /// Entries counted then.
    pub entries: u64,
    #[serde(skip)]
    pub digest: LedgerDigest,
    /// The latest entry time covered.
    pub max_hlc: u64,
    /// When the check ran (wall ms).
    pub at_ms: u64,
}

/// The point row's layout; another value means "no point" (full check).
const POINT_FORMAT: u32 = 1;
const POINT_KEY: &[u8] = b"P";
const POINT_BYTES: usize = 4 + LedgerDigest::BYTES + 8 + 8;

impl VerifiedPoint {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(POINT_BYTES);
        out.extend_from_slice(&POINT_FORMAT.to_be_bytes());
        out.extend_from_slice(&self.digest.to_bytes());
        out.extend_from_slice(&self.max_hlc.to_be_bytes());
        out.extend_from_slice(&self.at_ms.to_be_bytes());
        out
    }

    /// Disk input: length and format checked before anything is read.
    fn decode(bytes: &[u8]) -> Option<VerifiedPoint> {
        if bytes.len() != POINT_BYTES || bytes[..4] != POINT_FORMAT.to_be_bytes() {
            return None;
        }
        let digest = LedgerDigest::from_bytes(&bytes[4..4 + LedgerDigest::BYTES])?;
        let word = |at: usize| -> Option<u64> {
            Some(u64::from_be_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
        };
        Some(VerifiedPoint {
            entries: digest.count,
            digest,
            max_hlc: word(4 + LedgerDigest::BYTES)?,
            at_ms: word(4 + LedgerDigest::BYTES + 8)?,
        })
    }
}

/// Checks every entry (decoding, signature, network, id), every index row,
/// and the stored digests against digests recomputed from the entries that
/// count; and that exactly the entries without trust standing are voided
/// (a voided entry that has standing again is a problem).
pub fn verify(ledger: &Ledger) -> Result<VerifyReport, StoreError> {
    let store = ledger.store();
    let mut report = VerifyReport {
        mode: "full".into(),
        ..VerifyReport::default()
    };
    let mut recomputed: BTreeMap<RegionCode, LedgerDigest> = BTreeMap::new();
    store
        .for_each_wire(|id, bytes| check_entry(ledger, id, bytes, &mut report, &mut recomputed))?;
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
    report.forks = fork_lines(store)?;
    report.digest = store.digest(&RegionCode::national())?.to_string();
    Ok(report)
}

/// Checks one stored entry as both checks do: decoding, signature,
/// network, id; its index or void rows; its standing. Entries that count
/// are added to `recomputed` by scope.
fn check_entry(
    ledger: &Ledger,
    id: EntryId,
    bytes: &[u8],
    report: &mut VerifyReport,
    recomputed: &mut BTreeMap<RegionCode, LedgerDigest>,
) -> Result<(), StoreError> {
    let store = ledger.store();
    // Stored entries were checked against the clock when they arrived; the
    // clock may have moved since, so "too far in the future" is not re-checked.
    let ctx = ValidationContext {
        now_ms: u64::MAX,
        network: ledger.network(),
        limits: ledger.limits(),
    };
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
}

/// `liandong verify`: what arrived since the last verified point, or
/// everything with `full` (or when no point can be used); records the new
/// point when nothing is wrong.
pub fn verify_since_point(ledger: &Ledger, full: bool) -> Result<VerifyReport, StoreError> {
    let store = ledger.store();
    let side = store.side(Side::Verified)?;
    let point = match side.get(POINT_KEY)? {
        None => None,
        Some(raw) => {
            let point = VerifiedPoint::decode(&raw);
            if point.is_none() {
                tracing::warn!("the recorded verified point is unreadable; checking everything");
            }
            point
        }
    };
    let mut report = match point {
        _ if full => verify(ledger)?,
        None => {
            let mut r = verify(ledger)?;
            r.notes.push(
                "no verified point recorded yet: everything was checked / 尚无校验点，已全部校验"
                    .into(),
            );
            r
        }
        Some(point) => match since(ledger, &point)? {
            Some(report) => report,
            None => {
                let mut r = verify(ledger)?;
                r.notes.push(
                    "entries with older times arrived, or entries were voided, since the last \
                     verified point: everything was checked / 校验点之后有较早时间的条目到达或\
                     条目失效，已全部校验"
                        .into(),
                );
                r
            }
        },
    };
    if report.problems.is_empty() {
        let digest = store.digest(&RegionCode::national())?;
        let point = VerifiedPoint {
            entries: digest.count,
            digest,
            max_hlc: store.max_hlc()?.map_or(0, Hlc::as_u64),
            at_ms: clock::now_ms(),
        };
        let mut batch = SideBatch::default();
        batch.put(POINT_KEY, &point.encode());
        match side.apply(batch) {
            Ok(()) => {}
            Err(e @ StoreError::DiskFull { .. }) => report.notes.push(format!(
                "the verified point was not recorded / 校验点未记录: {e}"
            )),
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}

/// Checks the entries timed after `point` when they are exactly what the
/// ledger gained since (see the module's doc); `None` when they are not.
fn since(ledger: &Ledger, point: &VerifiedPoint) -> Result<Option<VerifyReport>, StoreError> {
    let store = ledger.store();
    let now = store.digest(&RegionCode::national())?;
    let from = if point.digest.is_empty() {
        Hlc::ZERO
    } else {
        Hlc::from_u64(point.max_hlc.saturating_add(1))
    };
    let mut sum = point.digest;
    let mut after = Vec::new();
    for item in store.time_ordered(&RegionCode::national(), Some(from))? {
        let (_, id) = item?;
        sum.add(&id);
        after.push(id);
        if sum.count > now.count {
            return Ok(None);
        }
    }
    if sum != now {
        return Ok(None);
    }
    let mut report = VerifyReport {
        mode: "incremental".into(),
        since: Some(*point),
        ..VerifyReport::default()
    };
    let mut recomputed: BTreeMap<RegionCode, LedgerDigest> = BTreeMap::new();
    for id in after {
        match store.get_wire(&id)? {
            Some(bytes) => check_entry(ledger, id, &bytes, &mut report, &mut recomputed)?,
            None => report
                .problems
                .push(format!("the time index names entry {id}, which is missing")),
        }
    }
    // What the new entries add to the verified digest must be what the
    // stored digests say the ledger holds now.
    let mut total = point.digest;
    for d in recomputed.values() {
        total.merge(d);
    }
    if report.problems.is_empty() && total != now {
        report
            .problems
            .push("stored digests differ from the entries".into());
    }
    report.forks = fork_lines(store)?;
    report.digest = now.to_string();
    Ok(Some(report))
}

/// One line per fork the store holds evidence of.
fn fork_lines(store: &Store) -> Result<Vec<String>, StoreError> {
    Ok(store
        .forks()?
        .into_iter()
        .map(|fork| {
            format!(
                "author {} seq {}: {} entries",
                fork.author.short(),
                fork.seq,
                fork.ids.len()
            )
        })
        .collect())
}
