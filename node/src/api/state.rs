//! What every handler shares: the node, the access policy, and the folded
//! ledger, kept between requests and brought up to date with the entries
//! that arrived since.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::extract::FromRef;
use liandong_protocol::domain::fold::{Fold, Views};
use liandong_protocol::{EntryId, LedgerDigest, NodeId, RegionCode};

use super::{Access, ApiError};
use crate::clock;
use crate::domain::load::is_domain_kind;
use crate::domain::{ActionError, Desk, load_fold};
use crate::ledger::Ledger;
use crate::node::NodeHandle;
use crate::service::events::NewEntry;

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
/// this listener fell behind the broadcast), the whole ledger is folded
/// again — always correct, merely slower.
struct FoldCache {
    inner: Mutex<CacheState>,
}

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
}

impl FoldCache {
    fn new(news: tokio::sync::broadcast::Receiver<NewEntry>) -> FoldCache {
        FoldCache {
            inner: Mutex::new(CacheState { last: None, news }),
        }
    }

    /// The current fold and the digest of the entries it accounts for.
    fn get(&self, ledger: &Ledger) -> Result<(Arc<Fold>, LedgerDigest), ActionError> {
        use tokio::sync::broadcast::error::TryRecvError;
        let store = ledger.store();
        let mut state = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let CacheState { last, news } = &mut *state;
        if let Some(l) = last.as_mut() {
            let mut lagged = false;
            loop {
                match news.try_recv() {
                    Ok(new) => {
                        if !l.since.insert(new.id) {
                            continue;
                        }
                        l.digest.add(&new.id);
                        if is_domain_kind(new.kind)
                            && let Some(entry) = store.get(&new.id).map_err(ActionError::store)?
                        {
                            // Clones only while an earlier request still
                            // holds the old fold.
                            Arc::make_mut(&mut l.fold).insert(&entry);
                        }
                    }
                    Err(TryRecvError::Empty | TryRecvError::Closed) => break,
                    Err(TryRecvError::Lagged(_)) => {
                        lagged = true;
                        break;
                    }
                }
            }
            let now = store
                .digest(&RegionCode::national())
                .map_err(ActionError::store)?;
            if !lagged && l.digest == now {
                return Ok((Arc::clone(&l.fold), now));
            }
        }
        // Listen first, then read the digest, then fold: an entry stored
        // meanwhile is either in both or announced after (and counted then).
        *news = news.resubscribe();
        let digest = store
            .digest(&RegionCode::national())
            .map_err(ActionError::store)?;
        let fold = Arc::new(load_fold(store).map_err(ActionError::store)?);
        *last = Some(Loaded {
            fold: Arc::clone(&fold),
            digest,
            since: HashSet::new(),
        });
        Ok((fold, digest))
    }
}

/// Views of each track (reality, or a drill as the request names it),
/// kept while the entries and the second are the same: the console's pages
/// poll, several at once, and views of a large post take tens of
/// milliseconds to compute (BENCHMARKS.md). A deadline passing is seen
/// within a second.
#[derive(Default)]
struct ViewsCache {
    by_track: Mutex<HashMap<Option<String>, KeptViews>>,
}

struct KeptViews {
    digest: LedgerDigest,
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
        second: u64,
    ) -> Option<(Arc<Views>, NodeId)> {
        let kept = self.by_track.lock().unwrap_or_else(|p| p.into_inner());
        kept.get(drill)
            .filter(|k| k.digest == *digest && k.second == second)
            .map(|k| (Arc::clone(&k.views), k.node))
    }

    fn keep(&self, drill: Option<String>, kept: KeptViews) {
        let mut by_track = self.by_track.lock().unwrap_or_else(|p| p.into_inner());
        if by_track.len() >= MAX_KEPT_TRACKS && !by_track.contains_key(&drill) {
            by_track.clear();
        }
        by_track.insert(drill, kept);
    }
}

impl ApiState {
    pub fn new(node: NodeHandle, access: Access) -> ApiState {
        let news = node.subscribe();
        ApiState {
            node,
            access,
            folds: Arc::new(FoldCache::new(news)),
            views: Arc::new(ViewsCache::default()),
            writes: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Runs `f` with a desk on reality or the named drill, on the blocking
    /// pool (folding is CPU work).
    pub async fn with_desk<T, F>(&self, drill: Option<String>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Ledger, &Desk) -> Result<T, ApiError> + Send + 'static,
    {
        let folds = Arc::clone(&self.folds);
        let setup = self.node.desk_setup().clone();
        self.node
            .ledger()
            .read(move |l| {
                let (fold, _) = folds.get(l)?;
                let desk = Desk::with_fold(l, &setup, fold, drill.as_deref(), clock::now_ms())?;
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
                let (fold, digest) = folds.get(l)?;
                let now = clock::now_ms();
                let second = now / 1000;
                if let Some(hit) = cache.get(&drill, &digest, second) {
                    return Ok(hit);
                }
                let desk = Desk::with_fold(l, &setup, fold, drill.as_deref(), now)?;
                let views = Arc::new(desk.views());
                let kept = KeptViews {
                    digest,
                    second,
                    views: Arc::clone(&views),
                    node: desk.node,
                };
                cache.keep(drill, kept);
                Ok((views, desk.node))
            })
            .await?
    }
}
