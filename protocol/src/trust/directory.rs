//! The trust state as the fold's [`Directory`], resolving each post once.
//!
//! The fold asks who an entry's author was once per entry. Resolving from
//! the state walks the author's chain up to the root each time (a village
//! is five certificates down: about a microsecond, and a million entries
//! ask a million times). What decides the answer barely depends on the
//! entry's time:
//!
//! - whether a certificate is effective (its issuer could issue it when it
//!   did) does not depend on it at all;
//! - what does is whether the post was quarantined or revoked by then, and
//!   which effective certificate's window covers it.
//!
//! So each post's standing is worked out the first time it is asked for
//! (its effective certificates, newest first, with the post each makes),
//! and every later question is a few comparisons. The answers are those of
//! [`TrustState::resolve`] (tested against it in `tests/trust.rs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::authority::{Directory, PostInfo};
use crate::hlc::Hlc;
use crate::ids::NodeId;
use crate::trust::state::TrustState;
use crate::trust_bodies::window_covers;

/// A trust state and what it has resolved so far. Build one per state: it
/// does not see entries inserted into a state after it was made.
pub struct TrustDirectory {
    state: TrustState,
    standings: Mutex<HashMap<NodeId, Arc<Standing>>>,
}

/// What decides who `node` was at any time, in the order
/// [`TrustState::resolve`] asks.
#[derive(Debug)]
struct Standing {
    quarantined_since: Option<Hlc>,
    root: Option<Arc<PostInfo>>,
    revoked_at: Option<Hlc>,
    /// Effective certificates, newest first: the first whose window covers
    /// a time says who the post was then.
    certified: Vec<Certified>,
}

#[derive(Debug)]
struct Certified {
    valid_from_ms: u64,
    valid_until_ms: Option<u64>,
    post: Arc<PostInfo>,
}

impl TrustDirectory {
    pub fn new(state: TrustState) -> TrustDirectory {
        TrustDirectory {
            state,
            standings: Mutex::new(HashMap::new()),
        }
    }

    pub fn state(&self) -> &TrustState {
        &self.state
    }

    fn standing(&self, node: &NodeId) -> Arc<Standing> {
        // A poisoned lock means a thread panicked while working a post out:
        // the map holds only complete standings, so it is still sound.
        let mut standings = self.standings.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(
            standings
                .entry(*node)
                .or_insert_with(|| Arc::new(self.work_out(node))),
        )
    }

    fn work_out(&self, node: &NodeId) -> Standing {
        let state = &self.state;
        let view = state.view();
        Standing {
            quarantined_since: state.quarantine_of(node).map(|q| q.since),
            root: state.genesis().root_post(node).map(Arc::new),
            revoked_at: state.revoked(node).map(|r| r.at),
            certified: view
                .certs_of(node)
                .into_iter()
                .filter(|c| view.effective(c, 0).is_ok())
                .map(|c| Certified {
                    valid_from_ms: c.cert.valid_from_ms,
                    valid_until_ms: c.cert.valid_until_ms,
                    post: Arc::new(c.cert.post_info()),
                })
                .collect(),
        }
    }
}

impl Standing {
    fn post_at(&self, at: Hlc) -> Option<Arc<PostInfo>> {
        if self.quarantined_since.is_some_and(|since| at >= since) {
            return None;
        }
        if let Some(root) = &self.root {
            return Some(Arc::clone(root));
        }
        if self.revoked_at.is_some_and(|revoked| at >= revoked) {
            return None;
        }
        self.certified
            .iter()
            .find(|c| window_covers(c.valid_from_ms, c.valid_until_ms, at))
            .map(|c| Arc::clone(&c.post))
    }
}

impl Directory for TrustDirectory {
    fn post_at(&self, node: &NodeId, at: Hlc) -> Option<Arc<PostInfo>> {
        self.standing(node).post_at(at)
    }
}

/// A copy starts with nothing resolved (it is cheap to work out again).
impl Clone for TrustDirectory {
    fn clone(&self) -> Self {
        TrustDirectory::new(self.state.clone())
    }
}

impl std::fmt::Debug for TrustDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustDirectory")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}
