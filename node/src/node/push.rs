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
        let mut queues = self.lock();
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
        let frames = take_frames(first, &mut queue, budget);
        let span = tracing::debug_span!("push", %peer, frames = frames.len());
        send(&shared, peer, frames).instrument(span).await;
    }
}

/// `first` and what is queued behind it, up to about `budget` bytes, as
/// `Push` frames built by the protocol's one batching rule
/// (`split_batches`: within the budget, the frame limit and the entry
/// count the receiver's decoder checks). What is left waits for the next
/// exchange.
fn take_frames(
    first: Vec<u8>,
    queue: &mut mpsc::Receiver<Vec<u8>>,
    budget: usize,
) -> Vec<Vec<Vec<u8>>> {
    let mut bytes = first.len();
    let mut taken = vec![first];
    while bytes < budget && taken.len() < MAX_BATCH_ENTRIES {
        match queue.try_recv() {
            Ok(wire) => {
                bytes += wire.len();
                taken.push(wire);
            }
            Err(_) => break,
        }
    }
    split_batches(taken, budget)
}

async fn send(shared: &Shared, peer: PeerId, frames: Vec<Vec<Vec<u8>>>) {
    for entries in frames {
        let req = sized_request(Request::Push { entries });
        match shared.net.request(peer, req).await {
            Ok(resp) if matches!(resp.value, Response::Pushed { .. }) => {}
            Ok(resp) => tracing::debug!(response = ?resp.value, "push not taken"),
            Err(e) => tracing::debug!(error = %e, "push failed; the next sync brings it"),
        }
    }
}

#[cfg(test)]
mod tests {
    use liandong_protocol::limits::MAX_ENTRY_CEILING;
    use liandong_protocol::net::MAX_FRAME_BYTES;

    use super::*;

    /// Whatever is queued — maximum-size entries or thousands of small ones
    /// — and whatever the pace allows, every frame the pusher builds is one
    /// the receiving post's decoder accepts.
    #[test]
    fn every_push_frame_is_one_the_receiver_accepts() {
        for (entry_len, queued) in [(MAX_ENTRY_CEILING, 40), (200, PUSH_QUEUE)] {
            for budget in [1, 4 * 1024, 1024 * 1024, MAX_FRAME_BYTES, usize::MAX] {
                let (tx, mut rx) = mpsc::channel(PUSH_QUEUE);
                for _ in 1..queued {
                    tx.try_send(vec![0xA5; entry_len])
                        .expect("room in the queue");
                }
                let frames = take_frames(vec![0xA5; entry_len], &mut rx, budget);
                assert!(!frames.is_empty());
                for entries in frames {
                    assert!(!entries.is_empty() && entries.len() <= MAX_BATCH_ENTRIES);
                    let push = Request::Push { entries };
                    let bytes = push.encode().expect("encode");
                    assert!(bytes.len() <= MAX_FRAME_BYTES, "{entry_len} B at {budget}");
                    assert_eq!(Request::decode(&bytes), Ok(push));
                }
            }
        }
    }
}
