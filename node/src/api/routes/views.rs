//! The views as JSON: everything (`/api/views`), one area at a time (the
//! same sections `liandong board --json` prints), one incident with its
//! whole timeline, the after-action review, and the overview a duty
//! officer opens first. Every route takes `?drill=` for a drill's views.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use liandong_protocol::NodeId;
use liandong_protocol::domain::fold::{TaskView, Views, review as fold_review};
use serde::{Deserialize, Serialize};

use super::TrackQuery;
use crate::api::{ApiError, ApiState, MAX_BODY_BYTES};
use crate::domain::ids::{self, INCIDENT};
use crate::domain::incident_search::{FoundIncidents, IncidentQuery};
use crate::domain::projections::{InboxItem, build_overview, detail, inbox_item};
use crate::domain::sections::{Area, Section};

/// The views of the requested track (kept between requests while nothing
/// changed), with `f` applied on the blocking pool and its answer written
/// as JSON.
async fn with_views<T, F>(s: &ApiState, drill: Option<String>, f: F) -> Result<Response, ApiError>
where
    T: Serialize,
    F: FnOnce(&Views, NodeId) -> Result<T, ApiError> + Send + 'static,
{
    views_json(s, drill, move |v, me| json_bytes(&f(v, me)?)).await
}

/// As [`with_views`], for answers that borrow from the views: `f` writes
/// the JSON itself, so that a large post's lists (hundreds of megabytes at
/// a million entries) are written once, straight from the kept views,
/// rather than copied into a value first.
async fn views_json<F>(s: &ApiState, drill: Option<String>, f: F) -> Result<Response, ApiError>
where
    F: FnOnce(&Views, NodeId) -> Result<Vec<u8>, ApiError> + Send + 'static,
{
    let (views, me) = s.views(drill).await?;
    let body = tokio::task::spawn_blocking(move || f(&views, me))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    answerable(body.len())?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// An answer the CLI can read: at most [`MAX_BODY_BYTES`], the most its
/// client reads (`Client::get_large`).
fn answerable(len: usize) -> Result<(), ApiError> {
    if len <= MAX_BODY_BYTES {
        return Ok(());
    }
    let mib = |n: usize| n / (1024 * 1024);
    Err(ApiError::new(
        StatusCode::INSUFFICIENT_STORAGE,
        "views_too_large",
        format!(
            "视图共 {} MiB，超过单次应答 {} MiB 的上限",
            mib(len),
            mib(MAX_BODY_BYTES)
        ),
        format!(
            "the views are {} MiB, over the limit of {} MiB for one answer",
            mib(len),
            mib(MAX_BODY_BYTES)
        ),
    ))
}

fn json_bytes(value: &impl Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| ApiError::internal(e.to_string()))
}

pub async fn all(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Response, ApiError> {
    views_json(&s, q.drill, |v, _| json_bytes(v)).await
}

macro_rules! area_route {
    ($name:ident, $area:expr) => {
        pub async fn $name(
            State(s): State<ApiState>,
            Query(q): Query<TrackQuery>,
        ) -> Result<Response, ApiError> {
            views_json(&s, q.drill, |v, _| json_bytes(&$area.section(v))).await
        }
    };
}

#[derive(Debug, Deserialize)]
pub struct IncidentsQuery {
    drill: Option<String>,
    /// Only the newest this many open and this many closed incidents, with
    /// the counts of all (the console's list); every incident when absent.
    latest: Option<usize>,
    /// Only the incidents these words find (`domain::incident_search`).
    q: Option<String>,
    /// Only incidents with a point on the map (the console's map).
    #[serde(default)]
    located: bool,
}

pub async fn incidents(
    State(s): State<ApiState>,
    Query(q): Query<IncidentsQuery>,
) -> Result<Response, ApiError> {
    let mut find = IncidentQuery::checked(q.latest, q.q)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "search_too_long", e.zh(), e.en()))?;
    if q.located {
        find = find.located();
    }
    views_json(&s, q.drill, move |v, _| {
        if find == IncidentQuery::default() {
            json_bytes(&Area::Incidents.section(v))
        } else {
            json_bytes(&FoundIncidents::of(v, &find))
        }
    })
    .await
}
area_route!(warnings, Area::Warnings);
area_route!(resources, Area::Resources);
area_route!(plans, Area::Plans);
area_route!(drills, Area::Drills);

/// The tasks section, plus this post's inbox: the tasks assigned to it,
/// with its own state.
pub async fn tasks(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Response, ApiError> {
    views_json(&s, q.drill, |v, me| {
        json_bytes(&TasksSection {
            section: Area::Tasks.section(v),
            inbox: v.tasks.iter().filter_map(|t| inbox_item(t, &me)).collect(),
            issued: v.tasks.iter().filter(|t| t.issuer.node == me).collect(),
        })
    })
    .await
}

/// The tasks section with this post's own inbox and issued tasks.
#[derive(Serialize)]
struct TasksSection<'a> {
    #[serde(flatten)]
    section: Section<'a>,
    inbox: Vec<InboxItem>,
    issued: Vec<&'a TaskView>,
}

/// Response decisions: every incident with a response, the decision in
/// force and every decision taken (overridden ones marked).
pub async fn responses(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Response, ApiError> {
    with_views(&s, q.drill, |v, _| {
        let list: Vec<serde_json::Value> = v
            .incidents
            .iter()
            .filter(|i| !i.decisions.is_empty())
            .map(|i| {
                serde_json::json!({
                    "incident": i.id,
                    "title": i.current.title,
                    "region": i.region,
                    "response": i.response,
                    "decisions": i.decisions,
                })
            })
            .collect();
        let conflicts: Vec<_> = v
            .conflicts
            .iter()
            .filter(|c| c.rule == liandong_protocol::domain::fold::ConflictRule::ResponseOverridden)
            .collect();
        Ok(serde_json::json!({ "track": v.track, "responses": list, "conflicts": conflicts }))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct ReviewQuery {
    drill: Option<String>,
    incident: Option<String>,
}

/// The after-action review of a drill (`?drill=`), or of a real incident
/// (`?incident=`), or of everything on the track.
pub async fn review(
    State(s): State<ApiState>,
    Query(q): Query<ReviewQuery>,
) -> Result<Response, ApiError> {
    with_views(&s, q.drill, move |v, _| {
        let incident = q
            .incident
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|i| ids::resolve(i, v.incidents.iter().map(|x| x.id), INCIDENT, "incident"))
            .transpose()?;
        Ok(fold_review(v, incident))
    })
    .await
}

pub async fn conflicts(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Response, ApiError> {
    with_views(&s, q.drill, |v, _| {
        Ok(serde_json::json!({ "track": v.track, "conflicts": v.conflicts }))
    })
    .await
}

pub async fn invalid(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Response, ApiError> {
    with_views(&s, q.drill, |v, _| {
        Ok(serde_json::json!({ "track": v.track, "invalid": v.invalid }))
    })
    .await
}

// ------------------------------------------------------------ one incident

pub async fn incident(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    Query(q): Query<TrackQuery>,
) -> Result<Response, ApiError> {
    with_views(&s, q.drill, move |v, _| {
        let id = ids::resolve(&id, v.incidents.iter().map(|x| x.id), INCIDENT, "id")?;
        let incident = v
            .incident(&id)
            .cloned()
            .ok_or_else(|| ids::unknown(INCIDENT, &id, "id"))?;
        Ok(detail(v, incident))
    })
    .await
}

// ----------------------------------------------------------------- overview

pub async fn overview(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Response, ApiError> {
    with_views(&s, q.drill, |v, _| Ok(build_overview(v))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_answer_is_the_most_the_client_reads() {
        assert_eq!(answerable(MAX_BODY_BYTES), Ok(()));
        let over = answerable(MAX_BODY_BYTES + 1).map_err(|e| e.code);
        assert_eq!(over, Err("views_too_large"));
    }
}
