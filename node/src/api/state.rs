//! What every handler shares: the node, the access policy, and the folded
//! ledger, kept between requests and brought up to date with the entries
//! that arrived since.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRef;
use liandong_protocol::domain::fold::{Fold, Views};
use liandong_protocol::{EntryId, Hlc, LedgerDigest, NodeId, RegionCode, SignedEntry};

use super::{Access, ApiError};
use crate::clock;
use crate::domain::load::feeds_fold;
use crate::domain::{ActionError, Desk, Known, snapshot};
use crate::ledger::Ledger;
use crate::node::NodeHandle;
use crate::restricted::{Keyring, reading::as_read};
use crate::service::events::NewEntry;
use crate::store::Store;

#[derive(Clone)]
pub struct ApiState {
    pub node: NodeHandle,
    pub access: Access,
    folds: Arc<FoldCache>,
    views: Arc<ViewsCache>,
    /// Console writes one at a time: each is checked against the fold
    /// with every earlier console write already in it.
    pub writes: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for ApiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiState").finish_non_exhaustive()
    }
}

impl FromRef<ApiState> for NodeHandle {
    fn from_ref(s: &ApiState) -> NodeHandle {
        s.node.clone()
    }
}

impl FromRef<ApiState> for Access {
    fn from_ref(s: &ApiState) -> Access {
        s.access.clone()
    }
}

/// The last fold, kept up to date incrementally: every entry new to the
/// post is announced on the node's broadcast and folded in on the next
/// request. The digest of the entries accounted for is compared with the
/// store's: when they differ (an entry stored but not announced yet, or
/// this listener fell behind the broadcast), the fold is loaded again —
/// from the views' snapshot, brought up to date (`domain::snapshot`):
/// always correct, merely slower.
///
/// What was folded in since the snapshot on disk is appended to it every
/// [`SAVE_EVERY`] (or [`SAVE_ENTRIES`] entries) and when the console stops,
/// so a restart reads the snapshot instead of every entry.
struct FoldCache {
    ledger: Arc<Ledger>,
    inner: Mutex<CacheState>,
}

/// How often a running post appends to the views' snapshot at most.
const SAVE_EVERY: Duration = Duration::from_secs(10);
/// Domain entries folded in that make an append due at once.
const SAVE_ENTRIES: usize = 10_000;

struct CacheState {
    last: Option<Loaded>,
    news: tokio::sync::broadcast::Receiver<NewEntry>,
}

struct Loaded {
    fold: Arc<Fold>,
    /// The digest of every entry the fold has accounted for (domain or not).
    digest: LedgerDigest,
    /// Entries announced since the full fold (each counted once).
    since: HashSet<EntryId>,
    /// The latest time among the entries accounted for.
    max_hlc: Hlc,
    /// What the snapshot on disk accounts for (`None`: not this cache's to
    /// append to, until the next load).
    saved: Option<LedgerDigest>,
    saved_at: Instant,
    /// Domain entries folded in since the snapshot on disk.
    unsaved: Vec<SignedEntry>,
}

impl FoldCache {
    fn new(ledger: Arc<Ledger>, news: tokio::sync::broadcast::Receiver<NewEntry>) -> FoldCache {
        FoldCache {
            ledger,
            inner: Mutex::new(CacheState { last: None, news }),
        }
    }

    /// The current fold and the digest of the entries it accounts for.
    fn get(&self, ledger: &Ledger) -> Result<(Arc<Fold>, LedgerDigest), ActionError> {
        let store = ledger.store();
        let mut state = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(l) = catch_up(&mut state, store, ledger.keyring())? {
            if l.due() {
                l.save(store);
            }
            return Ok((Arc::clone(&l.fold), l.digest));
        }
        // Listen first, then load: an entry stored meanwhile is either
        // accounted for in the load or announced after (and counted then).
        let CacheState { last, news } = &mut *state;
        *news = news.resubscribe();
        let loaded = snapshot::load(store, ledger.keyring()).map_err(ActionError::store)?;
        let fold = Arc::new(loaded.fold);
        *last = Some(Loaded {
            fold: Arc::clone(&fold),
            digest: loaded.digest,
            since: HashSet::new(),
            max_hlc: loaded.max_hlc,
            saved: loaded.saved.then_some(loaded.digest),
            saved_at: Instant::now(),
            unsaved: Vec::new(),
        });
        Ok((fold, loaded.digest))
    }
}

/// Folds in what was announced since; the kept fold when it then accounts
/// for exactly what the store holds, `None` when it must be loaded again.
fn catch_up<'s>(
    state: &'s mut CacheState,
    store: &Store,
    keyring: &Keyring,
) -> Result<Option<&'s mut Loaded>, ActionError> {
    use tokio::sync::broadcast::error::TryRecvError;
    let CacheState { last, news } = state;
    let Some(l) = last.as_mut() else {
        return Ok(None);
    };
    loop {
        match news.try_recv() {
            Ok(new) => {
                if !l.since.insert(new.id) {
                    continue;
                }
                l.digest.add(&new.id);
                l.max_hlc = l.max_hlc.max(new.hlc);
                if feeds_fold(new.kind)
                    && let Some(entry) = store.get(&new.id).map_err(ActionError::store)?
                {
                    let entry = as_read(entry, keyring);
                    // Clones only while an earlier request still holds
                    // the old fold.
                    Arc::make_mut(&mut l.fold).insert(&entry);
                    l.unsaved.push(entry);
                }
            }
            Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            Err(TryRecvError::Lagged(_)) => return Ok(None),
        }
    }
    let now = store
        .digest(&RegionCode::national())
        .map_err(ActionError::store)?;
    Ok((l.digest == now).then_some(l))
}

impl Loaded {
    fn due(&self) -> bool {
        self.saved.is_some_and(|saved| saved != self.digest)
            && (self.saved_at.elapsed() >= SAVE_EVERY || self.unsaved.len() >= SAVE_ENTRIES)
    }

    /// Appends what the snapshot on disk lacks. Only called when the fold
    /// accounts for exactly what the store holds; a failure is logged and
    /// leaves the snapshot to the next load (which checks it anyway).
    fn save(&mut self, store: &Store) {
        let Some(base) = self.saved else {
            return;
        };
        let result = snapshot::append(store, &base, &self.unsaved, self.digest, self.max_hlc);
        self.saved_at = Instant::now();
        self.unsaved.clear();
        self.saved = match result {
            Ok(true) => Some(self.digest),
            Ok(false) => None,
            Err(e) => {
                tracing::warn!(error = %e, "views' snapshot not updated / 视图快照未更新");
                None
            }
        };
    }
}

/// The console is stopping (the last handler is gone): what the snapshot
/// lacks is written now, so the next start reads it as it is.
impl Drop for FoldCache {
    fn drop(&mut self) {
        let store = self.ledger.store();
        let state = self.inner.get_mut().unwrap_or_else(|p| p.into_inner());
        match catch_up(state, store, self.ledger.keyring()) {
            Ok(Some(l)) if l.saved.is_some_and(|saved| saved != l.digest) => l.save(store),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "views' snapshot not updated / 视图快照未更新"),
        }
    }
}

/// Views of each track (reality, or a drill as the request names it),
/// kept while the entries are the same: the console's pages poll, several
/// at once, and a views pass of a large post takes up to half a second
/// (BENCHMARKS.md). When only the second has moved, the kept views get
/// the new time (`Views::set_time`, the overdue and expiry flags) instead
/// of a new pass, so a deadline passing is still seen within a second.
///
/// One pass runs at a time: the requests that miss meanwhile (several
/// pages polling after an entry arrived) wait for it and take its views,
/// rather than each folding the same entries on the same two cores.
#[derive(Default)]
struct ViewsCache {
    by_track: Mutex<HashMap<Option<String>, KeptViews>>,
    folding: Mutex<()>,
}

struct KeptViews {
    digest: LedgerDigest,
    /// Keys quarantined here: a fork this post observed quarantines its
    /// author before (or without) an evidence entry changing the digest.
    quarantined: usize,
    second: u64,
    views: Arc<Views>,
    node: NodeId,
}

/// Tracks kept at most (reality and the drills being looked at).
const MAX_KEPT_TRACKS: usize = 16;

impl ViewsCache {
    fn get(
        &self,
        drill: &Option<String>,
        digest: &LedgerDigest,
        quarantined: usize,
        now_ms: u64,
    ) -> Option<(Arc<Views>, NodeId)> {
        let mut kept = self.by_track.lock().unwrap_or_else(|p| p.into_inner());
        let k = kept
            .get_mut(drill)
            .filter(|k| k.digest == *digest && k.quarantined == quarantined)?;
        let second = now_ms / 1000;
        if k.second != second {
            // Copies the views only while an earlier request still holds them.
            Arc::make_mut(&mut k.views).set_time(now_ms);
            k.second = second;
        }
        Some((Arc::clone(&k.views), k.node))
    }

    /// The views kept for these entries that a desk on `drill` can start
    /// with: reality's (to find the drill by its name), and the drill's.
    fn known(
        &self,
        drill: &Option<String>,
        digest: &LedgerDigest,
        quarantined: usize,
        now_ms: u64,
    ) -> Known {
        let views = |track: &Option<String>| {
            self.get(track, digest, quarantined, now_ms)
                .map(|(views, _)| views)
        };
        Known {
            reality: views(&None),
            drill: drill.as_ref().and_then(|_| views(drill)),
        }
    }

    fn keep(&self, drill: Option<String>, kept: KeptViews) {
        let mut by_track = self.by_track.lock().unwrap_or_else(|p| p.into_inner());
        if by_track.len() >= MAX_KEPT_TRACKS && !by_track.contains_key(&drill) {
            by_track.clear();
        }
        by_track.insert(drill, kept);
    }
}

/// Keys quarantined here: views folded before a quarantine are not kept
/// after it (see `KeptViews`).
fn quarantined(ledger: &Ledger) -> usize {
    ledger.with_trust(|t| t.quarantined().count()).unwrap_or(0)
}

/// Folds the ledger into reality's views as the console starts, so that
/// the first operator to open it does not wait: a large post's fold takes
/// seconds (about 2 s at a million entries, BENCHMARKS.md), and brings the
/// views' snapshot up to date on the way. A failure here only means the
/// first page loads them.
pub async fn warm_up(state: ApiState) {
    let started = Instant::now();
    match state.views(None).await {
        Ok(_) => tracing::info!(
            elapsed = ?started.elapsed(),
            "console views ready / 控制台视图已就绪"
        ),
        Err(e) => tracing::warn!(
            error = %e.en,
            "console views not loaded at start; the first page loads them / \
             启动时未加载控制台视图，打开首页时加载"
        ),
    }
}

impl ApiState {
    pub fn new(node: NodeHandle, access: Access) -> ApiState {
        let news = node.subscribe();
        let ledger = Arc::clone(node.ledger().ledger());
        ApiState {
            node,
            access,
            folds: Arc::new(FoldCache::new(ledger, news)),
            views: Arc::new(ViewsCache::default()),
            writes: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Runs `f` with a desk on reality or the named drill, on the blocking
    /// pool (folding is CPU work). The desk starts with the views kept
    /// here for the same entries, so an action folds only to check its
    /// entry.
    pub async fn with_desk<T, F>(&self, drill: Option<String>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Ledger, &Desk) -> Result<T, ApiError> + Send + 'static,
    {
        let folds = Arc::clone(&self.folds);
        let cache = Arc::clone(&self.views);
        let setup = self.node.desk_setup().clone();
        self.node
            .ledger()
            .read(move |l| {
                let (fold, digest) = folds.get(l)?;
                let now = clock::now_ms();
                let known = cache.known(&drill, &digest, quarantined(l), now);
                let desk = Desk::with_fold(l, &setup, fold, drill.as_deref(), now, known)?;
                f(l, &desk)
            })
            .await?
    }

    /// The views of reality or the named drill, and this post's key: kept
    /// between requests while nothing changed (see `ViewsCache`).
    pub async fn views(&self, drill: Option<String>) -> Result<(Arc<Views>, NodeId), ApiError> {
        let folds = Arc::clone(&self.folds);
        let cache = Arc::clone(&self.views);
        let setup = self.node.desk_setup().clone();
        self.node
            .ledger()
            .read(move |l| {
                let mut turn = None;
                let (fold, digest, quarantined, now) = loop {
                    let (fold, digest) = folds.get(l)?;
                    let now = clock::now_ms();
                    let quarantined = quarantined(l);
                    if let Some(hit) = cache.get(&drill, &digest, quarantined, now) {
                        return Ok(hit);
                    }
                    if turn.is_some() {
                        break (fold, digest, quarantined, now);
                    }
                    // One pass at a time; the one waited for may have
                    // folded these very entries, so look again after it.
                    drop(fold);
                    turn = Some(cache.folding.lock().unwrap_or_else(|p| p.into_inner()));
                };
                let known = cache.known(&drill, &digest, quarantined, now);
                let desk = Desk::with_fold(l, &setup, fold, drill.as_deref(), now, known)?;
                let views = desk.views();
                let kept = KeptViews {
                    digest,
                    quarantined,
                    second: now / 1000,
                    views: Arc::clone(&views),
                    node: desk.node,
                };
                cache.keep(drill, kept);
                Ok((views, desk.node))
            })
            .await?
    }
}
