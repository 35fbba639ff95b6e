//! The directory the fold asks about authors: the trust state in a network
//! with a genesis (certificates, revocations, quarantines), or the
//! development directory (posts as their profiles describe them) without.

use std::collections::BTreeMap;
use std::sync::Arc;

use liandong_protocol::trust::TrustDirectory;
use liandong_protocol::{Directory, Hlc, NodeId, PostInfo};

use super::{DevDirectory, DevRoles};
use crate::ledger::Ledger;
use crate::store::StoreError;

/// "Now and from now on": a post's standing as of every entry yet to come.
const FAR_FUTURE: Hlc = Hlc::new(liandong_protocol::hlc::MAX_WALL_MS, 0);

#[derive(Debug, Clone)]
pub enum PostDirectory {
    /// Resolves each post once per directory (`TrustDirectory`): a views
    /// pass asks once per entry.
    Trust(Box<TrustDirectory>),
    Dev(DevDirectory),
}

impl PostDirectory {
    /// The directory for a post's ledger. `cooperate` feeds the dev-mode
    /// directory the post's declared cooperation areas.
    pub fn for_ledger(
        ledger: &Ledger,
        roles: &DevRoles,
        cooperate: &[liandong_protocol::RegionCode],
    ) -> Result<PostDirectory, StoreError> {
        if let Some(state) = ledger.with_trust(|t| t.clone()) {
            return Ok(PostDirectory::Trust(Box::new(TrustDirectory::new(state))));
        }
        let dev =
            DevDirectory::from_store(ledger.store(), roles, Some((ledger.node_id(), cooperate)))?;
        Ok(PostDirectory::Dev(dev))
    }

    /// Every post as it stands now (for name lookups and member lists).
    pub fn latest(&self) -> Vec<PostInfo> {
        match self {
            PostDirectory::Dev(d) => d.latest().cloned().collect(),
            PostDirectory::Trust(t) => {
                let t = t.state();
                let mut posts: BTreeMap<NodeId, PostInfo> = BTreeMap::new();
                for root in &t.genesis().roots {
                    if let Ok(p) = t.resolve(&root.key, FAR_FUTURE) {
                        posts.insert(root.key, p);
                    }
                }
                for record in t.certificates() {
                    let subject = record.cert.subject;
                    if let Ok(p) = t.resolve(&subject, FAR_FUTURE) {
                        posts.insert(subject, p);
                    }
                }
                posts.into_values().collect()
            }
        }
    }

    /// One post as it stands now.
    pub fn latest_of(&self, node: &NodeId) -> Option<PostInfo> {
        match self {
            PostDirectory::Dev(d) => d.latest_of(node).cloned(),
            PostDirectory::Trust(t) => t.state().resolve(node, FAR_FUTURE).ok(),
        }
    }
}

impl Directory for PostDirectory {
    fn post_at(&self, node: &NodeId, at: Hlc) -> Option<Arc<PostInfo>> {
        match self {
            PostDirectory::Trust(t) => t.post_at(node, at),
            PostDirectory::Dev(d) => d.post_at(node, at),
        }
    }
}
