//! Live propagation: validating gossip, announcing new entries, pushing
//! them to posts above that are not in the entry's topic, and filling gaps
//! in an author's chain.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use liandong_protocol::net::{MAX_CHAIN_FETCH, Request, Response};
use liandong_protocol::{NodeId, SignedEntry};
use libp2p::PeerId;
use libp2p::gossipsub::{MessageAcceptance, MessageId};

use super::{Shared, ingest_from_peer};
use crate::ledger::ItemOutcome;
use crate::net::codec::sized_request;

/// A chain gap is asked for at most this often.
const GAP_RETRY: Duration = Duration::from_secs(60);
/// Remembered gap requests, before old ones are forgotten.
const MAX_GAP_MEMORY: usize = 4096;

/// Gaps already asked for, so a stream of entries from an author whose
/// earlier entries lie outside this post's interest does not cause a
/// stream of fetches.
#[derive(Debug, Default)]
pub struct GapRequests {
    asked: HashMap<(NodeId, u64), Instant>,
}

impl GapRequests {
    fn should_ask(&mut self, author: NodeId, seq: u64) -> bool {
        let now = Instant::now();
        if self.asked.len() >= MAX_GAP_MEMORY {
            self.asked
                .retain(|_, at| now.duration_since(*at) < GAP_RETRY);
        }
        match self.asked.get(&(author, seq)) {
            Some(at) if now.duration_since(*at) < GAP_RETRY => false,
            _ => {
                self.asked.insert((author, seq), now);
                true
            }
        }
    }
}

/// Validates a gossip message and tells gossipsub whether to forward it.
pub async fn on_gossip(shared: &Arc<Shared>, source: PeerId, id: MessageId, data: Vec<u8>) {
    // The claimed author (read before the bytes move into the ledger); only
    // consulted for entries that validated, whose author is then genuine.
    let data_author = SignedEntry::decode_stored(&data).ok().map(|e| e.author());
    let outcome = match shared.ledger.ingest(vec![data]).await {
        Ok(mut outcomes) => outcomes.pop(),
        Err(e) => {
            // The store is failing: do not blame the peer.
            tracing::warn!(error = %e, "gossip not stored");
            shared
                .net
                .report(id, source, MessageAcceptance::Ignore)
                .await;
            return;
        }
    };
    let acceptance = match &outcome {
        Some(ItemOutcome::Added(_) | ItemOutcome::Fork(_)) => MessageAcceptance::Accept,
        // Valid and for this topic, though not this post's to keep (a
        // sibling village's report): forward it so the topic's other
        // posts, who may want it, still get it.
        Some(ItemOutcome::OutOfScope(_)) => MessageAcceptance::Accept,
        Some(ItemOutcome::Duplicate(_)) | None => MessageAcceptance::Ignore,
        Some(ItemOutcome::Rejected(e)) => {
            tracing::debug!(peer = %source, reason = %e, "invalid gossip rejected");
            MessageAcceptance::Reject
        }
        // Its certificates may simply not have reached this post yet:
        // drop it without blaming the peer; sync brings it later.
        Some(ItemOutcome::Refused(e)) if e.awaits_certificates() => MessageAcceptance::Ignore,
        // Refusals depend on what this post knows (a revocation, fork
        // evidence), which spreads like any entry: a post relaying the
        // author's entry before it learned of that acted in good faith.
        // Only the author itself is blamed.
        Some(ItemOutcome::Refused(e)) if !sent_by_author(source, &data_author) => {
            tracing::debug!(peer = %source, reason = %e, "relayed unauthorised gossip ignored");
            MessageAcceptance::Ignore
        }
        Some(ItemOutcome::Refused(e)) => {
            tracing::debug!(peer = %source, reason = %e, "unauthorised gossip rejected");
            MessageAcceptance::Reject
        }
    };
    shared.net.report(id, source, acceptance).await;
    if acceptance == MessageAcceptance::Reject {
        super::count_invalid(shared, source, 1).await;
    }
    if let Some(entry) = outcome.as_ref().and_then(ItemOutcome::new_entry) {
        after_new_entry(shared, entry, Some(source)).await;
    }
    publish_outbox(shared).await;
}

/// Whether the gossip came straight from its author (a post's peer id is
/// its key).
fn sent_by_author(source: PeerId, author: &Option<NodeId>) -> bool {
    author
        .as_ref()
        .and_then(super::requests::peer_id_of)
        .is_some_and(|p| p == source)
}

/// Publishes entries the ledger wrote by itself while ingesting
/// (equivocation evidence), so they travel network-wide.
pub async fn publish_outbox(shared: &Arc<Shared>) {
    for entry in shared.ledger.ledger().take_outbox() {
        tracing::warn!(id = %entry.id().short(), "publishing equivocation evidence / 发布一钥多签证据");
        Box::pin(announce(shared, &entry, None)).await;
    }
}

/// Spreads an entry this post just wrote: its topic, and posts above.
pub async fn announce(shared: &Arc<Shared>, entry: &SignedEntry, source: Option<PeerId>) {
    let topic = shared.topic_of(&entry.header().scope);
    if let Err(e) = shared.net.publish(topic, entry.wire().to_vec()).await {
        // Normal for a post with no peer in the topic yet; sync delivers.
        tracing::debug!(error = %e, "entry not gossiped");
    }
    after_new_entry(shared, entry, source).await;
}

/// After a new entry is stored: push it to connected posts that hold its
/// scope but are not in its gossip topic (posts above the county), and ask
/// the sender for the author's missing predecessors.
pub async fn after_new_entry(shared: &Arc<Shared>, entry: &SignedEntry, source: Option<PeerId>) {
    let h = entry.header();
    let _ = shared.new_entries.send(super::NewEntry {
        id: entry.id(),
        author: h.author,
        kind: h.kind,
        scope: h.scope.clone(),
        hlc: h.hlc,
        local: h.author == shared.node_id,
    });
    let scope = &h.scope;
    let targets: Vec<PeerId> = {
        let peers = shared.lock_peers();
        peers
            .by_id
            .iter()
            .filter(|(id, p)| Some(**id) != source && p.wants(scope) && !p.hears_topic_of(scope))
            .map(|(id, _)| *id)
            .collect()
    };
    for peer in targets {
        let req = sized_request(Request::Push {
            entries: vec![entry.wire().to_vec()],
        });
        match shared.net.request(peer, req).await {
            Ok(resp) if matches!(resp.value, Response::Pushed { .. }) => {}
            Ok(resp) => tracing::debug!(%peer, response = ?resp.value, "push not taken"),
            Err(e) => tracing::debug!(%peer, error = %e, "push failed"),
        }
    }
    if let Some(source) = source {
        fill_gap(shared, entry, source).await;
    }
}

/// Seq n arrived but not n-1: fetch the missing stretch from the sender.
async fn fill_gap(shared: &Arc<Shared>, entry: &SignedEntry, source: PeerId) {
    let (author, seq) = (entry.author(), entry.seq());
    if seq <= 1 {
        return;
    }
    let below = match shared
        .ledger
        .read(move |l| l.store().highest_seq_below(&author, seq))
        .await
    {
        Ok(Ok(s)) => s,
        _ => return,
    };
    if below + 1 >= seq {
        return;
    }
    let from = below + 1;
    let to = (seq - 1).min(from + MAX_CHAIN_FETCH - 1);
    let ask = shared
        .gaps
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .should_ask(author, from);
    if !ask {
        return;
    }
    tracing::debug!(author = %author.short(), from, to, "fetching a gap in the chain");
    match shared
        .net
        .request(
            source,
            sized_request(Request::FetchChain { author, from, to }),
        )
        .await
    {
        Ok(resp) => {
            if let Response::Entries { entries } = resp.value
                && !entries.is_empty()
            {
                Box::pin(ingest_from_peer(shared, source, entries)).await;
            }
        }
        Err(e) => tracing::debug!(error = %e, "gap fetch failed"),
    }
}
