//! The ledger's own thread, reached through a cheap, cloneable handle.
//!
//! sled and fsync block, and validation is CPU work, so none of it runs on
//! the async runtime's workers. Writes queue on a bounded channel to one
//! thread that owns them; consecutive ingest requests are grouped into one
//! atomic batch (group commit), and a burst of batches shares one fsync,
//! which is what keeps a busy node's disk from becoming the bottleneck.
//! Reads go straight to the store from the blocking pool (sled reads are
//! concurrent). Every write — gossip, pushes, syncs, hellos, certificate
//! chains, bundles, and what this post authors — goes through this thread,
//! so trust admission and insert never interleave with another writer.
//!
//! Durability differs by origin. An entry this post authors is flushed and
//! fsynced before `author` returns: it exists nowhere else yet. A received
//! entry is stored (and so forwarded and shown) at once, and a second
//! thread fsyncs the writes of the last 250 ms together. Waiting for the
//! fsync on every gossip hop put one disk flush on each hop of every
//! delivery — the 100-post benchmark's p99 was 152 ms that way, 49–70 ms
//! this way (BENCHMARKS.md) — and bought nothing: a received entry lost to
//! a power cut is still held by its author and by every other post that
//! had it, and comes back with the next sync.
//! sled recovers to a consistent prefix, so a cut never leaves an entry
//! without its indexes.

use std::sync::Arc;
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};

use liandong_protocol::{Body, Operator, RegionCode, SignedEntry, Status};

use tokio::sync::{mpsc, oneshot};

use super::{Entering, ItemOutcome, Ledger, LedgerError};
use crate::store::Durability;

/// Requests waiting for the ledger thread; senders wait when it is full.
pub const QUEUE_CAPACITY: usize = 1024;
/// Most items validated and stored in one grouped batch.
const MAX_GROUP_ITEMS: usize = 1024;

/// How received entries are taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intake {
    /// From a peer (gossip, push, sync, hello): stored at once, fsynced
    /// with the writes around it (see the module comment).
    Received,
    /// The certificate chain of an author whose entries this post holds
    /// but whose certificates lie outside its interest: trust entries are
    /// taken whatever their scope. Durable before the reply.
    Chain,
    /// A bundle carried in by hand: durable before the reply, since the
    /// stick may leave with the operator.
    Bundle,
}

/// What became of a batch of received entries.
#[derive(Debug, Default)]
pub struct Ingested {
    /// The items, handed back (so the caller need not copy them to judge
    /// what follows).
    pub items: Vec<Vec<u8>>,
    /// One outcome per item, in order.
    pub outcomes: Vec<ItemOutcome>,
    /// Entries the ledger wrote by itself while storing them (equivocation
    /// evidence), to be published network-wide.
    pub evidence: Vec<SignedEntry>,
}

enum Command {
    Ingest {
        items: Vec<Vec<u8>>,
        intake: Intake,
        reply: oneshot::Sender<Result<Ingested, String>>,
    },
    Author {
        scope: RegionCode,
        status: Status,
        body: Body,
        // Boxed: the command queue's slots stay the size of the other
        // commands.
        entering: Box<Entering>,
        reply: oneshot::Sender<Result<SignedEntry, LedgerError>>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ActorError {
    #[error("the ledger thread has stopped")]
    Stopped,
    #[error("ledger error: {0}")]
    Ledger(String),
}

#[derive(Clone, Debug)]
pub struct LedgerHandle {
    tx: mpsc::Sender<Command>,
    ledger: Arc<Ledger>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Ingest { items, intake, .. } => {
                write!(f, "Ingest({} items, {intake:?})", items.len())
            }
            Command::Author { .. } => f.write_str("Author"),
        }
    }
}

impl LedgerHandle {
    /// Starts the ledger thread. It ends when every handle is dropped.
    pub fn spawn(ledger: Ledger) -> std::io::Result<(LedgerHandle, std::thread::JoinHandle<()>)> {
        let ledger = Arc::new(ledger);
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        let owned = Arc::clone(&ledger);
        let flusher = Flusher::spawn(Arc::clone(&ledger))?;
        let thread = std::thread::Builder::new()
            .name("ledger".into())
            .spawn(move || {
                run(&owned, rx, &flusher);
                flusher.finish();
            })?;
        Ok((LedgerHandle { tx, ledger }, thread))
    }

    /// Read access for queries; call it from `spawn_blocking` or [`Self::read`].
    pub fn ledger(&self) -> &Arc<Ledger> {
        &self.ledger
    }

    /// Runs a read-only closure on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ActorError>
    where
        T: Send + 'static,
        F: FnOnce(&Ledger) -> T + Send + 'static,
    {
        let ledger = Arc::clone(&self.ledger);
        tokio::task::spawn_blocking(move || f(&ledger))
            .await
            .map_err(|_| ActorError::Stopped)
    }

    /// Validates and stores received entries; one outcome per item.
    pub async fn ingest(
        &self,
        items: Vec<Vec<u8>>,
        intake: Intake,
    ) -> Result<Ingested, ActorError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Ingest {
                items,
                intake,
                reply,
            })
            .await
            .map_err(|_| ActorError::Stopped)?;
        rx.await
            .map_err(|_| ActorError::Stopped)?
            .map_err(ActorError::Ledger)
    }

    /// Writes an entry by this post; returns once it is durable.
    pub async fn author(
        &self,
        scope: RegionCode,
        status: Status,
        body: Body,
    ) -> Result<SignedEntry, LedgerError> {
        self.author_by(scope, status, body, None).await
    }

    /// Writes an entry by this post entered by `operator` (see
    /// [`Ledger::author_by`]); returns once it is durable.
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

    /// Writes an entry by this post, entered and perhaps restricted as
    /// `entering` says (see [`Ledger::author_to`]); returns once durable.
    pub async fn author_to(
        &self,
        scope: RegionCode,
        status: Status,
        body: Body,
        entering: Entering,
    ) -> Result<SignedEntry, LedgerError> {
        let (reply, rx) = oneshot::channel();
        let stopped = || LedgerError::Stopped;
        self.tx
            .send(Command::Author {
                scope,
                status,
                body,
                entering: Box::new(entering),
                reply,
            })
            .await
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

fn run(ledger: &Ledger, mut rx: mpsc::Receiver<Command>, flusher: &Flusher) {
    while let Some(first) = rx.blocking_recv() {
        let mut pending = Some(first);
        while let Some(cmd) = pending.take() {
            match cmd {
                Command::Author {
                    scope,
                    status,
                    body,
                    entering,
                    reply,
                } => {
                    let Entering { operator, restrict } = *entering;
                    let _ = reply.send(ledger.author_to(
                        scope,
                        status,
                        body,
                        operator,
                        restrict.as_ref(),
                    ));
                }
                Command::Ingest {
                    items,
                    intake: Intake::Received,
                    reply,
                } => {
                    // Group this request with the received entries queued
                    // behind it, up to a bound; stop at the first write of
                    // another kind and handle it next, in order.
                    let mut group = vec![(items, reply)];
                    let mut total: usize = group[0].0.len();
                    while total < MAX_GROUP_ITEMS {
                        match rx.try_recv() {
                            Ok(Command::Ingest {
                                items,
                                intake: Intake::Received,
                                reply,
                            }) => {
                                total += items.len();
                                group.push((items, reply));
                            }
                            Ok(other) => {
                                pending = Some(other);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    let _span =
                        tracing::debug_span!("ingest", items = total, requests = group.len())
                            .entered();
                    ingest_group(ledger, group);
                    flusher.request();
                }
                Command::Ingest {
                    items,
                    intake,
                    reply,
                } => {
                    let _span =
                        tracing::debug_span!("ingest", items = items.len(), ?intake).entered();
                    let trust_outside_interest = intake == Intake::Chain;
                    let result = ledger
                        .ingest_durable(&items, trust_outside_interest)
                        .map(|outcomes| Ingested {
                            outcomes,
                            evidence: ledger.take_outbox(),
                            items,
                        })
                        .map_err(|e| e.to_string());
                    let _ = reply.send(result);
                }
            }
        }
    }
    // Every handle is gone: make sure everything is on disk.
    if let Err(e) = ledger.store().sync() {
        tracing::error!(error = %e, "final store sync failed");
    }
}

type Reply = oneshot::Sender<Result<Ingested, String>>;

fn ingest_group(ledger: &Ledger, group: Vec<(Vec<Vec<u8>>, Reply)>) {
    let sizes: Vec<usize> = group.iter().map(|(items, _)| items.len()).collect();
    let mut all: Vec<Vec<u8>> = Vec::with_capacity(sizes.iter().sum());
    let mut replies = Vec::with_capacity(group.len());
    for (items, reply) in group {
        all.extend(items);
        replies.push(reply);
    }
    match ledger.ingest_each(&all, Durability::Lazy) {
        Ok(outcomes) => {
            // Evidence goes with the first reply: one publisher is enough.
            let mut evidence = ledger.take_outbox();
            let mut outcomes = outcomes.into_iter();
            let mut items = all.into_iter();
            for (reply, n) in replies.into_iter().zip(sizes) {
                let _ = reply.send(Ok(Ingested {
                    items: items.by_ref().take(n).collect(),
                    outcomes: outcomes.by_ref().take(n).collect(),
                    evidence: std::mem::take(&mut evidence),
                }));
            }
        }
        Err(e) => {
            // A store failure (disk full, I/O error) refuses the whole group;
            // nothing was written, since batches are atomic.
            tracing::error!(error = %e, "store write failed; received entries refused until it recovers");
            let msg = e.to_string();
            for reply in replies {
                let _ = reply.send(Err(msg.clone()));
            }
        }
    }
}

/// How long received writes gather before their fsync: the most a power
/// cut can lose of what this post received (its peers still hold it).
const FSYNC_GATHER: std::time::Duration = std::time::Duration::from_millis(250);

/// The thread that makes received entries durable right behind their
/// writes. Requests coalesce: one pending request covers every write made
/// before the sync it triggers starts.
struct Flusher {
    tx: SyncSender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Flusher {
    fn spawn(ledger: Arc<Ledger>) -> std::io::Result<Flusher> {
        let (tx, rx) = sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("ledger-fsync".into())
            .spawn(move || {
                while rx.recv().is_ok() {
                    // Let a burst of writes gather behind one fsync.
                    std::thread::sleep(FSYNC_GATHER);
                    let _ = rx.try_recv();
                    if let Err(e) = ledger.store().sync() {
                        tracing::error!(error = %e, "fsync of received entries failed / 接收条目落盘失败");
                    }
                }
            })?;
        Ok(Flusher { tx, thread })
    }

    /// Asks for a sync; a request already waiting covers this one.
    fn request(&self) {
        match self.tx.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) => {}
            Err(TrySendError::Disconnected(())) => {
                tracing::error!("the fsync thread has stopped / 落盘线程已停止");
            }
        }
    }

    /// Stops the thread and waits for it, so the store is closed when the
    /// ledger thread ends (a restarted node reopens it at once).
    fn finish(self) {
        drop(self.tx);
        if self.thread.join().is_err() {
            tracing::error!("the fsync thread panicked / 落盘线程异常退出");
        }
    }
}
