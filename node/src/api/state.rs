//! What every handler shares: the node, the access policy, and the folded
//! ledger, kept between requests and brought up to date with the entries
//! that arrived since.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::extract::FromRef;
use liandong_protocol::domain::fold::Fold;
use liandong_protocol::{EntryId, LedgerDigest, RegionCode};

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

    fn get(&self, ledger: &Ledger) -> Result<Arc<Fold>, ActionError> {
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
                return Ok(Arc::clone(&l.fold));
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
        Ok(fold)
    }
}

impl ApiState {
    pub fn new(node: NodeHandle, access: Access) -> ApiState {
        let news = node.subscribe();
        ApiState {
            node,
            access,
            folds: Arc::new(FoldCache::new(news)),
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
                let fold = folds.get(l)?;
                let desk = Desk::with_fold(l, &setup, fold, drill.as_deref(), clock::now_ms())?;
                f(l, &desk)
            })
            .await?
    }
}
