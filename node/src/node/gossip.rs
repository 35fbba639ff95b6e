//! Live propagation: validating gossip, announcing new entries, pushing
//! them to posts above that are not in the entry's topic, and filling gaps
//! in an author's chain.

use std::sync::Arc;
use std::time::Instant;

use liandong_protocol::net::{MAX_CHAIN_FETCH, Request, Response};
use liandong_protocol::{NodeId, SignedEntry};

use libp2p::PeerId;
use libp2p::gossipsub::{MessageAcceptance, MessageId};

use super::Shared;
use super::ingest::{self, Origin, Via};
use crate::ledger::ItemOutcome;
use crate::metrics::{GossipOutcome, Source};
use crate::net::codec::sized_request;

/// Certificate chains asked for after one delivery, at most.
const MAX_CHAINS_PER_ROUND: usize = 8;

/// Validates a gossip message and tells gossipsub whether to forward it.
pub async fn on_gossip(
    shared: &Arc<Shared>,
    source: PeerId,
    id: MessageId,
    data: Vec<u8>,
    received: Instant,
) {
    let origin = Origin::peer(Via::Gossip, source);
    shared.metrics.gossip_bytes(data.len());
    let started = Instant::now();
    let stored = ingest::store(shared, origin, vec![data]).await;
    let stored_at = Instant::now();
    let (outcomes, effects) = match stored {
        Ok(ingested) => ingested,
        Err(_) => {
            // The store is failing: do not blame the peer.
            shared.metrics.gossip_received(GossipOutcome::Error);
            shared
                .net
                .report(id, source, MessageAcceptance::Ignore)
                .await;
            return;
        }
    };
    let outcome = outcomes.first();
    let acceptance = match outcome {
        Some(ItemOutcome::Added(_) | ItemOutcome::Fork(_)) => MessageAcceptance::Accept,
        // Valid and for this topic, though not this post's to keep (a
        // sibling village's report): forward it so the topic's other
        // posts, who may want it, still get it.
        Some(ItemOutcome::OutOfScope(_)) => MessageAcceptance::Accept,
        // Bytes no honest post relays, or an author's own unauthorised
        // entry, penalise the sender (the blame rules are in `ingest.rs`);
        // what honest posts may judge differently (a clock ahead of this
        // one, certificates not yet here, a revocation the relay had not
        // heard of) is dropped without blame.
        Some(ItemOutcome::Rejected(e)) if effects.blame > 0 => {
            tracing::debug!(peer = %source, reason = %e, "invalid gossip rejected");
            MessageAcceptance::Reject
        }
        Some(ItemOutcome::Refused(e)) if effects.blame > 0 => {
            tracing::debug!(peer = %source, reason = %e, "unauthorised gossip rejected");
            MessageAcceptance::Reject
        }
        Some(ItemOutcome::Rejected(e)) => {
            tracing::debug!(peer = %source, reason = %e, "gossip ignored: no fault of the sender's");
            MessageAcceptance::Ignore
        }
        Some(ItemOutcome::Refused(e)) => {
            tracing::debug!(peer = %source, reason = %e, "gossip refused without blame");
            MessageAcceptance::Ignore
        }
        Some(ItemOutcome::Duplicate(_)) | None => MessageAcceptance::Ignore,
    };
    record(shared, source, outcome);
    shared.net.report(id, source, acceptance).await;
    ingest::carry_out(shared, origin, &outcomes, &effects).await;
    // Where a hop's time goes: waiting for a handler, storing, telling.
    tracing::debug!(
        queued_us = started.duration_since(received).as_micros() as u64,
        store_us = stored_at.duration_since(started).as_micros() as u64,
        told_us = stored_at.elapsed().as_micros() as u64,
        "gossip handled"
    );
    ingest::follow_up(shared, origin, &outcomes, effects).await;
}

/// Asks `peer` for the certificate chains of the authors of `entries`
/// (each author at most once a minute) and stores them. True if any chain
/// was stored.
pub async fn fetch_chains(shared: &Arc<Shared>, peer: PeerId, entries: &[Vec<u8>]) -> bool {
    let mut authors: Vec<NodeId> = entries
        .iter()
        .filter_map(|w| SignedEntry::decode_stored(w).ok())
        .map(|e| e.author())
        .collect();
    authors.sort();
    authors.dedup();
    let mut stored = false;
    for author in authors.into_iter().take(MAX_CHAINS_PER_ROUND) {
        // Seq 0 never names an entry: it keys "the chain of this author".
        let ask = shared.policy().gaps.should_ask(author, 0, Instant::now());
        if !ask {
            continue;
        }
        let chain = match shared
            .net
            .request(peer, sized_request(Request::Chain { node: author }))
            .await
        {
            Ok(resp) => match resp.value {
                Response::Entries { entries } if !entries.is_empty() => entries,
                _ => continue,
            },
            Err(e) => {
                tracing::debug!(%peer, error = %e, "chain request failed");
                continue;
            }
        };
        let origin = Origin::peer(Via::Chain, peer);
        if let Ok((outcomes, _)) = ingest::ingest(shared, origin, chain).await
            && outcomes.iter().any(|o| o.new_entry().is_some())
        {
            tracing::debug!(author = %author.short(), "stored a certificate chain from outside this post's interest");
            stored = true;
        }
    }
    stored
}

/// Counts a gossip message by what became of it, and notes that its
/// sender was heard from.
fn record(shared: &Shared, source: PeerId, outcome: Option<&ItemOutcome>) {
    let m = &shared.metrics;
    match outcome {
        Some(ItemOutcome::Added(_) | ItemOutcome::Fork(_)) => {
            m.gossip_received(GossipOutcome::Accepted)
        }
        Some(ItemOutcome::OutOfScope(_)) => m.gossip_received(GossipOutcome::OutOfScope),
        Some(ItemOutcome::Duplicate(_)) | None => m.gossip_received(GossipOutcome::Duplicate),
        Some(ItemOutcome::Rejected(e)) => {
            m.gossip_received(GossipOutcome::Rejected);
            m.rejected(Source::Gossip, e.label());
        }
        Some(ItemOutcome::Refused(e)) => {
            m.gossip_received(GossipOutcome::Refused);
            m.rejected(Source::Gossip, e.label());
        }
    }
    shared.lock_peers().touch(&source, crate::clock::now_ms());
}

/// Spreads an entry this post just wrote (or evidence it found): its
/// topic, and posts above.
pub async fn announce(shared: &Arc<Shared>, entry: &SignedEntry, source: Option<PeerId>) {
    let topic = shared.topic_of(&entry.header().scope);
    let published = shared.net.publish(topic, entry.wire().to_vec()).await;
    shared.metrics.gossip_published(published.is_ok());
    if let Err(e) = published {
        // Normal for a post with no peer in the topic yet; sync delivers.
        tracing::debug!(error = %e, "entry not gossiped");
    }
    after_new_entry(shared, entry, source);
}

/// After a new entry is stored: tell listeners, measure it, and queue it
/// for connected posts that hold its scope but are not in its gossip topic
/// (posts above the county; `push.rs`).
pub fn after_new_entry(shared: &Arc<Shared>, entry: &SignedEntry, source: Option<PeerId>) {
    let h = entry.header();
    observe_latency(shared, entry);
    let _ = shared.new_entries.send(crate::service::events::NewEntry {
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
            .filter(|(id, p)| Some(**id) != source && p.needs_push(scope))
            .map(|(id, _)| *id)
            .collect()
    };
    for peer in targets {
        shared.pushers.push(shared, peer, entry.wire().to_vec());
    }
}

/// Latency metrics of a new entry: how long another post's entry took to
/// get here, and for a 首报, how long after the occurrence it was written.
fn observe_latency(shared: &Shared, entry: &SignedEntry) {
    let h = entry.header();
    let written_ms = h.hlc.wall_ms();
    if h.author != shared.node_id {
        shared
            .metrics
            .arrival(crate::clock::now_ms().saturating_sub(written_ms));
    }
    if h.kind == liandong_protocol::Kind::INCIDENT_REPORT
        && let Ok(liandong_protocol::Body::IncidentReport(r)) = entry.body()
        && r.phase == liandong_protocol::domain::Phase::Initial
    {
        shared
            .metrics
            .first_report(written_ms.saturating_sub(r.occurred_ms));
    }
}

/// Seq n arrived but not n-1: fetch the missing stretch from the sender.
/// Returns how many entries it added.
pub async fn fill_gap(shared: &Arc<Shared>, entry: &SignedEntry, source: PeerId) -> usize {
    let (author, seq) = (entry.author(), entry.seq());
    if seq <= 1 {
        return 0;
    }
    let below = match shared
        .ledger
        .read(move |l| l.store().highest_seq_below(&author, seq))
        .await
    {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "cannot read an author's chain; gap not fetched");
            return 0;
        }
        Err(e) => {
            tracing::warn!(error = %e, "gap not fetched");
            return 0;
        }
    };
    if below + 1 >= seq {
        return 0;
    }
    let from = below + 1;
    // As many as the link to the sender carries in one paced exchange.
    let count = shared
        .lock_peers()
        .by_id
        .get(&source)
        .map_or(1, |p| p.pace.fetch_count(MAX_CHAIN_FETCH as usize)) as u64;
    let to = (seq - 1).min(from + count - 1);
    let ask = shared
        .policy()
        .gaps
        .should_ask(author, from, Instant::now());
    if !ask {
        return 0;
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
        Ok(resp) => match resp.value {
            Response::Entries { entries } if !entries.is_empty() => {
                Box::pin(ingest::from_peer(shared, Via::GapFetch, source, entries)).await
            }
            _ => 0,
        },
        Err(e) => {
            tracing::debug!(error = %e, "gap fetch failed");
            0
        }
    }
}
