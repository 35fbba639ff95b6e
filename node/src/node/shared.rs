//! The state the node's tasks share, and what they do with it in common:
//! claims on entries being fetched, the hello this post says, the notices
//! peers send it.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use liandong_protocol::interest::topic_name;
use liandong_protocol::net::Hello;
use liandong_protocol::{EntryId, Hlc, Interest, NodeId, RegionCode};
use libp2p::PeerId;
use tokio::sync::mpsc;

use super::{peers, push, requests};
use crate::config::Config;
use crate::domain::DeskSetup;
use crate::ledger::actor::LedgerHandle;
use crate::metrics::NodeMetrics;
use crate::net::NetworkHandle;
use crate::policy::{Effect, Event, PeerPolicy};
use crate::service::events::NewEntry;
use crate::service::status::BannedBy;

/// State shared by the node's tasks.
#[derive(Debug)]
pub(crate) struct Shared {
    pub ledger: LedgerHandle,
    pub net: NetworkHandle,
    pub peers: Mutex<peers::Peers>,
    pub interest: Interest,
    pub region: RegionCode,
    pub node_id: NodeId,
    pub name: String,
    pub network_name: String,
    /// The post's agreement keys (what opens restricted entries here).
    pub keyring: Arc<crate::restricted::Keyring>,
    /// The post's configuration as it was at start.
    pub config: Config,
    pub console: Mutex<Option<crate::service::status::ConsoleInfo>>,
    pub(super) responder: requests::ResponderCache,
    /// One push queue per post above (`push.rs`).
    pub(super) pushers: push::Pushers,
    /// The peer policy (`policy/mod.rs`): sync scheduling, throttles,
    /// bans for invalid deliveries and missing hellos, fetch claims, gap
    /// memory.
    pub(super) policy: Mutex<PeerPolicy>,
    /// The policy's effects, for the node loop to carry out.
    pub(super) effects: mpsc::Sender<Effect>,
    /// Bulk arrivals, by source (none for a bundle), with the new ids,
    /// gathered by the node loop into one `Arrived` event.
    pub(super) arrivals: mpsc::Sender<Arrival>,
    /// An arrival did not fit the queue: the next `Arrived` event does not
    /// know all the new ids (peers then reconcile rather than be offered).
    pub(super) arrivals_lost: std::sync::atomic::AtomicBool,
    /// Turns true when the node stops; servers watch it to stop too.
    pub(super) stopping: tokio::sync::watch::Sender<bool>,
    /// Tasks started beside the node (the console server), ended with it.
    pub(super) background: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// Why the node stopped by itself (its store failed), if it did.
    pub(super) failure: Mutex<Option<String>>,
    /// Every entry new to this post, as it is stored (console live view,
    /// benchmarks). Slow listeners miss events rather than slow the node.
    pub new_entries: tokio::sync::broadcast::Sender<NewEntry>,
    pub metrics: Arc<NodeMetrics>,
    /// What the domain desk needs (the console's actions and views).
    pub desk_setup: DeskSetup,
    /// Slots for certificate asks being answered (`handover.rs`).
    pub(super) handover_slots: Arc<tokio::sync::Semaphore>,
    /// Woken when this post sends its certificate request somewhere, so
    /// that it starts asking for the answer (`handover::poll_loop`).
    pub(super) outbox_changed: tokio::sync::Notify,
}

impl Shared {
    /// A peer's notice: so far only that it bans this post. Said in the log
    /// (so the banned side knows why it is cut off) and kept for status.
    pub(super) fn on_notice(&self, peer: PeerId, notice: liandong_protocol::net::Notice) {
        let liandong_protocol::net::Notice::Banned { until_ms, reason } = notice;
        let now = crate::clock::now_ms();
        let mut peers = self.lock_peers();
        let name = peers.heard.get(&peer).and_then(|h| h.name.clone());
        tracing::warn!(
            %peer,
            name = name.as_deref().unwrap_or("?"),
            %reason,
            until = %crate::clock::format_ms(until_ms),
            "a peer bans this post / 本节点被对等节点封禁"
        );
        peers.banned_by.retain(|_, b| b.until_ms > now);
        peers.banned_by.insert(
            peer,
            BannedBy {
                peer_id: peer.to_string(),
                name,
                reason,
                until_ms,
            },
        );
    }

    /// Keeps the first reason the node had to stop by itself.
    pub(super) fn record_failure(&self, reason: String) {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(reason);
    }

    pub fn lock_peers(&self) -> MutexGuard<'_, peers::Peers> {
        self.peers.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn policy(&self) -> MutexGuard<'_, PeerPolicy> {
        self.policy.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Tells the policy what happened; its effects go to the node loop.
    pub(super) fn apply(&self, event: Event) {
        let effects = self.policy().handle(event, Instant::now());
        for effect in effects {
            if let Err(e) = self.effects.try_send(effect) {
                // Only when thousands are queued: the periodic sync and the
                // next hello deadline check repair what is dropped.
                tracing::warn!(error = %e, "policy effect dropped");
            }
        }
    }

    /// New entries arrived in bulk from `from`: the node loop starts a round
    /// of syncs. A full queue means a round is already coming; it is told
    /// that it lacks these ids.
    pub(super) fn arrived(&self, from: Option<PeerId>, ids: Vec<EntryId>) {
        if self.arrivals.try_send(Arrival { from, ids }).is_err() {
            self.arrivals_lost
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Claims, by id prefix, the entries of `prefixes` that this post lacks
    /// and no other session is bringing (`policy/claims.rs`): true for each
    /// one it may now fetch, or accept from an offer.
    ///
    /// It claims first and reads the store after. A session that brings an
    /// entry stores it before it releases its claim, so an entry is either
    /// still claimed here or already in the store. Read first, and another
    /// session could store it and release its claim in between: the entry
    /// was then fetched twice (a heal in a dense mesh moved a tenth of its
    /// entries twice).
    pub(super) async fn claim_lacking(&self, prefixes: &[[u8; 8]]) -> Result<Vec<bool>, String> {
        let claimed = self.policy().claims.claim(prefixes, Instant::now());
        let mine: Vec<[u8; 8]> = prefixes
            .iter()
            .zip(&claimed)
            .filter(|(_, ok)| **ok)
            .map(|(p, _)| *p)
            .collect();
        let asked = mine.clone();
        let read = self
            .ledger
            .read(move |l| {
                asked
                    .iter()
                    .map(|p| l.store().contains_prefix(p))
                    .collect::<Result<Vec<bool>, _>>()
            })
            .await;
        let held = match read {
            Ok(Ok(held)) => held,
            Ok(Err(e)) => return Err(self.unclaim(mine, e)),
            Err(e) => return Err(self.unclaim(mine, e)),
        };
        self.release(mine.iter().zip(&held).filter(|(_, h)| **h).map(|(p, _)| *p));
        let mut held = held.into_iter();
        Ok(claimed
            .into_iter()
            .map(|ok| ok && !held.next().unwrap_or(true))
            .collect())
    }

    /// Releases the claims of a failed store read and names the failure.
    fn unclaim(&self, prefixes: Vec<[u8; 8]>, error: impl std::fmt::Display) -> String {
        self.release(prefixes);
        error.to_string()
    }

    /// The ids of `ids` this session may fetch: lacking here, and claimed
    /// for it ([`Shared::claim_lacking`]).
    pub(super) async fn claim_fetches(
        &self,
        ids: Vec<liandong_protocol::EntryId>,
    ) -> Result<Vec<liandong_protocol::EntryId>, String> {
        let prefixes: Vec<[u8; 8]> = ids.iter().map(|id| id.prefix()).collect();
        let claimed = self.claim_lacking(&prefixes).await?;
        Ok(ids
            .into_iter()
            .zip(claimed)
            .filter(|(_, ok)| *ok)
            .map(|(id, _)| id)
            .collect())
    }

    pub(super) fn release_fetches(&self, ids: &[liandong_protocol::EntryId]) {
        self.release(ids.iter().map(|id| id.prefix()));
    }

    fn release(&self, prefixes: impl IntoIterator<Item = [u8; 8]>) {
        self.policy().claims.release(prefixes);
    }

    pub(super) fn topic_of(&self, scope: &RegionCode) -> String {
        topic_name(
            &self.ledger.ledger().network(),
            &liandong_protocol::interest::home_region(scope),
        )
    }

    /// What this post says about itself to a peer (`to`, when known, gets
    /// the certificates this post holds about it).
    pub(super) async fn hello(&self, to: Option<NodeId>) -> Hello {
        let node = self.node_id;
        // A store error leaves a part out of the hello (the peer still
        // syncs); it is logged, never passed off as "nothing here".
        let parts = self
            .ledger
            .read(move |l| {
                let store = l.store();
                let logged = |what: &str, e: &dyn std::fmt::Display| {
                    tracing::warn!(part = what, error = %e, "hello sent without a part the store could not read");
                };
                let profile = store
                    .query(&crate::store::Query {
                        kind: Some(liandong_protocol::Kind::POST_PROFILE),
                        author: Some(node),
                        ..Default::default()
                    })
                    .inspect_err(|e| logged("profile", e))
                    .ok()
                    .and_then(|v| v.last().map(|e| e.wire().to_vec()));
                let newest = store
                    .max_hlc()
                    .inspect_err(|e| logged("newest", e))
                    .ok()
                    .flatten()
                    .unwrap_or(Hlc::ZERO);
                let chain = if l.trust_enabled() {
                    l.own_chain().inspect_err(|e| logged("chain", e)).ok().flatten()
                } else {
                    None
                };
                // A post without a genesis (development mode) holds no
                // certificates to bring: nothing to read, nothing to warn of.
                let for_you = to
                    .filter(|_| l.trust_enabled())
                    .and_then(|peer| l.chain_of(&peer).inspect_err(|e| logged("for_you", e)).ok().flatten())
                    .unwrap_or_default();
                (profile, newest, chain, for_you)
            })
            .await;
        let (profile, newest, chain, for_you) = parts.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "hello sent without store contents");
            (None, Hlc::ZERO, None, Vec::new())
        });
        Hello {
            network: self.ledger.ledger().network(),
            node,
            region: self.region.clone(),
            interest: self.interest.clone(),
            profile,
            newest,
            chain,
            for_you,
        }
    }
}

/// Entries new to this post that arrived in bulk, and from whom.
#[derive(Debug)]
pub(super) struct Arrival {
    pub from: Option<PeerId>,
    pub ids: Vec<EntryId>,
}
