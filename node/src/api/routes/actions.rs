//! `POST /api/{area}/{verb}`: every domain action, decoded from JSON into
//! the same input the CLI takes, planned and checked by `crate::domain`
//! against the current fold, then written by `NodeHandle::author_by`
//! (durable, then gossiped), naming the signed-in operator who entered it.

use axum::Json;
use axum::extract::{Path, Query, State};

use super::WriteQuery;
use super::entered::{self, Entered};
use crate::api::json::RawJson;
use crate::api::{ApiError, ApiState};
use crate::domain::Action;
use crate::ledger::Entering;
use crate::service::rows::{EntryRow, post_names};
use crate::service::written::{Notice, Written};

/// What a written action reports.
pub async fn act(
    State(s): State<ApiState>,
    Path((area, verb)): Path<(String, String)>,
    Query(query): Query<WriteQuery>,
    who: Entered,
    body: RawJson,
) -> Result<Json<Written>, ApiError> {
    let entering = Entering {
        operator: entered::operator(who)?,
        restrict: query.audience()?,
    };
    let path = format!("{area}/{verb}");
    let action = Action::decode(&path, &body).ok_or_else(ApiError::not_found)??;
    // One console write at a time, so each is checked with the previous
    // one already in the fold.
    let _turn = s.writes.lock().await;
    let (planned, notice) = s
        .with_desk(query.drill, move |_, desk| Ok(action.prepare(desk)?))
        .await?;
    let (label_zh, label_en) = (planned.label_zh.clone(), planned.label_en.clone());
    let entry = s
        .node
        .author_to(planned.scope, planned.status, planned.body, entering)
        .await?;
    let names = s
        .node
        .ledger()
        .read(|l| {
            // The entry is written; without names the answer shows keys.
            post_names(l.store())
                .inspect_err(|e| tracing::warn!(error = %e, "post names unreadable"))
                .unwrap_or_default()
        })
        .await?;
    Ok(Json(Written {
        entry: EntryRow::new(&entry, &names, s.node.keyring()),
        label_zh,
        label_en,
        notice: notice.map(|c| Notice { zh: c.zh, en: c.en }),
    }))
}
