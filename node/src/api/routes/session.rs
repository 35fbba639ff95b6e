//! Who this post is, the vocabulary its forms offer, and logging in.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use liandong_protocol::domain::vocab::SUBTYPES;
use liandong_protocol::domain::{
    Category, DeploymentStatus, Phase, ResourceClass, Severity, TaskState, WarningColor,
};
use liandong_protocol::{Level, ResponseLevel, Role, UnitType};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::access::{Access, Caller};
use crate::api::json::JsonBody;
use crate::api::{ApiError, ApiState};
use crate::operators::password::MAX_PASSWORD_BYTES;

/// What the console must ask for; public, so the page knows what to show.
pub async fn access(State(a): State<Access>, headers: HeaderMap) -> Json<Value> {
    let login = if a.has_accounts() {
        "account"
    } else if a.has_token() {
        "token"
    } else {
        "none"
    };
    Json(json!({
        "token_required": a.login_required(),
        "login": login,
        "accounts": a.has_accounts(),
        "token": a.has_token(),
        "cookie": headers.get(header::COOKIE).is_some(),
    }))
}

/// A login: account and password, or the machine token.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    token: Option<String>,
}

// Never print the password or token.
impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

fn peer(connect: Option<Extension<ConnectInfo<SocketAddr>>>) -> Option<IpAddr> {
    connect.map(|Extension(ConnectInfo(a))| a.ip())
}

/// Checks the login and sets the session cookie. Wrong passwords make
/// the next attempt wait (`too_many_attempts`, 429), never the answer.
pub async fn login(
    State(a): State<Access>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    JsonBody(login): JsonBody<Login>,
) -> Result<impl IntoResponse, ApiError> {
    let source = peer(connect);
    let Login {
        account,
        password,
        token,
    } = login;
    if let (Some(account), Some(password)) = (account.as_deref(), password) {
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(ApiError::bad_request(
                "bad_password",
                format!("the password is longer than {MAX_PASSWORD_BYTES} bytes / 密码过长"),
            )
            .with_field("password"));
        }
        let (id, who) = a.login_password(account, password, source).await?;
        let cookie = a.session_cookie(&id);
        let body = json!({
            "ok": true,
            "operator": {"account": who.account, "display": who.display, "role": who.role},
        });
        return Ok(([(header::SET_COOKIE, cookie)], Json(body)));
    }
    if let Some(token) = token.filter(|_| a.has_token()) {
        let id = a.login_token(&token, source).await?;
        return Ok((
            [(header::SET_COOKIE, a.session_cookie(&id))],
            Json(json!({ "ok": true })),
        ));
    }
    if !a.login_required() {
        return Ok((
            [(header::SET_COOKIE, String::new())],
            Json(json!({ "ok": true })),
        ));
    }
    let field = if a.has_accounts() {
        "password"
    } else {
        "token"
    };
    Err(ApiError::bad_request(
        "missing_field",
        "give account and password, or the operator token / 请填写账户与密码或操作令牌",
    )
    .with_field(field))
}

/// Ends the session (server-side too) and clears the cookie.
pub async fn logout(
    State(a): State<Access>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> impl IntoResponse {
    a.logout(&headers, peer(connect)).await;
    (
        [(header::SET_COOKIE, a.cleared_cookie())],
        Json(json!({ "ok": true })),
    )
}

/// This post: identity, level, region, network, mode, and its standing in
/// the directory (certified or not, roles). No key material.
pub async fn me(
    State(s): State<ApiState>,
    caller: Option<Extension<Caller>>,
) -> Result<Json<Value>, ApiError> {
    let node = s.node.clone();
    let (role, operator) = match caller {
        Some(Extension(c)) => (
            Some(c.role),
            c.operator
                .map(|o| json!({"account": o.account, "display": o.display, "role": o.role})),
        ),
        None => (None, None),
    };
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
            "console": node.console_info().map(|c| format!("{}/", c.url())),
            // Who is looking, and what they may do (the console hides
            // what their role may not do; the server checks regardless).
            "role": role,
            "role_zh": role.map(|r| r.name_zh()),
            "operator": operator,
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
