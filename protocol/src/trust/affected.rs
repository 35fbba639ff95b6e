//! Which keys' stored entries may change standing when the trust state
//! changes.
//!
//! A post may hold entries that lost their standing after it stored them:
//! the revocation (or equivocation evidence) that voids them arrived later,
//! after a partition. A post that got the revocation first refused those
//! entries, so for the two to converge the first must stop counting them
//! (the node *voids* them: kept as evidence, out of its indexes and
//! digests). Re-judging every stored entry after each trust change would
//! cost the whole ledger; this module names the few keys whose entries can
//! have changed standing, so the node re-judges only theirs.
//!
//! An entry's standing ([`TrustState::admit`]) depends on its author's
//! quarantine, its author's revocation, and the certificates that make its
//! author a post — each effective only while its issuer was a post at the
//! certificate's time. So when the removals change (a key revoked or
//! quarantined, from some time; or, by the strong-removal rule, a
//! revocation that stops counting because its author was revoked first),
//! the keys affected are:
//! - each key whose removal changed;
//! - the subjects of the certificates such a key wrote from the earlier of
//!   its old and new removal times (certificates it wrote before stay
//!   effective: revoking a township does not orphan the villages it
//!   certified while valid);
//! - below those, every key they certified, whenever: a post that lost
//!   standing for some time takes with it the certificates it wrote then.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::hlc::Hlc;
use crate::ids::NodeId;
use crate::trust::state::{Quarantine, TrustState};

/// The keys a trust state takes out — revoked or quarantined, from when —
/// as a value that can be kept and compared with a later state's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removals {
    keys: BTreeMap<NodeId, Removal>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Removal {
    revoked_at: Option<Hlc>,
    quarantine: Option<Quarantine>,
}

impl Removal {
    /// From when the key is no post: the earlier of its revocation and its
    /// quarantine.
    fn since(&self) -> Option<Hlc> {
        let quarantined = self.quarantine.map(|q| q.since);
        match (self.revoked_at, quarantined) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

impl Removals {
    /// No key removed: what a state with no revocation or evidence has, and
    /// the starting point for judging a whole store.
    pub fn none() -> Removals {
        Removals::default()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys whose removal differs between `self` and `other`, each with
    /// the earliest time from which its standing may differ.
    fn changed_since(&self, other: &Removals) -> Vec<(NodeId, Hlc)> {
        let keys: BTreeSet<&NodeId> = self.keys.keys().chain(other.keys.keys()).collect();
        keys.into_iter()
            .filter_map(|k| {
                let (a, b) = (self.keys.get(k), other.keys.get(k));
                if a == b {
                    return None;
                }
                let since = [a, b]
                    .into_iter()
                    .flatten()
                    .filter_map(Removal::since)
                    .min()
                    .unwrap_or(Hlc::ZERO);
                Some((*k, since))
            })
            .collect()
    }
}

impl TrustState {
    /// The keys this state takes out now (see [`Removals`]).
    pub fn removals(&self) -> Removals {
        let mut keys: BTreeMap<NodeId, Removal> = BTreeMap::new();
        for (node, r) in self.revoked_keys() {
            keys.entry(*node).or_default().revoked_at = Some(r.at);
        }
        for (node, q) in self.quarantined() {
            keys.entry(*node).or_default().quarantine = Some(*q);
        }
        Removals { keys }
    }

    /// The keys whose entries may have gained or lost standing since this
    /// state had `before`'s removals, by the rule in the module docs.
    /// `Removals::none()` as `before` names every key whose entries may lack
    /// standing now.
    pub fn affected_since(&self, before: &Removals) -> BTreeSet<NodeId> {
        let changed = self.removals().changed_since(before);
        if changed.is_empty() {
            return BTreeSet::new();
        }
        let mut issued: HashMap<NodeId, Vec<(Hlc, NodeId)>> = HashMap::new();
        for c in self.certificates() {
            issued
                .entry(c.issuer)
                .or_default()
                .push((c.hlc, c.cert.subject));
        }
        // Each key with the earliest time from which its certificates were
        // followed; a key reached again with an earlier time is followed
        // again. Times only fall (to zero at most), so this ends, and it
        // ends whatever loops forged certificates make.
        let mut followed: BTreeMap<NodeId, Hlc> = BTreeMap::new();
        let mut queue = changed;
        while let Some((key, since)) = queue.pop() {
            if followed.get(&key).is_some_and(|&done| done <= since) {
                continue;
            }
            followed.insert(key, since);
            for (hlc, subject) in issued.get(&key).into_iter().flatten() {
                if *hlc >= since {
                    queue.push((*subject, Hlc::ZERO));
                }
            }
        }
        followed.into_keys().collect()
    }
}
