//! Who this post is, the vocabulary its forms offer, and logging in.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use liandong_protocol::domain::vocab::SUBTYPES;
use liandong_protocol::domain::{
    Category, DeploymentStatus, Phase, ResourceClass, Severity, TaskState, WarningColor,
};
use liandong_protocol::{Level, ResponseLevel, Role, UnitType};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::access::{self, Access};
use crate::api::json::JsonBody;
use crate::api::{ApiError, ApiState};

/// Whether the console needs a login; public, so the page knows what to show.
pub async fn access(State(a): State<Access>, headers: HeaderMap) -> Json<Value> {
    Json(json!({
        "token_required": a.token_required(),
        "cookie": headers.get(header::COOKIE).is_some(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    token: String,
}

/// Checks the operator token and sets the session cookie.
pub async fn login(
    State(a): State<Access>,
    JsonBody(login): JsonBody<Login>,
) -> Result<impl IntoResponse, ApiError> {
    if !a.token_required() {
        return Ok((
            [(header::SET_COOKIE, String::new())],
            Json(json!({ "ok": true })),
        ));
    }
    if !a.token_matches(&login.token) {
        access::wrong_token_delay().await;
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_token",
            "操作令牌不正确",
            "the operator token is wrong",
        )
        .with_field("token"));
    }
    let cookie = a.session_cookie().unwrap_or_default();
    Ok(([(header::SET_COOKIE, cookie)], Json(json!({ "ok": true }))))
}

pub async fn logout() -> impl IntoResponse {
    (
        [(
            header::SET_COOKIE,
            format!(
                "{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
                access::COOKIE
            ),
        )],
        Json(json!({ "ok": true })),
    )
}

/// This post: identity, level, region, network, mode, and its standing in
/// the directory (certified or not, roles). No key material.
pub async fn me(State(s): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let node = s.node.clone();
    s.with_desk(None, move |l, desk| {
        let info = desk.me().ok();
        Ok(json!({
            "node_id": node.node_id().to_hex(),
            "peer_id": node.peer_id().to_string(),
            "name": node.name(),
            "region": node.region(),
            "level": node.region().level(),
            "network": node.network_name(),
            "trust": l.trust_enabled(),
            "known": info.is_some(),
            "roles": info.as_ref().map(|p| p.roles.clone()).unwrap_or_default(),
            "unit_type": info.as_ref().map(|p| p.unit_type.clone()),
            "console": node.console().map(|a| format!("http://{a}/")),
        }))
    })
    .await
    .map(Json)
}

/// Every choice the forms offer, with its labels in both languages: one
/// source for the console, so it never disagrees with the parsers.
pub async fn vocab() -> Json<Value> {
    let events: Vec<Value> = SUBTYPES
        .iter()
        .map(|(name, cat, zh, en)| json!({ "value": name, "category": cat, "zh": zh, "en": en }))
        .collect();
    let categories: Vec<Value> = Category::ALL
        .iter()
        .map(|c| json!({ "value": c, "zh": c.name_zh(), "en": c.name_en() }))
        .collect();
    let severities: Vec<Value> = Severity::ALL
        .iter()
        .map(
            |s| json!({ "value": s, "numeral": s.numeral(), "zh": s.name_zh(), "en": s.name_en() }),
        )
        .collect();
    let levels: Vec<Value> = ResponseLevel::ALL
        .iter()
        .map(|l| json!({ "value": l, "label": l.to_string() }))
        .collect();
    let colors: Vec<Value> = WarningColor::ALL
        .iter()
        .map(|c| json!({ "value": c, "zh": c.name_zh(), "en": c.name() }))
        .collect();
    let classes: Vec<Value> = ResourceClass::ALL
        .iter()
        .map(|c| json!({ "value": c, "zh": c.name_zh(), "en": c.name() }))
        .collect();
    let post_levels: Vec<Value> = Level::ALL
        .iter()
        .map(|l| json!({ "value": l, "zh": l.name_zh(), "en": l.name_en() }))
        .collect();
    let phases: Vec<Value> = Phase::ALL
        .iter()
        .map(|p| json!({ "value": p, "zh": p.name_zh(), "en": p.name() }))
        .collect();
    let task_states: Vec<Value> = [
        TaskState::Assigned,
        TaskState::Acknowledged,
        TaskState::InProgress,
        TaskState::Done,
        TaskState::Refused,
    ]
    .iter()
    .map(|t| json!({ "value": t, "zh": t.name_zh(), "en": t.name() }))
    .collect();
    let deployment: Vec<Value> = [
        DeploymentStatus::Committed,
        DeploymentStatus::Dispatched,
        DeploymentStatus::Arrived,
        DeploymentStatus::Delivered,
        DeploymentStatus::Released,
        DeploymentStatus::Returned,
    ]
    .iter()
    .map(|d| json!({ "value": d, "zh": d.name_zh(), "en": d.name() }))
    .collect();
    let unit_types: Vec<Value> = UnitType::all_named()
        .map(|(en, zh)| json!({ "value": en, "zh": zh, "en": en.replace('_', " ") }))
        .collect();
    let roles: Vec<Value> = Role::NAMED
        .iter()
        .map(|(value, zh, en)| json!({ "value": value, "zh": zh, "en": en }))
        .collect();
    Json(json!({
        "unit_types": unit_types,
        "roles": roles,
        "events": events,
        "categories": categories,
        "severities": severities,
        "response_levels": levels,
        "colors": colors,
        "classes": classes,
        "levels": post_levels,
        "phases": phases,
        "task_states": task_states,
        "deployment": deployment,
    }))
}
