//! Convergence across posts that hold different slices of the ledger.
//!
//! Posts keep only their interest (a village never holds another county's
//! entries), so their whole-ledger digests never agree. A post has
//! converged when, for every piece of its interest, its digest equals the
//! national post's (which holds everything): it has exactly the entries of
//! its interest that exist anywhere. The network has converged when every
//! post has.

use std::time::{Duration, Instant};

use liandong_protocol::LedgerDigest;
use serde::Serialize;

use super::{DemoError, DemoNet};
use crate::node::NodeHandle;

/// One post's standing at the end.
#[derive(Debug, Clone, Serialize)]
pub struct PostDigest {
    pub post: String,
    pub region: String,
    pub entries: u64,
    /// Digest of everything the post holds.
    pub digest: String,
    /// True when it matches the national post on its whole interest.
    pub matches: bool,
}

async fn selector_digests(node: &NodeHandle, of: &NodeHandle) -> Vec<Option<LedgerDigest>> {
    let selectors = node.interest().selectors().to_vec();
    of.ledger()
        .read(move |l| {
            selectors
                .iter()
                .map(|s| l.store().selector_digest(s).ok())
                .collect()
        })
        .await
        .unwrap_or_default()
}

/// True when `node` holds what the reference holds of its interest.
pub async fn matches(node: &NodeHandle, reference: &NodeHandle) -> bool {
    let mine = selector_digests(node, node).await;
    let theirs = selector_digests(node, reference).await;
    !mine.is_empty() && mine.iter().all(Option::is_some) && mine == theirs
}

pub async fn all_match(net: &DemoNet) -> Result<bool, DemoError> {
    let reference = net.node("national")?;
    for (_, node) in net.posts() {
        if !matches(node, reference).await {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Waits until every post has converged; returns how long it took.
pub async fn wait(net: &DemoNet, deadline: Duration) -> Result<Duration, DemoError> {
    let start = Instant::now();
    while !all_match(net).await? {
        if start.elapsed() >= deadline {
            return Err(DemoError::Step(format!(
                "the network did not converge within {deadline:?}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(start.elapsed())
}

/// Every post's digest, for the summary.
pub async fn table(net: &DemoNet) -> Result<Vec<PostDigest>, DemoError> {
    let reference = net.node("national")?;
    let mut out = Vec::new();
    for (m, node) in net.posts() {
        let d = node
            .digest(liandong_protocol::RegionCode::national())
            .await
            .unwrap_or_default();
        out.push(PostDigest {
            post: m.name.clone(),
            region: m.region.clone(),
            entries: d.count,
            digest: d.to_string(),
            matches: matches(node, reference).await,
        });
    }
    Ok(out)
}
