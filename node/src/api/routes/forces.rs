//! `GET /api/forces`: the rescue-force registry (救援力量储备库), searched
//! by capability and by distance (`?capability=&near=lat,lon&within_km=`;
//! without `near`, from this post's location). Registering and updating
//! are actions: `POST /api/forces/register|update` (`routes::actions`).

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;

use crate::api::{ApiError, ApiState};
use crate::domain::projections::{ForceList, ForceQuery, search_forces};
use crate::service::rows::post_places;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForcesQuery {
    drill: Option<String>,
    capability: Option<String>,
    near: Option<String>,
    within_km: Option<String>,
}

pub async fn list(
    State(s): State<ApiState>,
    Query(q): Query<ForcesQuery>,
) -> Result<Json<ForceList>, ApiError> {
    let (views, me) = s.views(q.drill).await?;
    // Where this post is: its config, else the place entry it published.
    let here = match s.node.config().post.location {
        Some(p) => Some(p),
        None => s
            .node
            .ledger()
            .read(move |l| post_places(l.store()).map(|mut p| p.remove(&me)))
            .await?
            .map_err(|e| crate::api::error::store_error(&e))?,
    };
    let search = ForceQuery {
        capability: q.capability,
        near: q.near,
        within_km: q.within_km,
    };
    tokio::task::spawn_blocking(move || search_forces(&views, &search, here))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map(Json)
        .map_err(ApiError::from)
}
