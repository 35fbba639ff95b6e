//! API errors: JSON with a stable code, the message in Chinese and
//! English, and the input field at fault when there is one:
//!
//! ```json
//! {"error": {"code": "missing_field", "field": "title",
//!            "zh": "请填写事件名称（title）", "en": "title is required",
//!            "message": "请填写事件名称（title） / title is required"}}
//! ```
//!
//! A form with several faults (`invalid_fields`) also lists each, so the
//! console marks every one at once:
//! `"fields": [{"field": "color", "code": "missing_field", "zh": …, "en": …}, …]`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::error::split_bilingual;
use crate::domain::{ActionError, ActionErrorKind, FieldError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
    pub field: Option<String>,
    /// Every field at fault, when there are several.
    pub fields: Vec<FieldError>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    /// Both languages in one line, for logs and the CLI.
    message: String,
    zh: &'a str,
    en: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    fields: &'a [FieldError],
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            zh: zh.into(),
            en: en.into(),
            field: None,
            fields: Vec::new(),
        }
    }

    /// From a text already in the form "English / 中文".
    pub fn mixed(status: StatusCode, code: &'static str, text: impl AsRef<str>) -> ApiError {
        let (en, zh) = split_bilingual(text.as_ref());
        ApiError::new(status, code, zh, en)
    }

    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    pub fn bad_request(code: &'static str, text: impl AsRef<str>) -> ApiError {
        ApiError::mixed(StatusCode::BAD_REQUEST, code, text)
    }

    pub fn internal(text: impl AsRef<str>) -> ApiError {
        ApiError::mixed(StatusCode::INTERNAL_SERVER_ERROR, "internal", text)
    }

    pub fn unavailable(text: impl AsRef<str>) -> ApiError {
        ApiError::mixed(StatusCode::SERVICE_UNAVAILABLE, "unavailable", text)
    }

    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "没有这个接口或页面",
            "no such endpoint or page",
        )
    }

    pub fn message(&self) -> String {
        if self.zh == self.en {
            self.en.clone()
        } else {
            format!("{} / {}", self.zh, self.en)
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: self.message(),
                zh: &self.zh,
                en: &self.en,
                field: self.field.as_deref(),
                fields: &self.fields,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<ActionError> for ApiError {
    fn from(e: ActionError) -> Self {
        let status = match e.kind {
            ActionErrorKind::Input => StatusCode::BAD_REQUEST,
            ActionErrorKind::NotFound => StatusCode::NOT_FOUND,
            ActionErrorKind::InvalidBody | ActionErrorKind::Refused => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ActionErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ActionErrorKind::Conflict | ActionErrorKind::NotAPost => StatusCode::CONFLICT,
            ActionErrorKind::Store => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError {
            status,
            code: e.code,
            zh: e.zh,
            en: e.en,
            field: e.field,
            fields: e.fields,
        }
    }
}

impl From<crate::ledger::LedgerError> for ApiError {
    fn from(e: crate::ledger::LedgerError) -> Self {
        use crate::ledger::LedgerError;
        match &e {
            LedgerError::InvalidBody(b) => ActionError::body(b).into(),
            LedgerError::Invalid(_) | LedgerError::Refused(_) => ApiError::mixed(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_entry",
                e.to_string(),
            ),
            LedgerError::Restricted(_) => ApiError::mixed(
                StatusCode::UNPROCESSABLE_ENTITY,
                "restriction_refused",
                e.to_string(),
            ),
            LedgerError::Stopped => ApiError::unavailable(e.to_string()),
            LedgerError::Store(store) => store_error(store),
            _ => ApiError::internal(e.to_string()),
        }
    }
}

/// A store failure, with a code the CLI turns into exit code 4: `disk_full`
/// (writes paused under the free-space reserve), `store_failed` (a write
/// failed; the post stops), `store_error` (anything else).
pub(crate) fn store_error(e: &crate::store::StoreError) -> ApiError {
    use crate::store::StoreError;
    let (status, code) = match e {
        StoreError::DiskFull { .. } => (StatusCode::INSUFFICIENT_STORAGE, "disk_full"),
        StoreError::Failed { .. } => (StatusCode::SERVICE_UNAVAILABLE, "store_failed"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "store_error"),
    };
    let text = e.to_string();
    // Store messages read "English … / 中文…": split at the last separator.
    let (en, zh) = match text.rsplit_once(" / ") {
        Some((en, zh)) => (en.trim().to_string(), zh.trim().to_string()),
        None => (text.clone(), text),
    };
    ApiError::new(status, code, zh, en)
}

impl From<crate::ledger::actor::ActorError> for ApiError {
    fn from(e: crate::ledger::actor::ActorError) -> Self {
        ApiError::unavailable(format!("{e} / 本地台账不可用"))
    }
}
