//! Reading JSON request bodies: bounded in size, only `application/json`,
//! and every problem named — which field is missing, which has the wrong
//! type, which is unknown — with a stable code.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::{ApiError, MAX_JSON_BYTES};
use crate::domain::actions::Decode;

/// A JSON body, read but not yet decoded (the action routes decode it by
/// path).
#[derive(Debug)]
pub struct RawJson(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求内容须为 JSON（Content-Type: application/json）",
                "the body must be JSON (Content-Type: application/json)",
            ));
        }
        read_limited(req.into_body(), MAX_JSON_BYTES)
            .await
            .map(RawJson)
    }
}

/// Reads a body of at most `limit` bytes.
pub async fn read_limited(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large(limit))
}

pub fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("请求内容超过 {} KiB 上限", limit / 1024),
        format!("the body is over the limit of {} KiB", limit / 1024),
    )
}

/// A decoded JSON body.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let RawJson(bytes) = RawJson::from_request(req, state).await?;
        decode(&bytes).map(JsonBody)
    }
}

impl Decode<ApiError> for RawJson {
    fn decode<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        decode(&self.0)
    }
}

/// Decodes `bytes` as `T`, naming the field at fault.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("请求内容不是有效的 JSON：{e}"),
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "请求内容须为 JSON 对象",
            "the body must be a JSON object",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| field_error(&e))
}

fn field_error(e: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let inner = e.inner().to_string();
    let path = e.path().to_string();
    // serde names a missing or unknown field in its message, in backquotes;
    // for a missing field the path points at the object that lacks it.
    let named = inner.split('`').nth(1).map(str::to_string);
    let join = |field: &str| {
        if path == "." || path.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        }
    };
    if inner.starts_with("missing field") {
        let field = join(named.as_deref().unwrap_or("?"));
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            "missing_field",
            format!("缺少必填项 {field}"),
            format!("{field} is required"),
        )
        .with_field(field);
    }
    if inner.starts_with("unknown field") {
        // Here the path already ends with the unknown field.
        let field = if path == "." || path.is_empty() {
            named.unwrap_or_else(|| "?".into())
        } else {
            path.clone()
        };
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            "unknown_field",
            format!("不认识的字段 {field}"),
            format!("unknown field {field}: {inner}"),
        )
        .with_field(field);
    }
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_field",
        format!("{path} 类型或取值有误：{inner}"),
        format!("{path}: {inner}"),
    )
    .with_field(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::actions::resource::CommitInput;

    fn err(json: &str) -> ApiError {
        match decode::<CommitInput>(json.as_bytes()) {
            Ok(v) => panic!("decoded {v:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn problems_name_their_field() {
        let e = err(r#"{"offer": "abcd", "request": "abcd"}"#);
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("missing_field", Some("quantity"))
        );
        let e = err(r#"{"offer": "abcd", "request": "abcd", "quantity": "five"}"#);
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("invalid_field", Some("quantity"))
        );
        let e = err(r#"{"offer": "abcd", "request": "abcd", "quantity": 1, "qty": 2}"#);
        assert_eq!((e.code, e.field.as_deref()), ("unknown_field", Some("qty")));
        assert_eq!(err("[1]").code, "invalid_json");
        assert_eq!(err("{").code, "invalid_json");
    }
}
