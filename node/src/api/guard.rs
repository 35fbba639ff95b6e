//! The middleware every request passes: the `Host` and cross-site checks,
//! then who is asking (`access::Access::authenticate`) and whether their
//! role may do it (`service::roles`), then — for exports, imports, revocations and
//! certificates — a record in the audit trail (`audit_trail`).
//!
//! The routes find the [`Caller`] and, when an operator is known, the
//! [`SignedIn`] operator in the request's extensions.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::access::{Access, Caller};
use super::{ApiError, audit_trail};
use crate::service::http::CSRF_HEADER;
use crate::service::roles;

pub async fn guard(State(access): State<Access>, mut request: Request, next: Next) -> Response {
    let source = source(&request);
    if let Err(e) = check_origin(&access, &request) {
        return e.into_response();
    }
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let Some(needed) = roles::required_role(&method, &path) else {
        return next.run(request).await;
    };
    let caller = match access.authenticate(request.headers(), source) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    if !caller.role.permits(needed) {
        return forbidden(&caller, needed).into_response();
    }
    if let Some(op) = &caller.operator {
        request.extensions_mut().insert(op.clone());
    }
    request.extensions_mut().insert(caller.clone());
    match audit_trail::event(&method, &path) {
        None => next.run(request).await,
        Some(event) => audit_trail::run(&access, &caller, event, request, next).await,
    }
}

/// The request's source address, when the server passed it.
fn source(request: &Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip())
}

fn forbidden(caller: &Caller, needed: crate::operators::OperatorRole) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "forbidden_role",
        format!(
            "此操作须由{}或更高角色执行（当前为{}）",
            needed.name_zh(),
            caller.role.name_zh()
        ),
        format!(
            "this needs the role {needed} or higher (you act as {})",
            caller.role
        ),
    )
}

/// The `host:port` of an `Origin` (scheme and path removed): what a
/// same-origin request's `Host` header says.
fn authority(value: &str) -> &str {
    let v = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))
        .unwrap_or(value);
    v.split('/').next().unwrap_or(v)
}

/// The host part of a `Host` or `Origin` value.
fn host_of(value: &str) -> &str {
    let v = authority(value);
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    v.rsplit_once(':').map_or(v, |(h, _)| h)
}

fn loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn check_origin(access: &Access, request: &Request) -> Result<(), ApiError> {
    let headers = request.headers();
    let method = request.method();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !access.login_required() && !loopback_host(host_of(host)) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden_host",
            "本控制台只接受本机访问（Host 不是本机地址）",
            "this console only answers requests for localhost (the Host is not loopback)",
        ));
    }
    let changes_state = !matches!(*method, Method::GET | Method::HEAD);
    if changes_state {
        if !headers.contains_key(CSRF_HEADER) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                format!("缺少请求头 {CSRF_HEADER}（防跨站请求伪造）"),
                format!("state-changing requests must carry the {CSRF_HEADER} header"),
            ));
        }
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
            && origin != "null"
            && !authority(origin).eq_ignore_ascii_case(host)
        {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "请求来自其他网站，已拒绝",
                "the request comes from another site (Origin does not match)",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_from_headers() {
        assert_eq!(host_of("127.0.0.1:7480"), "127.0.0.1");
        assert_eq!(host_of("http://localhost:7480"), "localhost");
        assert_eq!(host_of("[::1]:7480"), "::1");
        assert_eq!(host_of("http://evil.example/x"), "evil.example");
        assert_eq!(authority("http://127.0.0.1:7480"), "127.0.0.1:7480");
        assert!(loopback_host("::1") && loopback_host("localhost"));
        assert!(!loopback_host("evil.example"));
    }
}
