//! The CAP gateway over HTTP: `POST /api/cap` imports a CAP alert or an
//! Atom/RSS index with alerts inline (XML body; links are never followed
//! from here), `GET /api/cap/{id}.xml` serves a warning as CAP 1.2, and
//! `GET /api/cap/index.atom` the index of warnings aggregators poll.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use liandong_protocol::domain::fold::Track;
use serde::Deserialize;

use crate::api::routes::entered::{self, Entered};
use crate::api::{ApiError, ApiState};
use crate::domain::actions::external_warning::{Refused, plan_all};
use crate::domain::ids::{self, WARNING};
use crate::gateway::atom::CAP_MIME;
use crate::gateway::cap::{Links, MAX_CAP_BYTES, read_document};
use crate::gateway::export;
use crate::service::cap::ImportReport;
use crate::service::rows::{EntryRow, post_names};
use crate::service::written::Written;

#[derive(Debug, Default, Deserialize)]
pub struct CapQuery {
    /// A drill id or prefix; absent for reality.
    pub drill: Option<String>,
    /// The index with every alert inline (what `warning export --cap`
    /// writes), not only linked.
    #[serde(default)]
    pub inline: bool,
}

pub async fn import(
    State(s): State<ApiState>,
    Query(q): Query<CapQuery>,
    who: Entered,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let operator = entered::operator(who)?;
    if body.len() > MAX_CAP_BYTES {
        return Err(crate::api::json::too_large(MAX_CAP_BYTES));
    }
    let alerts = tokio::task::spawn_blocking(move || read_document(&body, Links::Refuse))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|problems| {
            let (zh, en) = problems.describe();
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_cap", zh, en)
        })?;
    // One console write at a time: the whole import is checked, then
    // written, with no other write in between.
    let _turn = s.writes.lock().await;
    let (planned, skipped) = s
        .with_desk(q.drill, move |_, desk| {
            plan_all(desk, alerts).map_err(|refused| {
                let (zh, en) = Refused::describe(&refused);
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "import_refused", zh, en)
            })
        })
        .await?;
    let mut entries = Vec::with_capacity(planned.len());
    for p in planned {
        let entry = s
            .node
            .author_by(p.scope, p.status, p.body, operator.clone())
            .await?;
        entries.push((entry, p.label_zh, p.label_en));
    }
    let names = s
        .node
        .ledger()
        .read(|l| {
            post_names(l.store())
                .inspect_err(|e| tracing::warn!(error = %e, "post names unreadable"))
                .unwrap_or_default()
        })
        .await?;
    let written = entries
        .into_iter()
        .map(|(entry, label_zh, label_en)| Written {
            entry: EntryRow::new(&entry, &names, s.node.keyring()),
            label_zh,
            label_en,
            notice: None,
        })
        .collect();
    Ok(Json(ImportReport { written, skipped }))
}

/// `{id}.xml` or `index.atom`.
pub async fn file(
    State(s): State<ApiState>,
    Path(file): Path<String>,
    Query(q): Query<CapQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let drill_query = q
        .drill
        .as_deref()
        .map(|d| format!("?drill={d}"))
        .unwrap_or_default();
    let (views, _) = s.views(q.drill.clone()).await?;
    let post = s.node.desk_setup().clone();
    if file == "index.atom" {
        let base = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(|host| format!("http://{host}"));
        let xml = export::feed(
            &views,
            &export::FeedPost {
                name: &post.name,
                node: s.node.node_id(),
            },
            base.as_deref(),
            &drill_query,
            q.inline,
        );
        return Ok(xml_response("application/atom+xml; charset=utf-8", xml));
    }
    let Some(prefix) = file.strip_suffix(".xml") else {
        return Err(ApiError::not_found());
    };
    let id = ids::resolve(
        prefix,
        views.warnings.iter().map(|w| w.id),
        WARNING,
        "warning",
    )?;
    let warning = views
        .warning(&id)
        .ok_or_else(|| ids::unknown(WARNING, &id, "warning"))?;
    let drill = match views.track {
        Track::Drill(d) => Some(d),
        Track::Actual => None,
    };
    let xml = export::alert_xml(warning, drill);
    Ok(xml_response(CAP_MIME, xml))
}

fn xml_response(content_type: &'static str, xml: String) -> Response {
    ([(header::CONTENT_TYPE, content_type)], xml).into_response()
}
