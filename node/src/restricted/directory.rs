//! Who can be sealed to: the posts certified now, each with the agreement
//! key it announced last. An audience is resolved against this at the
//! time of writing (issue 16): a post certified later reads what is
//! written after its certificate, and a revoked post gets no key for
//! anything written after its revocation.

use std::collections::BTreeMap;

use liandong_protocol::restricted::{AgreementKey, Audience};
use liandong_protocol::{Body, Hlc, Kind, NodeId, PostInfo, TrustState};

use crate::store::{Query, Store, StoreError};

/// The latest announced agreement key of every post whose announcement
/// this store holds (the highest key number wins, then the later entry).
pub fn announced_keys(store: &Store) -> Result<BTreeMap<NodeId, AgreementKey>, StoreError> {
    let mut latest: BTreeMap<NodeId, (u32, u64, AgreementKey)> = BTreeMap::new();
    for entry in store.query(&Query {
        kind: Some(Kind::AGREEMENT_KEY),
        ..Query::default()
    })? {
        // A body that does not decode was refused at ingest; skip, never fail.
        let Ok(Body::AgreementKey(announced)) = entry.body() else {
            continue;
        };
        let rank = (announced.number, entry.seq());
        let newer = latest
            .get(&entry.author())
            .is_none_or(|(n, s, _)| rank > (*n, *s));
        if newer {
            latest.insert(entry.author(), (rank.0, rank.1, announced.key));
        }
    }
    Ok(latest.into_iter().map(|(n, (_, _, k))| (n, k)).collect())
}

/// The posts an audience names, as resolved now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// The keys to seal to, one per post that has announced one.
    pub keys: Vec<AgreementKey>,
    /// Posts in the audience that have not announced a key yet (they
    /// cannot read the entry; the writer is told).
    pub without_key: Vec<PostInfo>,
}

/// Resolves `audience` among the posts certified at `now` (genesis roots
/// included; revoked, expired and quarantined posts excluded by the trust
/// state's own `resolve`).
pub fn resolve(
    audience: &Audience,
    trust: &TrustState,
    keys: &BTreeMap<NodeId, AgreementKey>,
    now: Hlc,
) -> Resolved {
    let mut candidates: Vec<NodeId> = trust.genesis().roots.iter().map(|r| r.key).collect();
    candidates.extend(trust.certificates().map(|c| c.cert.subject));
    candidates.sort();
    candidates.dedup();
    let mut resolved = Resolved::default();
    for node in candidates {
        let Ok(post) = trust.resolve(&node, now) else {
            continue;
        };
        if !audience.includes(&post) {
            continue;
        }
        match keys.get(&node) {
            Some(key) => resolved.keys.push(*key),
            None => resolved.without_key.push(post),
        }
    }
    resolved
}
