//! The ledger's trust state: kept in memory, rebuilt at open from the
//! stored trust entries (the store's kind index), updated on every insert;
//! and what the rest of the node asks of it.
//!
//! Admission applies to *received* entries only. A post's own entries are
//! checked for stateless validity alone, so a newcomer that is not yet
//! certified still runs and keeps its own entries; its peers will refuse
//! them until its certificate reaches them.

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use liandong_protocol::trust::certfile::MAX_CHAIN_ENTRIES;
use liandong_protocol::{
    Body, Equivocation, Hlc, Interest, Keypair, Kind, NodeId, PostInfo, RegionCode, Removals,
    SignedEntry, SignedGenesis, Status, TrustError, TrustState, validate,
};

use super::admission::admit_batch;
use super::{ItemOutcome, Ledger, LedgerError};
use crate::clock;
use crate::store::{Durability, Query, Store, StoreError};

/// Most self-authored entries kept for the network layer to collect; older
/// ones are dropped from the outbox (they are stored, and sync carries them).
const MAX_OUTBOX: usize = 1024;

impl Ledger {
    /// Opens a ledger that belongs to the network of `genesis`: its network
    /// id and limits come from the genesis, and received entries are
    /// admitted by the trust state, rebuilt here from the store.
    pub fn open_in_network(
        store: Store,
        keypair: Keypair,
        genesis: SignedGenesis,
        interest: Interest,
    ) -> Result<Ledger, LedgerError> {
        let state = load_state(&store, genesis.clone())?;
        let limits = genesis.genesis().limits.clone();
        let mut ledger = Ledger::open(store, keypair, genesis.network_id(), limits, interest)?;
        ledger.trust = Some(RwLock::new(state));
        // Re-judge from scratch: the store may predate voiding, or the
        // process may have stopped between storing a revocation and voiding
        // what it voids.
        ledger.after_trust_change(&Removals::none(), Durability::Durable);
        Ok(ledger)
    }

    /// Whether this ledger belongs to a network (has a genesis) and admits
    /// received entries by its trust rules.
    pub fn trust_enabled(&self) -> bool {
        self.trust.is_some()
    }

    /// The network's genesis; `None` in development mode.
    pub fn genesis(&self) -> Option<SignedGenesis> {
        self.with_trust(|t| t.signed_genesis().clone())
    }

    /// Runs `f` on the trust state; `None` in development mode.
    pub fn with_trust<T>(&self, f: impl FnOnce(&TrustState) -> T) -> Option<T> {
        self.trust.as_ref().map(|t| f(&read(t)))
    }

    /// The latest time "now" can mean: this wall-clock millisecond.
    pub fn now_hlc(&self) -> Hlc {
        Hlc::new(clock::now_ms(), u16::MAX)
    }

    /// The post behind `node` at `at` (see [`liandong_protocol::Directory`]);
    /// `None` if it is none, or in development mode.
    pub fn post_at(&self, node: &NodeId, at: Hlc) -> Option<PostInfo> {
        self.with_trust(|t| t.resolve(node, at).ok()).flatten()
    }

    /// The post behind `node` now (e.g. a connected peer).
    pub fn current_post(&self, node: &NodeId) -> Option<PostInfo> {
        self.post_at(node, self.now_hlc())
    }

    /// Who `node` is at `at`, or why it is no post.
    pub fn resolve(&self, node: &NodeId, at: Hlc) -> Result<PostInfo, LedgerError> {
        self.with_trust(|t| t.resolve(node, at))
            .ok_or(LedgerError::NoGenesis)?
            .map_err(LedgerError::Refused)
    }

    /// Whether a stored entry counts in views: its author was a post at its
    /// time, acting within its authority, and has not since been found
    /// revoked or quarantined as of that time. Always `Ok` in development
    /// mode. Entries this refuses stay stored as evidence.
    pub fn standing(&self, entry: &SignedEntry) -> Result<(), TrustError> {
        self.with_trust(|t| t.admit(entry).map(|_| ()))
            .unwrap_or(Ok(()))
    }

    /// The certificate chain (wire bytes, root first) that makes `node` a
    /// post now: empty for a root, `None` when it is no post.
    pub fn chain_of(&self, node: &NodeId) -> Result<Option<Vec<Vec<u8>>>, LedgerError> {
        let now = self.now_hlc();
        let ids = self
            .with_trust(|t| t.chain(node, now))
            .ok_or(LedgerError::NoGenesis)?;
        let Some(ids) = ids else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            match self.store.get_wire(&id)? {
                Some(wire) => out.push(wire),
                None => return Ok(None),
            }
        }
        Ok(Some(out))
    }

    /// This post's own certificate chain, for the connection hello and for
    /// the certificate files it issues.
    pub fn own_chain(&self) -> Result<Option<Vec<Vec<u8>>>, LedgerError> {
        self.chain_of(&self.node_id())
    }

    /// Checks a certificate chain a peer presents (e.g. in its hello)
    /// without storing it: who `node` is now, given what this post holds
    /// plus those certificates.
    pub fn verify_peer_chain(
        &self,
        node: &NodeId,
        chain: &[Vec<u8>],
    ) -> Result<PostInfo, LedgerError> {
        if chain.len() > MAX_CHAIN_ENTRIES {
            return Err(LedgerError::Refused(TrustError::ChainTooLong {
                node: *node,
                max: MAX_CHAIN_ENTRIES,
            }));
        }
        let ctx = self.context();
        let entries = chain
            .iter()
            .map(|bytes| validate(bytes, &ctx))
            .collect::<Result<Vec<_>, _>>()?;
        let now = self.now_hlc();
        self.with_trust(|t| t.verify_chain(node, &entries, now))
            .ok_or(LedgerError::NoGenesis)?
            .map_err(LedgerError::Refused)
    }

    /// Entries this post wrote on its own while ingesting (equivocation
    /// evidence when it stored a fork), oldest first, for the network layer
    /// to publish. Each call empties the outbox.
    pub fn take_outbox(&self) -> Vec<SignedEntry> {
        std::mem::take(&mut *self.outbox.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Admission of a validated batch: returns the admitted entries (and
    /// their input positions), and fills in `Refused` outcomes.
    pub(super) fn admit(
        &self,
        valid: Vec<SignedEntry>,
        valid_at: Vec<usize>,
        outcomes: &mut [Option<ItemOutcome>],
    ) -> Result<(Vec<SignedEntry>, Vec<usize>), LedgerError> {
        let Some(trust) = &self.trust else {
            return Ok((valid, valid_at));
        };
        let known = valid
            .iter()
            .map(|e| self.store.contains(&e.id()))
            .collect::<Result<Vec<bool>, StoreError>>()?;
        let verdicts = admit_batch(&mut write(trust), &valid, &known);
        let mut admitted = Vec::with_capacity(valid.len());
        let mut admitted_at = Vec::with_capacity(valid.len());
        for ((entry, i), verdict) in valid.into_iter().zip(valid_at).zip(verdicts) {
            match verdict {
                Ok(()) => {
                    admitted.push(entry);
                    admitted_at.push(i);
                }
                Err(e) => outcomes[i] = Some(ItemOutcome::Refused(e)),
            }
        }
        Ok((admitted, admitted_at))
    }

    /// Puts trust entries this post wrote into the state (they were not
    /// admitted: own entries never are).
    pub(super) fn note_own_trust_entries(&self, entries: &[SignedEntry]) {
        let Some(trust) = &self.trust else {
            return;
        };
        if !entries.iter().any(|e| e.kind().is_trust()) {
            return;
        }
        let before = read(trust).removals();
        {
            let mut state = write(trust);
            for e in entries.iter().filter(|e| e.kind().is_trust()) {
                if let Err(err) = state.insert(e) {
                    tracing::warn!(id = %e.id(), error = %err, "own trust entry does not count");
                }
            }
        }
        // A certificate this post writes can give voided entries their
        // standing back; its revocation voids what it holds of the revoked
        // key from the revocation's time (rarely anything: the clock has
        // passed what it stored).
        self.after_trust_change(&before, Durability::Durable);
    }

    /// Rebuilds the trust state from the store (after a failed write).
    pub(super) fn rebuild_trust(&self) {
        let Some(trust) = &self.trust else {
            return;
        };
        let genesis = read(trust).signed_genesis().clone();
        match load_state(&self.store, genesis) {
            Ok(state) => *write(trust) = state,
            Err(e) => tracing::error!(error = %e, "cannot rebuild the trust state"),
        }
    }

    /// A fork was just stored: quarantine its author here and write
    /// evidence for everyone (scoped to the whole country), unless the fork
    /// is already proven.
    pub(super) fn handle_forks(&self, forks: &[SignedEntry]) {
        let Some(trust) = &self.trust else {
            return;
        };
        for entry in forks {
            if read(trust).has_fork(&entry.author(), entry.seq()) {
                continue;
            }
            let other = match self.other_fork_entry(entry) {
                Ok(Some(other)) => other,
                Ok(None) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "cannot read a stored fork");
                    continue;
                }
            };
            if let Err(e) = write(trust).observe_fork(&other, entry) {
                tracing::warn!(error = %e, "stored fork does not verify as equivocation");
                continue;
            }
            let body = Body::Equivocation(Equivocation::new(
                other.wire().to_vec(),
                entry.wire().to_vec(),
            ));
            match self.author(RegionCode::national(), Status::Actual, body) {
                Ok(evidence) => {
                    let mut outbox = self.outbox.lock().unwrap_or_else(|p| p.into_inner());
                    if outbox.len() >= MAX_OUTBOX {
                        outbox.remove(0);
                    }
                    outbox.push(evidence);
                }
                // Two maximum-size entries do not fit in one: the key is
                // quarantined here all the same, and both forks replicate.
                Err(e) => tracing::warn!(
                    author = %entry.author().short(),
                    seq = entry.seq(),
                    error = %e,
                    "cannot write equivocation evidence"
                ),
            }
        }
    }

    fn other_fork_entry(&self, entry: &SignedEntry) -> Result<Option<SignedEntry>, StoreError> {
        for id in self.store.ids_at(&entry.author(), entry.seq())? {
            if id != entry.id() {
                return self.store.get(&id);
            }
        }
        Ok(None)
    }
}

/// The trust state of a store: every stored trust entry, and every stored
/// fork (as good as evidence).
fn load_state(store: &Store, genesis: SignedGenesis) -> Result<TrustState, StoreError> {
    let mut entries = Vec::new();
    for kind in Kind::TRUST {
        entries.extend(store.query(&Query {
            kind: Some(kind),
            ..Query::default()
        })?);
    }
    // Voided trust entries count too: a voided revocation or certificate
    // does not take effect now, but may again (strong removal can restore
    // its author), exactly as it would had it never been voided.
    for kind in Kind::TRUST {
        entries.extend(store.query(&Query {
            kind: Some(kind),
            voided: true,
            ..Query::default()
        })?);
    }
    let (mut state, unreadable) = TrustState::from_entries(genesis, &entries);
    for (id, e) in unreadable {
        tracing::warn!(%id, error = %e, "stored trust entry does not count");
    }
    for fork in store.forks()? {
        let mut stored = Vec::new();
        for id in fork.ids.iter().take(2) {
            if let Some(e) = store.get(id)? {
                stored.push(e);
            }
        }
        if let [a, b] = stored.as_slice()
            && let Err(e) = state.observe_fork(a, b)
        {
            tracing::warn!(author = %fork.author.short(), error = %e, "stored fork does not verify");
        }
    }
    Ok(state)
}

pub(super) fn read(lock: &RwLock<TrustState>) -> RwLockReadGuard<'_, TrustState> {
    // The state is only ever replaced whole or changed by one insert; a
    // panic elsewhere while holding the lock leaves it usable.
    lock.read().unwrap_or_else(|p| p.into_inner())
}

fn write(lock: &RwLock<TrustState>) -> RwLockWriteGuard<'_, TrustState> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}
