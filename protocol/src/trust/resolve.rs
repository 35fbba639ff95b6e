//! Chain resolution: who a key is at a given time, given a set of
//! certificates and a decided set of revocations.
//!
//! A [`View`] is the trust state seen through one revocation map (and,
//! for checking a peer's hello, a few extra certificates not stored here).
//! The state resolves with its final map; the revocation fold in
//! [`super::state`] resolves with the partial map it is building, which is
//! what makes "a revocation counts only if its author was valid when it
//! wrote it" well defined.

use std::collections::{BTreeSet, HashMap};

use crate::authority::{Action, PostInfo};
use crate::hlc::Hlc;
use crate::ids::{EntryId, NodeId};
use crate::trust::error::TrustError;
use crate::trust::state::TrustState;
use crate::trust_bodies::Certificate;

/// Longest certificate chain followed. A valid chain is strictly downward
/// (six levels, then at most one member unit), so this cuts only forged
/// loops, never a real chain.
pub const MAX_CHAIN_DEPTH: usize = 8;

/// A stored certificate, as the state indexes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRecord {
    pub id: EntryId,
    pub issuer: NodeId,
    pub hlc: Hlc,
    pub cert: Certificate,
}

/// When and by whom a key was effectively revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Revoked {
    pub at: Hlc,
    pub entry: EntryId,
    pub by: NodeId,
}

pub type RevokedMap = HashMap<NodeId, Revoked>;

pub(crate) struct View<'a> {
    pub state: &'a TrustState,
    pub revoked: &'a RevokedMap,
    /// Certificates presented but not stored (a peer's hello chain).
    pub extra: &'a [CertRecord],
}

impl View<'_> {
    /// The certificates of `node`, newest first (by time, then id): a newer
    /// certificate supersedes an older one while both are valid.
    pub(crate) fn certs_of(&self, node: &NodeId) -> Vec<&CertRecord> {
        let mut out: Vec<&CertRecord> = self
            .state
            .certs_of(node)
            .chain(self.extra.iter().filter(|c| c.cert.subject == *node))
            .collect();
        out.sort_by_key(|c| std::cmp::Reverse((c.hlc, c.id)));
        out.dedup_by_key(|c| c.id);
        out
    }

    /// The post behind `node` at `at`, or why there is none.
    pub fn resolve(&self, node: &NodeId, at: Hlc) -> Result<PostInfo, TrustError> {
        self.resolve_at_depth(node, at, 0)
    }

    fn resolve_at_depth(
        &self,
        node: &NodeId,
        at: Hlc,
        depth: usize,
    ) -> Result<PostInfo, TrustError> {
        if let Some(q) = self.state.quarantine_of(node)
            && at >= q.since
        {
            return Err(TrustError::Quarantined {
                node: *node,
                seq: q.from_seq,
                since: q.since,
            });
        }
        if let Some(root) = self.state.genesis().root_post(node) {
            return Ok(root);
        }
        if let Some(r) = self.revoked.get(node)
            && at >= r.at
        {
            return Err(TrustError::Revoked {
                node: *node,
                at: r.at,
                by: r.by,
            });
        }
        if depth >= MAX_CHAIN_DEPTH {
            return Err(TrustError::ChainTooLong {
                node: *node,
                max: MAX_CHAIN_DEPTH,
            });
        }
        let certs = self.certs_of(node);
        if certs.is_empty() {
            return Err(TrustError::NotCertified { node: *node });
        }
        let mut why = TrustError::OutsideValidity { node: *node, at };
        for c in certs.into_iter().filter(|c| c.cert.valid_at(at)) {
            match self.effective(c, depth) {
                Ok(()) => return Ok(c.cert.post_info()),
                Err(e) => why = e,
            }
        }
        Err(why)
    }

    /// A certificate is effective when its issuer was a valid post at the
    /// certificate's time and was allowed to certify this subject then.
    pub fn effective(&self, c: &CertRecord, depth: usize) -> Result<(), TrustError> {
        if c.issuer == c.cert.subject {
            return Err(TrustError::SelfSubject);
        }
        let issuer = self
            .resolve_at_depth(&c.issuer, c.hlc, depth + 1)
            .map_err(|reason| TrustError::IssuerInvalid {
                node: c.cert.subject,
                cert: c.id,
                issuer: c.issuer,
                reason: Box::new(reason),
            })?;
        self.state.policy().check(
            &issuer,
            &Action::Certify {
                subject_level: c.cert.level,
                subject_region: &c.cert.region,
                subject_unit: &c.cert.unit_type,
                subject_can_certify: c.cert.can_certify,
            },
        )?;
        Ok(())
    }

    /// The certificate that makes `node` a post at `at` (the one
    /// [`View::resolve`] chose), if any.
    pub fn chosen_cert(&self, node: &NodeId, at: Hlc) -> Option<&CertRecord> {
        self.resolve(node, at).ok()?;
        self.certs_of(node)
            .into_iter()
            .filter(|c| c.cert.valid_at(at))
            .find(|c| self.effective(c, 0).is_ok())
    }

    /// Every key above `node` in any of its effective certificate chains
    /// (the issuers, their issuers, up to the roots).
    pub fn ancestors(&self, node: &NodeId) -> BTreeSet<NodeId> {
        let mut out = BTreeSet::new();
        let mut frontier = vec![*node];
        for _ in 0..MAX_CHAIN_DEPTH {
            let mut next = Vec::new();
            for key in frontier {
                for c in self.certs_of(&key) {
                    if self.effective(c, 0).is_ok() && out.insert(c.issuer) {
                        next.push(c.issuer);
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        out
    }

    /// The authority rank of a key for ordering revocations: 0 for a root,
    /// then 1 + the highest level any of its effective certificates gives
    /// it; keys with no effective certificate sort last.
    pub fn rank(&self, node: &NodeId) -> u8 {
        if self.state.genesis().is_root(node) {
            return 0;
        }
        self.certs_of(node)
            .into_iter()
            .filter(|c| self.effective(c, 0).is_ok())
            .map(|c| 1 + c.cert.level as u8)
            .min()
            .unwrap_or(u8::MAX)
    }
}
