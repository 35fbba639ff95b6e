//! `GET /api/network`: the post's links — peers now, posts heard from
//! before, which levels above and below are reachable, when the parent
//! post was last heard from, whether this post looks cut off — and the
//! sync history.

use axum::Json;
use axum::extract::State;
use liandong_protocol::{Level, NodeId, PostInfo, RegionCode};
use serde::Serialize;

use crate::api::{ApiError, ApiState};
use crate::service::status::{Heard, NodeStatus, SyncTotals};
use crate::service::sync::SyncStats;

/// A post above this one is "lost" after this long without a word.
const SILENCE_MS: u64 = 5 * 60 * 1000;

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: NodeStatus,
    /// Every post heard from, connected or not, with its level.
    pub heard: Vec<HeardPost>,
    /// For each level, the posts heard from and connected now.
    pub levels: Vec<LevelReach>,
    pub parent: Option<Parent>,
    /// Posts above this one are known (heard from, or in the directory)
    /// but none is connected now: this post is cut off from its chain of
    /// command. A post that never knew any post above is not "cut off".
    pub partitioned: bool,
    pub sync_history: Vec<SyncStats>,
    pub sync_totals: SyncTotals,
    pub now_ms: u64,
}

#[derive(Debug, Serialize)]
pub struct HeardPost {
    #[serde(flatten)]
    pub heard: Heard,
    pub level: Level,
}

#[derive(Debug, Serialize)]
pub struct LevelReach {
    pub level: Level,
    pub zh: &'static str,
    pub en: &'static str,
    /// above, self or below this post.
    pub relation: &'static str,
    pub known: usize,
    pub connected: usize,
    pub last_ms: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct Parent {
    pub region: RegionCode,
    pub level: Level,
    pub name: Option<String>,
    pub connected: bool,
    /// Last hello, message or sync from it.
    pub last_heard_ms: Option<u64>,
    /// The time of the newest entry it wrote that this post holds.
    pub last_entry_ms: Option<u64>,
    /// Not heard from for longer than the silence allowance.
    pub silent: bool,
}

pub async fn health(State(s): State<ApiState>) -> Result<Json<Health>, ApiError> {
    let status = s.node.status().await;
    let now = crate::clock::now_ms();
    let region = s.node.region().clone();
    let my_level = region.level();
    let heard: Vec<HeardPost> = s
        .node
        .heard()
        .into_iter()
        .filter_map(|h| {
            let level = h.region.parse::<RegionCode>().ok()?.level();
            Some(HeardPost { heard: h, level })
        })
        .collect();
    let levels = Level::ALL
        .iter()
        .map(|l| {
            let at: Vec<&HeardPost> = heard.iter().filter(|h| h.level == *l).collect();
            LevelReach {
                level: *l,
                zh: l.name_zh(),
                en: l.name_en(),
                relation: if *l == my_level {
                    "self"
                } else if l.is_above(my_level) {
                    "above"
                } else {
                    "below"
                },
                known: at.len(),
                connected: at.iter().filter(|h| h.heard.connected).count(),
                last_ms: at.iter().map(|h| h.heard.last_ms).max(),
            }
        })
        .collect();
    // The national post has nobody above it.
    let parent = if region.is_national() {
        None
    } else {
        Some(parent_of(&s, &region, &heard, now).await)
    };
    let mine = region.clone();
    let known_above = heard.iter().any(|h| h.level.is_above(my_level))
        || s.with_desk(None, move |_, desk| {
            Ok(desk
                .directory
                .latest()
                .iter()
                .any(|p| p.level.is_above(mine.level()) && mine.is_within(&p.region)))
        })
        .await
        .unwrap_or(false);
    let partitioned = known_above
        && !heard
            .iter()
            .any(|h| h.heard.connected && h.level.is_above(my_level));
    let mut sync_history = s.node.sync_history();
    sync_history.reverse();
    sync_history.truncate(50);
    Ok(Json(Health {
        status,
        heard,
        levels,
        parent,
        partitioned,
        sync_history,
        sync_totals: s.node.sync_totals(),
        now_ms: now,
    }))
}

/// The parent post: the post of the nearest region above this one that has
/// a post at all. A village certified straight by its county has no
/// township post, and its parent is the county, not a township nobody runs
/// (which would read "never heard" forever).
async fn parent_of(s: &ApiState, mine: &RegionCode, heard: &[HeardPost], now: u64) -> Parent {
    let above = mine.ancestors();
    // Who the directory says runs each region above, and its newest entry here.
    let posts = s
        .with_desk(None, move |l, desk| {
            let latest = desk.directory.latest();
            Ok(above
                .into_iter()
                .map(|region| {
                    let post = post_of(&latest, &region);
                    let name = post.map(|p| p.name.clone());
                    let last_entry = post.and_then(|p| newest_by(l, &p.node));
                    (region, name, last_entry)
                })
                .collect::<Vec<_>>())
        })
        .await
        .unwrap_or_default();
    let heard_at = |region: &RegionCode| -> Vec<&HeardPost> {
        heard
            .iter()
            .filter(|h| h.heard.region == region.as_str())
            .collect()
    };
    let fallback = (
        mine.parent().unwrap_or_else(RegionCode::national),
        None,
        None,
    );
    let (region, directory_name, last_entry_ms) = posts
        .iter()
        .find(|(region, name, _)| name.is_some() || !heard_at(region).is_empty())
        .cloned()
        .unwrap_or(fallback);
    let at = heard_at(&region);
    let connected = at.iter().any(|h| h.heard.connected);
    let last_heard_ms = at.iter().map(|h| h.heard.last_ms).max();
    let name = directory_name
        .map(|n| n.to_string())
        .or_else(|| at.iter().find_map(|h| h.heard.name.clone()));
    let latest = last_heard_ms.max(last_entry_ms);
    Parent {
        level: region.level(),
        region,
        name,
        connected,
        last_heard_ms,
        last_entry_ms,
        silent: !connected && latest.is_none_or(|t| now.saturating_sub(t) > SILENCE_MS),
    }
}

/// The post that runs `region`: its command post, not one of its member
/// units (a county's fire brigade is county-level too), else any post of
/// that region and level.
fn post_of<'a>(posts: &'a [PostInfo], region: &RegionCode) -> Option<&'a PostInfo> {
    let runs = |p: &&PostInfo| p.region == *region && p.level == region.level();
    posts
        .iter()
        .filter(runs)
        .find(|p| p.is_command_post())
        .or_else(|| posts.iter().find(runs))
}

/// The wall time of the newest entry by `author` in the store.
/// A store error leaves it unknown (and is logged), as for a silent post.
fn newest_by(l: &crate::ledger::Ledger, author: &NodeId) -> Option<u64> {
    let logged = |e: crate::store::StoreError| {
        tracing::warn!(error = %e, "newest entry of a post unreadable");
    };
    let (_, ids) = l.store().head_of(author).map_err(logged).ok()??;
    ids.iter()
        .filter_map(|id| l.store().get(id).map_err(logged).ok().flatten())
        .map(|e| e.hlc().wall_ms())
        .max()
}

#[cfg(test)]
mod tests {
    use liandong_protocol::UnitType;

    use super::*;

    fn post(name: &str, region: &str, unit: UnitType) -> PostInfo {
        let region: RegionCode = region.parse().expect("region");
        PostInfo {
            node: NodeId([name.len() as u8; 32]),
            name: name.into(),
            level: region.level(),
            region,
            unit_type: unit,
            roles: Vec::new(),
            can_certify: false,
            cooperates: Vec::new(),
        }
    }

    #[test]
    fn a_region_is_run_by_its_command_post_not_a_member_unit() {
        let county: RegionCode = "654203".parse().expect("region");
        let fire = post("沙湾市消防救援大队", "654203", UnitType::Fire);
        let command = post("沙湾市应急管理局", "654203", UnitType::Command);
        let town = post("西戈壁镇", "654203106", UnitType::Command);
        let posts = [fire.clone(), town.clone(), command.clone()];
        assert_eq!(post_of(&posts, &county), Some(&command));
        // With no command post known, a member unit still answers for it.
        assert_eq!(post_of(&[fire.clone(), town], &county), Some(&fire));
        assert_eq!(post_of(&[], &county), None);
    }
}
