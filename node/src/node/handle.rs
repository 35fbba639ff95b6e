//! The handle to a running post: what the console, the CLI's `run`, the
//! demo, the benchmarks and the tests ask of it.

use std::net::SocketAddr;
use std::sync::Arc;

use liandong_protocol::{
    Body, Interest, LedgerDigest, NodeId, Operator, RegionCode, SignedEntry, Status,
};
use libp2p::{Multiaddr, PeerId};
use tokio::sync::{mpsc, oneshot};

use super::commands::{BundleBytes, NodeCommand};
use super::shared::Shared;
use super::status;
use super::sync::SyncFailure;
use crate::bundle::{BundleError, ImportSummary};
use crate::config::Config;
use crate::domain::DeskSetup;
use crate::ledger::actor::LedgerHandle;
use crate::ledger::{Entering, LedgerError};
use crate::metrics::NodeMetrics;
use crate::net::{self, NetworkHandle};
use crate::service::events::NewEntry;
use crate::service::status::{Heard, NodeStatus, SyncTotals};
use crate::service::sync::SyncStats;

/// What a command answers once the post has stopped.
const STOPPED: &str = "the post has stopped / 节点已停止";

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

    pub(crate) fn set_console(&self, info: crate::service::status::ConsoleInfo) {
        *self
            .shared
            .console
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(info);
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

    /// The post's agreement keys, for reading restricted entries.
    pub fn keyring(&self) -> &crate::restricted::Keyring {
        &self.shared.keyring
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
                // A store that cannot be read shows as such in the log and
                // in `liandong_store_writable`; the gauges it feeds keep
                // their last values rather than drop to zero.
                let digest = store
                    .digest(&RegionCode::national())
                    .inspect_err(|e| tracing::warn!(error = %e, "metrics: digest unreadable"))
                    .unwrap_or_default();
                let snapshot = crate::metrics::Snapshot {
                    peers,
                    mesh_peers,
                    store_bytes: store.size_on_disk(),
                    digest,
                    store: store.health(),
                };
                metrics.set_state(&snapshot, || {
                    liandong_protocol::Kind::KNOWN
                        .iter()
                        .filter_map(|k| {
                            store
                                .count_kind(*k)
                                .inspect_err(
                                    |e| tracing::warn!(error = %e, "metrics: count unreadable"),
                                )
                                .ok()
                                .map(|n| (*k, n))
                        })
                        .collect()
                });
                metrics.encode()
            })
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "metrics not rendered");
                String::new()
            })
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
        bytes: impl AsRef<[u8]> + Send + Sync + 'static,
    ) -> Result<ImportSummary, BundleError> {
        let bytes: BundleBytes = Box::new(bytes);
        self.ask(|reply| NodeCommand::ImportBundle { bytes, reply })
            .await
            .unwrap_or_else(|| Err(BundleError::Unavailable(STOPPED.into())))
    }

    pub fn console(&self) -> Option<SocketAddr> {
        self.console_info().map(|c| c.addr)
    }

    /// The console's address, URL scheme and certificate fingerprint.
    pub fn console_info(&self) -> Option<crate::service::status::ConsoleInfo> {
        self.shared
            .console
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
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
        self.author_by(scope, status, body, None).await
    }

    /// Like [`NodeHandle::author`], naming the operator who entered the
    /// entry (the console's signed-in operator, the CLI's `--operator`);
    /// `None` writes the entry as `author` does.
    pub async fn author_by(
        &self,
        scope: RegionCode,
        status: Status,
        body: Body,
        operator: Option<Operator>,
    ) -> Result<SignedEntry, LedgerError> {
        let entering = Entering {
            operator,
            restrict: None,
        };
        self.author_to(scope, status, body, entering).await
    }

    /// Like [`NodeHandle::author_by`], perhaps restricted to an audience
    /// (`entering.restrict`: sealed so that only it reads the body).
    pub async fn author_to(
        &self,
        scope: RegionCode,
        status: Status,
        body: Body,
        entering: Entering,
    ) -> Result<SignedEntry, LedgerError> {
        self.ask(|reply| NodeCommand::Author {
            scope,
            status,
            body,
            entering: Box::new(entering),
            reply,
        })
        .await
        .unwrap_or(Err(LedgerError::Stopped))
    }

    pub async fn dial(&self, addr: Multiaddr) -> Result<(), net::NetError> {
        self.ask(|reply| NodeCommand::Dial { addr, reply })
            .await
            .unwrap_or(Err(net::NetError::Stopped))
    }

    /// Runs one anti-entropy session with a connected peer now.
    pub async fn sync_with(&self, peer: PeerId) -> Result<SyncStats, SyncFailure> {
        self.ask(|reply| NodeCommand::Sync { peer, reply })
            .await
            .unwrap_or(Err(SyncFailure::Net(STOPPED.into())))
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

    /// What `liandong status` and the console show. Once the post has
    /// stopped, read directly (what it held when it stopped).
    pub async fn status(&self) -> NodeStatus {
        match self.ask(|reply| NodeCommand::Status { reply }).await {
            Some(status) => status,
            None => status::collect(&self.shared).await,
        }
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
        self.ask(NodeCommand::Shutdown).await;
    }

    /// Sends a command through the door and waits for its answer; `None`
    /// once the post has stopped.
    async fn ask<T>(&self, command: impl FnOnce(oneshot::Sender<T>) -> NodeCommand) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        self.commands.send(command(reply)).await.ok()?;
        answer.await.ok()
    }
}
