//! The handle to a running post: what the console, the CLI's `run`, the
//! demo, the benchmarks and the tests ask of it.

use std::net::SocketAddr;
use std::sync::Arc;

use liandong_protocol::{Body, Interest, LedgerDigest, NodeId, RegionCode, SignedEntry, Status};
use libp2p::{Multiaddr, PeerId};
use tokio::sync::{mpsc, oneshot};

use super::shared::Shared;
use super::sync::{self, SyncFailure};
use super::{NodeCommand, gossip, ingest, status};
use crate::config::Config;
use crate::domain::DeskSetup;
use crate::ledger::LedgerError;
use crate::ledger::actor::LedgerHandle;
use crate::metrics::NodeMetrics;
use crate::net::{self, NetworkHandle};
use crate::service::events::NewEntry;
use crate::service::status::{Heard, NodeStatus, SyncTotals};
use crate::service::sync::SyncStats;

/// A running post.
#[derive(Debug, Clone)]
pub struct NodeHandle {
    pub(super) shared: Arc<Shared>,
    pub(super) commands: mpsc::Sender<NodeCommand>,
    pub(super) listen: Vec<Multiaddr>,
}

impl NodeHandle {
    pub fn peer_id(&self) -> PeerId {
        self.shared.net.peer_id()
    }

    pub fn node_id(&self) -> NodeId {
        self.shared.node_id
    }

    pub fn region(&self) -> &RegionCode {
        &self.shared.region
    }

    /// The scopes this post holds.
    pub fn interest(&self) -> &Interest {
        &self.shared.interest
    }

    /// Where peers can reach this post (with `/p2p/<peer id>` appended).
    pub fn listen_addrs(&self) -> Vec<Multiaddr> {
        let p2p = libp2p::multiaddr::Protocol::P2p(self.peer_id());
        self.listen
            .iter()
            .map(|a| a.clone().with(p2p.clone()))
            .collect()
    }

    pub fn ledger(&self) -> &LedgerHandle {
        &self.shared.ledger
    }

    pub fn network(&self) -> &NetworkHandle {
        &self.shared.net
    }

    pub(crate) fn set_console(&self, addr: SocketAddr) {
        *self
            .shared
            .console
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(addr);
    }

    pub fn metrics(&self) -> &Arc<NodeMetrics> {
        &self.shared.metrics
    }

    /// What the domain desk of this post needs.
    pub fn desk_setup(&self) -> &DeskSetup {
        &self.shared.desk_setup
    }

    /// Name, region and network of this post, as its config states them.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// The post's configuration as it was at start.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    pub fn network_name(&self) -> &str {
        &self.shared.network_name
    }

    /// Posts this post has heard from (connected now or before).
    pub fn heard(&self) -> Vec<Heard> {
        self.shared.lock_peers().heard.values().cloned().collect()
    }

    /// Sets the scrape-time gauges and returns the metrics text.
    pub async fn metrics_text(&self) -> String {
        let net = self.shared.net.info().await.unwrap_or_default();
        let metrics = Arc::clone(&self.shared.metrics);
        let (peers, mesh_peers) = (net.connected.len(), net.mesh_peers);
        self.shared
            .ledger
            .read(move |l| {
                let store = l.store();
                let snapshot = crate::metrics::Snapshot {
                    peers,
                    mesh_peers,
                    store_bytes: store.size_on_disk(),
                    digest: store.digest(&RegionCode::national()).unwrap_or_default(),
                    store: store.health(),
                };
                metrics.set_state(&snapshot, || {
                    liandong_protocol::Kind::KNOWN
                        .iter()
                        .filter_map(|k| store.count_kind(*k).ok().map(|n| (*k, n)))
                        .collect()
                });
                metrics.encode()
            })
            .await
            .unwrap_or_default()
    }

    /// Every entry new to this post from now on.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<NewEntry> {
        self.shared.new_entries.subscribe()
    }

    /// Resolves when the node stops.
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + Send + use<> {
        let mut rx = self.shared.stopping.subscribe();
        async move {
            let _ = rx.wait_for(|stopping| *stopping).await;
        }
    }

    /// Ties a task's life to the node's: it is awaited (then aborted) at stop.
    pub(crate) fn adopt(&self, task: tokio::task::JoinHandle<()>) {
        self.shared
            .background
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(task);
    }

    /// Imports a bundle (a USB stick's file) through the one ingest path:
    /// checked first, then stored batch by batch by the ledger thread, each
    /// batch durable before the next; what is new reaches the console and
    /// sets off a round of syncs, and any fork evidence is published.
    pub async fn import_bundle(
        &self,
        bytes: impl AsRef<[u8]> + Send + 'static,
    ) -> Result<crate::bundle::ImportSummary, crate::bundle::BundleError> {
        use crate::bundle::BundleError;
        let ledger = Arc::clone(self.shared.ledger.ledger());
        let checked = tokio::task::spawn_blocking(move || {
            crate::bundle::check(
                bytes.as_ref(),
                std::path::Path::new("<upload>"),
                ledger.network(),
                ledger.limits().max_entry_bytes,
            )
        })
        .await
        .map_err(|e| BundleError::Unavailable(e.to_string()))??;
        let mut summary = crate::bundle::ImportSummary::new(&checked.manifest);
        for (base, batch) in checked.batches() {
            let (outcomes, _) =
                ingest::ingest(&self.shared, ingest::Origin::BUNDLE, batch.to_vec())
                    .await
                    .map_err(|e| BundleError::Unavailable(e.to_string()))?;
            summary.record(base, &outcomes);
        }
        Ok(summary)
    }

    pub fn console(&self) -> Option<SocketAddr> {
        *self
            .shared
            .console
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Writes an entry by this post; returns once it is durable and handed
    /// to gossip. Pushes to posts above go on in the background (`push.rs`):
    /// the operator never waits for the network.
    pub async fn author(
        &self,
        scope: RegionCode,
        status: Status,
        body: Body,
    ) -> Result<SignedEntry, LedgerError> {
        let entry = self.shared.ledger.author(scope, status, body).await?;
        self.shared.metrics.written(entry.header().kind);
        gossip::announce(&self.shared, &entry, None).await;
        Ok(entry)
    }

    pub async fn dial(&self, addr: Multiaddr) -> Result<(), net::NetError> {
        self.shared.net.dial(addr).await
    }

    /// Runs one anti-entropy session with a connected peer now.
    pub async fn sync_with(&self, peer: PeerId) -> Result<SyncStats, SyncFailure> {
        sync::sync_with(&self.shared, peer).await
    }

    /// The digest of the entries one interest selector covers.
    pub async fn selector_digest(
        &self,
        selector: liandong_protocol::Selector,
    ) -> Result<LedgerDigest, String> {
        self.shared
            .ledger
            .read(move |l| {
                l.store()
                    .selector_digest(&selector)
                    .map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| e.to_string())?
    }

    /// The digest of the entries this post holds in `subtree`.
    pub async fn digest(&self, subtree: RegionCode) -> Result<LedgerDigest, String> {
        self.shared
            .ledger
            .read(move |l| l.store().digest(&subtree).map_err(|e| e.to_string()))
            .await
            .map_err(|e| e.to_string())?
    }

    pub async fn status(&self) -> NodeStatus {
        status::collect(&self.shared).await
    }

    /// Recent sync sessions this post started, oldest first.
    pub fn sync_history(&self) -> Vec<SyncStats> {
        self.shared.lock_peers().history.iter().cloned().collect()
    }

    pub fn sync_totals(&self) -> SyncTotals {
        self.shared.lock_peers().totals
    }

    /// Peers that have introduced themselves.
    pub fn known_peers(&self) -> Vec<PeerId> {
        self.shared
            .lock_peers()
            .by_id
            .iter()
            .filter(|(_, p)| p.hello.is_some())
            .map(|(id, _)| *id)
            .collect()
    }

    /// Why the node stopped by itself — its store failed a write, or the
    /// final sync failed — if it did (`run` then exits with code 4).
    pub fn failure(&self) -> Option<String> {
        self.shared
            .failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Stops everything and flushes the store.
    pub async fn shutdown(&self) {
        let (reply, rx) = oneshot::channel();
        if self
            .commands
            .send(NodeCommand::Shutdown(reply))
            .await
            .is_ok()
        {
            let _ = rx.await;
        }
    }
}
