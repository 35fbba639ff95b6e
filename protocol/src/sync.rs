//! Set reconciliation between two posts, without IO.
//!
//! Two posts that reconnect compare the entries both should hold (the
//! intersection of their interests) with negentropy (range-based set
//! reconciliation, the protocol of Nostr relays): the cost grows with the
//! difference, not with the ledger. Items are (HLC, entry id), so recent
//! differences sit together and are found in few round trips.
//!
//! The initiator drives a [`Reconciliation`]: it sends the first message,
//! feeds each response to [`Reconciliation::step`], and ends knowing which
//! ids it has that the peer lacks (`have`, to push) and which the peer has
//! that it lacks (`need`, to fetch). The responder is stateless between
//! messages: [`respond`] answers one message from its item set.

use negentropy::{Id, Negentropy, NegentropyStorageBase, NegentropyStorageVector};

use crate::hlc::Hlc;
use crate::ids::EntryId;
use crate::net::{MAX_RECONCILE_BYTES, MIN_RECONCILE_BYTES};

/// Round trips any session may take, on top of what its frame limit needs
/// (see [`Reconciliation::start`]), before it is abandoned: a peer that
/// never converges is broken or hostile.
pub const MAX_ROUND_TRIPS: u32 = 64;

/// A requested frame limit, clamped to what negentropy and the frame allow.
pub fn clamp_frame_limit(limit: usize) -> u64 {
    limit.clamp(MIN_RECONCILE_BYTES, MAX_RECONCILE_BYTES) as u64
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("reconciliation failed: {0}")]
    Negentropy(String),
    #[error("reconciliation took more than {0} round trips")]
    TooManyRounds(u32),
}

impl From<negentropy::Error> for SyncError {
    fn from(e: negentropy::Error) -> Self {
        SyncError::Negentropy(e.to_string())
    }
}

/// A post's item set, sorted and ready to reconcile.
#[derive(Debug)]
pub struct ItemSet(NegentropyStorageVector);

impl ItemSet {
    pub fn new(items: &[(Hlc, EntryId)]) -> Result<ItemSet, SyncError> {
        let mut storage = NegentropyStorageVector::with_capacity(items.len());
        for (hlc, id) in items {
            storage.insert(hlc.as_u64(), Id::from_byte_array(id.0))?;
        }
        storage.seal()?;
        Ok(ItemSet(storage))
    }
}

/// The responder's answer to one reconciliation message, within
/// `frame_limit` bytes (clamped).
pub fn respond(items: &ItemSet, message: &[u8], frame_limit: usize) -> Result<Vec<u8>, SyncError> {
    let mut neg = Negentropy::borrowed(&items.0, clamp_frame_limit(frame_limit))?;
    Ok(neg.reconcile(message)?)
}

/// What the initiator does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send this message and feed the response back.
    Send(Vec<u8>),
    /// Reconciled.
    Done {
        have: Vec<EntryId>,
        need: Vec<EntryId>,
    },
}

/// The initiator's side of one reconciliation.
pub struct Reconciliation {
    neg: Negentropy<'static, NegentropyStorageVector>,
    have: Vec<Id>,
    need: Vec<Id>,
    round_trips: u32,
    max_round_trips: u32,
}

impl std::fmt::Debug for Reconciliation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Reconciliation(round {}, have {}, need {})",
            self.round_trips,
            self.have.len(),
            self.need.len()
        )
    }
}

impl Reconciliation {
    /// Starts a reconciliation whose messages each way stay within
    /// `frame_limit` bytes (clamped); returns it and the first message.
    ///
    /// Small frames take more round trips: every id this post holds may
    /// have to cross once each way (64 bytes), so the bound on round trips
    /// grows with the item count over the frame limit.
    pub fn start(
        items: ItemSet,
        frame_limit: usize,
    ) -> Result<(Reconciliation, Vec<u8>), SyncError> {
        let limit = clamp_frame_limit(frame_limit);
        let ids_per_frame = (limit / 64).max(1);
        let extra = (items.0.size()? as u64 / ids_per_frame).min(u64::from(u32::MAX / 2)) as u32;
        let mut neg = Negentropy::owned(items.0, limit)?;
        let first = neg.initiate()?;
        Ok((
            Reconciliation {
                neg,
                have: Vec::new(),
                need: Vec::new(),
                round_trips: 0,
                max_round_trips: MAX_ROUND_TRIPS + 2 * extra,
            },
            first,
        ))
    }

    /// Feeds the peer's response to the last message.
    pub fn step(&mut self, response: &[u8]) -> Result<Step, SyncError> {
        self.round_trips += 1;
        if self.round_trips > self.max_round_trips {
            return Err(SyncError::TooManyRounds(self.max_round_trips));
        }
        match self
            .neg
            .reconcile_with_ids(response, &mut self.have, &mut self.need)?
        {
            Some(next) => Ok(Step::Send(next)),
            // With small frames negentropy may name an id in more than one
            // round: each is reported once.
            None => Ok(Step::Done {
                have: unique(self.have.drain(..)),
                need: unique(self.need.drain(..)),
            }),
        }
    }

    /// Round trips completed so far.
    pub fn round_trips(&self) -> u32 {
        self.round_trips
    }
}

fn unique(ids: impl Iterator<Item = Id>) -> Vec<EntryId> {
    let mut out: Vec<EntryId> = ids.map(|id| EntryId(id.to_bytes())).collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn item(i: u64) -> (Hlc, EntryId) {
        let id = blake3::hash(&i.to_le_bytes());
        (Hlc::new(1_000_000 + i * 250, 0), EntryId(*id.as_bytes()))
    }

    /// Runs a whole reconciliation in memory; returns (have, need, rounds).
    fn reconcile(a: &[(Hlc, EntryId)], b: &[(Hlc, EntryId)]) -> (Vec<EntryId>, Vec<EntryId>, u32) {
        reconcile_within(a, b, MAX_RECONCILE_BYTES)
    }

    fn reconcile_within(
        a: &[(Hlc, EntryId)],
        b: &[(Hlc, EntryId)],
        limit: usize,
    ) -> (Vec<EntryId>, Vec<EntryId>, u32) {
        let responder = ItemSet::new(b).expect("b");
        let (mut session, mut msg) =
            Reconciliation::start(ItemSet::new(a).expect("a"), limit).expect("start");
        loop {
            assert!(
                msg.len() <= limit.max(MIN_RECONCILE_BYTES),
                "{} > {limit}",
                msg.len()
            );
            let reply = respond(&responder, &msg, limit).expect("respond");
            assert!(
                reply.len() <= limit.max(MIN_RECONCILE_BYTES),
                "{} > {limit}",
                reply.len()
            );
            match session.step(&reply).expect("step") {
                Step::Send(next) => msg = next,
                Step::Done { mut have, mut need } => {
                    have.sort();
                    need.sort();
                    return (have, need, session.round_trips());
                }
            }
        }
    }

    #[test]
    fn identical_sets_take_one_round() {
        let items: Vec<_> = (0..5000).map(item).collect();
        let (have, need, rounds) = reconcile(&items, &items);
        assert!(have.is_empty() && need.is_empty());
        assert_eq!(rounds, 1);
    }

    #[test]
    fn finds_both_differences() {
        let shared: Vec<_> = (0..20_000).map(item).collect();
        let mut a = shared.clone();
        let mut b = shared;
        let only_a: Vec<_> = (100_000..100_030).map(item).collect();
        let only_b: Vec<_> = (200_000..200_020).map(item).collect();
        a.extend(&only_a);
        b.extend(&only_b);
        let (have, need, rounds) = reconcile(&a, &b);
        let mut expect_have: Vec<_> = only_a.iter().map(|i| i.1).collect();
        let mut expect_need: Vec<_> = only_b.iter().map(|i| i.1).collect();
        expect_have.sort();
        expect_need.sort();
        assert_eq!(have, expect_have);
        assert_eq!(need, expect_need);
        assert!(rounds <= 3, "{rounds} rounds");
    }

    /// On a thin link both sides keep every message within the smallest
    /// frame, and a large difference still reconciles, in more rounds.
    #[test]
    fn small_frames_reconcile_a_large_difference() {
        let shared: Vec<_> = (0..5_000).map(item).collect();
        let mut a = shared.clone();
        let mut b = shared;
        a.extend((100_000..102_000).map(item));
        b.extend((200_000..202_000).map(item));
        let (have, need, rounds) = reconcile_within(&a, &b, MIN_RECONCILE_BYTES);
        let (big_have, big_need, big_rounds) = reconcile(&a, &b);
        assert_eq!((have.len(), need.len()), (2_000, 2_000));
        assert_eq!((have, need), (big_have, big_need));
        assert!(rounds > big_rounds, "{rounds} vs {big_rounds}");
    }

    #[test]
    fn garbage_messages_are_errors_not_panics() {
        let items = ItemSet::new(&[item(1)]).expect("items");
        assert!(respond(&items, &[0xff, 0x00, 0x13], MAX_RECONCILE_BYTES).is_err());
        let (mut s, _) = Reconciliation::start(
            ItemSet::new(&[item(1)]).expect("items"),
            MAX_RECONCILE_BYTES,
        )
        .expect("start");
        assert!(s.step(&[0x12, 0x34]).is_err(), "unknown protocol version");
        // Truncated varints: an error or a harmless step, never a panic.
        let _ = s.step(&[0x61, 0xff, 0xff, 0xff]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn reconciliation_finds_exactly_the_symmetric_difference(
            shared in 0u64..2000, only_a in prop::collection::btree_set(10_000u64..20_000, 0..40),
            only_b in prop::collection::btree_set(20_000u64..30_000, 0..40),
        ) {
            let mut a: Vec<_> = (0..shared).map(item).collect();
            let mut b = a.clone();
            a.extend(only_a.iter().copied().map(item));
            b.extend(only_b.iter().copied().map(item));
            let (have, need, _) = reconcile(&a, &b);
            let mut eh: Vec<_> = only_a.iter().map(|&i| item(i).1).collect();
            let mut en: Vec<_> = only_b.iter().map(|&i| item(i).1).collect();
            eh.sort();
            en.sort();
            prop_assert_eq!(have, eh);
            prop_assert_eq!(need, en);
        }

        #[test]
        fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let items = ItemSet::new(&[item(1), item(2)]).expect("items");
            let _ = respond(&items, &bytes, MAX_RECONCILE_BYTES);
        }
    }
}
