//! Which requests the audit trail records — exports, imports, revocations,
//! certificates — and what it records of them: who, from where, the
//! request (a small JSON body in full, other bodies by size) and the
//! answer's status. One table, so a route needs no audit code of its own.
//! (Logins, logouts and account changes are recorded where they happen,
//! in `access`.)

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::MAX_JSON_BYTES;
use super::access::{Access, Caller};
use crate::operators::AuditEvent;
use crate::operators::audit::MAX_DETAILS_CHARS;
use crate::service::roles;

/// The audited routes (method, path or `{x}` pattern) and their event.
pub const AUDITED: &[(&str, &str, AuditEvent)] = &[
    ("GET", "/api/bundle", AuditEvent::BundleExport),
    ("POST", "/api/bundle/import", AuditEvent::BundleImport),
    ("POST", "/api/cap", AuditEvent::CapImport),
    ("POST", "/api/warning/import", AuditEvent::CapImport),
    ("GET", "/api/cap/{file}", AuditEvent::CapExport),
    ("POST", "/api/members/revoke", AuditEvent::Revocation),
    ("POST", "/api/members/issue", AuditEvent::CertIssue),
    ("POST", "/api/members/install", AuditEvent::CertInstall),
    ("POST", "/api/members/request", AuditEvent::CertRequest),
];

/// The event a request is audited as, if it is.
pub fn event(method: &Method, path: &str) -> Option<AuditEvent> {
    AUDITED.iter().find_map(|(m, pattern, e)| {
        let fits = *m == method.as_str() && roles::fits(pattern, path).is_some();
        fits.then_some(*e)
    })
}

/// Runs the request and records it with its outcome.
pub async fn run(
    access: &Access,
    caller: &Caller,
    event: AuditEvent,
    request: Request,
    next: Next,
) -> Response {
    let mut what = format!("{} {}", request.method(), request.uri());
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let request = if is_json {
        // A JSON body is small (the router's limit) and says what was
        // revoked or issued: keep it. It never holds a secret: passwords
        // go to routes that are not audited here.
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, MAX_JSON_BYTES).await {
            Ok(b) => b,
            Err(_) => return super::json::too_large(MAX_JSON_BYTES).into_response(),
        };
        let text: String = String::from_utf8_lossy(&bytes)
            .chars()
            .take(MAX_DETAILS_CHARS)
            .collect();
        what.push(' ');
        what.push_str(&text);
        Request::from_parts(parts, Body::from(bytes))
    } else {
        if let Some(len) = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
        {
            what.push_str(&format!(" ({len} bytes)"));
        }
        request
    };
    let response = next.run(request).await;
    let details = format!("{what} → {}", response.status().as_u16());
    access
        .audit(event, caller.account(), &caller.source_text(), &details)
        .await;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_imports_and_certificates_are_audited() {
        assert_eq!(
            event(&Method::GET, "/api/bundle"),
            Some(AuditEvent::BundleExport)
        );
        assert_eq!(
            event(&Method::GET, "/api/cap/alert-1.xml"),
            Some(AuditEvent::CapExport)
        );
        assert_eq!(
            event(&Method::POST, "/api/members/revoke"),
            Some(AuditEvent::Revocation)
        );
        assert_eq!(event(&Method::GET, "/api/status"), None);
        assert_eq!(event(&Method::POST, "/api/incident/report"), None);
        // Every audited route exists.
        for (m, p, _) in AUDITED {
            assert!(
                roles::ROUTES
                    .iter()
                    .any(|(rm, rp, _)| rm == m && (rp == p || *rp == "/api/{area}/{verb}")),
                "{m} {p}"
            );
        }
    }
}
