//! The admin page's accounts: list, add, new password, disable, enable.
//! Admin only (`service::roles`); every change is in the audit trail, and a
//! disabled account's or changed password's sessions end at once.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;

use crate::api::ApiError;
use crate::api::access::{Access, Caller};
use crate::api::json::JsonBody;
use crate::operators::{AccountRow, AuditEvent, NewAccount};

pub async fn list(State(a): State<Access>) -> Json<Vec<AccountRow>> {
    Json(a.accounts())
}

pub async fn add(
    State(a): State<Access>,
    Extension(caller): Extension<Caller>,
    JsonBody(new): JsonBody<NewAccount>,
) -> Result<Json<AccountRow>, ApiError> {
    a.add_account(&caller, new).await.map(Json)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    password: String,
}

pub async fn passwd(
    State(a): State<Access>,
    Extension(caller): Extension<Caller>,
    Path(account): Path<String>,
    JsonBody(body): JsonBody<NewPassword>,
) -> Result<Json<AccountRow>, ApiError> {
    let password = body.password;
    a.change_accounts(&caller, AuditEvent::PasswordChanged, true, move |b, now| {
        b.set_password(&account, &password, now)
    })
    .await
    .map(Json)
}

pub async fn disable(
    State(a): State<Access>,
    Extension(caller): Extension<Caller>,
    Path(account): Path<String>,
) -> Result<Json<AccountRow>, ApiError> {
    a.change_accounts(&caller, AuditEvent::AccountDisabled, true, move |b, now| {
        b.set_disabled(&account, true, now)
    })
    .await
    .map(Json)
}

pub async fn enable(
    State(a): State<Access>,
    Extension(caller): Extension<Caller>,
    Path(account): Path<String>,
) -> Result<Json<AccountRow>, ApiError> {
    a.change_accounts(&caller, AuditEvent::AccountEnabled, false, move |b, now| {
        b.set_disabled(&account, false, now)
    })
    .await
    .map(Json)
}
