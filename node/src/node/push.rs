//! Pushes to posts above: a connected post that holds an entry's scope but
//! is not in its gossip topic (the prefecture and province above a county)
//! gets new entries by request.
//!
//! One queue and one task per peer. Nobody waits for a push: the operator's
//! write returns once the entry is durable, a received entry's handler
//! moves on, a stalled peer holds up only its own queue, and a burst goes
//! in a few batched requests (each within the peer's pace, `pace.rs`)
//! rather than one awaited request per entry. A full queue drops the
//! entry: the next sync with that peer brings it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use liandong_protocol::net::{MAX_BATCH_ENTRIES, Request, Response, split_batches};
use libp2p::PeerId;
use tokio::sync::mpsc;
use tracing::Instrument;

use super::Shared;
use crate::net::codec::sized_request;

/// Entries waiting for one peer, at most.
pub const PUSH_QUEUE: usize = 4096;

/// The push queues, by peer.
#[derive(Debug, Default)]
pub(crate) struct Pushers {
    queues: Mutex<HashMap<PeerId, mpsc::Sender<Vec<u8>>>>,
}

impl Pushers {
    /// Queues `wire` for `peer`, starting the peer's queue if needed.
    pub fn push(&self, shared: &Arc<Shared>, peer: PeerId, wire: Vec<u8>) {
        let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        let queue = queues.entry(peer).or_insert_with(|| {
            let (tx, rx) = mpsc::channel(PUSH_QUEUE);
            tokio::spawn(drain(Arc::clone(shared), peer, rx));
            tx
        });
        match queue.try_send(wire) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::debug!(%peer, "push queue full; the next sync brings the entry");
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                queues.remove(&peer);
            }
        }
    }

    /// Ends `peer`'s queue (it disconnected): what is queued is dropped
    /// with it, and the next sync after it reconnects brings it.
    pub fn forget(&self, peer: &PeerId) {
        self.lock().remove(peer);
    }

    /// Ends every queue (the node stops).
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PeerId, mpsc::Sender<Vec<u8>>>> {
        self.queues.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Sends what is queued for `peer`, a batch at a time, until the queue ends.
async fn drain(shared: Arc<Shared>, peer: PeerId, mut queue: mpsc::Receiver<Vec<u8>>) {
    while let Some(first) = queue.recv().await {
        let budget = super::sync::budget(&shared, &peer);
        let mut bytes = first.len();
        let mut batch = vec![first];
        while bytes < budget && batch.len() < MAX_BATCH_ENTRIES {
            match queue.try_recv() {
                Ok(wire) => {
                    bytes += wire.len();
                    batch.push(wire);
                }
                Err(_) => break,
            }
        }
        let span = tracing::debug_span!("push", %peer, entries = batch.len());
        send(&shared, peer, batch, budget).instrument(span).await;
    }
}

async fn send(shared: &Shared, peer: PeerId, batch: Vec<Vec<u8>>, budget: usize) {
    for entries in split_batches(batch, budget) {
        let req = sized_request(Request::Push { entries });
        match shared.net.request(peer, req).await {
            Ok(resp) if matches!(resp.value, Response::Pushed { .. }) => {}
            Ok(resp) => tracing::debug!(response = ?resp.value, "push not taken"),
            Err(e) => tracing::debug!(error = %e, "push failed; the next sync brings it"),
        }
    }
}
