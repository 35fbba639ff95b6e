//! Anti-entropy: one sync session with one peer, from the initiator's side.
//!
//! 1. Reconcile the (HLC, id) sets of the entries both posts hold
//!    (negentropy, `liandong_protocol::sync`), learning what each lacks.
//! 2. Fetch what this post lacks, in bounded batches, through the one
//!    validate→insert path.
//! 3. Push what the peer lacks, in bounded batches.
//!
//! A cascade that knows what arrived since the peer was last synced
//! (`policy::Effect::Sync::offer`) skips the reconciliation: it offers
//! those entries (step 3 alone), which costs 8 bytes an id where
//! reconciling a partly healed pair costs tens of bytes per difference.
//!
//! Every session records its round trips, bytes each way and entries moved.
//!
//! Every exchange is sized by the peer's pace (`pace.rs`): about 0.75 s
//! of the link each, one at a time, so that urgent gossip and pushes
//! never wait long behind a backlog and no request times out on a thin
//! link.

use std::sync::Arc;
use std::time::Instant;

use liandong_protocol::net::{MAX_FETCH_IDS, Request, Response, split_batches};
use liandong_protocol::sync::{ItemSet, Reconciliation, Step};
use liandong_protocol::{EntryId, Interest};
use libp2p::PeerId;
use tracing::Instrument;

use super::Shared;
use super::ingest::Via;
use crate::net::codec::sized_request;
use crate::policy::{Event, SyncRefusal};
use crate::service::sync::SyncStats;

#[derive(Debug, thiserror::Error)]
pub enum SyncFailure {
    #[error("peer {0} has not introduced itself yet")]
    NoHello(PeerId),
    #[error("a sync with {0} is already running")]
    Busy(PeerId),
    #[error("network: {0}")]
    Net(String),
    #[error("peer refused: {0}")]
    Refused(String),
    #[error("peer answered out of turn")]
    Unexpected,
    #[error("reconciliation: {0}")]
    Reconcile(#[from] liandong_protocol::sync::SyncError),
    #[error("store: {0}")]
    Store(String),
}

/// Runs one session with `peer` now (asked for by hand, or by the dialler
/// after a hello) and records it, success or not.
pub(crate) async fn sync_with(
    shared: &Arc<Shared>,
    peer: PeerId,
) -> Result<SyncStats, SyncFailure> {
    let session = shared.policy().start_sync(&peer).map_err(|e| match e {
        SyncRefusal::NoHello => SyncFailure::NoHello(peer),
        SyncRefusal::Busy => SyncFailure::Busy(peer),
    })?;
    run_session(shared, peer, session, None).await
}

/// Runs session `session` (started by the policy, `policy/mod.rs`) with
/// `peer` — an offer of `offer` when given, else a reconciliation —
/// records it, and tells the policy it ended.
pub(crate) async fn run_session(
    shared: &Arc<Shared>,
    peer: PeerId,
    session: u64,
    offer: Option<Vec<EntryId>>,
) -> Result<SyncStats, SyncFailure> {
    let result = recorded_session(shared, peer, offer).await;
    shared.apply(Event::SyncEnded { peer, session });
    result
}

async fn recorded_session(
    shared: &Arc<Shared>,
    peer: PeerId,
    offer: Option<Vec<EntryId>>,
) -> Result<SyncStats, SyncFailure> {
    let interest = {
        let peers = shared.lock_peers();
        let theirs = peers
            .by_id
            .get(&peer)
            .and_then(|p| p.interest())
            .ok_or(SyncFailure::NoHello(peer))?
            .clone();
        shared.interest.intersect(&theirs)
    };
    let started = Instant::now();
    let mut stats = SyncStats::new(peer);
    let span = tracing::debug_span!("sync", %peer);
    let result = match offer {
        Some(ids) => {
            offer_only(shared, peer, interest, ids, &mut stats)
                .instrument(span)
                .await
        }
        None => {
            run(shared, peer, interest, &mut stats)
                .instrument(span)
                .await
        }
    };
    stats.duration_ms = started.elapsed().as_millis() as u64;
    stats.ok = result.is_ok();
    stats.error = result.as_ref().err().map(ToString::to_string);
    shared
        .lock_peers()
        .record_sync(stats.clone(), crate::clock::now_ms());
    shared.metrics.sync_session(&stats);
    match &result {
        Ok(()) => tracing::debug!(
            %peer, rounds = stats.round_trips, fetched = stats.fetched, pushed = stats.pushed,
            sent = stats.bytes_sent, received = stats.bytes_received, "sync done"
        ),
        Err(e) => tracing::info!(%peer, error = %e, "sync failed"),
    }
    result.map(|()| stats)
}

async fn run(
    shared: &Arc<Shared>,
    peer: PeerId,
    interest: Interest,
    stats: &mut SyncStats,
) -> Result<(), SyncFailure> {
    // The same clamp the peer's decoder checks (one rule, both sides).
    let limit = liandong_protocol::sync::clamp_frame_limit(budget(shared, &peer)) as usize;
    // Reading the interest set and sealing it are CPU work over the whole
    // set: on the blocking pool, as every reconciliation step below.
    let scope = interest.clone();
    let started = shared
        .ledger
        .read(move |l| {
            let items = l
                .store()
                .items_in(&scope, None)
                .map_err(|e| SyncFailure::Store(e.to_string()))?;
            Ok::<_, SyncFailure>(Reconciliation::start(ItemSet::new(&items)?, limit)?)
        })
        .await
        .map_err(|e| SyncFailure::Store(e.to_string()))??;
    let (mut session, mut message) = started;
    let session_id: u64 = rand::random();
    let (have, need) = loop {
        let req = sized_request(Request::Reconcile {
            session: session_id,
            interest: interest.clone(),
            message,
            frame_limit: u32::try_from(limit).unwrap_or(u32::MAX),
        });
        let resp = exchange(shared, peer, req, stats).await?;
        stats.reconcile_bytes += stats.last;
        match resp {
            Response::Reconcile { message: reply } => {
                let (back, step) = tokio::task::spawn_blocking(move || {
                    let step = session.step(&reply);
                    (session, step)
                })
                .await
                .map_err(|e| SyncFailure::Store(e.to_string()))?;
                session = back;
                match step? {
                    Step::Send(next) => message = next,
                    Step::Done { have, need } => break (have, need),
                }
            }
            Response::Refused { detail, .. } => return Err(SyncFailure::Refused(detail)),
            _ => return Err(SyncFailure::Unexpected),
        }
    };
    stats.round_trips = session.round_trips();
    // The peer holds what this post needs: entries of them that arrive
    // from elsewhere meanwhile (another session claimed some) are not owed
    // to it.
    shared.apply(Event::Holds {
        peer,
        prefixes: need.iter().map(EntryId::prefix).collect(),
    });
    fetch(shared, peer, need, stats).await?;
    push(shared, peer, have, stats).await
}

/// Offers the peer the entries of `ids` that the session's scope holds
/// and pushes those it wants: a cascade that carries what arrived.
async fn offer_only(
    shared: &Arc<Shared>,
    peer: PeerId,
    interest: Interest,
    ids: Vec<EntryId>,
    stats: &mut SyncStats,
) -> Result<(), SyncFailure> {
    let in_scope = shared
        .ledger
        .read(move |l| -> Result<Vec<EntryId>, String> {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(e) = l.store().get(&id).map_err(|e| e.to_string())?
                    && interest.contains(&e.header().scope)
                {
                    out.push(id);
                }
            }
            Ok(out)
        })
        .await
        .map_err(|e| SyncFailure::Store(e.to_string()))?
        .map_err(SyncFailure::Store)?;
    push(shared, peer, in_scope, stats).await
}

/// The bytes the next exchange with `peer` may carry.
pub(super) fn budget(shared: &Shared, peer: &PeerId) -> usize {
    shared
        .lock_peers()
        .by_id
        .get(peer)
        .map_or(super::pace::START_BUDGET, |p| p.pace.budget())
}

/// Sends one request, counts its bytes both ways, and lets the peer's pace
/// learn from how long it took.
async fn exchange(
    shared: &Arc<Shared>,
    peer: PeerId,
    req: crate::net::codec::Sized<Request>,
    stats: &mut SyncStats,
) -> Result<Response, SyncFailure> {
    let sent = req.bytes as u64;
    let started = Instant::now();
    let result = shared.net.request(peer, req).await;
    let took = started.elapsed();
    let mut peers = shared.lock_peers();
    let pace = peers.by_id.get_mut(&peer).map(|p| &mut p.pace);
    let resp = match result {
        Ok(resp) => resp,
        Err(e) => {
            if let Some(pace) = pace {
                pace.failed();
            }
            return Err(SyncFailure::Net(e.to_string()));
        }
    };
    if let Some(pace) = pace {
        pace.observe(sent as usize + resp.bytes, took);
        if let Response::Entries { entries } = &resp.value {
            pace.saw_entries(entries.iter().map(Vec::len));
        }
    }
    drop(peers);
    stats.bytes_sent += sent;
    stats.bytes_received += resp.bytes as u64;
    stats.last = sent + resp.bytes as u64;
    Ok(resp.value)
}

/// Fetches the ids this post lacks; the peer may answer a request in part
/// (its frame limit), so unanswered ids are asked for again until a round
/// brings nothing new.
pub(crate) async fn fetch(
    shared: &Arc<Shared>,
    peer: PeerId,
    mut need: Vec<EntryId>,
    stats: &mut SyncStats,
) -> Result<(), SyncFailure> {
    while !need.is_empty() {
        let count = shared
            .lock_peers()
            .by_id
            .get(&peer)
            .map_or(1, |p| p.pace.fetch_count(MAX_FETCH_IDS));
        let max_bytes = u32::try_from(budget(shared, &peer)).unwrap_or(u32::MAX);
        let wanted: Vec<EntryId> = need.drain(..need.len().min(count)).collect();
        // Another session may be fetching the same entries right now (a
        // heal sets off syncs with every peer at once): leave those to it.
        // One may also have brought some since the reconciliation.
        let batch = shared
            .claim_fetches(wanted)
            .await
            .map_err(SyncFailure::Store)?;
        if batch.is_empty() {
            continue;
        }
        let resp = exchange(
            shared,
            peer,
            sized_request(Request::Fetch {
                prefixes: batch.iter().map(EntryId::prefix).collect(),
                max_bytes,
            }),
            stats,
        )
        .await;
        let entries = match resp {
            Ok(Response::Entries { entries }) => entries,
            other => {
                shared.release_fetches(&batch);
                return Err(match other {
                    Ok(Response::Refused { detail, .. }) => SyncFailure::Refused(detail),
                    Ok(_) => SyncFailure::Unexpected,
                    Err(e) => e,
                });
            }
        };
        if entries.is_empty() {
            // The peer no longer has them (or will not give them): stop.
            shared.release_fetches(&batch);
            break;
        }
        let received: std::collections::HashSet<EntryId> =
            entries.iter().map(|w| EntryId::of_wire_bytes(w)).collect();
        stats.entry_bytes += entries.iter().map(|e| e.len() as u64).sum::<u64>();
        stats.fetched += entries.len() as u64;
        super::ingest::from_peer(shared, Via::Sync, peer, entries).await;
        shared.release_fetches(&batch);
        need.extend(batch.into_iter().filter(|id| !received.contains(id)));
    }
    Ok(())
}

/// Offers the ids the peer lacks, then pushes the entries it still wants,
/// in frames of bounded size.
async fn push(
    shared: &Arc<Shared>,
    peer: PeerId,
    have: Vec<EntryId>,
    stats: &mut SyncStats,
) -> Result<(), SyncFailure> {
    for offered in have.chunks(MAX_FETCH_IDS) {
        let ids = match exchange(
            shared,
            peer,
            sized_request(Request::Offer {
                prefixes: offered.iter().map(EntryId::prefix).collect(),
            }),
            stats,
        )
        .await?
        {
            Response::Wanted { indexes } => {
                // Wanted or not, the peer has them, or soon will.
                shared.apply(Event::Holds {
                    peer,
                    prefixes: offered.iter().map(EntryId::prefix).collect(),
                });
                indexes
                    .into_iter()
                    .filter_map(|i| offered.get(i as usize).copied())
                    .collect::<Vec<_>>()
            }
            Response::Refused { detail, .. } => return Err(SyncFailure::Refused(detail)),
            _ => return Err(SyncFailure::Unexpected),
        };
        if ids.is_empty() {
            continue;
        }
        let wires = shared
            .ledger
            .read(move |l| -> Result<Vec<Vec<u8>>, String> {
                let mut out = Vec::with_capacity(ids.len());
                for id in &ids {
                    if let Some(w) = l.store().get_wire(id).map_err(|e| e.to_string())? {
                        out.push(w);
                    }
                }
                Ok(out)
            })
            .await
            .map_err(|e| SyncFailure::Store(e.to_string()))?
            .map_err(SyncFailure::Store)?;
        for frame in split_batches(wires, budget(shared, &peer)) {
            let n = frame.len() as u64;
            let bytes: u64 = frame.iter().map(|w| w.len() as u64).sum();
            match exchange(
                shared,
                peer,
                sized_request(Request::Push { entries: frame }),
                stats,
            )
            .await?
            {
                Response::Pushed { .. } => {
                    stats.pushed += n;
                    stats.entry_bytes += bytes;
                }
                Response::Refused { detail, .. } => return Err(SyncFailure::Refused(detail)),
                _ => return Err(SyncFailure::Unexpected),
            }
        }
    }
    Ok(())
}
