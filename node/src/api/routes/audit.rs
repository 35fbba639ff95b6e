//! `GET /api/audit?since=`: the console's audit trail for the admin page,
//! newest last, with the trail's own check (a problem names the first bad
//! record).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::api::access::Access;
use crate::clock;
use crate::operators::audit::{self, AuditCheck, AuditRecord};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// A time (`2026-12-02 08:00`, Beijing) or how long ago (`2h`).
    since: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AuditAnswer {
    pub records: Vec<AuditRow>,
    pub check: AuditCheck,
}

/// A record with its time and event in words.
#[derive(Debug, Serialize)]
pub struct AuditRow {
    #[serde(flatten)]
    pub record: AuditRecord,
    pub time: String,
    pub event_zh: &'static str,
}

pub async fn log(
    State(a): State<Access>,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditAnswer>, ApiError> {
    let Some(dir) = a.data_dir().cloned() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_audit",
            "本控制台没有审计日志",
            "this console keeps no audit trail",
        ));
    };
    let since = q
        .since
        .as_deref()
        .map(|t| clock::parse_time_ms(t, clock::now_ms()))
        .transpose()
        .map_err(|e| ApiError::bad_request("invalid_field", e.to_string()).with_field("since"))?;
    let (records, check) = tokio::task::spawn_blocking(move || audit::read(&dir, since))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let records = records
        .into_iter()
        .map(|record| AuditRow {
            time: clock::format_ms(record.at_ms),
            event_zh: record.event.name_zh(),
            record,
        })
        .collect();
    Ok(Json(AuditAnswer { records, check }))
}
