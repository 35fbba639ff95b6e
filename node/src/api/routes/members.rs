//! 成员: the certificate tree (or, in development mode, the posts as their
//! profiles describe them), the directory of posts the task form offers,
//! and the region tree with what is going on in each region.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use liandong_protocol::domain::GeoPoint;
use liandong_protocol::domain::fold::WarningStatus;
use liandong_protocol::{Level, PostInfo, RegionCode};
use serde::{Deserialize, Serialize};

use super::TrackQuery;
use crate::api::json::JsonBody;
use crate::api::routes::entered::{self, Entered};
use crate::api::{ApiError, ApiState};
use crate::service::certs::{Listing, Row, listing};
use crate::service::revocation::{self, RevokeError, RevokeOutcome};
use crate::service::rows::post_places;

#[derive(Debug, Serialize)]
pub struct Members {
    /// `trust` (certificates from a genesis) or `dev` (self-descriptions).
    pub mode: &'static str,
    #[serde(flatten)]
    pub listing: Listing,
}

pub async fn certificates(State(s): State<ApiState>) -> Result<Json<Members>, ApiError> {
    let network = s.node.network_name().to_string();
    s.with_desk(None, move |l, desk| {
        let now = l.now_hlc();
        if let Some(mut tree) = l.with_trust(|t| listing(t, now)) {
            tree.network = network;
            return Ok(Members {
                mode: "trust",
                listing: tree,
            });
        }
        // Development mode: no certificates, only what posts say of
        // themselves; shown as a tree by region so it reads the same way.
        let mut posts = desk.directory.latest();
        posts.sort_by(|a, b| a.region.cmp(&b.region).then(a.name.cmp(&b.name)));
        let top = posts
            .iter()
            .map(|p| p.level)
            .min()
            .unwrap_or(Level::National);
        let tree = posts.iter().map(|p| dev_row(p, top)).collect();
        Ok(Members {
            mode: "dev",
            listing: Listing {
                network,
                tree,
                revocations: Vec::new(),
                quarantined: Vec::new(),
            },
        })
    })
    .await
    .map(Json)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// A node id or a unique prefix (8+ hex characters).
    node: String,
    reason: String,
    /// Without it, only the preview: who, from when, what it voids here.
    #[serde(default)]
    yes: bool,
}

/// `POST /api/members/revoke`: previews a revocation, and writes it (and
/// gossips it) only with `yes` — what `liandong cert revoke` asks of a
/// running node.
pub async fn revoke(
    State(s): State<ApiState>,
    who: Entered,
    JsonBody(req): JsonBody<RevokeRequest>,
) -> Result<Json<RevokeOutcome>, ApiError> {
    let operator = entered::operator(who)?;
    let text = req.node.clone();
    let planned = s
        .node
        .ledger()
        .read(move |l| revocation::plan(l, &text))
        .await?
        .map_err(revoke_error)?;
    if !req.yes {
        return Ok(Json(revocation::not_done(planned)));
    }
    let entry = s
        .node
        .author_by(
            planned.preview.scope.clone(),
            liandong_protocol::Status::Actual,
            revocation::body(&planned, &req.reason),
            operator,
        )
        .await?;
    let outcome = s
        .node
        .ledger()
        .read(move |l| revocation::done(l, planned, &entry))
        .await??;
    Ok(Json(outcome))
}

fn revoke_error(e: RevokeError) -> ApiError {
    match e {
        RevokeError::Usage(m) => ApiError::bad_request("invalid_node", m),
        RevokeError::NoMatch(m) => ApiError::mixed(StatusCode::NOT_FOUND, "unknown_node", m),
        RevokeError::Ledger(l) => l.into(),
    }
}

fn dev_row(p: &PostInfo, top: Level) -> Row {
    Row {
        depth: Level::ALL
            .iter()
            .position(|l| *l == p.level)
            .unwrap_or(0)
            .saturating_sub(Level::ALL.iter().position(|l| *l == top).unwrap_or(0)),
        node: p.node.to_hex(),
        name: p.name.to_string(),
        level: p.level.name_zh().into(),
        level_en: p.level.name_en().into(),
        unit_type_en: p.unit_type.name().into(),
        region: p.region.to_string(),
        unit_type: p.unit_type.name_zh().into(),
        roles: p.roles.iter().map(|r| r.0.clone()).collect(),
        can_certify: p.can_certify,
        certificate: None,
        issuer: None,
        issued: None,
        valid_until: None,
        status: "uncertified".into(),
        reason: None,
    }
}

/// A post as the forms list it.
#[derive(Debug, Serialize)]
pub struct PostRow {
    pub node: String,
    pub name: String,
    pub level: Level,
    pub region: RegionCode,
    pub unit_type: liandong_protocol::UnitType,
    /// Where the post is, when it published its place (its config's
    /// `location`).
    pub location: Option<GeoPoint>,
    /// Within this post's region subtree: a task can be assigned to it.
    pub below: bool,
    pub me: bool,
}

/// Every post this post knows, its own subtree first.
pub async fn posts(State(s): State<ApiState>) -> Result<Json<Vec<PostRow>>, ApiError> {
    let mine = s.node.region().clone();
    let me = s.node.node_id();
    s.with_desk(None, move |ledger, desk| {
        let places = post_places(ledger.store()).map_err(|e| crate::api::error::store_error(&e))?;
        let mut rows: Vec<PostRow> = desk
            .directory
            .latest()
            .into_iter()
            .map(|p| PostRow {
                node: p.node.to_hex(),
                below: p.region.is_within(&mine) && p.node != me,
                me: p.node == me,
                name: p.name.to_string(),
                level: p.level,
                location: places.get(&p.node).copied(),
                region: p.region,
                unit_type: p.unit_type,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.below
                .cmp(&a.below)
                .then(a.region.cmp(&b.region))
                .then(a.name.cmp(&b.name))
        });
        Ok(rows)
    })
    .await
    .map(Json)
}

/// One region of the tree.
#[derive(Debug, Serialize)]
pub struct RegionNode {
    pub code: RegionCode,
    pub level: Level,
    /// The posts responsible for exactly this region.
    pub posts: Vec<String>,
    /// Open incidents in this region's subtree.
    pub incidents: usize,
    /// Warnings in force covering part of this subtree.
    pub warnings: usize,
    pub children: Vec<RegionNode>,
}

/// The regions of every known post and incident, nested, from the
/// smallest region holding them all.
pub async fn regions(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Json<RegionNode>, ApiError> {
    let mine = s.node.region().clone();
    s.with_desk(q.drill, move |_, desk| {
        let views = desk.views();
        let posts = desk.directory.latest();
        let open: Vec<RegionCode> = views
            .incidents
            .iter()
            .filter(|i| i.closed.is_none())
            .map(|i| i.region.clone())
            .collect();
        let warned: Vec<&Vec<RegionCode>> = views
            .warnings
            .iter()
            .filter(|w| matches!(w.status, WarningStatus::Active | WarningStatus::Pending))
            .map(|w| &w.current.area)
            .collect();
        let mut names: BTreeMap<RegionCode, Vec<String>> = BTreeMap::new();
        for p in &posts {
            names
                .entry(p.region.clone())
                .or_default()
                .push(p.name.to_string());
        }
        let mut codes: Vec<RegionCode> = names.keys().cloned().collect();
        codes.extend(open.iter().cloned());
        codes.push(mine.clone());
        let root = common_ancestor(&codes);
        let mut all: Vec<RegionCode> = Vec::new();
        for c in &codes {
            all.push(c.clone());
            all.extend(c.ancestors().into_iter().filter(|a| a.is_within(&root)));
        }
        all.sort();
        all.dedup();
        Ok(build(&root, &all, &names, &open, &warned))
    })
    .await
    .map(Json)
}

fn common_ancestor(codes: &[RegionCode]) -> RegionCode {
    let Some(first) = codes.first() else {
        return RegionCode::national();
    };
    std::iter::once(first.clone())
        .chain(first.ancestors())
        .find(|c| codes.iter().all(|x| x.is_within(c)))
        .unwrap_or_else(RegionCode::national)
}

fn build(
    code: &RegionCode,
    all: &[RegionCode],
    names: &BTreeMap<RegionCode, Vec<String>>,
    open: &[RegionCode],
    warned: &[&Vec<RegionCode>],
) -> RegionNode {
    let children = all
        .iter()
        .filter(|c| c.parent().as_ref() == Some(code))
        .map(|c| build(c, all, names, open, warned))
        .collect();
    RegionNode {
        code: code.clone(),
        level: code.level(),
        posts: names.get(code).cloned().unwrap_or_default(),
        incidents: open.iter().filter(|r| r.is_within(code)).count(),
        warnings: warned
            .iter()
            .filter(|area| area.iter().any(|a| a.is_within(code) || code.is_within(a)))
            .count(),
        children,
    }
}
