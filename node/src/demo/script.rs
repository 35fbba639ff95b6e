//! The demo's means: links cut and healed, entries written as a post, the
//! step announcer, and the review as a post's views show it.

use std::time::{Duration, Instant};

use liandong_protocol::domain::fold::{DeadlinePolicy, FoldContext, Track, review};
use liandong_protocol::{Body, EntryId, RegionCode, SignedEntry, Status};

use super::{DemoError, DemoNet, DemoOptions, DemoSummary, Step};
use crate::clock;
use crate::domain::{DevRoles, PostDirectory, load_fold};

pub(super) fn rc(code: &str) -> Result<RegionCode, DemoError> {
    code.parse().map_err(|e| DemoError::Step(format!("{e}")))
}

/// Dials `b` from `a` and waits until both have introduced themselves.
pub async fn connect(net: &DemoNet, a: &str, b: &str) -> Result<(), DemoError> {
    let (na, nb) = (net.node(a)?, net.node(b)?);
    let addr = nb
        .listen_addrs()
        .into_iter()
        .next()
        .ok_or_else(|| DemoError::Step(format!("{b} has no address")))?;
    na.dial(addr)
        .await
        .map_err(|e| DemoError::Step(format!("{a} → {b}: {e}")))?;
    let end = Instant::now() + net.deadline;
    while !(na.known_peers().contains(&nb.peer_id()) && nb.known_peers().contains(&na.peer_id())) {
        if Instant::now() >= end {
            return Err(DemoError::Step(format!("{a} and {b} did not connect")));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

pub(super) async fn cut(net: &DemoNet, a: &str, b: &str) -> Result<(), DemoError> {
    let (na, nb) = (net.node(a)?, net.node(b)?);
    na.network().block(nb.peer_id()).await;
    nb.network().block(na.peer_id()).await;
    let end = Instant::now() + net.deadline;
    while na.known_peers().contains(&nb.peer_id()) || nb.known_peers().contains(&na.peer_id()) {
        if Instant::now() >= end {
            return Err(DemoError::Step(format!("the link {a}—{b} would not close")));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

pub(super) async fn heal(net: &DemoNet, a: &str, b: &str) -> Result<(), DemoError> {
    let (na, nb) = (net.node(a)?, net.node(b)?);
    na.network().unblock(nb.peer_id()).await;
    nb.network().unblock(na.peer_id()).await;
    connect(net, a, b).await
}

/// Writes an entry as post `key`, scoped to `scope`.
pub(super) async fn write(
    net: &DemoNet,
    key: &str,
    scope: &RegionCode,
    body: Body,
) -> Result<SignedEntry, DemoError> {
    net.node(key)?
        .author(scope.clone(), Status::Actual, body)
        .await
        .map_err(|e| DemoError::Step(format!("{key} could not write: {e}")))
}

pub(super) struct Script<'a, F: FnMut(&str)> {
    pub(super) opts: &'a DemoOptions,
    pub(super) summary: &'a mut DemoSummary,
    pub(super) progress: &'a mut F,
    pub(super) step: usize,
    pub(super) clock: Instant,
}

impl<F: FnMut(&str)> Script<'_, F> {
    /// Announces the next step; records how long the previous one took.
    pub(super) async fn step(&mut self, text: &str) {
        if self.step > 0 {
            let ms = self.clock.elapsed().as_millis() as u64;
            if let Some(last) = self.summary.steps.last_mut() {
                last.ms = ms;
            }
            tokio::time::sleep(self.opts.step_delay).await;
        }
        self.step += 1;
        (self.progress)(&format!("[{:02}] {text}", self.step));
        self.summary.steps.push(Step {
            name: text.to_string(),
            ms: 0,
        });
        self.clock = Instant::now();
    }

    pub(super) fn note(&mut self, text: &str) {
        (self.progress)(&format!("     {text}"));
    }
}

/// The post that wrote an entry.
pub(super) fn author_key<'a>(net: &'a DemoNet, entry: &SignedEntry) -> Result<&'a str, DemoError> {
    net.posts()
        .find(|(_, n)| n.node_id() == entry.author())
        .map(|(m, _)| m.key.as_str())
        .ok_or_else(|| DemoError::Step("unknown author".into()))
}

/// The review of the incident as the county's views show it, and how many
/// entries its views left out.
pub(super) async fn review_at(
    net: &DemoNet,
    key: &str,
    incident: EntryId,
) -> Result<(liandong_protocol::domain::fold::Review, usize), DemoError> {
    let node = net.node(key)?;
    node.ledger()
        .read(move |l| -> Result<_, String> {
            let fold = load_fold(l.store(), l.keyring()).map_err(|e| e.to_string())?;
            let directory = PostDirectory::for_ledger(l, &DevRoles::default(), &[])
                .map_err(|e| e.to_string())?;
            let authority = l.with_trust(|t| t.policy().clone()).unwrap_or_default();
            let deadlines = DeadlinePolicy::default();
            let ctx = FoldContext {
                directory: &directory,
                authority: &authority,
                deadlines: &deadlines,
                now_ms: clock::now_ms(),
            };
            let views = fold.views(&ctx, Track::Actual);
            Ok((review(&views, Some(incident)), views.invalid.len()))
        })
        .await
        .map_err(|e| DemoError::Step(e.to_string()))?
        .map_err(DemoError::Step)
}
