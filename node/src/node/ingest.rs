//! The one ingest pipeline: every received entry — gossip, push, sync, a
//! gap fetch, certificates in a hello, a certificate chain, a bundle —
//! goes through the ledger thread (`ledger/actor.rs`), then [`Effects::of`]
//! says what follows from the outcomes, and [`carry_out`] does it, in one
//! place. The slow follow-ups that need another round trip to the sender
//! (a chain gap, certificate chains) are in [`follow_up`], which callers run
//! after they have answered whoever was waiting (gossipsub, a pushing peer).

use std::sync::Arc;

use liandong_protocol::{Hlc, SignedEntry, ValidationError};
use libp2p::PeerId;

use super::{Shared, gossip};
use crate::ledger::ItemOutcome;
use crate::ledger::actor::{ActorError, Ingested, Intake};
use crate::metrics::Source;
use crate::policy::Event;

/// How received entries reached this post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    Gossip,
    Push,
    Sync,
    /// Asked of the sender for a gap in an author's chain.
    GapFetch,
    /// Certificates a peer brought about this post in its hello.
    Hello,
    /// An author's certificate chain, asked of the peer that relayed the
    /// author's entry.
    Chain,
    /// A bundle uploaded through the console.
    Bundle,
}

/// Where a batch of entries came from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin {
    pub via: Via,
    /// The peer that handed them over (none for a bundle).
    pub peer: Option<PeerId>,
}

impl Origin {
    pub const BUNDLE: Origin = Origin {
        via: Via::Bundle,
        peer: None,
    };

    pub fn peer(via: Via, peer: PeerId) -> Origin {
        Origin {
            via,
            peer: Some(peer),
        }
    }

    fn intake(self) -> Intake {
        match self.via {
            Via::Chain => Intake::Chain,
            Via::Bundle => Intake::Bundle,
            _ => Intake::Received,
        }
    }

    fn metrics_source(self) -> Source {
        match self.via {
            Via::Gossip => Source::Gossip,
            Via::Bundle => Source::Bundle,
            _ => Source::Peer,
        }
    }
}

/// What follows from storing a batch: worked out from the outcomes alone
/// (no IO), so every source gets the same rules.
/// The entries new to this post (told to listeners, pushed to posts
/// above, measured) are the outcomes' own: `ItemOutcome::new_entry`.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    /// Evidence the ledger wrote while storing them: published network-wide.
    pub evidence: Vec<SignedEntry>,
    /// Invalid deliveries the sender is to blame for.
    pub blame: u32,
    /// Metric labels of rejected and refused entries.
    pub rejected: Vec<&'static str>,
    /// Entries refused only because their author's certificates lie outside
    /// this post's interest: ask the sender for the chains, then try again.
    pub awaiting_chains: Vec<Vec<u8>>,
    /// Entries arrived from a peer in bulk: sync with every other peer, so
    /// a healed partition converges in a few rounds.
    pub cascade: bool,
    /// A gossiped entry arrived alone: fetch the author's missing
    /// predecessors from the sender. (A sync brings the rest anyway.)
    pub gap_fill: bool,
}

impl Effects {
    pub fn of(origin: Origin, ingested: &mut Ingested) -> Effects {
        let mut effects = Effects {
            evidence: std::mem::take(&mut ingested.evidence),
            gap_fill: origin.via == Via::Gossip,
            ..Effects::default()
        };
        let mut any_new = false;
        for (wire, outcome) in ingested.items.iter().zip(&ingested.outcomes) {
            match outcome {
                ItemOutcome::Added(_) | ItemOutcome::Fork(_) => any_new = true,
                ItemOutcome::Rejected(e) => {
                    effects.rejected.push(e.label());
                    if let Some(peer) = origin.peer {
                        effects.blame += u32::from(blames_sender(peer, wire, e));
                    }
                }
                ItemOutcome::Refused(e) => {
                    effects.rejected.push(e.label());
                    if e.awaits_certificates() {
                        effects.awaiting_chains.push(wire.clone());
                    } else if origin.via == Via::Gossip
                        && origin.peer.is_some_and(|p| sent_by_author(p, wire))
                    {
                        // Refusals depend on what this post knows (a
                        // revocation, fork evidence), which spreads like any
                        // entry: a relay acted in good faith; only the
                        // author itself is blamed.
                        effects.blame += 1;
                    }
                }
                ItemOutcome::Duplicate(_) | ItemOutcome::OutOfScope(_) => {}
            }
        }
        effects.cascade = any_new
            && matches!(
                origin.via,
                Via::Push | Via::Sync | Via::GapFetch | Via::Hello | Via::Bundle
            );
        if origin.via == Via::Chain {
            // A chain is fetched to admit other entries; it starts nothing.
            effects.awaiting_chains.clear();
        }
        effects
    }
}

/// Stores `wires` through the ledger thread and carries out the effects
/// that need no further round trip. Returns the outcomes (in input order)
/// and the effects still to follow up.
pub(crate) async fn ingest(
    shared: &Arc<Shared>,
    origin: Origin,
    wires: Vec<Vec<u8>>,
) -> Result<(Vec<ItemOutcome>, Effects), ActorError> {
    let (outcomes, effects) = store(shared, origin, wires).await?;
    carry_out(shared, origin, &outcomes, &effects).await;
    Ok((outcomes, effects))
}

/// Stores `wires` through the ledger thread and works out the effects,
/// carrying out none: for gossip, which answers gossipsub first (so the
/// message is forwarded at once) and then calls [`carry_out`].
pub(crate) async fn store(
    shared: &Arc<Shared>,
    origin: Origin,
    wires: Vec<Vec<u8>>,
) -> Result<(Vec<ItemOutcome>, Effects), ActorError> {
    let mut ingested = shared
        .ledger
        .ingest(wires, origin.intake())
        .await
        .inspect_err(|e| tracing::warn!(error = %e, ?origin, "received entries not stored"))?;
    let effects = Effects::of(origin, &mut ingested);
    Ok((ingested.outcomes, effects))
}

/// The immediate effects of a stored batch, the same for every source.
pub(crate) async fn carry_out(
    shared: &Arc<Shared>,
    origin: Origin,
    outcomes: &[ItemOutcome],
    effects: &Effects,
) {
    for label in &effects.rejected {
        shared.metrics.rejected(origin.metrics_source(), label);
    }
    if let Some(peer) = origin.peer
        && effects.blame > 0
    {
        shared.apply(Event::Invalid {
            peer,
            count: effects.blame,
        });
    }
    for entry in &effects.evidence {
        tracing::warn!(id = %entry.id().short(), "publishing equivocation evidence / 发布一钥多签证据");
        gossip::announce(shared, entry, None).await;
    }
    if effects.cascade {
        let ids = outcomes
            .iter()
            .filter_map(ItemOutcome::new_entry)
            .map(SignedEntry::id)
            .collect();
        shared.arrived(origin.peer, ids);
    }
    for entry in outcomes.iter().filter_map(ItemOutcome::new_entry) {
        gossip::after_new_entry(shared, entry, origin.peer);
    }
}

/// The follow-ups that ask the sender again: the gap before a gossiped
/// entry, and the certificate chains of authors this post could not yet
/// admit (then those entries once more). Returns how many entries the
/// follow-ups added.
pub(crate) async fn follow_up(
    shared: &Arc<Shared>,
    origin: Origin,
    outcomes: &[ItemOutcome],
    effects: Effects,
) -> usize {
    let Some(peer) = origin.peer else {
        return 0;
    };
    let mut added = 0;
    if effects.gap_fill {
        for entry in outcomes.iter().filter_map(ItemOutcome::new_entry) {
            added += gossip::fill_gap(shared, entry, peer).await;
        }
    }
    if !effects.awaiting_chains.is_empty()
        && gossip::fetch_chains(shared, peer, &effects.awaiting_chains).await
    {
        // Once: entries still waiting after their chains arrived wait for
        // the next sync.
        let retry = Origin::peer(Via::Push, peer);
        if let Ok((outcomes, _)) = ingest(shared, retry, effects.awaiting_chains).await {
            added += outcomes.iter().filter(|o| o.new_entry().is_some()).count();
        }
    }
    added
}

/// Ingests entries a peer handed over and follows up; returns how many were
/// new to this post.
pub(crate) async fn from_peer(
    shared: &Arc<Shared>,
    via: Via,
    peer: PeerId,
    mut wires: Vec<Vec<u8>>,
) -> usize {
    // Oldest first: certificates and chain predecessors before what
    // depends on them.
    wires.sort_by_key(|w| {
        SignedEntry::decode_stored(w)
            .map(|e| e.hlc())
            .unwrap_or(Hlc::ZERO)
    });
    let origin = Origin::peer(via, peer);
    let Ok((outcomes, effects)) = ingest(shared, origin, wires).await else {
        return 0;
    };
    let new = outcomes.iter().filter(|o| o.new_entry().is_some()).count();
    new + Box::pin(follow_up(shared, origin, &outcomes, effects)).await
}

/// Whether `peer`, which handed this post `wire`, is to blame for its
/// rejection: always for what no honest post relays, and for the rest
/// (its body, say) only when it wrote the entry itself. A clock ahead of
/// this post's, or a newer version, blames nobody
/// (`ValidationError::blames_relay`).
pub(crate) fn blames_sender(peer: PeerId, wire: &[u8], error: &ValidationError) -> bool {
    error.blames_relay() || (error.blames_author() && sent_by_author(peer, wire))
}

/// Whether `peer` is the author of `wire` (a post's peer id is its key).
fn sent_by_author(peer: PeerId, wire: &[u8]) -> bool {
    SignedEntry::decode_stored(wire)
        .ok()
        .and_then(|e| super::requests::peer_id_of(&e.author()))
        == Some(peer)
}
