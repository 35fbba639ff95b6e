//! The one door into a running post: typed commands on a bounded channel
//! from [`super::NodeHandle`] to the node loop (`core.rs`), which serves
//! each in a task of its own, so a slow one (a sync over a thin link, a
//! bundle of thousands of entries) holds up nothing else.
//!
//! Reads that change nothing (status once stopped, digests, the peers
//! heard from) and `subscribe` stay direct calls on the handle: a listener
//! must be registered before the action it wants to observe, with no
//! queue in between.

use std::sync::Arc;

use liandong_protocol::{Body, RegionCode, SignedEntry, Status};
use libp2p::{Multiaddr, PeerId};
use tokio::sync::oneshot;

use super::ingest::{self, Origin};
use super::shared::Shared;
use super::sync::{self, SyncFailure};
use super::{gossip, status};
use crate::bundle::{BundleError, ImportSummary};
use crate::ledger::{Entering, LedgerError};
use crate::net::NetError;
use crate::service::status::NodeStatus;
use crate::service::sync::SyncStats;

/// Commands waiting for the node loop; senders wait when it is full.
pub const COMMAND_QUEUE: usize = 64;

/// A bundle's bytes, as the console or the demo hands them over.
pub type BundleBytes = Box<dyn AsRef<[u8]> + Send + Sync>;

/// What a handle may ask of the node.
pub enum NodeCommand {
    /// Write an entry by this post; answered once it is durable and handed
    /// to gossip (pushes to posts above follow in the background).
    Author {
        scope: RegionCode,
        status: Status,
        body: Body,
        /// Who at the post entered it (recorded in the entry when known)
        /// and whom it is restricted to. Boxed, like the ledger's command.
        entering: Box<Entering>,
        reply: oneshot::Sender<Result<SignedEntry, LedgerError>>,
    },
    /// Take in a bundle through the one ingest path.
    ImportBundle {
        bytes: BundleBytes,
        reply: oneshot::Sender<Result<ImportSummary, BundleError>>,
    },
    /// Run one sync session with a connected peer now.
    Sync {
        peer: PeerId,
        reply: oneshot::Sender<Result<SyncStats, SyncFailure>>,
    },
    Dial {
        addr: Multiaddr,
        reply: oneshot::Sender<Result<(), NetError>>,
    },
    Status {
        reply: oneshot::Sender<NodeStatus>,
    },
    /// Stop, drain and flush; answered when stopped.
    Shutdown(oneshot::Sender<()>),
}

impl std::fmt::Debug for NodeCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NodeCommand::Author { .. } => "Author",
            NodeCommand::ImportBundle { .. } => "ImportBundle",
            NodeCommand::Sync { .. } => "Sync",
            NodeCommand::Dial { .. } => "Dial",
            NodeCommand::Status { .. } => "Status",
            NodeCommand::Shutdown(_) => "Shutdown",
        })
    }
}

/// Serves one command (all but `Shutdown`, which the loop handles itself).
pub(super) async fn serve(shared: Arc<Shared>, command: NodeCommand) {
    match command {
        NodeCommand::Author {
            scope,
            status,
            body,
            entering,
            reply,
        } => {
            let _ = reply.send(author(&shared, scope, status, body, *entering).await);
        }
        NodeCommand::ImportBundle { bytes, reply } => {
            let _ = reply.send(import_bundle(&shared, bytes).await);
        }
        NodeCommand::Sync { peer, reply } => {
            let _ = reply.send(sync::sync_with(&shared, peer).await);
        }
        NodeCommand::Dial { addr, reply } => {
            let _ = reply.send(shared.net.dial(addr).await);
        }
        NodeCommand::Status { reply } => {
            let _ = reply.send(status::collect(&shared).await);
        }
        NodeCommand::Shutdown(reply) => {
            // The loop stops before it serves this; answer anyway.
            let _ = reply.send(());
        }
    }
}

async fn author(
    shared: &Arc<Shared>,
    scope: RegionCode,
    status: Status,
    body: Body,
    entering: Entering,
) -> Result<SignedEntry, LedgerError> {
    let entry = shared
        .ledger
        .author_to(scope, status, body, entering)
        .await?;
    shared.metrics.written(entry.header().kind);
    gossip::announce(shared, &entry, None).await;
    Ok(entry)
}

/// Checks a bundle (on the blocking pool), then stores it batch by batch
/// through the ledger thread, each batch durable before the next.
async fn import_bundle(
    shared: &Arc<Shared>,
    bytes: BundleBytes,
) -> Result<ImportSummary, BundleError> {
    let ledger = Arc::clone(shared.ledger.ledger());
    let checked = tokio::task::spawn_blocking(move || {
        crate::bundle::check(
            (*bytes).as_ref(),
            std::path::Path::new("<upload>"),
            ledger.network(),
            ledger.limits().max_entry_bytes,
        )
    })
    .await
    .map_err(|e| BundleError::Unavailable(e.to_string()))??;
    let mut summary = ImportSummary::new(&checked.manifest);
    for (base, batch) in checked.batches() {
        let (outcomes, _) = ingest::ingest(shared, Origin::BUNDLE, batch.to_vec())
            .await
            .map_err(|e| BundleError::Unavailable(e.to_string()))?;
        summary.record(base, &outcomes);
    }
    Ok(summary)
}
