//! What every handler shares: the node, the access policy, and the folded
//! ledger, kept between requests and refolded only when the entry set
//! changed.

use std::sync::{Arc, Mutex};

use axum::extract::FromRef;
use liandong_protocol::domain::fold::Fold;
use liandong_protocol::{LedgerDigest, RegionCode};

use super::{Access, ApiError};
use crate::clock;
use crate::domain::{ActionError, Desk, load_fold};
use crate::ledger::Ledger;
use crate::node::NodeHandle;

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

/// The last fold, and the digest of the entry set it was folded from (the
/// digest changes with every entry added).
#[derive(Default)]
struct FoldCache {
    last: Mutex<Option<(LedgerDigest, Arc<Fold>)>>,
}

impl FoldCache {
    fn get(&self, ledger: &Ledger) -> Result<Arc<Fold>, ActionError> {
        let store = ledger.store();
        let digest = store
            .digest(&RegionCode::national())
            .map_err(ActionError::store)?;
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((d, fold)) = last.as_ref()
            && *d == digest
        {
            return Ok(Arc::clone(fold));
        }
        let fold = Arc::new(load_fold(store).map_err(ActionError::store)?);
        *last = Some((digest, Arc::clone(&fold)));
        Ok(fold)
    }
}

impl ApiState {
    pub fn new(node: NodeHandle, access: Access) -> ApiState {
        ApiState {
            node,
            access,
            folds: Arc::new(FoldCache::default()),
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
