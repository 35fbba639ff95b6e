//! Admission of a received batch by the trust state.
//!
//! A batch may carry the certificates its other entries depend on (a cert
//! file, a bundle, a sync response), in any order. So trust entries go
//! first, oldest first, and are retried until no more can be admitted (a
//! fixpoint: a certificate admitted in one pass can make another
//! admissible in the next). An admitted certificate is visible to the rest
//! of its pass at once; revocations and evidence are decided after each
//! pass (deciding after every entry would make a bulk sync of many
//! certificates quadratic). Then all other entries are judged against the
//! settled state with the batch's trust entries in it — so a revocation in
//! the batch also voids the revoked key's entries that arrive beside it.

use liandong_protocol::{SignedEntry, TrustError, TrustState};

/// One verdict per entry, in order. `known(i)` says whether entry `i` is
/// already stored: a duplicate is never refused (the store reports it as a
/// duplicate), even if its author is no longer a post.
pub(super) fn admit_batch(
    state: &mut TrustState,
    entries: &[SignedEntry],
    known: &[bool],
) -> Vec<Result<(), TrustError>> {
    let mut verdicts: Vec<Option<Result<(), TrustError>>> = known
        .iter()
        .map(|&stored| stored.then_some(Ok(())))
        .collect();

    let mut pending: Vec<usize> = (0..entries.len())
        .filter(|&i| verdicts[i].is_none() && entries[i].kind().is_trust())
        .collect();
    pending.sort_by_key(|&i| (entries[i].hlc(), entries[i].id()));
    loop {
        let before = pending.len();
        pending.retain(|&i| {
            let verdict = state
                .admit(&entries[i])
                .and_then(|_| state.insert_unsettled(&entries[i]).map(|_| ()));
            let refused = verdict.is_err();
            verdicts[i] = Some(verdict);
            refused
        });
        state.settle();
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }

    for (i, entry) in entries.iter().enumerate() {
        if verdicts[i].is_none() {
            verdicts[i] = Some(state.admit(entry).map(|_| ()));
        }
    }
    verdicts.into_iter().map(|v| v.unwrap_or(Ok(()))).collect()
}
