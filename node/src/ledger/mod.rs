//! A post's ledger: the store plus what is needed to write and accept
//! entries — the post's key, its clock, the network and the limits.
//!
//! This is the one validate→insert path. Entries the post writes, entries
//! from gossip, sync and bundles all end in [`Ledger::author`] or
//! [`Ledger::ingest`]; nothing reaches the store any other way.
//!
//! A ledger opened in a network ([`Ledger::open_in_network`]) also holds
//! the network's trust state and admits received entries by it (see
//! [`trust`]), and voids stored entries that lose their standing when the
//! state changes (see [`standing`]); one opened with [`Ledger::open`] is in
//! development mode and admits every valid entry, as before the trust layer.

pub mod actor;
mod admission;
mod checks;
mod seal;
mod standing;
mod trust;
pub mod verify;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};

use liandong_protocol::restricted::Audience;
use liandong_protocol::{
    Body, Draft, EntryId, Hlc, HlcClock, Interest, Keypair, Limits, NetworkId, NodeId, Operator,
    RegionCode, Removals, SignedEntry, Status, TrustError, TrustState, ValidationContext,
    ValidationError, validate,
};

use crate::clock;
use crate::restricted::Keyring;
use crate::store::{Durability, InsertOutcome, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the entry is invalid / 条目无效: {0}")]
    Invalid(#[from] ValidationError),
    #[error("the entry body is invalid / 内容有误: {0}")]
    InvalidBody(#[from] liandong_protocol::entry::BodyError),
    #[error(
        "this post's own chain is forked at seq {0} (the key was used by two nodes?); \
         refusing to write / 本节点链条出现分叉，拒绝写入"
    )]
    OwnChainForked(u64),
    #[error("cannot encode entry: {0}")]
    Encode(#[from] liandong_protocol::codec::EncodeError),
    #[error("the node is shutting down / 节点正在关闭")]
    Stopped,
    #[error("refused by the trust rules / 未获准: {0}")]
    Refused(TrustError),
    #[error(
        "this post has no genesis (development mode); run `liandong init --genesis FILE` \
         or `liandong genesis create` / 本节点尚未加入网络"
    )]
    NoGenesis,
    #[error("cannot restrict the entry / 无法设为受限信息: {0}")]
    Restricted(String),
}

/// What a write adds to its body: who at the post entered it, and whom it
/// is restricted to (sealed to that audience; `None` writes it in the clear).
#[derive(Debug, Clone, Default)]
pub struct Entering {
    pub operator: Option<Operator>,
    pub restrict: Option<Audience>,
}

/// Counts of one ingest call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    pub added: usize,
    pub duplicate: usize,
    /// Valid, but scoped outside this post's interest: not stored.
    pub out_of_scope: usize,
    /// Added, but their (author, seq) already held another entry.
    pub forks: usize,
    /// Index in the input and reason, for every refused entry.
    pub rejected: Vec<(usize, ValidationError)>,
    /// Index and reason for every valid entry the trust rules refused.
    pub refused: Vec<(usize, TrustError)>,
    /// Ids of the entries that were new to this store (added or forks).
    pub new_ids: Vec<EntryId>,
}

#[derive(Debug)]
struct Head {
    seq: u64,
    id: Option<EntryId>,
    clock: HlcClock,
}

#[derive(Debug)]
pub struct Ledger {
    store: Store,
    keypair: Keypair,
    network: NetworkId,
    limits: Limits,
    /// The scopes this post holds; received entries outside it are not stored.
    interest: Interest,
    /// The post's own chain head and clock; one author at a time.
    head: Mutex<Head>,
    /// The network's trust state; `None` in development mode.
    trust: Option<RwLock<TrustState>>,
    /// Entries this post wrote on its own initiative (equivocation
    /// evidence) for the network layer to publish; see [`Ledger::take_outbox`].
    outbox: Mutex<Vec<SignedEntry>>,
    /// Set when voiding entries that lost standing failed: the next trust
    /// change re-judges the whole store.
    standing_stale: AtomicBool,
    /// The post's agreement secrets: what opens restricted entries sealed
    /// to it, and whose current public half every seal includes.
    keyring: Arc<Keyring>,
}

impl Ledger {
    pub fn open(
        store: Store,
        keypair: Keypair,
        network: NetworkId,
        limits: Limits,
        interest: Interest,
    ) -> Result<Ledger, LedgerError> {
        let (seq, id) = match store.head_of(&keypair.node_id())? {
            None => (0, None),
            Some((seq, ids)) if ids.len() == 1 => (seq, ids.first().copied()),
            Some((seq, _)) => return Err(LedgerError::OwnChainForked(seq)),
        };
        // Resume the clock after everything stored, so a post whose wall
        // clock was set back still writes in causal order. The time index
        // leaves voided entries out, so this post's own head counts too.
        let own_last = match id {
            Some(id) => store.get(&id)?.map(|e| e.hlc()),
            None => None,
        };
        let last = store
            .max_hlc()?
            .unwrap_or(Hlc::ZERO)
            .max(own_last.unwrap_or(Hlc::ZERO));
        let clock = HlcClock::resume(last, limits.max_future_ms);
        Ok(Ledger {
            store,
            keypair,
            network,
            limits,
            interest,
            head: Mutex::new(Head { seq, id, clock }),
            trust: None,
            outbox: Mutex::new(Vec::new()),
            standing_stale: AtomicBool::new(false),
            keyring: Arc::new(Keyring::empty()),
        })
    }

    /// Gives the ledger the post's agreement keys (`Post::open` does).
    pub fn set_keyring(&mut self, keyring: Keyring) {
        self.keyring = Arc::new(keyring.with_limits(self.limits.clone()));
    }

    /// The post's agreement keys.
    pub fn keyring(&self) -> &Arc<Keyring> {
        &self.keyring
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn node_id(&self) -> NodeId {
        self.keypair.node_id()
    }

    pub fn keypair(&self) -> &Keypair {
        &self.keypair
    }

    pub fn network(&self) -> NetworkId {
        self.network
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn interest(&self) -> &Interest {
        &self.interest
    }

    /// The next sequence number this post will write.
    pub fn next_seq(&self) -> u64 {
        self.lock_head().seq + 1
    }

    fn lock_head(&self) -> std::sync::MutexGuard<'_, Head> {
        self.head.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The time the next entry this post writes would carry, without
    /// issuing it: after every time its clock has issued or observed (so
    /// after every entry it stores). What a revocation written now takes
    /// effect from (`service::revocation`).
    pub fn next_hlc(&self) -> Hlc {
        let mut clock = self.lock_head().clock.clone();
        clock.tick(clock::now_ms())
    }

    /// Writes a new entry by this post. Returns once it is durable.
    pub fn author(
        &self,
        scope: RegionCode,
        status: Status,
        body: Body,
    ) -> Result<SignedEntry, LedgerError> {
        self.author_by(scope, status, body, None)
    }

    /// Writes a new entry by this post, naming the operator who entered it
    /// when there is one (a version-2 entry; `None` writes version 1, as
    /// [`Ledger::author`]).
    pub fn author_by(
        &self,
        scope: RegionCode,
        status: Status,
        body: Body,
        operator: Option<Operator>,
    ) -> Result<SignedEntry, LedgerError> {
        self.author_to(scope, status, body, operator, None)
    }

    /// Writes a new entry by this post; with `restrict`, sealed to that
    /// audience as resolved now (and to this post itself), so that only
    /// they read the body (see `seal::seal_for`).
    pub fn author_to(
        &self,
        scope: RegionCode,
        status: Status,
        body: Body,
        operator: Option<Operator>,
        restrict: Option<&Audience>,
    ) -> Result<SignedEntry, LedgerError> {
        body.check(&self.limits)?;
        let mut head = self.lock_head();
        let hlc = head.clock.tick(clock::now_ms());
        let seq = head.seq + 1;
        let body = match restrict {
            None => body,
            Some(audience) => self.seal_for(audience, seq, &body)?,
        };
        let draft = Draft {
            network: self.network,
            seq,
            prev: head.id,
            hlc,
            scope,
            status,
            body,
            operator,
        };
        let entry = SignedEntry::sign(&self.keypair, draft)?;
        // Check our own output like anyone else's: a bug here must not
        // reach peers.
        validate(entry.wire(), &self.context())?;
        self.store.insert(&entry, Durability::Durable)?;
        head.seq = entry.seq();
        head.id = Some(entry.id());
        drop(head);
        self.note_own_trust_entries(std::slice::from_ref(&entry));
        Ok(entry)
    }

    /// Writes several entries by this post in one atomic, durable batch
    /// (one fsync for all of them).
    pub fn author_batch(
        &self,
        items: Vec<(RegionCode, Status, Body)>,
    ) -> Result<Vec<SignedEntry>, LedgerError> {
        let mut head = self.lock_head();
        let (mut seq, mut prev) = (head.seq, head.id);
        let mut entries = Vec::with_capacity(items.len());
        for (scope, status, body) in items {
            body.check(&self.limits)?;
            let hlc = head.clock.tick(clock::now_ms());
            let draft = Draft {
                network: self.network,
                seq: seq + 1,
                prev,
                hlc,
                scope,
                status,
                body,
                operator: None,
            };
            let entry = SignedEntry::sign(&self.keypair, draft)?;
            seq = entry.seq();
            prev = Some(entry.id());
            entries.push(entry);
        }
        self.store.insert_batch(&entries, Durability::Durable)?;
        head.seq = seq;
        head.id = prev;
        drop(head);
        self.note_own_trust_entries(&entries);
        Ok(entries)
    }

    pub fn context(&self) -> ValidationContext<'_> {
        ValidationContext {
            now_ms: clock::now_ms(),
            network: self.network,
            limits: &self.limits,
        }
    }

    /// Validates and stores received entries in one batch.
    pub fn ingest<B: AsRef<[u8]> + Sync>(
        &self,
        items: &[B],
        durability: Durability,
    ) -> Result<IngestReport, LedgerError> {
        Ok(IngestReport::from_outcomes(
            &self.ingest_each(items, durability)?,
        ))
    }

    /// Like [`Ledger::ingest`], with one outcome per input item, in order.
    pub fn ingest_each<B: AsRef<[u8]> + Sync>(
        &self,
        items: &[B],
        durability: Durability,
    ) -> Result<Vec<ItemOutcome>, LedgerError> {
        self.ingest_filtered(items, durability, false)
    }

    /// Durable ingest of a bundle, or (with `trust_outside_interest`) of
    /// the certificate chain of an author whose entries this post holds
    /// but whose certificates lie outside its interest (a cooperating
    /// neighbour's post): trust entries are then taken whatever their
    /// scope, everything else as usual. Chains are short, and only fetched
    /// for authors actually met.
    pub(crate) fn ingest_durable<B: AsRef<[u8]> + Sync>(
        &self,
        items: &[B],
        trust_outside_interest: bool,
    ) -> Result<Vec<ItemOutcome>, LedgerError> {
        self.ingest_filtered(items, Durability::Durable, trust_outside_interest)
    }

    /// Whether this post stores `entry`: its scope is in the interest, or
    /// it is a certificate chain entry taken for a known author.
    fn keeps(&self, entry: &SignedEntry, trust_outside_interest: bool) -> bool {
        self.interest.contains(&entry.header().scope)
            || (trust_outside_interest && entry.kind().is_trust())
    }

    fn ingest_filtered<B: AsRef<[u8]> + Sync>(
        &self,
        items: &[B],
        durability: Durability,
        trust_outside_interest: bool,
    ) -> Result<Vec<ItemOutcome>, LedgerError> {
        let ctx = self.context();
        let mut outcomes: Vec<Option<ItemOutcome>> = Vec::with_capacity(items.len());
        let mut valid = Vec::with_capacity(items.len());
        let mut valid_at = Vec::with_capacity(items.len());
        for (i, verdict) in checks::validate_all(items, &ctx).into_iter().enumerate() {
            outcomes.push(match verdict {
                Ok(entry) if !self.keeps(&entry, trust_outside_interest) => {
                    Some(ItemOutcome::OutOfScope(entry.id()))
                }
                Ok(entry) => {
                    valid.push(entry);
                    valid_at.push(i);
                    None
                }
                Err(e) => Some(ItemOutcome::Rejected(e)),
            });
        }
        // Trust entries in the batch may void entries stored earlier: note
        // what the state took out before they go in.
        let mut before = if valid.iter().any(|e| e.kind().is_trust()) {
            self.removals()
        } else {
            None
        };
        let mut trust_changed = false;
        let (valid, valid_at) = self.admit(valid, valid_at, &mut outcomes)?;
        if !valid.is_empty() {
            let inserted = match self.store.insert_batch(&valid, durability) {
                Ok(inserted) => inserted,
                Err(e) => {
                    // Nothing was written (batches are atomic), but the trust
                    // state took this batch's trust entries in: rebuild it
                    // from what the store really holds.
                    self.rebuild_trust();
                    return Err(e.into());
                }
            };
            let mut forks = Vec::new();
            let mut newest = Hlc::ZERO;
            for ((entry, outcome), i) in valid.into_iter().zip(inserted).zip(valid_at) {
                if outcome != InsertOutcome::Duplicate {
                    newest = newest.max(entry.hlc());
                    trust_changed |= entry.kind().is_trust();
                }
                if outcome == InsertOutcome::Fork {
                    forks.push(entry.clone());
                }
                outcomes[i] = Some(match outcome {
                    InsertOutcome::Added => ItemOutcome::Added(entry),
                    InsertOutcome::Fork => ItemOutcome::Fork(entry),
                    InsertOutcome::Duplicate => ItemOutcome::Duplicate(entry.id()),
                });
            }
            if newest > Hlc::ZERO {
                // Validation already bounded the drift, so this cannot fail;
                // if the wall clock moved meanwhile, the clock does not move.
                let _ = self.lock_head().clock.observe(newest, clock::now_ms());
            }
            if !forks.is_empty() {
                // A fork quarantines its author: a trust change as well.
                before = before.or_else(|| self.removals());
                trust_changed = true;
                self.handle_forks(&forks);
            }
        }
        match before {
            Some(before) if trust_changed => self.after_trust_change(&before, durability),
            _ if self.standing_stale() => self.after_trust_change(&Removals::none(), durability),
            _ => {}
        }
        Ok(outcomes.into_iter().flatten().collect())
    }
}

/// What happened to one received item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutcome {
    Added(SignedEntry),
    /// Stored as equivocation evidence: its (author, seq) held another entry.
    Fork(SignedEntry),
    Duplicate(EntryId),
    /// Valid, but outside this post's interest: not stored.
    OutOfScope(EntryId),
    Rejected(ValidationError),
    /// Valid, but refused by the trust rules (author not certified, revoked
    /// or quarantined, or acting beyond its authority): not stored.
    Refused(TrustError),
}

impl ItemOutcome {
    /// The entry, if it was new to this store.
    pub fn new_entry(&self) -> Option<&SignedEntry> {
        match self {
            ItemOutcome::Added(e) | ItemOutcome::Fork(e) => Some(e),
            _ => None,
        }
    }
}

impl IngestReport {
    pub fn from_outcomes(outcomes: &[ItemOutcome]) -> IngestReport {
        let mut report = IngestReport::default();
        for (i, outcome) in outcomes.iter().enumerate() {
            match outcome {
                ItemOutcome::Added(e) => {
                    report.added += 1;
                    report.new_ids.push(e.id());
                }
                ItemOutcome::Fork(e) => {
                    report.forks += 1;
                    report.new_ids.push(e.id());
                }
                ItemOutcome::Duplicate(_) => report.duplicate += 1,
                ItemOutcome::OutOfScope(_) => report.out_of_scope += 1,
                ItemOutcome::Rejected(e) => report.rejected.push((i, e.clone())),
                ItemOutcome::Refused(e) => report.refused.push((i, e.clone())),
            }
        }
        report
    }
}
