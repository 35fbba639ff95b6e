//! Who may use the console, and how state-changing requests are kept safe
//! from other web sites.
//!
//! - **Bind address.** On loopback (the default) the console is for the
//!   machine's own operator. Any other address needs an operator token
//!   (`[console] token`); [`Access::new`] refuses to start without one.
//! - **Token.** When a token is set, every request except the console's
//!   static files and the login itself must present it: as
//!   `Authorization: Bearer <token>` (scripts, Prometheus) or as the
//!   session cookie `POST /api/login` sets (browsers). The cookie holds a
//!   keyed hash of the token, not the token; changing the token ends every
//!   session. Comparisons are constant-time (BLAKE3 hashes).
//! - **DNS rebinding.** Without a token, the `Host` header must name
//!   loopback, so a page on another site that re-points its own name at
//!   127.0.0.1 cannot read the console.
//! - **Cross-site requests.** Every request that changes state (any method
//!   but GET/HEAD) must carry the `X-Liandong-Request` header — a page on
//!   another site cannot add it without a CORS preflight, which this server
//!   never grants — and, when the browser sends `Origin`, it must be this
//!   console's own.
//! - **Secrets.** Nothing here or in any route reads the post's secret key;
//!   the token itself is never logged or served.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::service::http::CSRF_HEADER;

/// The session cookie's name.
pub const COOKIE: &str = "liandong_session";
/// Shortest operator token accepted: long enough not to be guessed.
pub const MIN_TOKEN_CHARS: usize = 16;
/// A wrong token waits this long, so guessing online is slow.
const WRONG_TOKEN_DELAY: Duration = Duration::from_millis(500);

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(
        "the console on {0} is reachable from other machines and needs an operator token: set \
         [console] token in config.toml (at least 16 characters) / 控制台监听非本机地址，须在配置中设置操作令牌"
    )]
    TokenRequired(SocketAddr),
    #[error("the console token is shorter than {MIN_TOKEN_CHARS} characters / 控制台操作令牌过短")]
    TokenTooShort,
}

/// The console's access policy.
#[derive(Clone)]
pub struct Access {
    /// BLAKE3 of the token, when one is set.
    token: Option<blake3::Hash>,
    /// The session cookie's value: BLAKE3 keyed by the token's hash.
    session: Option<blake3::Hash>,
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("token", &self.token.map(|_| "<set>"))
            .finish()
    }
}

impl Access {
    /// The policy for a console bound to `addr`.
    pub fn new(addr: SocketAddr, token: Option<String>) -> Result<Access, AccessError> {
        let token = token.filter(|t| !t.trim().is_empty());
        match &token {
            None if !addr.ip().is_loopback() => return Err(AccessError::TokenRequired(addr)),
            Some(t) if t.chars().count() < MIN_TOKEN_CHARS => {
                return Err(AccessError::TokenTooShort);
            }
            _ => {}
        }
        let hash = token.map(|t| blake3::hash(t.as_bytes()));
        Ok(Access {
            token: hash,
            session: hash.map(|h| blake3::keyed_hash(h.as_bytes(), b"liandong console session v1")),
        })
    }

    pub fn token_required(&self) -> bool {
        self.token.is_some()
    }

    /// Whether `given` is the token.
    pub fn token_matches(&self, given: &str) -> bool {
        self.token
            .is_some_and(|t| t == blake3::hash(given.trim().as_bytes()))
    }

    /// The `Set-Cookie` value of a logged-in session.
    pub fn session_cookie(&self) -> Option<String> {
        self.session.map(|s| {
            format!(
                "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200",
                s.to_hex()
            )
        })
    }

    /// Whether the request presents the token or a session.
    fn authenticated(&self, headers: &HeaderMap) -> bool {
        let (Some(token), Some(session)) = (self.token, self.session) else {
            return true;
        };
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if bearer.is_some_and(|b| token == blake3::hash(b.trim().as_bytes())) {
            return true;
        }
        cookies(headers)
            .filter(|(name, _)| *name == COOKIE)
            .filter_map(|(_, value)| blake3::Hash::from_hex(value).ok())
            .any(|v| v == session)
    }
}

/// `name=value` pairs of every Cookie header.
fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// Requests anyone may make: the console's own files (they hold no data)
/// and logging in.
fn public(method: &Method, path: &str) -> bool {
    (*method == Method::GET && (path == "/" || path.starts_with("/assets/")))
        || (*method == Method::POST && (path == "/api/login" || path == "/api/logout"))
        || (*method == Method::GET && path == "/api/access")
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

/// The middleware every request passes.
pub async fn guard(State(access): State<Access>, request: Request, next: Next) -> Response {
    match check(&access, &request) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

fn check(access: &Access, request: &Request) -> Result<(), ApiError> {
    let headers = request.headers();
    let method = request.method();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !access.token_required() && !loopback_host(host_of(host)) {
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
    if !public(method, request.uri().path()) && !access.authenticated(headers) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "请先输入操作令牌登录",
            "log in with the operator token first",
        ));
    }
    Ok(())
}

/// Waits after a wrong token, so guessing online is slow.
pub async fn wrong_token_delay() {
    tokio::time::sleep(WRONG_TOKEN_DELAY).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().expect("addr")
    }

    #[test]
    fn other_addresses_need_a_long_token() {
        assert!(Access::new(addr("127.0.0.1:7480"), None).is_ok());
        assert!(matches!(
            Access::new(addr("0.0.0.0:7480"), None),
            Err(AccessError::TokenRequired(_))
        ));
        assert!(matches!(
            Access::new(addr("0.0.0.0:7480"), Some("short".into())),
            Err(AccessError::TokenTooShort)
        ));
        let a =
            Access::new(addr("0.0.0.0:7480"), Some("a-long-operator-token".into())).expect("token");
        assert!(a.token_matches("a-long-operator-token"));
        assert!(!a.token_matches("a-long-operator-tokeN"));
        let cookie = a.session_cookie().expect("cookie");
        assert!(!cookie.contains("a-long-operator-token"));
    }

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
