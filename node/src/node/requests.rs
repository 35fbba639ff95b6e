//! Answering peers' requests, and the hello that opens a connection.
//!
//! A malformed or refused request ends that exchange with a reason; it
//! never ends the node.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use liandong_protocol::net::{
    Hello, MAX_FRAME_BYTES, MAX_PREFIX_MATCHES, RefusalReason, Request, Response, split_batches,
};
use liandong_protocol::sync::{self, ItemSet};
use liandong_protocol::{EntryId, Interest, NodeId, SignedEntry};
use libp2p::PeerId;
use libp2p::request_response::ResponseChannel;

use super::Shared;
use super::ingest::{self, Via};
use crate::net::codec::{Sized, sized_request, sized_response};
use crate::policy::Event;

/// Item sets kept for sessions in progress.
const RESPONDER_SESSIONS: usize = 16;
/// How long an idle session's item set is kept.
const SESSION_TTL: Duration = Duration::from_secs(60);

/// The responder's item sets per (peer, session), so a multi-round
/// reconciliation reads the store once.
#[derive(Debug, Default)]
pub struct ResponderCache {
    sessions: Mutex<VecDeque<CachedSession>>,
}

/// (peer, session id, last used, item set).
type CachedSession = (PeerId, u64, Instant, Arc<ItemSet>);

impl ResponderCache {
    fn get(&self, peer: PeerId, session: u64) -> Option<Arc<ItemSet>> {
        let mut s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        s.retain(|(_, _, at, _)| now.duration_since(*at) < SESSION_TTL);
        let found = s
            .iter_mut()
            .find(|(p, id, _, _)| *p == peer && *id == session)?;
        found.2 = now;
        Some(Arc::clone(&found.3))
    }

    fn put(&self, peer: PeerId, session: u64, items: Arc<ItemSet>) {
        let mut s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        if s.len() >= RESPONDER_SESSIONS {
            s.pop_front();
        }
        s.push_back((peer, session, Instant::now(), items));
    }
}

/// A request's kind, for logs and spans.
pub(super) fn kind_of(request: &Request) -> &'static str {
    match request {
        Request::Hello(_) => "hello",
        Request::Reconcile { .. } => "reconcile",
        Request::Fetch { .. } => "fetch",
        Request::FetchChain { .. } => "fetch_chain",
        Request::Push { .. } => "push",
        Request::Chain { .. } => "chain",
        Request::Offer { .. } => "offer",
        Request::Notice(_) => "notice",
    }
}

fn refused(reason: RefusalReason, detail: impl Into<String>) -> Response {
    Response::Refused {
        reason,
        detail: detail.into(),
    }
}

pub async fn refuse_throttled(shared: &Arc<Shared>, channel: ResponseChannel<Sized<Response>>) {
    let resp = refused(
        RefusalReason::Throttled,
        "too many requests in flight; slow down",
    );
    shared.net.respond(channel, sized_response(resp)).await;
}

/// Checks a peer's hello: same network, the key of the connection, and —
/// in a network with a genesis — a valid certificate chain (the one it
/// shows, or one this post already holds for it). On success records it,
/// and only then takes in the certificates it brought about this post.
async fn accept_hello(shared: &Arc<Shared>, peer: PeerId, hello: Hello) -> Result<(), String> {
    let network = shared.ledger.ledger().network();
    if hello.network != network {
        return Err(format!(
            "peer is on network {}, not {}",
            hello.network.short(),
            network.short()
        ));
    }
    if peer_id_of(&hello.node) != Some(peer) {
        return Err("hello names a key that is not the connection's".into());
    }
    let node = hello.node;
    let chain = hello.chain.clone().unwrap_or_default();
    let admitted = shared
        .ledger
        .read(move |l| {
            if !l.trust_enabled() {
                return Ok(());
            }
            if l.current_post(&node).is_some() {
                return Ok(());
            }
            l.verify_peer_chain(&node, &chain)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())?;
    if let Err(reason) = admitted {
        return Err(format!(
            "no valid certificate chain / 未能出示有效证书链: {reason}"
        ));
    }
    tracing::debug!(%peer, region = %hello.region, "peer introduced itself");
    // Certificates the admitted peer brought about this post (a parent
    // handing a newcomer its chain): through the one ingest path, counted
    // like any other delivery.
    let for_you = hello.for_you.clone();
    shared
        .lock_peers()
        .set_hello(&peer, hello, crate::clock::now_ms());
    shared.apply(Event::Admitted(peer));
    if !for_you.is_empty() {
        let added = ingest::from_peer(shared, Via::Hello, peer, for_you).await;
        if added > 0 {
            tracing::info!(%peer, added, "certificates received from a peer / 收到对等节点转交的证书");
        }
    }
    Ok(())
}

pub(crate) fn peer_id_of(node: &NodeId) -> Option<PeerId> {
    let key = libp2p::identity::ed25519::PublicKey::try_from_bytes(node.as_bytes()).ok()?;
    Some(libp2p::identity::PublicKey::from(key).to_peer_id())
}

/// The post key behind a peer id (ed25519 peer ids embed the key).
fn node_of(peer: &PeerId) -> Option<NodeId> {
    let multihash: &libp2p::multihash::Multihash<64> = peer.as_ref();
    let key = libp2p::identity::PublicKey::try_decode_protobuf(multihash.digest()).ok()?;
    Some(NodeId(key.try_into_ed25519().ok()?.to_bytes()))
}

/// How long a refused peer's connection stays open after the refusal was
/// handed to the network, so the refusal (and its reason) reaches the peer
/// before the ban closes the connection.
const REFUSAL_GRACE: Duration = Duration::from_millis(250);

/// Keeps a refused peer out for a while (the policy's ban) and says why in
/// the log.
async fn refuse_peer(shared: &Arc<Shared>, peer: PeerId, reason: &str) {
    tracing::warn!(%peer, %reason, "peer refused at hello / 拒绝对等节点");
    shared.lock_peers().disconnected(&peer);
    tokio::time::sleep(REFUSAL_GRACE).await;
    shared.apply(Event::Refused {
        peer,
        why: reason.to_string(),
    });
}

/// Called by the dialling side of a new connection: exchange hellos, then
/// sync at once so a post that was cut off catches up.
pub async fn introduce(shared: &Arc<Shared>, peer: PeerId) {
    let hello = shared.hello(node_of(&peer)).await;
    let resp = match shared
        .net
        .request(peer, sized_request(Request::Hello(hello)))
        .await
    {
        Ok(resp) => resp.value,
        Err(e) => {
            tracing::debug!(%peer, error = %e, "hello failed");
            return;
        }
    };
    match resp {
        Response::Hello(theirs) => {
            if let Err(reason) = accept_hello(shared, peer, theirs).await {
                refuse_peer(shared, peer, &reason).await;
                return;
            }
            let _ = super::sync::sync_with(shared, peer).await;
        }
        Response::Refused { detail, .. } => {
            tracing::warn!(%peer, %detail, "peer refused our hello / 对方拒绝连接");
        }
        _ => tracing::debug!(%peer, "unexpected answer to hello"),
    }
}

pub async fn on_request(
    shared: &Arc<Shared>,
    peer: PeerId,
    request: Request,
    channel: ResponseChannel<Sized<Response>>,
) {
    let response = match request {
        Request::Hello(hello) => {
            let node = hello.node;
            match accept_hello(shared, peer, hello).await {
                Ok(()) => Response::Hello(shared.hello(Some(node)).await),
                Err(reason) => {
                    let resp = refused(RefusalReason::Unauthorised, reason.clone());
                    shared.net.respond(channel, sized_response(resp)).await;
                    refuse_peer(shared, peer, &reason).await;
                    return;
                }
            }
        }
        Request::Reconcile {
            session,
            interest,
            message,
            frame_limit,
        } => {
            reconcile(
                shared,
                peer,
                session,
                interest,
                &message,
                frame_limit as usize,
            )
            .await
        }
        Request::Fetch {
            prefixes,
            max_bytes,
        } => fetch(shared, peer, prefixes, max_bytes as usize).await,
        Request::FetchChain { author, from, to } => {
            fetch_chain(shared, peer, author, from, to).await
        }
        Request::Chain { .. } if peer_interest(shared, &peer).is_none() => {
            refused(RefusalReason::Unavailable, "say hello first")
        }
        Request::Chain { node } => match shared.ledger.read(move |l| l.chain_of(&node)).await {
            Ok(Ok(chain)) => Response::Entries {
                entries: chain.unwrap_or_default(),
            },
            Ok(Err(e)) => store_unavailable("chain", &e),
            Err(e) => store_unavailable("chain", &e),
        },
        Request::Offer { .. } if peer_interest(shared, &peer).is_none() => {
            refused(RefusalReason::Unavailable, "say hello first")
        }
        Request::Offer { prefixes } => {
            // The peer holds these: no cascade need offer them back.
            shared.apply(Event::Holds {
                peer,
                prefixes: prefixes.clone(),
            });
            wanted(shared, prefixes).await
        }
        Request::Push { .. } if peer_interest(shared, &peer).is_none() => {
            refused(RefusalReason::Unavailable, "say hello first")
        }
        Request::Notice(notice) => {
            shared.on_notice(peer, notice);
            Response::Noted
        }
        Request::Push { entries } => {
            let n = entries.len() as u32;
            let ids: Vec<EntryId> = entries.iter().map(|w| EntryId::of_wire_bytes(w)).collect();
            let added = ingest::from_peer(shared, Via::Push, peer, entries).await as u32;
            shared.release_fetches(&ids);
            Response::Pushed {
                added,
                rejected: n.saturating_sub(added),
            }
        }
    };
    shared.net.respond(channel, sized_response(response)).await;
}

/// Of the offered entries, those this post lacks and nobody else is
/// bringing; they are claimed until the push arrives.
async fn wanted(shared: &Arc<Shared>, prefixes: Vec<[u8; 8]>) -> Response {
    match shared.claim_lacking(&prefixes).await {
        Ok(wanted) => Response::Wanted {
            indexes: wanted
                .iter()
                .enumerate()
                .filter(|(_, want)| **want)
                .map(|(i, _)| i as u32)
                .collect(),
        },
        Err(e) => store_unavailable("offer", &e),
    }
}

/// The peer's interest, known from its hello; requests before a hello are
/// refused, since this post would not know what it may send.
fn peer_interest(shared: &Shared, peer: &PeerId) -> Option<Interest> {
    shared
        .lock_peers()
        .by_id
        .get(peer)
        .and_then(|p| p.interest().cloned())
}

async fn reconcile(
    shared: &Arc<Shared>,
    peer: PeerId,
    session: u64,
    interest: Interest,
    message: &[u8],
    frame_limit: usize,
) -> Response {
    if peer_interest(shared, &peer).is_none() {
        return refused(RefusalReason::Unavailable, "say hello first");
    }
    let items = match shared.responder.get(peer, session) {
        Some(items) => items,
        None => {
            // A new session: the peer reconciles against everything held
            // now, so a cascade owed to it is paid (policy `Served`).
            shared.apply(Event::Served(peer));
            // Never reveal more than this post holds for itself.
            let scope = interest.intersect(&shared.interest);
            // Reading and sealing the set is CPU work over all of it: on
            // the blocking pool, not an executor thread.
            let built = shared
                .ledger
                .read(move |l| {
                    let items = l
                        .store()
                        .items_in(&scope, None)
                        .map_err(|e| e.to_string())?;
                    ItemSet::new(&items).map_err(|e| e.to_string())
                })
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r);
            match built {
                Ok(items) => {
                    let items = Arc::new(items);
                    shared.responder.put(peer, session, Arc::clone(&items));
                    items
                }
                Err(e) => return refused(RefusalReason::Unavailable, e),
            }
        }
    };
    let message = message.to_vec();
    let answered =
        tokio::task::spawn_blocking(move || sync::respond(&items, &message, frame_limit)).await;
    let Ok(answered) = answered else {
        return refused(RefusalReason::Unavailable, "stopping");
    };
    match answered {
        Ok(reply) => Response::Reconcile { message: reply },
        Err(e) => {
            tracing::debug!(%peer, error = %e, "malformed reconciliation message");
            refused(RefusalReason::Malformed, e.to_string())
        }
    }
}

/// Entries by id prefix, only those the peer may hold, within the bytes it
/// asked for (at least one entry).
async fn fetch(
    shared: &Arc<Shared>,
    peer: PeerId,
    prefixes: Vec<[u8; 8]>,
    max_bytes: usize,
) -> Response {
    let Some(interest) = peer_interest(shared, &peer) else {
        return refused(RefusalReason::Unavailable, "say hello first");
    };
    // Reading, decoding and batching on the blocking pool.
    let read = shared
        .ledger
        .read(move |l| {
            let mut out = Vec::new();
            for prefix in &prefixes {
                out.extend(l.store().wires_with_prefix(prefix, MAX_PREFIX_MATCHES)?);
            }
            Ok::<_, crate::store::StoreError>(first_batch(
                filter_interest(out, &interest),
                max_bytes,
            ))
        })
        .await;
    match read {
        Ok(Ok(entries)) => Response::Entries { entries },
        Ok(Err(e)) => store_unavailable("fetch", &e),
        Err(e) => store_unavailable("fetch", &e),
    }
}

async fn fetch_chain(
    shared: &Arc<Shared>,
    peer: PeerId,
    author: NodeId,
    from: u64,
    to: u64,
) -> Response {
    let Some(interest) = peer_interest(shared, &peer) else {
        return refused(RefusalReason::Unavailable, "say hello first");
    };
    let read = shared
        .ledger
        .read(move |l| {
            let wires = l.store().chain_range(&author, from, to)?;
            Ok::<_, crate::store::StoreError>(first_batch(
                filter_interest(wires, &interest),
                MAX_FRAME_BYTES,
            ))
        })
        .await;
    match read {
        Ok(Ok(entries)) => Response::Entries { entries },
        Ok(Err(e)) => store_unavailable("chain fetch", &e),
        Err(e) => store_unavailable("chain fetch", &e),
    }
}

/// The answer when this post's store cannot serve a request: said in the
/// log and to the peer, never passed off as "nothing here".
fn store_unavailable(what: &str, error: &dyn std::fmt::Display) -> Response {
    tracing::warn!(request = what, %error, "cannot serve a peer's request from the store");
    refused(
        RefusalReason::Unavailable,
        format!("store unavailable / 存储不可用: {error}"),
    )
}

fn filter_interest(wires: Vec<Vec<u8>>, interest: &Interest) -> Vec<Vec<u8>> {
    wires
        .into_iter()
        .filter(|w| {
            SignedEntry::decode_stored(w).is_ok_and(|e| interest.contains(&e.header().scope))
        })
        .collect()
}

/// As many entries, in order, as fit `max_bytes` of a response frame.
fn first_batch(wires: Vec<Vec<u8>>, max_bytes: usize) -> Vec<Vec<u8>> {
    split_batches(wires, max_bytes)
        .into_iter()
        .next()
        .unwrap_or_default()
}
