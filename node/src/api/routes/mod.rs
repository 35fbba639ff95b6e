//! The API's handlers, one file per area, and what they share.

pub mod actions;
pub mod audit;
pub mod cap;
pub mod certs;
pub mod entered;
pub mod events;
pub mod forces;
pub mod ledger;
pub mod members;
pub mod metrics;
pub mod network;
pub mod operators;
pub mod region_names;
pub mod session;
pub mod views;

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use liandong_protocol::restricted::Audience;
use serde::Deserialize;

use super::ApiError;

/// Which track a request reads or writes: reality, or one drill.
#[derive(Debug, Default, Deserialize)]
pub struct TrackQuery {
    /// A drill id or prefix; absent for reality.
    pub drill: Option<String>,
}

/// The query of a write: the track, and whom the entry is restricted to
/// (`restrict_to`, as the CLI's `--restrict-to` takes it).
#[derive(Debug, Default, serde::Deserialize)]
pub struct WriteQuery {
    pub drill: Option<String>,
    pub restrict_to: Option<String>,
}

impl WriteQuery {
    /// The audience named, or a 400 saying why it is not one.
    pub fn audience(&self) -> Result<Option<Audience>, ApiError> {
        self.restrict_to
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(Audience::parse)
            .transpose()
            .map_err(|e| ApiError::bad_request("invalid_audience", e.to_string()))
    }
}

pub async fn not_found() -> ApiError {
    ApiError::not_found()
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "该接口不支持此请求方法",
        "this endpoint does not take that method",
    )
}

/// Turns the plain-text refusals of axum's own extractors (a query string
/// that does not parse, a path parameter of the wrong type, a body over
/// the limit) into the API's JSON errors, so every error has a code.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let text = match axum::body::to_bytes(response.into_body(), 4096).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => String::new(),
    };
    let (code, zh) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("body_too_large", "请求内容过大"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "请求内容类型不受支持"),
        StatusCode::NOT_FOUND => ("not_found", "没有这个接口或页面"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "该接口不支持此请求方法"),
        s if s.is_server_error() => ("internal", "服务器内部错误"),
        _ => ("bad_request", "请求有误"),
    };
    let en = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text
    };
    ApiError::new(status, code, zh, en).into_response()
}
