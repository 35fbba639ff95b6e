//! Handlers of the local API.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use liandong_protocol::{Body, Hlc, Kind, Note, RegionCode, Status};
use libp2p::{Multiaddr, PeerId};
use serde::Deserialize;

use super::WriteQuery;
use crate::api::ApiError;
use crate::api::json::JsonBody;
use crate::api::routes::entered::{self, Entered};
use crate::bundle;
use crate::clock;
use crate::ledger::Entering;
use crate::node::NodeHandle;
use crate::service::authors::{self, AuthorError};
use crate::service::rows::{self, EntryRow};
use crate::store::{self, StoreError};

pub async fn status(State(node): State<NodeHandle>) -> Json<crate::service::status::NodeStatus> {
    Json(node.status().await)
}

#[derive(Debug, Deserialize)]
pub struct DigestQuery {
    scope: Option<String>,
    /// Only entries with exactly this scope, not its subtree.
    #[serde(default)]
    exact: bool,
}

pub async fn digest(
    State(node): State<NodeHandle>,
    Query(q): Query<DigestQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let scope = parse_region(q.scope.as_deref())?.unwrap_or_else(RegionCode::national);
    let selector = if q.exact {
        liandong_protocol::Selector::Exact(scope.clone())
    } else {
        liandong_protocol::Selector::Subtree(scope.clone())
    };
    let d = node
        .selector_digest(selector)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(
        serde_json::json!({ "scope": scope, "entries": d.count, "digest": d.to_string() }),
    ))
}

fn parse_region(text: Option<&str>) -> Result<Option<RegionCode>, ApiError> {
    text.map(|t| {
        t.parse()
            .map_err(|e: liandong_protocol::region::RegionError| {
                ApiError::bad_request("invalid_region", e.to_string())
            })
    })
    .transpose()
}

fn parse_time(text: Option<&str>) -> Result<Option<Hlc>, ApiError> {
    text.map(|t| {
        clock::parse_time_ms(t, clock::now_ms())
            .map(Hlc::at_wall)
            .map_err(|e| ApiError::bad_request("invalid_time", e.to_string()))
    })
    .transpose()
}

#[derive(Debug, Deserialize)]
pub struct EntriesQuery {
    kind: Option<String>,
    author: Option<String>,
    scope: Option<String>,
    since: Option<String>,
    until: Option<String>,
    limit: Option<usize>,
    #[serde(default)]
    voided: bool,
}

pub async fn entries(
    State(node): State<NodeHandle>,
    Query(q): Query<EntriesQuery>,
) -> Result<Json<Vec<EntryRow>>, ApiError> {
    let kind = q
        .kind
        .as_deref()
        .map(|k| {
            Kind::parse(k).ok_or_else(|| {
                ApiError::bad_request("invalid_kind", format!("unknown kind {k:?} / 未知类型"))
            })
        })
        .transpose()?;
    let query = store::Query {
        scope: parse_region(q.scope.as_deref())?,
        kind,
        author: None,
        since: parse_time(q.since.as_deref())?,
        until: parse_time(q.until.as_deref())?.map(|t| Hlc::new(t.wall_ms(), u16::MAX)),
        limit: Some(q.limit.unwrap_or(1000).min(10_000)),
        voided: q.voided,
    };
    let author = q.author;
    let rows = node
        .ledger()
        .read(move |l| -> Result<Vec<EntryRow>, ApiError> {
            let store = l.store();
            let mut query = query;
            // A full id or a unique 8+ character prefix, as `log --author`.
            query.author = author
                .as_deref()
                .map(|a| authors::resolve(store, a))
                .transpose()
                .map_err(|e| match e {
                    AuthorError::Store(e) => ApiError::internal(e.to_string()),
                    refused => ApiError::bad_request("invalid_author", refused.to_string()),
                })?;
            let internal = |e: StoreError| ApiError::internal(e.to_string());
            let names = rows::post_names(store).map_err(internal)?;
            let found = store.query(&query).map_err(internal)?;
            Ok(found
                .iter()
                .map(|e| EntryRow::new(e, &names, l.keyring()).with_standing(l.standing(e)))
                .collect())
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    Ok(Json(rows))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    text: String,
    scope: Option<String>,
    status: Option<String>,
    /// Whom the note is restricted to (`--restrict-to`'s syntax); absent
    /// or empty: everyone who holds it reads it.
    #[serde(default)]
    restrict_to: Option<String>,
}

pub async fn add_note(
    State(node): State<NodeHandle>,
    who: Entered,
    JsonBody(req): JsonBody<NoteRequest>,
) -> Result<Json<EntryRow>, ApiError> {
    let operator = entered::operator(who)?;
    let scope = parse_region(req.scope.as_deref())?.unwrap_or_else(|| node.region().clone());
    let status = match req.status.as_deref() {
        Some(s) => rows::parse_status(s).map_err(|e| ApiError::bad_request("invalid_status", e))?,
        None => Status::Actual,
    };
    let restrict = WriteQuery {
        drill: None,
        restrict_to: req.restrict_to,
    }
    .audience()?;
    let entering = Entering { operator, restrict };
    let entry = node
        .author_to(scope, status, Body::Note(Note { text: req.text }), entering)
        .await?;
    // This post wrote it: its name is the config's.
    let names = rows::Names::from([(node.node_id(), node.name().to_string())]);
    Ok(Json(EntryRow::new(&entry, &names, node.keyring())))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    /// A peer id, or a multiaddress (ending in /p2p/<peer id>) to dial.
    peer: String,
}

pub async fn sync(
    State(node): State<NodeHandle>,
    JsonBody(req): JsonBody<SyncRequest>,
) -> Result<Json<crate::service::sync::SyncStats>, ApiError> {
    let peer = resolve_peer(&node, &req.peer).await?;
    node.sync_with(peer)
        .await
        .map(Json)
        .map_err(|e| ApiError::unavailable(format!("sync with {peer} failed / 同步失败: {e}")))
}

/// Dials a multiaddress if given one, then waits (bounded) until the peer
/// has introduced itself.
async fn resolve_peer(node: &NodeHandle, text: &str) -> Result<PeerId, ApiError> {
    let bad = |m: String| ApiError::bad_request("invalid_peer", m);
    let peer = if let Ok(peer) = text.parse::<PeerId>() {
        peer
    } else {
        let addr: Multiaddr = text.parse().map_err(|e| {
            bad(format!(
                "{text:?} is neither a peer id nor a multiaddress: {e}"
            ))
        })?;
        let peer = addr
            .iter()
            .find_map(|p| match p {
                libp2p::multiaddr::Protocol::P2p(id) => Some(id),
                _ => None,
            })
            .ok_or_else(|| {
                bad(
                    "the multiaddress must end in /p2p/<peer id> / 地址须以 /p2p/<节点标识> 结尾"
                        .into(),
                )
            })?;
        if !node.known_peers().contains(&peer) {
            node.dial(addr)
                .await
                .map_err(|e| ApiError::unavailable(format!("cannot dial / 无法连接: {e}")))?;
        }
        peer
    };
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !node.known_peers().contains(&peer) {
        if tokio::time::Instant::now() >= deadline {
            return Err(ApiError::unavailable(format!(
                "peer {peer} is not connected / 对等节点未连接"
            )));
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Ok(peer)
}

#[derive(Debug, Deserialize)]
pub struct BundleQuery {
    scope: Option<String>,
    since: Option<String>,
}

pub async fn export_bundle(
    State(node): State<NodeHandle>,
    Query(q): Query<BundleQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let scope = parse_region(q.scope.as_deref())?.unwrap_or_else(|| node.region().clone());
    let since = parse_time(q.since.as_deref())?;
    let built = node
        .ledger()
        .read(move |l| bundle::build(l, &scope, since).map_err(|e| e.to_string()))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(ApiError::internal)?;
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream")],
        built.bytes,
    ))
}

pub async fn import_bundle(
    State(node): State<NodeHandle>,
    body: Bytes,
) -> Result<Json<bundle::ImportSummary>, ApiError> {
    match node.import_bundle(body).await {
        Ok(summary) => Ok(Json(summary)),
        Err(bundle::BundleError::Unavailable(e)) => Err(ApiError::unavailable(e)),
        Err(bundle::BundleError::Store(e)) => Err(crate::api::error::store_error(&e)),
        Err(e) => Err(ApiError::bad_request("invalid_bundle", e.to_string())),
    }
}
