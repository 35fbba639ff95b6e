//! The views as JSON: everything (`/api/views`), one area at a time (the
//! same sections `liandong board --json` prints), one incident with its
//! whole timeline, the after-action review, and the overview a duty
//! officer opens first. Every route takes `?drill=` for a drill's views.

use axum::Json;
use axum::extract::{Path, Query, State};
use liandong_protocol::NodeId;
use liandong_protocol::domain::fold::{TaskView, Views, review as fold_review};
use serde::Deserialize;

use super::TrackQuery;
use crate::api::{ApiError, ApiState};
use crate::domain::ids::{self, INCIDENT};
use crate::domain::projections::{
    InboxItem, IncidentDetail, Overview, build_overview, detail, inbox_item,
};
use crate::domain::sections::Area;

/// The views of the requested track (kept between requests while nothing
/// changed), with `f` applied on the blocking pool.
async fn with_views<T, F>(s: &ApiState, drill: Option<String>, f: F) -> Result<Json<T>, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Views, NodeId) -> Result<T, ApiError> + Send + 'static,
{
    let (views, me) = s.views(drill).await?;
    tokio::task::spawn_blocking(move || f(&views, me))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map(Json)
}

fn section(v: &Views, area: Area) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(area.section(v)).map_err(|e| ApiError::internal(e.to_string()))
}

pub async fn all(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Json<Views>, ApiError> {
    with_views(&s, q.drill, |v, _| Ok(v.clone())).await
}

macro_rules! area_route {
    ($name:ident, $area:expr) => {
        pub async fn $name(
            State(s): State<ApiState>,
            Query(q): Query<TrackQuery>,
        ) -> Result<Json<serde_json::Value>, ApiError> {
            with_views(&s, q.drill, |v, _| section(&v, $area)).await
        }
    };
}

area_route!(incidents, Area::Incidents);
area_route!(warnings, Area::Warnings);
area_route!(resources, Area::Resources);
area_route!(plans, Area::Plans);
area_route!(drills, Area::Drills);

/// The tasks section, plus this post's inbox: the tasks assigned to it,
/// with its own state.
pub async fn tasks(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    with_views(&s, q.drill, |v, me| {
        let mut value = section(v, Area::Tasks)?;
        let inbox: Vec<InboxItem> = v.tasks.iter().filter_map(|t| inbox_item(t, &me)).collect();
        let issued: Vec<&TaskView> = v.tasks.iter().filter(|t| t.issuer.node == me).collect();
        value["inbox"] = serde_json::to_value(inbox).unwrap_or_default();
        value["issued"] = serde_json::to_value(issued).unwrap_or_default();
        Ok(value)
    })
    .await
}

/// Response decisions: every incident with a response, the decision in
/// force and every decision taken (overridden ones marked).
pub async fn responses(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
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
) -> Result<Json<liandong_protocol::domain::fold::Review>, ApiError> {
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
) -> Result<Json<serde_json::Value>, ApiError> {
    with_views(&s, q.drill, |v, _| {
        Ok(serde_json::json!({ "track": v.track, "conflicts": v.conflicts }))
    })
    .await
}

pub async fn invalid(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
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
) -> Result<Json<IncidentDetail>, ApiError> {
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
) -> Result<Json<Overview>, ApiError> {
    with_views(&s, q.drill, |v, _| Ok(build_overview(v))).await
}
