//! The node's own loop: network events in, handler tasks out; the timers
//! and cascades that start syncs; and the stop that drains it all.

use std::sync::Arc;
use std::time::Duration;

use libp2p::PeerId;
use rand::seq::IteratorRandom;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tracing::Instrument;

use super::shared::Shared;
use super::{NodeCommand, gossip, requests, sync};
use crate::net::NetEvent;

/// Requests one peer may have in flight; more are refused as throttled.
const MAX_PEER_INFLIGHT: usize = 16;
/// How long a stop waits for handlers in flight before ending them.
const DRAIN: Duration = Duration::from_secs(2);

/// The node's own loop: network events in, handler tasks out.
pub(super) struct Core {
    pub(super) shared: Arc<Shared>,
    pub(super) tasks: JoinSet<()>,
    pub(super) permits: Arc<Semaphore>,
    pub(super) hello_timeout: Duration,
    /// The store's failure reason: set once, when a write fails.
    pub(super) store_failed: tokio::sync::watch::Receiver<Option<Arc<str>>>,
}

impl Core {
    pub(super) async fn run(
        mut self,
        mut events: mpsc::Receiver<NetEvent>,
        mut commands: mpsc::Receiver<NodeCommand>,
        mut cascade: mpsc::Receiver<PeerId>,
        sync_interval: Duration,
        net_task: tokio::task::JoinHandle<()>,
        ledger_thread: std::thread::JoinHandle<()>,
    ) {
        let mut sync_timer = tokio::time::interval(sync_interval);
        sync_timer.tick().await;
        loop {
            tokio::select! {
                // In this order: a stop (asked for, or forced by the store)
                // is never starved by a stream of network events.
                biased;
                cmd = commands.recv() => match cmd {
                    Some(NodeCommand::Shutdown(reply)) => {
                        self.stop(net_task, ledger_thread).await;
                        let _ = reply.send(());
                        return;
                    }
                    None => break,
                },
                // A failed write leaves the store unusable until it is
                // reopened (store/health.rs): stop, so that a supervisor
                // restarts the post rather than leave it deaf and mute.
                Ok(()) = self.store_failed.changed() => {
                    let reason = self.store_failed.borrow().as_deref().unwrap_or_default().to_string();
                    tracing::error!(reason, "the store failed; stopping the post / 存储故障，节点停止");
                    self.shared.record_failure(reason);
                    self.stop(net_task, ledger_thread).await;
                    return;
                }
                event = events.recv() => match event {
                    Some(event) => self.on_event(event).await,
                    None => break,
                },
                _ = sync_timer.tick() => self.sync_random_peer(),
                Some(from) = cascade.recv() => {
                    // Coalesce a burst of requests into one round of syncs.
                    let mut except = vec![from];
                    while let Ok(more) = cascade.try_recv() {
                        except.push(more);
                    }
                    self.sync_all_but(&except);
                }
                Some(_) = self.tasks.join_next(), if !self.tasks.is_empty() => {}
            }
        }
        self.stop(net_task, ledger_thread).await;
    }

    async fn on_event(&mut self, event: NetEvent) {
        match event {
            NetEvent::Gossip {
                source, id, data, ..
            } => {
                // Waits for a permit: back-pressure reaches the event loop's
                // bounded channel, which then drops gossip (sync repairs).
                let Ok(permit) = Arc::clone(&self.permits).acquire_owned().await else {
                    return;
                };
                let shared = Arc::clone(&self.shared);
                let span = tracing::debug_span!("gossip", peer = %source);
                self.tasks.spawn(
                    async move {
                        gossip::on_gossip(&shared, source, id, data).await;
                        drop(permit);
                    }
                    .instrument(span),
                );
            }
            NetEvent::Request {
                peer,
                request,
                channel,
            } => {
                let admitted = {
                    let mut peers = self.shared.lock_peers();
                    match peers.by_id.get_mut(&peer) {
                        Some(p) if p.inflight < MAX_PEER_INFLIGHT => {
                            p.inflight += 1;
                            true
                        }
                        Some(_) => false,
                        // Not yet known as connected (events raced): allow.
                        None => true,
                    }
                };
                let permit = if admitted {
                    Arc::clone(&self.permits).try_acquire_owned().ok()
                } else {
                    None
                };
                let shared = Arc::clone(&self.shared);
                match permit {
                    Some(permit) => {
                        let span = tracing::debug_span!("request", %peer, kind = requests::kind_of(&request.value));
                        self.tasks.spawn(async move {
                            requests::on_request(&shared, peer, request.value, channel)
                                .instrument(span)
                                .await;
                            if let Some(p) = shared.lock_peers().by_id.get_mut(&peer) {
                                p.inflight = p.inflight.saturating_sub(1);
                            }
                            drop(permit);
                        });
                    }
                    None => {
                        if admitted && let Some(p) = shared.lock_peers().by_id.get_mut(&peer) {
                            p.inflight = p.inflight.saturating_sub(1);
                        }
                        tracing::debug!(%peer, "request refused: throttled");
                        self.tasks.spawn(async move {
                            requests::refuse_throttled(&shared, channel).await
                        });
                    }
                }
            }
            NetEvent::Connected {
                peer,
                address,
                dialer,
            } => {
                let since = crate::clock::now_ms();
                self.shared.lock_peers().connected(peer, address, since);
                if dialer {
                    let shared = Arc::clone(&self.shared);
                    self.tasks
                        .spawn(async move { requests::introduce(&shared, peer).await });
                }
                let shared = Arc::clone(&self.shared);
                let within = self.hello_timeout;
                self.tasks.spawn(async move {
                    requests::expect_hello(&shared, peer, since, within).await
                });
            }
            NetEvent::Disconnected { peer } => {
                self.shared.pushers.forget(&peer);
                self.shared
                    .lock_peers()
                    .disconnected(&peer, crate::clock::now_ms());
            }
            NetEvent::Banned { peer, reason, .. } => {
                self.shared.pushers.forget(&peer);
                self.shared.metrics.banned(reason.label());
                self.shared
                    .lock_peers()
                    .disconnected(&peer, crate::clock::now_ms());
            }
        }
    }

    fn sync_all_but(&mut self, except: &[PeerId]) {
        let targets: Vec<PeerId> = {
            let peers = self.shared.lock_peers();
            peers
                .by_id
                .iter()
                .filter(|(id, p)| p.hello.is_some() && !p.syncing && !except.contains(id))
                .map(|(id, _)| *id)
                .collect()
        };
        for peer in targets {
            let shared = Arc::clone(&self.shared);
            self.tasks.spawn(async move {
                let _ = sync::sync_with(&shared, peer).await;
            });
        }
    }

    fn sync_random_peer(&mut self) {
        let candidate = {
            let peers = self.shared.lock_peers();
            peers
                .by_id
                .iter()
                .filter(|(_, p)| p.hello.is_some() && !p.syncing)
                .map(|(id, _)| *id)
                .choose(&mut rand::rng())
        };
        if let Some(peer) = candidate {
            let shared = Arc::clone(&self.shared);
            self.tasks.spawn(async move {
                let _ = sync::sync_with(&shared, peer).await;
            });
        }
    }

    async fn stop(
        &mut self,
        net_task: tokio::task::JoinHandle<()>,
        ledger_thread: std::thread::JoinHandle<()>,
    ) {
        let _ = self.shared.stopping.send(true);
        let background: Vec<_> = std::mem::take(
            &mut *self
                .shared
                .background
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        );
        for task in background {
            if tokio::time::timeout(Duration::from_secs(2), task)
                .await
                .is_err()
            {
                tracing::warn!("a background task did not stop in time");
            }
        }
        self.shared.pushers.clear();
        // Let handlers in flight finish (a push being answered, a batch on
        // its way to the ledger thread) while the network still runs; a
        // long sync session is cut off, and the next start resumes it.
        let drained = tokio::time::timeout(DRAIN, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::debug!(
                left = self.tasks.len(),
                "handlers still running at stop: ended"
            );
        }
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        self.shared.net.shutdown().await;
        let _ = net_task.await;
        // The ledger thread ends when the last handle is dropped; it syncs
        // the store on the way out. Other handles (the console) may still
        // hold one, so sync here too rather than wait.
        let ledger = self.shared.ledger.clone();
        match ledger.read(|l| l.store().sync()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(error = %e, "final store sync failed / 停止时存储落盘失败");
                self.shared.record_failure(e.to_string());
            }
            Err(e) => self.shared.record_failure(e.to_string()),
        }
        drop(ledger_thread);
        tracing::info!("post stopped");
    }
}
