//! The node's own loop: commands from handles and network events in,
//! handler tasks out; the policy's effects (bans, syncs) carried out; and
//! the stop that drains it all.

use std::sync::Arc;
use std::time::{Duration, Instant};

use libp2p::PeerId;
use libp2p::gossipsub::MessageId;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinSet;
use tracing::Instrument;

use super::commands::{self, NodeCommand};
use super::shared::{Arrival, Shared};
use super::{gossip, handover, requests, sync};
use crate::net::NetEvent;
use crate::policy::{Effect, Event, TICK};

/// How long a stop waits for handlers in flight before ending them.
const DRAIN: Duration = Duration::from_secs(2);

/// The node's own loop: network events in, handler tasks out.
pub(super) struct Core {
    pub(super) shared: Arc<Shared>,
    pub(super) tasks: JoinSet<()>,
    pub(super) permits: Arc<Semaphore>,
    /// The store's failure reason: set once, when a write fails.
    pub(super) store_failed: tokio::sync::watch::Receiver<Option<Arc<str>>>,
}

impl Core {
    pub(super) async fn run(
        mut self,
        mut events: mpsc::Receiver<NetEvent>,
        mut commands: mpsc::Receiver<NodeCommand>,
        mut effects: mpsc::Receiver<Effect>,
        mut arrivals: mpsc::Receiver<Arrival>,
        net_task: tokio::task::JoinHandle<()>,
        ledger_thread: std::thread::JoinHandle<()>,
    ) {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // A gossip message waiting for a handler slot: while one waits, no
        // more events are read, so back-pressure reaches the network
        // loop's bounded channel (which then drops gossip; sync repairs)
        // without this loop ever blocking on it.
        let mut waiting: Option<NetEvent> = None;
        loop {
            let next_due = self.shared.policy().next_due();
            tokio::select! {
                // In this order: a stop (asked for, or forced by the store)
                // and the operator's commands are never starved by a stream
                // of network events.
                biased;
                command = commands.recv() => match command {
                    Some(NodeCommand::Shutdown(reply)) => {
                        self.stop(net_task, ledger_thread).await;
                        let _ = reply.send(());
                        return;
                    }
                    Some(command) => {
                        let span = tracing::debug_span!("command", ?command);
                        let shared = Arc::clone(&self.shared);
                        self.tasks.spawn(commands::serve(shared, command).instrument(span));
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
                Some(effect) = effects.recv() => self.carry_out(effect),
                Some(first) = arrivals.recv() => {
                    // Gather a burst of arrivals into one round of syncs.
                    let mut from: Vec<PeerId> = first.from.into_iter().collect();
                    let mut ids = first.ids;
                    while let Ok(more) = arrivals.try_recv() {
                        from.extend(more.from);
                        ids.extend(more.ids);
                    }
                    let lost = self.shared.arrivals_lost.swap(false, std::sync::atomic::Ordering::Relaxed);
                    let ids = (!lost).then_some(ids);
                    let cascade = self.shared.policy().handle(Event::Arrived { from, ids }, Instant::now());
                    for effect in cascade {
                        self.carry_out(effect);
                    }
                }
                // An owed cascade falls due between ticks (`CASCADE_DELAY`).
                () = sleep_until_due(next_due), if next_due.is_some() => self.tick(),
                _ = tick.tick() => self.tick(),
                Ok(permit) = Arc::clone(&self.permits).acquire_owned(), if waiting.is_some() => {
                    if let Some(NetEvent::Gossip { source, id, data, received, .. }) = waiting.take() {
                        self.spawn_gossip(permit, source, id, data, received);
                    }
                }
                event = events.recv(), if waiting.is_none() => match event {
                    Some(event) => waiting = self.on_event(event),
                    None => break,
                },
                Some(joined) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    if let Err(e) = joined
                        && e.is_panic()
                    {
                        tracing::error!(error = %e, "a handler panicked; the post goes on / 处理任务异常");
                    }
                }
            }
        }
        self.stop(net_task, ledger_thread).await;
    }

    /// Hands the policy the time, and carries out what falls due.
    fn tick(&mut self) {
        let due = self.shared.policy().handle(Event::Tick, Instant::now());
        for effect in due {
            self.carry_out(effect);
        }
    }

    /// Carries out one of the policy's effects.
    fn carry_out(&mut self, effect: Effect) {
        let shared = Arc::clone(&self.shared);
        match effect {
            Effect::Ban { peer, reason } => {
                self.tasks
                    .spawn(async move { shared.net.ban(peer, reason).await });
            }
            Effect::Sync {
                peer,
                session,
                offer,
            } => {
                self.tasks.spawn(async move {
                    let _ = sync::run_session(&shared, peer, session, offer).await;
                });
            }
        }
    }

    fn spawn_gossip(
        &mut self,
        permit: OwnedSemaphorePermit,
        source: PeerId,
        id: MessageId,
        data: Vec<u8>,
        received: Instant,
    ) {
        let shared = Arc::clone(&self.shared);
        let span = tracing::debug_span!("gossip", peer = %source);
        self.tasks.spawn(
            async move {
                gossip::on_gossip(&shared, source, id, data, received).await;
                drop(permit);
            }
            .instrument(span),
        );
    }

    /// Handles one network event; a gossip message with no handler slot
    /// free is handed back, to wait for one.
    fn on_event(&mut self, event: NetEvent) -> Option<NetEvent> {
        match event {
            NetEvent::Gossip {
                source,
                id,
                data,
                topic,
                received,
            } => match Arc::clone(&self.permits).try_acquire_owned() {
                Ok(permit) => self.spawn_gossip(permit, source, id, data, received),
                Err(_) => {
                    return Some(NetEvent::Gossip {
                        source,
                        id,
                        data,
                        topic,
                        received,
                    });
                }
            },
            NetEvent::Request {
                peer,
                request,
                channel,
            } => {
                let admitted = self.shared.policy().admit_request(&peer);
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
                            shared.policy().request_done(&peer);
                            drop(permit);
                        });
                    }
                    None => {
                        if admitted {
                            shared.policy().request_done(&peer);
                        }
                        tracing::debug!(%peer, "request refused: throttled");
                        self.tasks.spawn(async move {
                            requests::refuse_throttled(&shared, channel).await
                        });
                    }
                }
            }
            NetEvent::Handover {
                peer,
                source,
                ask,
                channel,
            } => {
                let shared = Arc::clone(&self.shared);
                match Arc::clone(&self.shared.handover_slots).try_acquire_owned() {
                    Ok(slot) => {
                        self.tasks.spawn(async move {
                            handover::on_ask(&shared, peer, source, ask, channel).await;
                            drop(slot);
                        });
                    }
                    Err(_) => {
                        self.tasks.spawn(async move {
                            handover::refuse_throttled(&shared, channel).await;
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
                self.shared.apply(Event::Connected(peer));
                if dialer {
                    let shared = Arc::clone(&self.shared);
                    self.tasks
                        .spawn(async move { requests::introduce(&shared, peer).await });
                }
            }
            NetEvent::Disconnected { peer } => {
                self.shared.apply(Event::Disconnected(peer));
                self.shared.pushers.forget(&peer);
                self.shared.lock_peers().disconnected(&peer);
            }
            NetEvent::Banned { peer, reason, .. } => {
                self.shared.apply(Event::Disconnected(peer));
                self.shared.pushers.forget(&peer);
                self.shared.metrics.banned(reason.label());
                self.shared.lock_peers().disconnected(&peer);
            }
        }
        None
    }

    async fn stop(
        &mut self,
        net_task: tokio::task::JoinHandle<()>,
        ledger_thread: std::thread::JoinHandle<()>,
    ) {
        // `send_replace`: the value is set even while nobody listens yet
        // (a task that subscribes later must still see the stop).
        self.shared.stopping.send_replace(true);
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

/// Sleeps until `due` (the policy's next owed cascade); never called
/// without one (the `select!` branch is disabled then).
async fn sleep_until_due(due: Option<Instant>) {
    if let Some(due) = due {
        tokio::time::sleep_until(tokio::time::Instant::from_std(due)).await;
    }
}
