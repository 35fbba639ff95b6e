//! The trust state: the genesis plus every certificate, revocation and
//! equivocation evidence entry a post holds, folded into one answer to
//! "who is this key at this time?" ([`Directory::post_at`]) and "may this
//! entry be stored?" ([`TrustState::admit`]).
//!
//! Sans-IO and deterministic: the state is a pure function of the *set* of
//! trust entries (any insertion order gives the same answers; see the
//! shuffle property test in `tests/trust.rs`).
//!
//! ## Who is a post at time `t`
//!
//! A root key (named in the genesis) always is, unless quarantined. Any
//! other key is a post at `t` when it holds a certificate that
//! - covers `t` (`valid_from_ms <= t < valid_until_ms`),
//! - is *effective*: its issuer was itself a post at the certificate's
//!   entry time, and [`AuthorityPolicy::check`] with [`Action::Certify`]
//!   allowed that issuer to certify this subject (strictly downward, within
//!   the issuer's subtree, only if it may certify),
//!
//! and the key is neither revoked as of `t` nor quarantined as of `t`.
//! When several certificates qualify, the newest (by entry time, then id)
//! gives the post's description: a re-issued certificate supersedes the
//! old one. Certificates a key's issuer wrote *before* that issuer was
//! revoked stay effective: revoking a township does not orphan the villages
//! it certified while it was valid.
//!
//! ## Revocation
//!
//! A revocation entry names a subject key. It counts when its author was a
//! post at the revocation's time and is the issuer of one of the subject's
//! effective certificates or an ancestor in such a chain. From then on
//! (entry times at or after the revocation's), the subject is no post, for
//! good: a new certificate does not revive a revoked key (a post whose key
//! was revoked gets a new key). Entries the subject signed earlier stay
//! valid. When a revocation arrives after entries it invalidates (after a
//! partition), those entries stay stored, and [`TrustState::admit`] — what
//! views ask through the ledger — now refuses them.
//!
//! ## Conflicting revocations: the deterministic rule
//!
//! Revocations depend on each other: a revocation counts only if its author
//! was not itself revoked when it wrote it. So they are decided one at a
//! time, in the order (authority rank of the author — the root first, then
//! national, province, … by the highest level any effective certificate
//! gives the author; then entry time; then entry id), and **a revocation
//! counts only if its author was still a post at the revocation's time
//! given the revocations counted before it**. A key's revocation time is
//! the earliest counted revocation of it.
//!
//! This follows p2panda's "strong removal" (`p2panda-auth`'s `StrongRemove`
//! resolver): a removed member's concurrent actions are filtered out. Here
//! "concurrent" is read through the hybrid clock: an ancestor that revokes
//! a county at time 100 voids the county's own revocation of a township at
//! time 150, but not one at time 50. Because chains are strictly downward,
//! an author's rank is above every subject it may revoke, so processing by
//! rank decides every revocation that could void an author before that
//! author's own revocations are weighed; within one rank, revocations
//! cannot void each other. A mutual revocation can arise only from keys
//! that hold certificates at two levels; there, as in p2panda's mutual
//! removal, the rule above ends with both keys revoked from their
//! respective revocation times. (p2panda orders by causal graph; we have
//! no per-group graph, so authority, then HLC, then id — the project's
//! rule for concurrent decisions — gives the order.)
//!
//! ## Equivocation
//!
//! Evidence that a key signed two different entries at one sequence number
//! (an evidence entry, or a fork this post observed itself) quarantines the
//! key: from the earlier of the two entries' times, and for every entry at
//! or after that sequence number whatever time it claims. Roots included.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::authority::{Action, AuthorityPolicy, Directory, PostInfo};
use crate::entry::{Body, Header, Kind, SignedEntry, Status};
use crate::hlc::Hlc;
use crate::ids::{EntryId, NetworkId, NodeId};
use crate::limits::Limits;
use crate::trust::error::TrustError;
use crate::trust::genesis::{Genesis, SignedGenesis};
use crate::trust::resolve::{CertRecord, MAX_CHAIN_DEPTH, Revoked, RevokedMap, View};
use crate::trust_bodies::{Certificate, Equivocation, ForkShape, Revocation};
use crate::validate::{ValidationContext, validate};

/// A stored revocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationRecord {
    pub id: EntryId,
    pub author: NodeId,
    pub hlc: Hlc,
    pub subject: NodeId,
    pub reason: String,
}

/// From when a key is quarantined for equivocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarantine {
    /// The earlier time of the first fork's two entries.
    pub since: Hlc,
    /// The lowest sequence number at which the key forked.
    pub from_seq: u64,
}

#[derive(Debug, Clone)]
pub struct TrustState {
    genesis: SignedGenesis,
    certs: HashMap<EntryId, CertRecord>,
    by_subject: HashMap<NodeId, Vec<EntryId>>,
    revocations: HashMap<EntryId, RevocationRecord>,
    /// Proven forks, by (author, seq).
    forks: BTreeMap<(NodeId, u64), ForkShape>,
    // Derived from the sets above by `recompute`.
    quarantine: HashMap<NodeId, Quarantine>,
    revoked: RevokedMap,
    counted: BTreeSet<EntryId>,
}

impl TrustState {
    pub fn new(genesis: SignedGenesis) -> TrustState {
        TrustState {
            genesis,
            certs: HashMap::new(),
            by_subject: HashMap::new(),
            revocations: HashMap::new(),
            forks: BTreeMap::new(),
            quarantine: HashMap::new(),
            revoked: RevokedMap::new(),
            counted: BTreeSet::new(),
        }
    }

    /// Builds the state from stored entries (entries of other kinds are
    /// skipped). Returns the ids of trust entries that could not be read,
    /// with the reason; they do not count.
    pub fn from_entries<'a>(
        genesis: SignedGenesis,
        entries: impl IntoIterator<Item = &'a SignedEntry>,
    ) -> (TrustState, Vec<(EntryId, TrustError)>) {
        let mut state = TrustState::new(genesis);
        let mut unreadable = Vec::new();
        for entry in entries {
            if let Err(e) = state.record(entry) {
                unreadable.push((entry.id(), e));
            }
        }
        state.recompute();
        (state, unreadable)
    }

    /// Adds one trust entry (others are ignored) and re-decides the
    /// revocations. The entry counts only as far as the rules say.
    pub fn insert(&mut self, entry: &SignedEntry) -> Result<(), TrustError> {
        if self.record(entry)? {
            self.recompute();
        }
        Ok(())
    }

    /// Adds one trust entry without re-deciding revocations and
    /// quarantines: for bulk loading, where deciding after every entry
    /// would cost O(entries × revocations). Until [`TrustState::settle`],
    /// answers use the previous decisions (new certificates are visible,
    /// new revocations and evidence are not yet in force).
    pub fn insert_unsettled(&mut self, entry: &SignedEntry) -> Result<bool, TrustError> {
        self.record(entry)
    }

    /// Re-decides revocations and quarantines after
    /// [`TrustState::insert_unsettled`].
    pub fn settle(&mut self) {
        self.recompute();
    }

    /// Records a fork this post holds itself (two stored entries with one
    /// author and seq): as good as an evidence entry.
    pub fn observe_fork(&mut self, a: &SignedEntry, b: &SignedEntry) -> Result<(), TrustError> {
        let shape =
            self.verify_evidence(&Equivocation::new(a.wire().to_vec(), b.wire().to_vec()))?;
        self.forks.entry((shape.author, shape.seq)).or_insert(shape);
        self.recompute();
        Ok(())
    }

    /// Stores the record of a trust entry; true if the sets changed.
    fn record(&mut self, entry: &SignedEntry) -> Result<bool, TrustError> {
        if !entry.kind().is_trust() {
            return Ok(false);
        }
        let h = entry.header();
        match entry.body().map_err(TrustError::Body)? {
            Body::Certificate(cert) => {
                let record = CertRecord {
                    id: entry.id(),
                    issuer: h.author,
                    hlc: h.hlc,
                    cert,
                };
                let ids = self.by_subject.entry(record.cert.subject).or_default();
                if !ids.contains(&record.id) {
                    ids.push(record.id);
                }
                Ok(self.certs.insert(record.id, record).is_none())
            }
            Body::Revocation(Revocation { subject, reason }) => {
                let record = RevocationRecord {
                    id: entry.id(),
                    author: h.author,
                    hlc: h.hlc,
                    subject,
                    reason,
                };
                Ok(self.revocations.insert(record.id, record).is_none())
            }
            Body::Equivocation(e) => {
                let shape = self.verify_evidence(&e)?;
                let new = !self.forks.contains_key(&(shape.author, shape.seq));
                self.forks.entry((shape.author, shape.seq)).or_insert(shape);
                Ok(new)
            }
            _ => Ok(false),
        }
    }

    /// Re-derives quarantines and the revocation map from the sets, by the
    /// rule in the module docs.
    fn recompute(&mut self) {
        let mut quarantine: HashMap<NodeId, Quarantine> = HashMap::new();
        for f in self.forks.values() {
            let q = quarantine.entry(f.author).or_insert(Quarantine {
                since: f.since,
                from_seq: f.seq,
            });
            q.since = q.since.min(f.since);
            q.from_seq = q.from_seq.min(f.seq);
        }
        self.quarantine = quarantine;

        let (revoked, counted) = {
            let none = RevokedMap::new();
            let potential = View {
                state: self,
                revoked: &none,
                extra: &[],
            };
            let mut order: Vec<(u8, Hlc, EntryId)> = self
                .revocations
                .values()
                .map(|r| (potential.rank(&r.author), r.hlc, r.id))
                .collect();
            order.sort_unstable();
            let mut revoked = RevokedMap::new();
            let mut counted = BTreeSet::new();
            for (_, _, id) in order {
                let Some(r) = self.revocations.get(&id) else {
                    continue;
                };
                let so_far = View {
                    state: self,
                    revoked: &revoked,
                    extra: &[],
                };
                if revocation_counts(&so_far, &potential, r).is_ok() {
                    counted.insert(id);
                    let new = Revoked {
                        at: r.hlc,
                        entry: id,
                        by: r.author,
                    };
                    revoked
                        .entry(r.subject)
                        .and_modify(|old| *old = (*old).min(new))
                        .or_insert(new);
                }
            }
            (revoked, counted)
        };
        self.revoked = revoked;
        self.counted = counted;
    }

    pub(crate) fn view(&self) -> View<'_> {
        View {
            state: self,
            revoked: &self.revoked,
            extra: &[],
        }
    }

    /// Checks that equivocation evidence proves a fork in this network:
    /// both entries are validly signed, by one author, at one seq.
    pub fn verify_evidence(&self, e: &Equivocation) -> Result<ForkShape, TrustError> {
        let limits = self.limits();
        let shape = e
            .shape(limits.max_entry_bytes)
            .map_err(|err| TrustError::BadEvidence(err.to_string()))?;
        // Stored-entry checks: the clock has moved since, so the future
        // limit does not apply.
        let ctx = ValidationContext {
            now_ms: u64::MAX,
            network: self.network(),
            limits,
        };
        for bytes in [&e.first, &e.second] {
            validate(bytes, &ctx).map_err(|err| TrustError::BadEvidence(err.to_string()))?;
        }
        Ok(shape)
    }

    /// May this entry be stored? Returns the author's post when it may.
    ///
    /// Every entry: its author is a post at the entry's time, not
    /// quarantined, and the scope lies in the author's area (evidence may
    /// be scoped to the whole country, so that it reaches everyone). Trust
    /// entries must be actual, and a certificate or revocation must be
    /// within its author's authority.
    pub fn admit(&self, entry: &SignedEntry) -> Result<PostInfo, TrustError> {
        let h = entry.header();
        if let Some(q) = self.quarantine.get(&h.author)
            && (h.seq >= q.from_seq || h.hlc >= q.since)
        {
            return Err(TrustError::Quarantined {
                node: h.author,
                seq: q.from_seq,
                since: q.since,
            });
        }
        let post = self.resolve(&h.author, h.hlc)?;
        if !h.kind.is_trust() {
            self.check_write(&post, h)?;
            return Ok(post);
        }
        if h.status != Status::Actual {
            return Err(TrustError::NotActual(h.status));
        }
        match entry.body().map_err(TrustError::Body)? {
            Body::Certificate(c) => self.check_certificate(&post, h, &c)?,
            Body::Revocation(r) => self.check_revocation(h, &r)?,
            Body::Equivocation(e) => {
                self.verify_evidence(&e)?;
                if !h.scope.is_national() {
                    self.check_write(&post, h)?;
                }
            }
            _ => self.check_write(&post, h)?,
        }
        Ok(post)
    }

    fn check_write(&self, post: &PostInfo, h: &Header) -> Result<(), TrustError> {
        self.policy()
            .check(post, &Action::Write { scope: &h.scope })
            .map_err(TrustError::from)
    }

    fn check_certificate(
        &self,
        issuer: &PostInfo,
        h: &Header,
        c: &Certificate,
    ) -> Result<(), TrustError> {
        if c.subject == h.author {
            return Err(TrustError::SelfSubject);
        }
        if self.genesis().is_root(&c.subject) {
            return Err(TrustError::RootSubject { subject: c.subject });
        }
        if h.scope != c.region {
            return Err(TrustError::WrongScope {
                scope: h.scope.clone(),
                region: c.region.clone(),
            });
        }
        self.policy().check(
            issuer,
            &Action::Certify {
                subject_level: c.level,
                subject_region: &c.region,
                subject_unit: &c.unit_type,
                subject_can_certify: c.can_certify,
            },
        )?;
        Ok(())
    }

    fn check_revocation(&self, h: &Header, r: &Revocation) -> Result<(), TrustError> {
        let region = self.may_revoke(&h.author, &r.subject)?;
        if !self.certs_of(&r.subject).any(|c| c.cert.region == h.scope) {
            return Err(TrustError::WrongScope {
                scope: h.scope.clone(),
                region,
            });
        }
        Ok(())
    }

    /// Whether `author` stands in `subject`'s certificate chain (issuer or
    /// ancestor), so that its revocation of `subject` can count. Returns the
    /// scope a revocation should carry: the region of the subject's newest
    /// certificate, so it reaches every post that holds that certificate.
    pub fn may_revoke(
        &self,
        author: &NodeId,
        subject: &NodeId,
    ) -> Result<crate::region::RegionCode, TrustError> {
        check_revocation_subject(self, author, subject)?;
        let newest = self
            .certs_of(subject)
            .max_by_key(|c| (c.hlc, c.id))
            .ok_or(TrustError::UnknownSubject { subject: *subject })?;
        let none = RevokedMap::new();
        let potential = View {
            state: self,
            revoked: &none,
            extra: &[],
        };
        if !potential.ancestors(subject).contains(author) {
            return Err(TrustError::NotAnAncestor {
                author: *author,
                subject: *subject,
            });
        }
        Ok(newest.cert.region.clone())
    }

    /// The post behind `node` at `at`, or why there is none.
    pub fn resolve(&self, node: &NodeId, at: Hlc) -> Result<PostInfo, TrustError> {
        self.view().resolve(node, at)
    }

    /// The ids of the certificates that make `node` a post at `at`, root
    /// first (empty for a root; `None` when `node` is no post then). This is
    /// what a post shows a peer, so the peer can check it.
    pub fn chain(&self, node: &NodeId, at: Hlc) -> Option<Vec<EntryId>> {
        let view = self.view();
        let (mut key, mut t) = (*node, at);
        let mut out = Vec::new();
        for _ in 0..=MAX_CHAIN_DEPTH {
            if self.genesis().is_root(&key) {
                out.reverse();
                return Some(out);
            }
            let c = view.chosen_cert(&key, t)?;
            out.push(c.id);
            key = c.issuer;
            t = c.hlc;
        }
        None
    }

    /// Checks a peer's certificate chain (validated entries, e.g. from its
    /// connection hello) without storing it: the post `node` is at `at`
    /// given what this state holds plus those certificates.
    pub fn verify_chain(
        &self,
        node: &NodeId,
        chain: &[SignedEntry],
        at: Hlc,
    ) -> Result<PostInfo, TrustError> {
        let mut extra = Vec::new();
        for e in chain.iter().filter(|e| e.kind() == Kind::CERTIFICATE) {
            if let Body::Certificate(cert) = e.body().map_err(TrustError::Body)?
                && cert.region == e.header().scope
                && e.header().status == Status::Actual
            {
                extra.push(CertRecord {
                    id: e.id(),
                    issuer: e.author(),
                    hlc: e.hlc(),
                    cert,
                });
            }
        }
        View {
            state: self,
            revoked: &self.revoked,
            extra: &extra,
        }
        .resolve(node, at)
    }

    /// Whether a stored certificate is effective (its issuer could issue it
    /// when it did), regardless of its validity window; `None` if unknown.
    pub fn certificate_effective(&self, id: &EntryId) -> Option<Result<(), TrustError>> {
        self.certs.get(id).map(|c| self.view().effective(c, 0))
    }

    pub fn certificates(&self) -> impl Iterator<Item = &CertRecord> {
        self.certs.values()
    }

    pub fn certificate(&self, id: &EntryId) -> Option<&CertRecord> {
        self.certs.get(id)
    }

    pub(crate) fn certs_of(&self, node: &NodeId) -> impl Iterator<Item = &CertRecord> {
        self.by_subject
            .get(node)
            .into_iter()
            .flatten()
            .filter_map(|id| self.certs.get(id))
    }

    /// Every stored revocation, with whether it counts.
    pub fn revocations(&self) -> impl Iterator<Item = (&RevocationRecord, bool)> {
        self.revocations
            .values()
            .map(|r| (r, self.counted.contains(&r.id)))
    }

    /// When `node` was effectively revoked, if it was.
    pub fn revoked(&self, node: &NodeId) -> Option<Revoked> {
        self.revoked.get(node).copied()
    }

    /// Every effectively revoked key, with when and by whom.
    pub fn revoked_keys(&self) -> impl Iterator<Item = (&NodeId, &Revoked)> {
        self.revoked.iter()
    }

    pub fn quarantine_of(&self, node: &NodeId) -> Option<Quarantine> {
        self.quarantine.get(node).copied()
    }

    pub fn quarantined(&self) -> impl Iterator<Item = (&NodeId, &Quarantine)> {
        self.quarantine.iter()
    }

    /// Whether a fork at (author, seq) is already proven here.
    pub fn has_fork(&self, author: &NodeId, seq: u64) -> bool {
        self.forks.contains_key(&(*author, seq))
    }

    pub fn signed_genesis(&self) -> &SignedGenesis {
        &self.genesis
    }

    pub fn genesis(&self) -> &Genesis {
        self.genesis.genesis()
    }

    pub fn network(&self) -> NetworkId {
        self.genesis.network_id()
    }

    pub fn policy(&self) -> &AuthorityPolicy {
        &self.genesis().policy
    }

    pub fn limits(&self) -> &Limits {
        &self.genesis().limits
    }
}

impl Directory for TrustState {
    fn post_at(&self, node: &NodeId, at: Hlc) -> Option<Arc<PostInfo>> {
        self.resolve(node, at).ok().map(Arc::new)
    }
}

fn check_revocation_subject(
    state: &TrustState,
    author: &NodeId,
    subject: &NodeId,
) -> Result<(), TrustError> {
    if subject == author {
        return Err(TrustError::SelfSubject);
    }
    if state.genesis().is_root(subject) {
        return Err(TrustError::RootSubject { subject: *subject });
    }
    Ok(())
}

/// Whether a revocation counts, given the revocations decided before it
/// (`so_far`) and the chains ignoring revocations (`potential`).
fn revocation_counts(
    so_far: &View<'_>,
    potential: &View<'_>,
    r: &RevocationRecord,
) -> Result<(), TrustError> {
    check_revocation_subject(so_far.state, &r.author, &r.subject)?;
    so_far.resolve(&r.author, r.hlc)?;
    if !potential.ancestors(&r.subject).contains(&r.author) {
        return Err(TrustError::NotAnAncestor {
            author: r.author,
            subject: r.subject,
        });
    }
    Ok(())
}
